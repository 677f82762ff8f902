"""The department fill-in form (填报表): what goes out and comes back, in one place.

`rectify export -f xlsx --form` writes it (export/form.py); `rectify import updates` reads it
back (importers/updates.py). Both take the form's sheets, columns and fingerprints from here.

A form carries, in its hidden sheet, the ledger's identity, its own id, the day it was made,
and for each row the item's ID and a fingerprint of what the department was shown (the item's
read-only fields and its status; not its history, so two departments sharing an item do not
invalidate each other's forms with their notes).

The visible sheet FORM_SHEET: row 1 the title; row 2 the filler line, each of FILLER_LABELS in a
cell with its (unlocked) value cell just right of it; row 3 the headers; then one row per item.
Its columns, from column A: READ_ONLY then INPUTS (COLUMNS), in that order.

The hidden sheet META_SHEET (every cell text, so Excel alters nothing), column A a key, B its value:

    format      1                   FORMAT
    ledger      <16 hex>            ledger_identity(info) of the ledger the form was made from
    form        <12 hex>            the form's id, unique per form made
    made        2022-02-23          the day it was made (the export's day)
    填报单位     C2                  where each of FILLER_LABELS' value cell is, on FORM_SHEET
    填报人       E2
    填报日期     G2
    row         id    fingerprint   the table's header (ROWS_HEADER), then one line per form row:
    4           13.2  <16 hex>      its row on FORM_SHEET, the item's ID, item_fingerprint(entry)

`read_meta(book)` reads it back as a FormMeta.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import NamedTuple

from . import fields
from .errors import RectifyError
from .records import Entry

ITEM = fields.ITEM
FORM_SHEET = "填报表"  # the visible sheet
META_SHEET = "form"  # the hidden sheet: identity, form id, rows
FORMAT = 1  # of the hidden sheet's contents
TITLE_SUFFIX = f"巡察{fields.HISTORY_ENTRY.label}填报表"  # 泾县城管执法局巡察整改进展填报表(环卫所)
FILLER_LABELS = ("填报单位", "填报人", "填报日期")  # the line under the title, each followed by its cell


class FormColumn(NamedTuple):
    header: str
    width: int
    source: fields.Field | None  # the item field a read-only column shows; None for input columns


ID_HEADER = fields.ITEM_ID.header  # 序号: the item's ID, as the ledger shows it (13.2)
CURRENT = "当前进展"  # the latest note, else the outcome
READ_ONLY = [
    FormColumn(ID_HEADER, 7, None),
    FormColumn(fields.PROBLEM.label, 18, None),
    FormColumn(ITEM.title.label, 28, ITEM.title),
    FormColumn(ITEM.measures.label, 24, ITEM.measures),
    FormColumn(ITEM.deadline.label, 11, ITEM.deadline),
    FormColumn(CURRENT, 30, None),
]
PROGRESS, DONE, DONE_ON, EVIDENCE = f"本期{fields.HISTORY_ENTRY.label}", "是否完成", "完成日期", fields.ITEM.evidence.label
INPUTS = [FormColumn(PROGRESS, 36, None), FormColumn(DONE, 10, None), FormColumn(DONE_ON, 12, None),
          FormColumn(EVIDENCE, 20, None)]
DONE_WORDS = ("已完成", "正在整改")  # the drop-down's choices; the first closes the item
COLUMNS = READ_ONLY + INPUTS  # the visible sheet's columns, from A

# the hidden sheet's keys (column A) and its table's header
FORMAT_KEY, LEDGER_KEY, FORM_KEY, MADE_KEY = "format", "ledger", "form", "made"
ROWS_HEADER = ("row", "id", "fingerprint")


class FormRow(NamedTuple):
    row: int  # on FORM_SHEET
    id: str  # the item's ID, 13.2
    fingerprint: str  # item_fingerprint(entry) when the form was made


class FormMeta(NamedTuple):
    identity: str  # ledger_identity(info)
    form_id: str
    made: dt.date
    fillers: dict[str, str]  # each of FILLER_LABELS → its value cell on FORM_SHEET ("C2")
    rows: list[FormRow]

    @property
    def by_row(self) -> dict[int, FormRow]:
        return {row.row: row for row in self.rows}


def meta_rows(meta: FormMeta) -> list[list[str]]:
    """The hidden sheet's cells, row by row, as text."""
    head = [[FORMAT_KEY, str(FORMAT)], [LEDGER_KEY, meta.identity], [FORM_KEY, meta.form_id],
            [MADE_KEY, meta.made.isoformat()], *([label, meta.fillers[label]] for label in FILLER_LABELS)]
    return [*head, list(ROWS_HEADER), *([str(row.row), row.id, row.fingerprint] for row in meta.rows)]


