"""The ledger in memory: plain slotted dataclasses, built from validated models or the cache.

Everything that reads a ledger (query, stats, views, exports) works on these;
pydantic is needed only to validate files, so the read path stays fast.
Field names and order match the pydantic models in model.py (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields

from . import vocab
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
    # Set when read from the cache without texts: problem id → the problem with them.
    texts: Callable[[int], Problem] | None = field(default=None, repr=False, compare=False)

    def complete(self, problem_ids) -> None:
        """Give these problems their texts (outcome, history, …) if they were read without."""
        if self.texts is None:
            return
        wanted = set(problem_ids)
        self.problems = [self.texts(p.id) if p.id in wanted else p for p in self.problems]

    def tally(self) -> tuple[int, int]:
        """(closed items, all items)."""
        items = [item for problem in self.problems for item in problem.items]
        return sum(1 for item in items if item.status is Status.CLOSED), len(items)

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
    return _converter("pack", type(record))(record)


def unpack(cls, packed: tuple):
    """The record of class cls from its packed tuple."""
    return _converter("unpack", cls)(packed)


def copier(name: str):
    """A function that copies any object with the record's attributes (a validated model) into it."""
    return _converter("copy", globals()[name])


def from_data(cls, data: dict):
    """The record of class cls from YAML data that validates (the model's value parsing, without
    pydantic): an edit checks the file it wrote this way without importing the validator."""
    return _converter("data", cls)(data)


_CONVERTERS: dict[tuple[str, type], object] = {}
_ENUM_VALUES = {name: {member.value: member for member in enum} for name, enum in ENUMS.items()}
_COPIED = frozenset({"departments", "institutions", "aspects"})  # lists and dicts a record must own


def _converter(verb: str, cls):
    key = (verb, cls)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = _generate(verb, cls)
    return _CONVERTERS[key]


def _generate(verb: str, cls):
    """Write, once per class, a function that converts one object without a per-field loop.

    The cache and the loader handle thousands of items; a generic loop over
    fields costs more than everything else a command does. `pack` makes a tuple
    of builtins, `unpack` reads one back, `copy` copies attributes (a model) into
    the record.
    """
    argument = {"unpack": "t", "data": "d"}.get(verb, "o")
    values = [_expression(verb, f.name, _source(verb, f, position)) for position, f in enumerate(fields(cls))]
    body = f"({', '.join(values)},)" if verb == "pack" else f"{cls.__name__}({', '.join(values)})"
    source = f"def _{verb}_{cls.__name__}({argument}):\n    return {body}\n"
    namespace = {
        cls.__name__: cls,
        "_fromordinal": dt.date.fromordinal,
        "_date": vocab.parse_date,
        "_text_list": vocab.parse_text_list,
        **{f"_parse_{name}": _enum_parser(name) for name in ENUMS},
        **{f"_enum_{name}": values for name, values in _ENUM_VALUES.items()},
        **{f"_{verb}_{inner.__name__}": _converter(verb, inner) for inner in _nested_classes(cls)},
    }
    exec(compile(source, f"<{verb} {cls.__name__}>", "exec"), namespace)
    return namespace[f"_{verb}_{cls.__name__}"]


def _source(verb: str, f, position: int) -> str:
    """Where a field's value comes from: a tuple slot, an attribute, or a key of YAML data."""
    if verb == "unpack":
        return f"t[{position}]"
    if verb != "data":
        return f"o.{f.name}"
    if f.default is MISSING and f.default_factory is MISSING:
        return f"d[{f.name!r}]"
    default = "()" if f.default_factory is not MISSING else repr(getattr(f.default, "value", f.default))
    return f"d.get({f.name!r}, {default})"


def _enum_parser(name: str):
    enum, synonyms = ENUMS[name], {"status": vocab.STATUS_SYNONYMS, "kind": vocab.KIND_SYNONYMS,
                                   "action": vocab.ACTION_SYNONYMS}[name]
    return lambda value: vocab.parse_enum(enum, synonyms, value)


def _data_expression(name: str, value: str) -> str | None:
    """YAML data into a record field: what the models' validators do to a valid value."""
    if name == "evidence":  # a bare name stands for a document
        return f"[_data_Evidence({{'name': v}} if v.__class__ is str else v) for v in {value}]"
    if name == "inspection":
        return f"None if {value} is None else _data_Inspection({value})"
    if name in NESTED:
        return f"[_data_{NESTED[name].__name__}(v) for v in {value}]"
    if name in DATES:
        return f"None if {value} is None else _date({value})"
    if name in ENUMS:
        return f"None if {value} is None else _parse_{name}({value})"
    if name == "departments":
        return f"list(_text_list({value}))"
    if name in _COPIED:
        return f"dict({value})" if name == "aspects" else f"list({value})"
    return None


def _expression(verb: str, name: str, value: str) -> str:
    if verb == "data":
        return _data_expression(name, value) or value
    if name in NESTED:
        call = f"_{verb}_{NESTED[name].__name__}"
        converted = f"{call}({value})" if name == "inspection" else f"[{call}(v) for v in {value}]"
        return f"None if {value} is None else {converted}"
    if name in DATES and verb != "copy":
        converted = f"{value}.toordinal()" if verb == "pack" else f"_fromordinal({value})"
        return f"None if {value} is None else {converted}"
    if name in ENUMS and verb != "copy":
        converted = f"{value}.value" if verb == "pack" else f"_enum_{name}[{value}]"
        return f"None if {value} is None else {converted}"
    if name in _COPIED and verb != "unpack":
        return f"{value}.copy()"
    return value


def _nested_classes(cls) -> list[type]:
    return [NESTED[f.name] for f in fields(cls) if f.name in NESTED]
