"""The hidden sheet an exported workbook carries: every exported record in full, as JSON.

The visible 台账 shows what a clerk reads; this sheet lets `import xlsx` give back what
the visible cells cannot hold (closed_by, history with its authors, the ledger's facts).
"""

from __future__ import annotations

import datetime as dt
import json

from . import fields
from .records import Entry, Ledger, as_data

SHEET = "data"
CHUNK = 32_000  # an Excel cell holds at most 32,767 characters
FORMAT = 1
# the payload's keys
VERSION, TODAY, INFO, ENTRIES = "format", "today", "ledger", "entries"
HEAD = [spec for spec in fields.PROBLEM if spec is not fields.PROBLEM.items]  # a problem without its items


def payload(entries: list[Entry], ledger: Ledger, today: dt.date) -> dict:
    """[display ID, problem head, item] per entry: the ID as the visible sheet shows it."""
    heads = {entry.problem.id: _head(entry.problem) for entry in entries}
    rows = [[entry.id, heads[entry.problem.id], as_data(entry.item)] for entry in entries]
    return {VERSION: FORMAT, TODAY: today.isoformat(), INFO: as_data(ledger.info), ENTRIES: rows}


def _head(problem) -> dict:
    data = as_data(problem)
    return {spec.key: data[spec.key] for spec in HEAD}


def write(book, entries: list[Entry], ledger: Ledger, today: dt.date) -> None:
    text = json.dumps(payload(entries, ledger, today), ensure_ascii=True)  # ASCII: nothing for Excel to alter
    sheet = book.create_sheet(SHEET)
    for row, start in enumerate(range(0, len(text), CHUNK), start=1):
        cell = sheet.cell(row=row, column=1)
        cell.value = text[start:start + CHUNK]
        cell.data_type = "s"
    sheet.sheet_state = "hidden"


def read(book) -> dict | None:
    """The payload of a workbook's data sheet; None when it has none. ValueError: a data sheet
    that does not parse, or not of this format."""
    if SHEET not in book.sheetnames:
        return None
    sheet = book[SHEET]
    text = "".join(str(row[0]) for row in sheet.iter_rows(min_col=1, max_col=1, values_only=True) if row[0])
    data = json.loads(text)
    if not isinstance(data, dict) or data.get(VERSION) != FORMAT:
        raise ValueError(SHEET)
    return data
