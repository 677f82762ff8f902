"""督办通知: for each unit with overdue items, a notice naming them (`report --overdue-notice`).

Its paragraphs are the report's (report.Paragraph), so the md and the GB/T 9704 Word file
are the report's own renderings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import fields
from ..records import Entry, Ledger
from .report import Paragraph, chinese_date

TITLE = "巡察整改督办通知"
ITEM = fields.ITEM


@dataclass(frozen=True)
class Notice:
    unit: str
    paragraphs: list[Paragraph]


def notices(units: list[tuple[str, Ledger, dt.date]], issuer: str, reply_by: dt.date | None) -> list[Notice]:
    """One notice per unit (name, ledger, the day its figures stand at) that has overdue items."""
    found = []
    for unit, ledger, day in units:
        overdue = [entry for entry in ledger.entries() if entry.is_overdue(day)]
        if overdue:
            found.append(Notice(unit, _paragraphs(unit, overdue, day, issuer, reply_by)))
    return found


def _paragraphs(unit: str, overdue: list[Entry], day: dt.date, issuer: str, reply_by: dt.date | None) -> list[Paragraph]:
    lines = [Paragraph(TITLE, 0), Paragraph(f"{unit}："),
             Paragraph(f"截至{chinese_date(day)}，你单位巡察反馈问题整改事项中，有{len(overdue)}项已超过"
                       f"{ITEM.deadline.label}仍未销号。现予督办，具体如下：")]
    lines += [Paragraph(f"{number}. {entry.id} {entry.title}（{_particulars(entry, day)}）")
              for number, entry in enumerate(overdue, start=1)]
    reply = f"请于{chinese_date(reply_by)}前" if reply_by else "请尽快"
    lines.append(Paragraph(f"{reply}将上述事项的{fields.HISTORY_ENTRY.label}及{ITEM.evidence.label}书面报送。"))
    return [*lines, Paragraph(issuer, signed=True), Paragraph(chinese_date(day), signed=True)]


def _particulars(entry: Entry, day: dt.date) -> str:
    item = entry.item
    parts = [f"{ITEM.deadline.label}{chinese_date(item.deadline)}，已逾期{(day - item.deadline).days}天"]
    if item.lead:
        parts.append(f"{ITEM.lead.label}：{item.lead}")
    if item.departments:
        parts.append(f"{ITEM.departments.label}：{'、'.join(item.departments)}")
    return "；".join(parts)
