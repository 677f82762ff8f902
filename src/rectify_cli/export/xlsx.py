"""The print-ready 整改台账 workbook (openpyxl), with a second sheet of summary tables."""

from __future__ import annotations

import datetime as dt
import io

from .. import datasheet
from ..records import Entry, Ledger
from ..views import inert
from . import tabular

MERGED_COLUMNS = tuple(index + 1 for index in tabular.PROBLEM_COLUMNS)  # span their problem's items
FIRST_ROW = 3


def workbook(entries: list[Entry], ledger: Ledger, today: dt.date, sentence: str, tables) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    _ledger_sheet(sheet, entries, ledger, today)
    _summary_sheet(book.create_sheet("统计"), sentence, tables)
    datasheet.write(book, entries, ledger, today)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(cell, value: str) -> None:
    """Store as text, always: a leading = must never become a formula."""
    cell.value = inert(value)
    cell.data_type = "s"


def _ledger_sheet(sheet, entries: list[Entry], ledger: Ledger, today: dt.date) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    columns = len(tabular.HEADERS)
    last = get_column_letter(columns)
    sheet.merge_cells(f"A1:{last}1")
    _text(sheet["A1"], ledger.info.title)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (declared, _cell) in enumerate(tabular.COLUMNS, start=1):
        cell = sheet.cell(row=2, column=column)
        _text(cell, declared.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = declared.width
    for offset, entry in enumerate(entries):
        for column, value in enumerate(tabular.row(entry, ledger, today), start=1):
            cell = sheet.cell(row=FIRST_ROW + offset, column=column)
            _text(cell, value)
            cell.alignment = wrap
            cell.border = border
    _merge_problems(sheet, entries)
    end = FIRST_ROW + len(entries) - 1
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.auto_filter.ref = f"A2:{last}{max(end, 2)}"
    _print_setup(sheet, last, end)


def _merge_problems(sheet, entries: list[Entry]) -> None:
    start = 0
    for index in range(1, len(entries) + 1):
        if index == len(entries) or entries[index].problem.id != entries[start].problem.id:
            if index - start > 1:
                for column in MERGED_COLUMNS:
                    sheet.merge_cells(start_row=FIRST_ROW + start, end_row=FIRST_ROW + index - 1,
                                      start_column=column, end_column=column)
            start = index


def _print_setup(sheet, last_column: str, last_row: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "2:2"
    sheet.print_area = f"A1:{last_column}{max(last_row, 2)}"
    sheet.print_options.horizontalCentered = True


def _summary_sheet(sheet, sentence: str, tables) -> None:
    from openpyxl.styles import Font

    _text(sheet["A1"], sentence)
    sheet["A1"].font = Font(bold=True)
    row = 3
    for title, headers, rows in tables:
        _text(sheet.cell(row=row, column=1), title)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        row += 1
        for values in [headers, *rows]:
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                if isinstance(value, int | float):
                    cell.value = value
                else:
                    _text(cell, str(value))
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 48
