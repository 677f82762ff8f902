"""The 整改台账 as rows: one per item, Chinese headers, for CSV, Markdown and Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from .. import fields
from ..records import Entry, Ledger, as_data
from ..views import entry_data, envelope, inert, item_text, md_text, neutralise

Cell = Callable[[Entry, Ledger, dt.date], str]


def _item_cell(spec: fields.Field) -> Cell:
    if spec is fields.ITEM.title:  # an item without its own title is its problem
        return lambda entry, ledger, today: entry.title
    if spec is fields.ITEM.outcome:
        return lambda entry, ledger, today: progress_and_outcome(entry)
    return lambda entry, ledger, today: item_text(entry, spec, today)


def _columns() -> list[tuple[fields.Column, Cell]]:
    """Where the item stands (its ID, aspect, problem), then every exported field, in order."""
    where: list[tuple[fields.Column, Cell]] = [
        (fields.ITEM_ID, lambda entry, ledger, today: entry.id),
        (fields.PROBLEM.aspect.column, lambda entry, ledger, today: ledger.aspect_title(entry.problem.aspect)),
        (fields.PROBLEM.title.column, lambda entry, ledger, today: f"{entry.problem.id}.{entry.problem.title}"),
    ]
    return where + [(spec.column, _item_cell(spec)) for spec in fields.ITEM if spec.column]


COLUMNS = _columns()
# what each column shows: the item's ID, its problem's aspect and title, then its own fields
SOURCES = [fields.ITEM_ID, fields.PROBLEM.aspect, fields.PROBLEM.title, *(spec for spec in fields.ITEM if spec.column)]
assert [getattr(source, "column", source) for source in SOURCES] == [column for column, _cell in COLUMNS]
HEADERS = [column.header for column, _cell in COLUMNS]
PROBLEM_COLUMNS = tuple(index for index, (column, _cell) in enumerate(COLUMNS)
                        if column in (fields.PROBLEM.aspect.column, fields.PROBLEM.title.column))


def row(entry: Entry, ledger: Ledger, today: dt.date) -> list[str]:
    return [cell(entry, ledger, today) for _column, cell in COLUMNS]


def progress_and_outcome(entry: Entry) -> str:
    item = entry.item
    notes = [f"{e.date} {e.note}" for e in sorted(item.history, key=lambda e: e.date) if e.note]
    return "\n".join([*([item.outcome] if item.outcome else []), *notes])


def as_csv(entries: list[Entry], ledger: Ledger, today: dt.date) -> bytes:
    """UTF-8 with a BOM, so that Excel on Windows reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for entry in entries:
        writer.writerow([neutralise(inert(cell)) for cell in row(entry, ledger, today)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def as_json(entries: list[Entry], ledger: Ledger, today: dt.date) -> dict:
    return envelope(today=today.isoformat(), ledger=as_data(ledger.info),
                    items=[entry_data(entry, ledger, today) for entry in entries])


def as_markdown(entries: list[Entry], ledger: Ledger, today: dt.date, summary_text: str) -> str:
    picks = [index for index, (column, _cell) in enumerate(COLUMNS) if column.brief]
    columns = [HEADERS[index] for index in picks]
    lines = [f"# {_md(ledger.info.title)}", "", summary_text, ""]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for entry in entries:
        cells = row(entry, ledger, today)
        lines.append("| " + " | ".join(_md(cells[i]) for i in picks) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return md_text(text)
