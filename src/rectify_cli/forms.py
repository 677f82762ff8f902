"""The department fill-in form (填报表): what goes out and comes back, in one place.

`rectify export -f xlsx --form` writes it (export/form.py); `rectify import updates` reads it
back (importers/updates.py). Both take the form's sheets, columns and fingerprints from here.

A form carries, in its hidden sheet, the ledger's identity, its own id, the day it was made,
and for each row the item's ID and a fingerprint of what the department was shown (the item's
read-only fields and its status; not its history, so two departments sharing an item do not
invalidate each other's forms with their notes).
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

from . import fields
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
