"""The department fill-in form (填报表): what goes out and comes back, in one place.

`rectify export -f xlsx --form` writes it (export/form.py); `rectify import updates` reads it
back (importers/updates.py). Both take the form's sheets, columns and fingerprints from here.

A form carries, in its hidden sheet, the ledger's identity, its own id, the day it was made,
and for each row the item's ID and a fingerprint of what the department was shown (the item's
read-only fields and its status; not its history, so two departments sharing an item do not
invalidate each other's forms with their notes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import NamedTuple

from . import fields
from .errors import RectifyError
from .records import Entry

ITEM = fields.ITEM
FORM_SHEET = "填报表"  # the visible sheet
META_SHEET = "form"  # the hidden sheet: identity, form id, rows
FORMAT = 1  # of the hidden sheet's contents
TITLE_SUFFIX = f"巡察{ITEM.history.label}填报表"  # 泾县城管执法局巡察整改进展填报表(环卫所)
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
PROGRESS, DONE, DONE_ON, EVIDENCE = f"本期{ITEM.history.label}", "是否完成", "完成日期", fields.ITEM.evidence.label
INPUTS = [FormColumn(PROGRESS, 36, None), FormColumn(DONE, 10, None), FormColumn(DONE_ON, 12, None),
          FormColumn(EVIDENCE, 20, None)]
DONE_WORDS = ("已完成", "正在整改")  # the drop-down's choices; the first closes the item


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


def source_of(form_id: str, row: int) -> str:
    """What an applied row's history entries carry in `source`: `<form id>/<row>`."""
    return f"{form_id}/{row}"


def shown_values(entry: Entry) -> dict[str, str]:
    """The read-only cells a row shows that a department cannot have meant to change: the import
    compares them with the filled form to catch an edit in a locked column."""
    item = entry.item
    return {ID_HEADER: entry.id, fields.PROBLEM.label: entry.problem.title,
            ITEM.title.label: item.title or "", ITEM.measures.label: item.measures or ""}


class NotAForm(RectifyError):
    """The workbook carries no (readable) form sheet: not a form rectify made."""


@dataclass(frozen=True)
class FormMeta:
    """The hidden sheet: one JSON object in its A1 cell."""

    format: int
    ledger: str  # ledger_identity of the ledger the form was made from
    form: str  # the form's id
    made: dt.date
    rows: dict[int, tuple[str, str]]  # visible row → (item ID, item_fingerprint)

    def to_json(self) -> str:
        rows = [[row, item_id, fingerprint] for row, (item_id, fingerprint) in sorted(self.rows.items())]
        return json.dumps({"format": self.format, "ledger": self.ledger, "form": self.form,
                           "made": self.made.isoformat(), "rows": rows}, ensure_ascii=False)


def read_meta(book) -> FormMeta:
    """The hidden sheet of an openpyxl workbook, checked; NotAForm says what is wrong."""
    if META_SHEET not in book.sheetnames:
        raise NotAForm(f"不是 rectify 生成的填报表(没有隐藏的 {META_SHEET} 工作表)")
    try:
        data = json.loads(book[META_SHEET]["A1"].value or "")
        meta = FormMeta(int(data["format"]), str(data["ledger"]), str(data["form"]),
                        dt.date.fromisoformat(data["made"]),
                        {int(row): (str(item_id), str(fingerprint)) for row, item_id, fingerprint in data["rows"]})
    except (ValueError, TypeError, KeyError) as exc:
        raise NotAForm(f"填报表的 {META_SHEET} 工作表已损坏,无法读取({exc})") from None
    if meta.format != FORMAT:
        raise NotAForm(f"填报表格式 {meta.format} 不是本版本能读的格式 {FORMAT}")
    return meta
