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
CONTINUED_SHEET = "附表"  # visible: the whole text of a cell too long for a row's greatest height
CONTINUED = "(续见附表)"  # ends such a cell
LEGEND = "图例:"  # the first cell of the row under the table that explains its colours; no item
CONTINUED_HEADERS = (fields.ITEM_ID.header, fields.ITEM_ID_LABEL, "列", "全文")  # a long text may take several rows, in order
CHUNK = 32_000  # an Excel cell holds at most 32,767 characters
FORMAT = 1
# the payload's keys
VERSION, TODAY, INFO, ENTRIES = "format", "today", "ledger", "entries"
WORKSPACE = "workspace"  # a workspace's workbook: its title, and no entries (units' IDs overlap)
HEAD = [spec for spec in fields.PROBLEM if spec is not fields.PROBLEM.items]  # a problem without its items


def payload(entries: list[Entry], ledger: Ledger, today: dt.date) -> dict:
    """[display ID, problem head, item] per entry: the ID as the visible sheet's 序号 shows it,
    the row's running number 1…n."""
    heads = {entry.problem.id: _head(entry.problem) for entry in entries}
    rows = [[str(number), heads[entry.problem.id], as_data(entry.item)] for number, entry in enumerate(entries, start=1)]
    return {VERSION: FORMAT, TODAY: today.isoformat(), INFO: as_data(ledger.info), ENTRIES: rows}


def _head(problem) -> dict:
    data = as_data(problem)
    return {spec.key: data[spec.key] for spec in HEAD}


def write(book, entries: list[Entry], ledger: Ledger, today: dt.date) -> None:
    _write(book, payload(entries, ledger, today))


def mark_workspace(book, title: str | None) -> None:
    """A workspace's workbook holds several units' items: `import xlsx` must not take it for one ledger."""
    _write(book, {VERSION: FORMAT, WORKSPACE: title})


def _write(book, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=True)  # ASCII: nothing for Excel to alter
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


def read_continued(book) -> dict[tuple[str, str], str]:
    """(序号, column header) → the whole text the 附表 holds for that cell; empty without a 附表."""
    if CONTINUED_SHEET not in book.sheetnames:
        return {}
    texts: dict[tuple[str, str], str] = {}
    for row in book[CONTINUED_SHEET].iter_rows(min_row=2, max_col=len(CONTINUED_HEADERS), values_only=True):
        number, _item, column, text = (*row, None, None, None, None)[:4]
        if number is None or not column:
            continue
        key = (str(number).strip(), str(column).strip())
        texts[key] = texts.get(key, "") + str(text or "")
    return texts
