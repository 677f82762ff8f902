"""The department fill-in form (填报表): one workbook a department fills in Excel or WPS.

Its sheets, columns and hidden contents are declared in forms.py, which `import updates` reads
too; this module only lays them out: read-only cells locked, input cells unlocked and tinted,
the sheet protected without a password.
"""

from __future__ import annotations

import datetime as dt
import io

from .. import forms
from ..errors import RectifyError
from ..records import Entry, Ledger, inspection_start
from ..views import inert
from .xlsx import DATE_FORMAT, FONT, SIZE, cell_style, fit_page, height, lines, text_cell

TITLE_ROW, FILLER_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1
FILLER_COLUMNS = (2, 4, 6)  # each of FILLER_LABELS' column; its value cell is the next one
INPUT_FILL = "E2EFDA"  # a light green: where the department writes
INPUT_LINES = 2  # a row leaves room for a short answer even where the item's texts are short
LAST_DATE = dt.date(2100, 12, 31)
EARLIEST = dt.date(2000, 1, 1)  # 完成日期's lower bound when the ledger gives no inspection start


def workbook(entries: list[Entry], ledger: Ledger, today: dt.date, dept: str | None) -> bytes:
    """The form for `entries` (refused when there are none); `dept`: the department it is for."""
    from openpyxl import Workbook

    if not entries:
        raise RectifyError("没有符合条件的整改事项,未生成填报表(请检查 --dept 等筛选条件)")
    book = Workbook()
    book.properties.creator = book.properties.lastModifiedBy = inert(ledger.info.unit)
    book.properties.title = inert(title(ledger, dept))
    sheet = book.active
    sheet.title = forms.FORM_SHEET
    start = inspection_start(ledger.info) or EARLIEST
    fillers = _head(sheet, title(ledger, dept), dept)
    for number, entry in enumerate(entries):
        _item_row(sheet, FIRST_ROW + number, entry)
    last = FIRST_ROW + len(entries) - 1
    _rules(sheet, start, fillers[forms.FILLER_LABELS[2]], last)
    _protect_and_print(sheet, last)
    _meta_sheet(book, ledger, entries, today, fillers)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def title(ledger: Ledger, dept: str | None) -> str:
    """泾县城管执法局巡察整改进展填报表(环卫所)"""
    return ledger.info.unit + forms.TITLE_SUFFIX + (f"({dept})" if dept else "")


def current(entry: Entry) -> str:
    """当前进展: the latest note with its date, else the outcome."""
    notes = [event for event in entry.item.history if event.note]
    if notes:
        latest = max(reversed(notes), key=lambda event: event.date)  # of one day, the last written
        return f"{latest.date.isoformat()} {latest.note}"
    return entry.item.outcome or ""


