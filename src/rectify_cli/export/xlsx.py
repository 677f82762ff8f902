"""The print-ready 整改台账 workbook (openpyxl): the ledger sheet, a 统计 sheet, a 附表 for texts
too long for a row, and the hidden data sheet `import xlsx` reads back."""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from decimal import Decimal

from .. import datasheet, fields
from ..ids import qualified_id
from ..records import Entry, Ledger
from ..views import OVERDUE_LABEL, inert
from ..vocab import STATUS_LABELS, Status
from . import tabular

FIRST_ROW = 3
FONT = "宋体"
SIZE = 11
LINE = 15.0  # points a wrapped line of 11 pt text takes
PAD = 4.0  # points above and below a cell's lines
MAX_HEIGHT = 409.0  # Excel's greatest row height
MAX_LINES = int((MAX_HEIGHT - PAD) // LINE)
CONTINUED_WIDTH = 100  # the 附表's text column
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.0%"
# the clerks' colours (tabular.STATES, as on the board), by what the 完成情况 cell says
_COLOUR = {state: fill for state, _word, fill in tabular.STATES}
FILLS = {STATUS_LABELS[Status.CLOSED]: _COLOUR["closed"], STATUS_LABELS[Status.OPEN]: _COLOUR["open"],
         OVERDUE_LABEL: _COLOUR["overdue"]}
LEGEND = {STATUS_LABELS[Status.CLOSED]: "已销号", STATUS_LABELS[Status.OPEN]: "未销号(正在整改)",
          OVERDUE_LABEL: "逾期未销号"}
DATES = (fields.ITEM.deadline, fields.ITEM.closed_on)
PROBLEM_SOURCES = (fields.PROBLEM.aspect, fields.PROBLEM.title)  # merged over a problem's items
UNIT_WIDTHS = (8, 20)  # a unit column's least and greatest width: its longest name, within these


def workbook(entries: list[Entry], ledger: Ledger, today: dt.date, sentences: list[str], tables,
             picks: list[int] | None = None) -> bytes:
    book = _book(ledger.info.title, ledger.info.unit)
    continued = _ledger_sheet(book.active, ledger.info.title, [(None, ledger, entries, today)], picks,
                              ledger.info.as_of or today)
    _summary_sheet(book.create_sheet("统计"), sentences, tables)
    _finish(book, continued)
    datasheet.write(book, entries, ledger, today)
    return _saved(book)


def workspace_workbook(title: str, parts: list[tabular.UnitPart], unit_header: str, as_of: dt.date,
                       sentences: list[str], tables, notes: list[str], picks: list[int] | None = None) -> bytes:
    """Several units' items in one 台账, a first column (`unit_header`) naming each row's unit;
    the 统计 sheet's `notes` under its tables. Its data sheet only marks it a workspace's, which
    `import xlsx` refuses."""
    book = _book(title, title)
    continued = _ledger_sheet(book.active, title, parts, picks, as_of, unit_header)
    _summary_sheet(book.create_sheet("统计"), sentences, tables, notes)
    _finish(book, continued)
    datasheet.mark_workspace(book, title)
    return _saved(book)


def _book(title: str, creator: str):
    from openpyxl import Workbook

    book = Workbook()
    book.properties.title = inert(title)  # no character XML cannot carry
    book.properties.creator = book.properties.lastModifiedBy = inert(creator)
    book.active.title = "整改台账"
    return book


def _finish(book, continued: list[tuple]) -> None:
    if continued:
        _continued_sheet(book.create_sheet(datasheet.CONTINUED_SHEET), continued)


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- how tall a wrapped text stands ----------------------------------------------------------


def _units(text: str) -> int:
    """Width in Excel's units (a digit): a CJK character, or a full-width sign, counts two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def lines(text: str, width: float) -> int:
    """The lines `text` wraps to in a column `width` wide (two units kept for the cell's margins
    and a CJK character's being a little wider than two digits)."""
    room = max(width - 2, 2)
    return sum(max(1, math.ceil(_units(part) / room)) for part in text.split("\n"))


def height(count: int) -> float:
    return min(count * LINE + PAD, MAX_HEIGHT)


def _cut(text: str, width: float) -> str:
    """As much of `text` as fits the greatest row height, ending in (续见附表)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if lines(text[:middle] + datasheet.CONTINUED, width) <= MAX_LINES:
            low = middle
        else:
            high = middle - 1
    return text[:low] + datasheet.CONTINUED


# --- the 台账 --------------------------------------------------------------------------------


def cell_style():
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    return (Font(name=FONT, size=SIZE), Border(left=thin, right=thin, top=thin, bottom=thin),
            Alignment(wrap_text=True, vertical="top"))


def text_cell(cell, value: str) -> None:
    """Store as text, always: a leading = must never become a formula."""
    cell.value = inert(value)
    cell.data_type = "s"


def _chosen(texts: list[list[str]], picks: list[int] | None) -> list[int]:
    """The columns named by --columns, else every column that is not empty in every row."""
    if picks is not None:
        return picks
    return [index for index in range(len(tabular.HEADERS)) if index == 0 or any(row[index] for row in texts)]


def _ledger_sheet(sheet, title: str, parts: list[tabular.UnitPart], picks, as_of: dt.date,
                  unit_header: str | None = None) -> list[tuple]:
    """The items' rows, with a first column naming each one's unit when `unit_header` is given;
    the (序号, 编号, header, text) of every cell cut for the 附表."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = [(unit, entry, tabular.row(entry, ledger, day)) for unit, ledger, entries, day in parts for entry in entries]
    chosen = _chosen([texts for _unit, _entry, texts in rows], picks)
    headers = [*([unit_header] if unit_header else []), *(tabular.HEADERS[index] for index in chosen)]
    widths = [*([_unit_width([unit for unit, _entry, _texts in rows])] if unit_header else []),
              *(tabular.COLUMNS[index][0].width for index in chosen)]
    sources = [*([None] if unit_header else []), *(tabular.SOURCES[index] for index in chosen)]
    font, border, wrap = cell_style()
    last = get_column_letter(len(headers))
    sheet.merge_cells(f"A1:{last}1")
    text_cell(sheet["A1"], title)
    sheet["A1"].font = Font(name=FONT, size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[1].height = 30
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=2, column=column)
        text_cell(cell, header)
        cell.font = Font(name=FONT, size=SIZE, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[2].height = height(max(lines(header, width) for header, width in zip(headers, widths, strict=True)))
    continued = []
    merged = [column for column, source in enumerate(sources, start=1) if source in PROBLEM_SOURCES]
    for number, (unit, entry, texts) in enumerate(rows, start=1):
        at = FIRST_ROW + number - 1
        cells = [*([unit] if unit_header else []), *(texts[index] for index in chosen)]
        tallest = 1
        for column, (text, width, source) in enumerate(zip(cells, widths, sources, strict=True), start=1):
            cell = sheet.cell(row=at, column=column)
            cell.font, cell.border, cell.alignment = font, border, wrap
            if lines(text, width) > MAX_LINES:
                continued.append((number, qualified_id(unit, entry.id) if unit else entry.id, headers[column - 1], text))
                text = _cut(text, width)
            _value(cell, source, text, number)
            if column not in merged:
                tallest = max(tallest, lines(text, width))
        sheet.row_dimensions[at].height = height(tallest)
    _merge_problems(sheet, [(unit, entry.problem.id) for unit, entry, _texts in rows], merged)
    end = FIRST_ROW + len(rows) - 1
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.auto_filter.ref = f"A2:{last}{max(end, 2)}"
    legend = _legend(sheet, end + 2)
    _print_setup(sheet, get_column_letter(max(len(headers), legend)), end + 2, as_of)
    return continued


def _unit_width(units: list[str]) -> int:
    least, greatest = UNIT_WIDTHS
    return min(max([least, *(_units(unit) + 2 for unit in units)]), greatest)


def _value(cell, source, text: str, number: int) -> None:
    """序号 as the running number, dates as dates, the rest as text; the status cell coloured."""
    from openpyxl.styles import Alignment, PatternFill

    if source is fields.ITEM_ID:
        cell.value = number
    elif source in DATES and text:
        cell.value = dt.date.fromisoformat(text)
        cell.number_format = DATE_FORMAT
    else:
        text_cell(cell, text)
    if source is fields.ITEM_ID or source in DATES:
        cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    if source is fields.ITEM.status and text in FILLS:
        cell.fill = PatternFill("solid", fgColor=FILLS[text])


def _merge_problems(sheet, problems: list[tuple], columns: list[int]) -> None:
    """A problem's cells span its items (rows of the same (unit, problem)); the rows grow where
    its text needs more than they give."""
    start = 0
    for index in range(1, len(problems) + 1):
        if index == len(problems) or problems[index] != problems[start]:
            rows = range(FIRST_ROW + start, FIRST_ROW + index)
            for column in columns:
                if len(rows) > 1:
                    sheet.merge_cells(start_row=rows[0], end_row=rows[-1], start_column=column, end_column=column)
                _fit_merged(sheet, rows, column)
            start = index


def _fit_merged(sheet, rows: range, column: int) -> None:
    from openpyxl.utils import get_column_letter

    text = str(sheet.cell(row=rows[0], column=column).value or "")
    need = height(lines(text, sheet.column_dimensions[get_column_letter(column)].width))
    have = sum(sheet.row_dimensions[row].height for row in rows)
    if need > have:
        last = sheet.row_dimensions[rows[-1]]
        last.height = min(last.height + need - have, MAX_HEIGHT)


def _legend(sheet, row: int) -> int:
    """The colours' meaning in a row under the table: 图例, then a coloured cell per status.
    Its number of columns."""
    from openpyxl.styles import PatternFill

    font, border, wrap = cell_style()
    cells = [(datasheet.LEGEND, None), *((LEGEND[status], colour) for status, colour in FILLS.items())]
    for column, (label, colour) in enumerate(cells, start=1):
        cell = sheet.cell(row=row, column=column)
        text_cell(cell, label)
        cell.font, cell.alignment = font, wrap
        if colour:
            cell.fill, cell.border = PatternFill("solid", fgColor=colour), border
    sheet.row_dimensions[row].height = height(2)
    return len(cells)


def _print_setup(sheet, last_column: str, last_row: int, as_of: dt.date) -> None:
    fit_page(sheet, landscape=True, tall=False)
    sheet.print_title_rows = "2:2"
    sheet.print_area = f"A1:{last_column}{max(last_row, 2)}"
    sheet.oddHeader.right.text = f"截至{as_of.year}年{as_of.month}月{as_of.day}日"
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"


def fit_page(sheet, landscape: bool, tall: bool) -> None:
    """A4, one page wide; `tall`: one page high too."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1 if tall else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


# --- the 附表 and the 统计 sheet ---------------------------------------------------------------


def _continued_sheet(sheet, continued: list[tuple]) -> None:
    """Each cut cell's whole text, over as many rows as it needs, each no taller than a row can be."""
    from openpyxl.styles import Font

    font, border, wrap = cell_style()
    widths = (7, 8, 14, CONTINUED_WIDTH)
    for column, (header, width) in enumerate(zip(datasheet.CONTINUED_HEADERS, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column)
        text_cell(cell, header)
        cell.font, cell.border = Font(name=FONT, size=SIZE, bold=True), border
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    row = 2
    for number, item_id, header, text in continued:
        for part in _parts(text):
            for column, value in enumerate((number, item_id, header, part), start=1):
                cell = sheet.cell(row=row, column=column)
                if column == 1:
                    cell.value = value
                else:
                    text_cell(cell, value)
                cell.font, cell.border, cell.alignment = font, border, wrap
            sheet.row_dimensions[row].height = height(lines(part, CONTINUED_WIDTH))
            row += 1
    fit_page(sheet, landscape=True, tall=False)
    sheet.print_title_rows = "1:1"


def _parts(text: str) -> list[str]:
    """`text` in pieces that each fit the greatest row height."""
    parts = []
    while lines(text, CONTINUED_WIDTH) > MAX_LINES:
        low, high = 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if lines(text[:middle], CONTINUED_WIDTH) <= MAX_LINES:
                low = middle
            else:
                high = middle - 1
        parts.append(text[:low])
        text = text[low:]
    return [*parts, text]


def _summary_sheet(sheet, sentences: list[str], tables, notes: tuple[str, ...] | list[str] = ()) -> None:
    """The headline sentences, then each table with borders (rates as numbers shown 0.0%), then
    the `notes` under them."""
    from openpyxl.styles import Alignment, Font

    font, border, wrap = cell_style()
    columns = max((len(headers) for _title, headers, _rows in tables), default=6)
    widths = [40] + [10] * (columns - 1)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    row = 1
    for sentence in sentences:
        _line(sheet, row, sentence, columns, sum(widths), Font(name=FONT, size=12, bold=row == 1))
        row += 1
    for title, headers, body in tables:
        row += 1
        text_cell(sheet.cell(row=row, column=1), title)
        sheet.cell(row=row, column=1).font = Font(name=FONT, size=SIZE, bold=True)
        row += 1
        for values in [headers, *body]:
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                if isinstance(value, Decimal):  # the summary's percent, as the fraction Excel formats
                    cell.value = float(value / 100)
                    cell.number_format = RATE_FORMAT
                elif isinstance(value, int):
                    cell.value = value
                else:
                    text_cell(cell, str(value))
                cell.font, cell.border = font, border
                cell.alignment = wrap if column == 1 else Alignment(horizontal="center", vertical="top")
            if values is headers:
                for column in range(1, len(values) + 1):
                    sheet.cell(row=row, column=column).font = Font(name=FONT, size=SIZE, bold=True)
            sheet.row_dimensions[row].height = height(lines(str(values[0]), widths[0]))
            row += 1
    for note in notes:
        row += 1
        _line(sheet, row, note, columns, sum(widths), font)
    fit_page(sheet, landscape=False, tall=True)
    sheet.print_area = f"A1:{chr(ord('A') + columns - 1)}{row}"


def _line(sheet, row: int, text: str, columns: int, width: float, font) -> None:
    """A sentence across the sheet's columns."""
    sheet.merge_cells(start_row=row, end_row=row, start_column=1, end_column=columns)
    cell = sheet.cell(row=row, column=1)
    text_cell(cell, text)
    cell.font = font
    cell.alignment = cell_style()[2]
    sheet.row_dimensions[row].height = height(lines(text, width))
