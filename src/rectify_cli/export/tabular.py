"""The 整改台账 as rows: one per item, Chinese headers, for CSV, Markdown and Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io

from ..records import Entry, Ledger, as_data
from ..views import entry_data, inert, md_text, neutralise, status_label
from ..vocab import KIND_LABELS, SCHEMA_VERSION

HEADERS = [
    "序号", "问题类别", "问题", "具体问题", "整改措施", "责任领导", "责任部门",
    "整改时限", "整改类型", "整改进展及成效", "完成情况", "销号时间", "佐证材料",
]
def row(entry: Entry, ledger: Ledger, today: dt.date) -> list[str]:
    item = entry.item
    problem = entry.problem
    return [
        entry.id,
        ledger.aspect_title(problem.aspect),
        f"{problem.id}.{problem.title}",
        item.title or problem.title,
        item.measures or "",
        item.lead or "",
        "、".join(item.departments),
        item.deadline.isoformat() if item.deadline else "",
        KIND_LABELS[item.kind] if item.kind else "",
        progress_and_outcome(entry),
        status_label(entry, today),
        item.closed_on.isoformat() if item.closed_on else "",
        "\n".join(e.name or e.path or "" for e in item.evidence),
    ]


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
    return {
        "schema_version": SCHEMA_VERSION,
        "today": today.isoformat(),
        "ledger": as_data(ledger.info),
        "items": [entry_data(entry, ledger, today) for entry in entries],
    }


def as_markdown(entries: list[Entry], ledger: Ledger, today: dt.date, summary_text: str) -> str:
    columns = ["序号", "具体问题", "责任部门", "整改时限", "完成情况", "销号时间"]
    picks = [HEADERS.index(column) for column in columns]
    lines = [f"# {_md(ledger.info.title)}", "", summary_text, ""]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for entry in entries:
        cells = row(entry, ledger, today)
        lines.append("| " + " | ".join(_md(cells[i]) for i in picks) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return md_text(text)
