"""A department's 填报表 built by hand from forms.py's contract, as the export writes it:
the visible sheet (title, filler line, header row, one row per item) and the hidden sheet
(forms.meta_rows). Lets the import's refusals be tested on forms the export would not make;
`fill` fills either kind, a hand-made form or an exported one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rectify_cli import forms, loading

TITLE_ROW, FILLER_ROW, HEADER_ROW = 1, 2, 3
HEADERS = [column.header for column in forms.READ_ONLY + forms.INPUTS]


def column_of(header: str) -> int:
    return HEADERS.index(header) + 1


def make_form(path: Path, ledger: Path, entries: list[str], meta: dict | None = None) -> dict[str, int]:
    """Write a blank form for these item IDs of the ledger folder; `meta` overrides fields of
    the hidden JSON (ledger, form, made, rows). Returns each ID's row."""
    import openpyxl

    loaded = loading.load_valid(ledger)
    by_id = {entry.id: entry for entry in loaded.entries()}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = forms.FORM_SHEET
    sheet.cell(TITLE_ROW, 1, f"{loaded.info.unit}{forms.TITLE_SUFFIX}")
    for offset, label in enumerate(forms.FILLER_LABELS):
        sheet.cell(FILLER_ROW, 1 + 2 * offset, label)
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(HEADER_ROW, column, header)
    rows: dict[int, tuple[str, str]] = {}
    for row, item_id in enumerate(entries, start=HEADER_ROW + 1):
        entry = by_id[item_id]
        for header, value in forms.shown_values(entry).items():
            sheet.cell(row, column_of(header), value)
        rows[row] = (item_id, forms.item_fingerprint(entry))
    overrides = meta or {}
    listed = overrides.get("rows") or [[row, item_id, fingerprint] for row, (item_id, fingerprint) in rows.items()]
    fillers = {label: sheet.cell(FILLER_ROW, 2 + 2 * offset).coordinate for offset, label in enumerate(forms.FILLER_LABELS)}
    data = forms.FormMeta(overrides.get("ledger", forms.ledger_identity(loaded.info)), "F-test", dt.date(2022, 2, 24),
                          fillers, [forms.FormRow(int(row), item_id, fingerprint) for row, item_id, fingerprint in listed])
    hidden = book.create_sheet(forms.META_SHEET)
    hidden.sheet_state = "hidden"
    for values in forms.meta_rows(data):  # the hidden sheet as the export writes it
        hidden.append(values)
    book.save(path)
    return {item_id: row for row, (item_id, _fingerprint) in rows.items()}


def fill(path: Path, filler: tuple[str, str, object] | None, cells: dict[tuple[int, str], object]) -> None:
    """Fill a form as a department would: the filler line (unit, person, date) and cells by
    (row, header)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book[forms.FORM_SHEET]
    cells_of_fillers = forms.read_meta(book).fillers  # where the form put each filler's value
    for label, value in zip(forms.FILLER_LABELS, filler or (), strict=False):
        sheet[cells_of_fillers[label]] = value
    for (row, header), value in cells.items():
        sheet.cell(row, column_of(header), value)
    book.save(path)
