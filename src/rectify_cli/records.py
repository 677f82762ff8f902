"""The ledger in memory: plain slotted dataclasses, built from validated models or the cache.

Everything that reads a ledger (query, stats, views, exports) works on these;
pydantic is needed only to validate files, so the read path stays fast.
Field names and order match the pydantic models in model.py (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from .ids import display_id
from .vocab import Action, Kind, Status


@dataclass(slots=True)
class Evidence:
    name: str | None = None
    path: str | None = None
    size: int | None = None
    sha256: str | None = None


@dataclass(slots=True)
class HistoryEntry:
    date: dt.date
    action: Action
    by: str | None = None
    note: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    closed_on: dt.date | None = None
    closed_by: str | None = None
    previous_outcome: str | None = None


@dataclass(slots=True)
class Item:
    number: int
    title: str | None = None
    description: str | None = None
    kind: Kind | None = None
    measures: str | None = None
    lead: str | None = None
    departments: list[str] = field(default_factory=list)
    owner: str | None = None
    deadline: dt.date | None = None
    status: Status = Status.OPEN
    closed_on: dt.date | None = None
    closed_by: str | None = None
    outcome: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass(slots=True)
class Problem:
    id: int
    aspect: str
    title: str
    items: list[Item]


@dataclass(slots=True)
class Inspection:
    start: dt.date
    end: dt.date


@dataclass(slots=True)
class LedgerInfo:
    title: str
    unit: str
    inspector: str
    inspection: Inspection | None = None
    feedback_date: dt.date | None = None
    stated_items: int | None = None
    aspects: dict[str, str] = field(default_factory=dict)

    @property
    def inspection_start(self) -> dt.date | None:
        return self.inspection.start if self.inspection else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item seen with its problem: what lists, filters and views work on."""

    problem: Problem
    item: Item

    @property
    def single(self) -> bool:
        return len(self.problem.items) == 1

    @property
    def id(self) -> str:
        return display_id(self.problem.id, self.item.number, self.single)

    @property
    def sort_key(self) -> tuple[int, int]:
        return self.problem.id, self.item.number

    @property
    def title(self) -> str:
        """The item's own title, falling back to its problem's."""
        return self.item.title or self.problem.title

    @property
    def is_open(self) -> bool:
        return self.item.status is Status.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        deadline = self.item.deadline
        return self.is_open and deadline is not None and deadline < today


@dataclass
class Ledger:
    """A whole ledger in memory: ledger.yaml plus every problem, ordered by id."""

    info: LedgerInfo
    problems: list[Problem] = field(default_factory=list)

    def entries(self) -> list[Entry]:
        ordered = sorted(self.problems, key=lambda problem: problem.id)
        return [Entry(problem, item) for problem in ordered for item in problem.items]

    def problem(self, problem_id: int) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    def aspect_title(self, key: str) -> str:
        return self.info.aspects.get(key, key)


# --- plain data: JSON output, and the compact tuples the cache stores ------------------

NESTED = {"evidence": Evidence, "history": HistoryEntry, "items": Item, "inspection": Inspection}
DATES = frozenset({"date", "deadline", "closed_on", "start", "end", "feedback_date"})
ENUMS = {"status": Status, "kind": Kind, "action": Action}


def as_data(record) -> dict:
    """A record as JSON-ready data: dates as YYYY-MM-DD, enumerations as their tokens."""
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Status | Kind | Action):
        return value.value
    if hasattr(value, "__dataclass_fields__"):
        return as_data(value)
    return value


def pack(record) -> tuple:
    """A record as nested tuples of builtins (marshal-able); dates as ordinals."""
    return tuple(_pack_value(f.name, getattr(record, f.name)) for f in fields(record))


def _pack_value(name: str, value):
    if value is None:
        return None
    if name in NESTED:
        return [pack(v) for v in value] if isinstance(value, list) else pack(value)
    if name in DATES:
        return value.toordinal()
    if name in ENUMS:
        return value.value
    if isinstance(value, list | dict):
        return value.copy()
    return value


def _unpacker(cls):
    converters = []
    for f in fields(cls):
        name = f.name
        if name in NESTED:
            inner = NESTED[name]
            converters.append(_nested(inner, many=name != "inspection"))
        elif name in DATES:
            converters.append(_date)
        elif name in ENUMS:
            converters.append(ENUMS[name])
        else:
            converters.append(None)
    return converters


def _nested(cls, many: bool):
    if many:
        return lambda values: [unpack(cls, v) for v in values]
    return lambda value: unpack(cls, value)


def _date(ordinal):
    return dt.date.fromordinal(ordinal)


_CONVERTERS: dict[type, list] = {}


def unpack(cls, packed: tuple):
    converters = _CONVERTERS.get(cls)
    if converters is None:
        converters = _CONVERTERS[cls] = _unpacker(cls)
    return cls(*[v if c is None or v is None else c(v) for c, v in zip(converters, packed, strict=True)])
