"""Selecting items: resolve IDs, filter, sort."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from . import fields, vocab
from .errors import RectifyError, UnknownId
from .ids import normalise, parse_id
from .records import Entry, Ledger
from .vocab import Status


def resolve(ledger: Ledger, text: str) -> list[Entry]:
    """The items an ID names: one item, or every item of a bare problem ID."""
    ref = parse_id(text)
    if ref is None:
        raise UnknownId(f"{text!r} 不是有效的编号;编号形如 13.2、13-2、13(2) 或 2")
    problem = ledger.problem(ref.problem)
    if problem is None:
        raise UnknownId(f"没有编号为 {text} 的问题{_nearest_hint(ledger, ref.problem)}")
    entries = [Entry(problem, item) for item in problem.items]
    if ref.number is None:
        return entries
    match = [entry for entry in entries if entry.item.number == ref.number]
    if not match:
        listed = "、".join(entry.id for entry in entries)
        raise UnknownId(f"没有编号为 {text} 的事项;问题 {problem.id} 下有:{listed}")
    return match


def _nearest_hint(ledger: Ledger, problem_id: int) -> str:
    ids = sorted((p.id for p in ledger.problems), key=lambda pid: (abs(pid - problem_id), pid))
    if not ids:
        return ";台账中还没有任何问题"
    nearest = [e.id for pid in sorted(ids[:2]) for e in _entries_of(ledger, pid)]
    return f";相近的有:{'、'.join(nearest[:6])}"


def _entries_of(ledger: Ledger, problem_id: int) -> list[Entry]:
    problem = ledger.problem(problem_id)
    return [Entry(problem, item) for item in problem.items] if problem else []


class SortKey(StrEnum):
    ID = "id"
    DEADLINE = fields.ITEM.deadline.key
    STATUS = fields.ITEM.status.key


@dataclass(frozen=True)
class Filters:
    """What `list` narrows to; every given criterion must hold (AND)."""

    status: Status | None = None
    overdue: bool = False
    aspect: str | None = None
    department: str | None = None
    lead: str | None = None
    kind: vocab.Kind | None = None
    due_before: dt.date | None = None
    search: str | None = None


def select(ledger: Ledger, filters: Filters, today: dt.date, sort: SortKey = SortKey.ID) -> list[Entry]:
    aspect_key = resolve_aspect(ledger, filters.aspect) if filters.aspect else None
    chosen = [
        entry
        for entry in ledger.entries()
        if _matches(entry, filters, aspect_key, today)
    ]
    return sort_entries(chosen, sort, today)


def overdue_unknowable(ledger: Ledger, filters: Filters) -> bool:
    """Asked for overdue items of a ledger where no item has a deadline: none can be overdue,
    and an empty answer would say nothing is late."""
    return filters.overdue and all(entry.item.deadline is None for entry in ledger.entries())


def _matches(entry: Entry, filters: Filters, aspect_key: str | None, today: dt.date) -> bool:
    item = entry.item
    tests = (
        filters.status is None or item.status is filters.status,
        not filters.overdue or entry.is_overdue(today),
        aspect_key is None or entry.problem.aspect == aspect_key,
        filters.department is None or _contains_any(item.departments, filters.department),
        filters.lead is None or _contains_any([item.lead or ""], filters.lead),
        filters.kind is None or item.kind is filters.kind,
        filters.due_before is None or (item.deadline is not None and item.deadline < filters.due_before),
        filters.search is None or _mentions(entry, filters.search),
    )
    return all(tests)


def _contains_any(values: list[str], wanted: str) -> bool:
    return any(wanted in value for value in values)


def _mentions(entry: Entry, text: str) -> bool:
    item = entry.item
    haystack = [entry.title, entry.problem.title, item.description, item.measures, item.outcome]
    haystack += [event.note for event in item.history]
    needle = text.casefold()
    return any(needle in value.casefold() for value in haystack if value)


def resolve_aspect(ledger: Ledger, text: str) -> str:
    """An aspect by key (二), bracketed key ((二)), position (2) or part of its title."""
    wanted = normalise(text).strip("()")
    keys = list(ledger.info.aspects)
    if wanted in ledger.info.aspects:
        return wanted
    if wanted.isdigit() and 1 <= int(wanted) <= len(keys):
        return keys[int(wanted) - 1]
    matches = [key for key, title in ledger.info.aspects.items() if wanted and wanted in title]
    if len(matches) == 1:
        return matches[0]
    listed = ";".join(f"{key}:{title}" for key, title in ledger.info.aspects.items())
    raise RectifyError(f"没有这个方面:{text}。可用:{listed}")


def sort_entries(entries: list[Entry], sort: SortKey, today: dt.date) -> list[Entry]:
    if sort is SortKey.DEADLINE:
        far = dt.date.max
        return sorted(entries, key=lambda e: (e.item.deadline or far, e.sort_key))
    if sort is SortKey.STATUS:
        return sorted(entries, key=lambda e: (_status_rank(e, today), e.sort_key))
    return sorted(entries, key=lambda e: e.sort_key)


def _status_rank(entry: Entry, today: dt.date) -> int:
    if entry.is_overdue(today):
        return 0
    return 1 if entry.is_open else 2