def _head(sheet, heading: str, dept: str | None) -> dict[str, str]:
    """Title, filler line and headers; each filler's value cell, by its label."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    font, border, wrap = cell_style()
    last = get_column_letter(len(forms.COLUMNS))
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    cell = sheet.cell(row=TITLE_ROW, column=1)
    text_cell(cell, heading)
    cell.font = Font(name=FONT, size=16, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[TITLE_ROW].height = 30
    fillers = {}
    for label, column in zip(forms.FILLER_LABELS, FILLER_COLUMNS, strict=True):
        text_cell(sheet.cell(row=FILLER_ROW, column=column), label)
        sheet.cell(row=FILLER_ROW, column=column).font = Font(name=FONT, size=SIZE, bold=True)
        sheet.cell(row=FILLER_ROW, column=column).alignment = Alignment(horizontal="right", vertical="center")
        value = sheet.cell(row=FILLER_ROW, column=column + 1)
        _input(value, border)
        value.alignment = Alignment(vertical="center")
        fillers[label] = value.coordinate
    unit, _person, day = (sheet[fillers[label]] for label in forms.FILLER_LABELS)
    if dept:
        text_cell(unit, dept)
    day.number_format = DATE_FORMAT
    sheet.row_dimensions[FILLER_ROW].height = 24
    for column, spec in enumerate(forms.COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column)
        text_cell(cell, spec.header)
        cell.font = Font(name=FONT, size=SIZE, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        if spec in forms.INPUTS:
            cell.fill = _fill()
        sheet.column_dimensions[get_column_letter(column)].width = spec.width
    sheet.row_dimensions[HEADER_ROW].height = height(max(lines(spec.header, spec.width) for spec in forms.COLUMNS))
    return fillers


def _item_row(sheet, row: int, entry: Entry) -> None:
    from openpyxl.styles import Alignment

    font, border, wrap = cell_style()
    item = entry.item
    texts = [entry.id, entry.problem.title, entry.title, item.measures or "", None, current(entry)]
    for column, (spec, text) in enumerate(zip(forms.READ_ONLY, texts, strict=True), start=1):
        cell = sheet.cell(row=row, column=column)
        cell.font, cell.border, cell.alignment = font, border, wrap
        if spec.source is forms.ITEM.deadline:
            cell.value = item.deadline
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        else:
            text_cell(cell, text)
    for column in range(len(forms.READ_ONLY) + 1, len(forms.COLUMNS) + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font, cell.alignment = font, wrap
        _input(cell, border)
    sheet.cell(row=row, column=_column(forms.DONE_ON)).number_format = DATE_FORMAT
    tallest = max(lines(text or "", spec.width) for spec, text in zip(forms.READ_ONLY, texts, strict=True))
    sheet.row_dimensions[row].height = height(max(tallest, INPUT_LINES))


def _fill():
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=INPUT_FILL)


def _input(cell, border) -> None:
    """A cell the department fills: unlocked, tinted, framed."""
    from openpyxl.styles import Protection

    cell.protection = Protection(locked=False)
    cell.fill = _fill()
    cell.border = border


def _column(header: str) -> int:
    return [spec.header for spec in forms.COLUMNS].index(header) + 1


def _rules(sheet, start: dt.date, day_cell: str, last_row: int) -> None:
    """是否完成 from a drop-down list of DONE_WORDS; 完成日期 and 填报日期 a date from the
    inspection's start to 2100, written as Excel's DATE(), which Excel, WPS and LibreOffice read."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    choice = DataValidation(type="list", formula1='"' + ",".join(forms.DONE_WORDS) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=forms.DONE,
                            error=f"请从下拉列表中选择:{'、'.join(forms.DONE_WORDS)}")
    low, high = (f"DATE({day.year},{day.month},{day.day})" for day in (start, LAST_DATE))
    date = DataValidation(type="date", operator="between", formula1=low, formula2=high, allow_blank=True,
                          showErrorMessage=True, errorTitle="日期",
                          error=f"请填写 {start.isoformat()} 至 {LAST_DATE.isoformat()} 之间的日期,如 {start.isoformat()}")
    for rule, header in ((choice, forms.DONE), (date, forms.DONE_ON)):
        letter = get_column_letter(_column(header))
        sheet.add_data_validation(rule)
        rule.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
    date.add(day_cell)


def _protect_and_print(sheet, last_row: int) -> None:
    """Protected without a password, rows and columns still resizable so long text can be read;
    A4 landscape, one page wide, the headers on every page."""
    from openpyxl.utils import get_column_letter

    sheet.protection.sheet = True
    sheet.protection.formatRows = sheet.protection.formatColumns = False  # False: allowed
    sheet.freeze_panes = f"A{FIRST_ROW}"
    fit_page(sheet, landscape=True, tall=False)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{get_column_letter(len(forms.COLUMNS))}{last_row}"
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"


def _meta_sheet(book, ledger: Ledger, entries: list[Entry], today: dt.date, fillers: dict[str, str]) -> None:
    identity = forms.ledger_identity(ledger.info)
    ids = [entry.id for entry in entries]
    meta = forms.FormMeta(identity, forms.form_id(identity, ids, dt.datetime.now(dt.UTC).isoformat()), today,
                          fillers, [forms.FormRow(FIRST_ROW + number, entry.id, forms.item_fingerprint(entry))
                                    for number, entry in enumerate(entries)])
    sheet = book.create_sheet(forms.META_SHEET)
    for row, values in enumerate(forms.meta_rows(meta), start=1):
        for column, value in enumerate(values, start=1):
            text_cell(sheet.cell(row=row, column=column), value)
    sheet.sheet_state = "hidden"