class NotAForm(RectifyError):
    """The workbook carries no readable form sheet: not a form rectify made."""


def read_meta(book) -> FormMeta:
    """The hidden sheet of a form (an openpyxl workbook). NotAForm, saying why in Chinese, when
    the book has none or it is damaged or of another format."""
    if META_SHEET not in book.sheetnames:
        raise NotAForm(f"不是 rectify 生成的填报表(没有隐藏的 {META_SHEET} 工作表)")
    cells = [[("" if value is None else str(value).strip()) for value in row]
             for row in book[META_SHEET].iter_rows(max_col=len(ROWS_HEADER), values_only=True)]
    try:
        split = next(index for index, row in enumerate(cells) if tuple(row) == ROWS_HEADER)
    except StopIteration:
        raise NotAForm(f"隐藏页 {META_SHEET} 中没有行表,填报表已损坏") from None
    keys = {row[0]: row[1] for row in cells[:split] if row[0]}
    if keys.get(FORMAT_KEY) != str(FORMAT):
        raise NotAForm(f"隐藏页 {META_SHEET} 的格式不是本版本能读的 {FORMAT}")
    missing = [key for key in (LEDGER_KEY, FORM_KEY, MADE_KEY, *FILLER_LABELS) if not keys.get(key)]
    if missing:
        raise NotAForm(f"隐藏页 {META_SHEET} 缺少 {'、'.join(missing)},填报表已损坏")
    try:
        made = dt.date.fromisoformat(keys[MADE_KEY])
        rows = [FormRow(int(row[0]), row[1], row[2]) for row in cells[split + 1:] if any(row)]
    except ValueError:
        raise NotAForm(f"隐藏页 {META_SHEET} 的日期或行号无法识别,填报表已损坏") from None
    return FormMeta(keys[LEDGER_KEY], keys[FORM_KEY], made, {label: keys[label] for label in FILLER_LABELS}, rows)


def ledger_identity(info) -> str:
    """A digest of who was inspected, by whom, and when: the form belongs to this ledger."""
    start = info.inspection.start.isoformat() if info.inspection else ""
    feedback = info.feedback_date.isoformat() if info.feedback_date else ""
    return _digest([info.unit, info.inspector, start, feedback])


def item_fingerprint(entry: Entry) -> str:
    """What the department was shown of an item, and its status: a change since means the row
    was filled against an older state."""
    item = entry.item
    shown = [entry.id, entry.problem.title, item.title, item.measures,
             item.deadline.isoformat() if item.deadline else None, item.status.value]
    return _digest(shown)


def _digest(values: list) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def form_id(identity: str, ids: list[str], made_at: str) -> str:
    """Unique per form made: the ledger, its items and the moment (`made_at`, to the microsecond)."""
    return hashlib.sha256(json.dumps([identity, ids, made_at]).encode()).hexdigest()[:12]


def source_of(form_id: str, row: int) -> str:
    """What an applied row's history entries carry in `source`: `<form id>/<row>`."""
    return f"{form_id}/{row}"


def shown_values(entry: Entry) -> dict[str, str]:
    """The read-only cells a row shows that a department cannot have meant to change: the import
    compares them with the filled form to catch an edit in a locked column."""
    item = entry.item
    return {ID_HEADER: entry.id, fields.PROBLEM.label: entry.problem.title,
            ITEM.title.label: item.title or "", ITEM.measures.label: item.measures or ""}
