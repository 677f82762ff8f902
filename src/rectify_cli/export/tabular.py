"""The 整改台账 as rows: one per item, Chinese headers, for CSV, Markdown and Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

from .. import fields
from ..errors import RectifyError
from ..records import Entry, Ledger, as_data
from ..views import entry_data, envelope, inert, item_text, md_text, neutralise

Cell = Callable[[Entry, Ledger, dt.date], str]
UnitPart = tuple[str | None, Ledger, list[Entry], dt.date]  # (unit, its ledger, its items, its day)


def _item_cell(spec: fields.Field) -> Cell:
    if spec is fields.ITEM.title:  # an item without its own title is its problem
        return lambda entry, ledger, today: entry.title
    if spec is fields.ITEM.outcome:
        return lambda entry, ledger, today: progress_and_outcome(entry)
    return lambda entry, ledger, today: item_text(entry, spec, today)


def _item_columns() -> list[fields.Field]:
    """The item's fields that are columns, in declared order but where a column says `before`."""
    specs = [spec for spec in fields.ITEM if spec.column]
    for spec in [spec for spec in specs if spec.column.before]:
        specs.remove(spec)
        specs.insert(specs.index(fields.ITEM.get(spec.column.before)), spec)
    return specs


ITEM_COLUMNS = _item_columns()


def _columns() -> list[tuple[fields.Column, Cell]]:
    """Where the item stands (its ID, aspect, problem), then every exported field, in order."""
    where: list[tuple[fields.Column, Cell]] = [
        (fields.ITEM_ID, lambda entry, ledger, today: entry.id),
        (fields.PROBLEM.aspect.column, lambda entry, ledger, today: ledger.aspect_title(entry.problem.aspect)),
        (fields.PROBLEM.title.column, lambda entry, ledger, today: f"{entry.problem.id}.{entry.problem.title}"),
    ]
    return where + [(spec.column, _item_cell(spec)) for spec in ITEM_COLUMNS]


COLUMNS = _columns()
# what each column shows: the item's ID, its problem's aspect and title, then its own fields
SOURCES = [fields.ITEM_ID, fields.PROBLEM.aspect, fields.PROBLEM.title, *ITEM_COLUMNS]
assert [getattr(source, "column", source) for source in SOURCES] == [column for column, _cell in COLUMNS]
HEADERS = [column.header for column, _cell in COLUMNS]
# the red-yellow-blue convention clerks use for 完成情况: (state, legend word, light fill as RGB hex)
STATES = (("closed", "已销号", "DDEBF7"), ("open", "正在整改", "FFF2CC"), ("overdue", "逾期", "F8CBAD"))
# what else `--columns` may call a column: the field's label and key (an item's own fields by theirs)
OTHER_NAMES = {fields.ITEM_ID: (fields.ITEM_ID_LABEL, "id"), fields.PROBLEM.aspect: (fields.PROBLEM.aspect.label, "aspect"),
               fields.PROBLEM.title: ("problem",)}
PROBLEM_COLUMNS = tuple(index for index, (column, _cell) in enumerate(COLUMNS)
                        if column in (fields.PROBLEM.aspect.column, fields.PROBLEM.title.column))


def pick(names: str | None) -> list[int] | None:
    """The columns `--columns` names, in its order, separated by commas (Chinese headers, labels
    or field keys); None: all."""
    if names is None:
        return None
    known: dict[str, int] = {}
    for index, source in enumerate(SOURCES):
        words = OTHER_NAMES.get(source) or (source.label, source.key)
        for word in (HEADERS[index], *words):
            known.setdefault(word, index)
    wanted = [name.strip() for name in re.split(r"[,,、]", names) if name.strip()]
    unknown = [name for name in wanted if name not in known]
    if unknown or not wanted:
        raise RectifyError(f"--columns 中没有这样的列:{'、'.join(unknown) or '(空)'};可选的列:{'、'.join(HEADERS)}"
                           "(也可写字段名,如 deadline)")
    return list(dict.fromkeys(known[name] for name in wanted))


def row(entry: Entry, ledger: Ledger, today: dt.date) -> list[str]:
    return [cell(entry, ledger, today) for _column, cell in COLUMNS]


def progress_and_outcome(entry: Entry) -> str:
    item = entry.item
    notes = [f"{e.date} {e.note}" for e in sorted(item.history, key=lambda e: e.date) if e.note]
    return "\n".join([*([item.outcome] if item.outcome else []), *notes])


def as_csv(entries: list[Entry], ledger: Ledger, today: dt.date, picks: list[int] | None = None) -> bytes:
    """UTF-8 with a BOM, so that Excel on Windows reads the Chinese correctly. Every column, or
    those picked."""
    return as_csv_of_units([(None, ledger, entries, today)], picks)


def as_csv_of_units(parts: list[UnitPart], picks: list[int] | None = None,
                    unit_header: str | None = None) -> bytes:
    """The rows of several ledgers, each (unit, ledger, entries, its day); with `unit_header`, a
    first column naming each row's unit (a workspace's export)."""
    chosen = range(len(HEADERS)) if picks is None else picks
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*([unit_header] if unit_header else []), *(HEADERS[index] for index in chosen)])
    for unit, ledger, entries, today in parts:
        for entry in entries:
            cells = row(entry, ledger, today)
            writer.writerow([*([neutralise(inert(unit))] if unit_header else []),
                             *(neutralise(inert(cells[index])) for index in chosen)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def as_json(entries: list[Entry], ledger: Ledger, today: dt.date) -> dict:
    return envelope(today=today.isoformat(), ledger=as_data(ledger.info),
                    items=[entry_data(entry, ledger, today) for entry in entries])


def as_markdown(entries: list[Entry], ledger: Ledger, today: dt.date, summary_text: str) -> str:
    return as_markdown_of_units(ledger.info.title, [(None, ledger, entries, today)], summary_text)


def as_markdown_of_units(title: str, parts: list[UnitPart], summary_text: str, unit_header: str | None = None,
                         notes: tuple[str, ...] | list[str] = ()) -> str:
    """The brief columns of several ledgers' items; with `unit_header`, a first column naming
    each row's unit; `notes` under the table."""
    picks = [index for index, (column, _cell) in enumerate(COLUMNS) if column.brief]
    columns = [*([unit_header] if unit_header else []), *(HEADERS[index] for index in picks)]
    lines = [f"# {_md(title)}", "", summary_text, ""]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for unit, ledger, entries, today in parts:
        for entry in entries:
            cells = row(entry, ledger, today)
            lines.append("| " + " | ".join([*([_md(unit)] if unit_header else []), *(_md(cells[i]) for i in picks)]) + " |")
    lines += ["", *map(_md, notes)] if notes else []
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return md_text(text)
