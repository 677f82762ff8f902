"""The ledger in memory: plain slotted dataclasses, built from validated models or the cache.

Everything that reads a ledger (query, stats, views, exports) works on these;
pydantic is needed only to validate files, so the read path stays fast. The
classes are made from the declarations in fields.py, as the models are.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from . import fields as declared
from . import vocab
from .ids import display_id
from .vocab import Penalty, Status

ENUMS = declared.ENUM_TYPES
SYNONYMS = {kind: vocab.VOCABULARY[enum][1] for kind, enum in ENUMS.items()}
# every enumeration type, with its words: the single ones and the list of penalties
WORDS = {**SYNONYMS, declared.PENALTIES: vocab.PENALTY_SYNONYMS}


def _class_source(group: declared.Group) -> str:
    """A slotted record class for the group: __init__ with the declared defaults (a list or a
    mapping not given starts empty), equality and repr. Written as source and compiled with
    the others at once: dataclasses' make_dataclass costs a command's startup ten times more."""
    keys = group.keys
    parameters = ["self", *(spec.key if spec.required else f"{spec.key}=_DEFAULT_{group.name}_{spec.key}"
                            for spec in group)]
    body = []
    for spec in group:
        if spec.required or not (spec.is_list or spec.type == declared.MAPPING):
            body.append(f"        self.{spec.key} = {spec.key}")
        else:
            empty = "{}" if spec.type == declared.MAPPING else "[]"
            body.append(f"        self.{spec.key} = {empty} if {spec.key} is None else {spec.key}")
    values = ", ".join(f"self.{key}" for key in keys)
    shown = ", ".join(f"{key}={{self.{key}!r}}" for key in keys)
    return "\n".join([
        f"class {group.name}:",
        f"    __slots__ = {keys!r}",
        f"    __match_args__ = {keys!r}",
        f"    def __init__({', '.join(parameters)}):",
        *body,
        "    def __eq__(self, other):",
        "        if other.__class__ is not self.__class__:",
        "            return NotImplemented",
        f"        return ({values},) == tuple(getattr(other, key) for key in self.__slots__)",
        "    __hash__ = None",
        "    def __repr__(self):",
        f"        return f\"{group.name}({shown})\"",
    ])


def _record_classes() -> dict[str, type]:
    """Every group's record class, compiled from one source."""
    namespace = {f"_DEFAULT_{group.name}_{spec.key}": None if spec.is_list else spec.default
                 for group in declared.GROUPS.values() for spec in group}
    source = "\n\n".join(_class_source(group) for group in declared.GROUPS.values())
    exec(compile(source, "<records>", "exec"), namespace)
    classes = {name: namespace[name] for name in declared.GROUPS}
    for cls in classes.values():
        cls.__module__ = __name__
    return classes


def inspection_start(info) -> dt.date | None:
    """When the inspection began, if ledger.yaml says (a record or a validated model)."""
    return info.inspection.start if info.inspection else None


CLASSES = _record_classes()
RECORD_TYPES = tuple(CLASSES.values())
Evidence, HistoryEntry, Item = CLASSES[declared.EVIDENCE.name], CLASSES[declared.HISTORY_ENTRY.name], CLASSES[declared.ITEM.name]
Problem, Inspection = CLASSES[declared.PROBLEM.name], CLASSES[declared.INSPECTION.name]
LedgerInfo = CLASSES[declared.LEDGER.name]


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
        return overdue(self.is_open, self.item.deadline, today)


def overdue(is_open: bool, deadline, today) -> bool:
    """An open item past its deadline; deadline and today as dates, or (in the cache) their ordinals."""
    return is_open and deadline is not None and deadline < today


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

    def standings(self, today: dt.date) -> list[tuple[int, bool, bool]]:
        """(problem id, open, overdue) of every item: what the whole ledger's figures count."""
        return [(entry.problem.id, entry.is_open, entry.is_overdue(today)) for entry in self.entries()]

    def entries(self) -> list[Entry]:
        ordered = sorted(self.problems, key=lambda problem: problem.id)
        return [Entry(problem, item) for problem in ordered for item in problem.items]

    def problem(self, problem_id: int) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    def aspect_title(self, key: str) -> str:
        return self.info.aspects.get(key, key)


# --- plain data: JSON output, and the compact tuples the cache stores ------------------


def as_data(record) -> dict:
    """A record as JSON-ready data: dates as YYYY-MM-DD, enumerations as their tokens."""
    return {key: _plain(getattr(record, key)) for key in record.__slots__}


def _plain(value):
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return vocab.amount_number(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, RECORD_TYPES):
        return as_data(value)
    return value


def pack(record) -> tuple:
    """A record as nested tuples of builtins (marshal-able); dates as ordinals."""
    return _converter("pack", type(record))(record)


def unpack(cls, packed: tuple):
    """The record of class cls from its packed tuple."""
    return _converter("unpack", cls)(packed)


def packer(cls, keys: tuple[str, ...]) -> Callable:
    """A function packing only these fields of a record, in this order."""
    return _converter("pack", cls, keys)


def unpacker(cls, keys: tuple[str, ...]) -> Callable:
    """A function building a record from the packed values of these fields; the others are
    empty (None, or a shared empty tuple for a list that must not be filled)."""
    return _converter("unpack", cls, keys)


def copier(name: str):
    """A function that copies any object with the record's attributes (a validated model) into it."""
    return _converter("copy", CLASSES[name])


def from_data(cls, data: dict):
    """The record of class cls from YAML data that validates (the model's value parsing, without
    pydantic): an edit checks the file it wrote this way without importing the validator."""
    return _converter("data", cls)(data)


_CONVERTERS: dict[tuple, object] = {}
_ENUM_VALUES = {kind: {member.value: member for member in enum} for kind, enum in ENUMS.items()}


def _converter(verb: str, cls, keys: tuple[str, ...] | None = None):
    key = (verb, cls, keys)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = _generate(verb, cls, keys)
    return _CONVERTERS[key]


def _generate(verb: str, cls, keys: tuple[str, ...] | None):
    """Write, once per class, a function that converts one object without a per-field loop.

    The cache and the loader handle thousands of items; a generic loop over
    fields costs more than everything else a command does. `pack` makes a tuple
    of builtins, `unpack` reads one back, `copy` copies attributes (a model) into
    the record, `data` reads YAML data that validates.
    """
    group = declared.GROUPS[cls.__name__]
    argument = {"unpack": "t", "data": "d"}.get(verb, "o")
    chosen = keys or group.keys
    if verb == "pack":
        values = [_expression(verb, group.get(name), f"o.{name}") for name in chosen]
        body = f"({', '.join(values)},)"
    else:
        values = [_value(verb, spec, chosen) for spec in group]
        body = f"{cls.__name__}({', '.join(values)})"
    suffix = "" if keys is None else "_" + "_".join(keys)
    name = f"_{verb}_{cls.__name__}{suffix}"
    source = f"def {name}({argument}):\n    return {body}\n"
    namespace = {
        cls.__name__: cls,
        "_fromordinal": dt.date.fromordinal,
        "_date": vocab.parse_date,
        "_text_list": vocab.parse_text_list,
        "_intern": sys.intern,
        "_NONE": (),
        **{f"_parse_{kind}": _enum_parser(kind) for kind in ENUMS},
        **{f"_enum_{kind}": values for kind, values in _ENUM_VALUES.items()},
        "_yuan": lambda fen: Decimal(fen).scaleb(-2),
        "_amount": vocab.parse_amount,
        "_penalty": {member.value: member for member in Penalty},
        "_parse_penalty": lambda value: vocab.parse_enum(Penalty, vocab.PENALTY_SYNONYMS, value),
        **{f"_{verb}_{inner.__name__}": _converter(verb, inner) for inner in _nested_classes(group)},
    }
    exec(compile(source, f"<{verb} {cls.__name__}>", "exec"), namespace)
    return namespace[name]


def _value(verb: str, spec: declared.Field, chosen: tuple[str, ...]) -> str:
    """Where a field's value comes from (a tuple slot, an attribute, a key of YAML data), converted."""
    key = spec.key
    if verb == "copy":
        return _expression(verb, spec, f"o.{key}")
    if verb == "unpack":
        if key not in chosen:
            return "_NONE" if spec.is_list else "None"
        return _expression(verb, spec, f"t[{chosen.index(key)}]")
    if spec.required:
        return _expression(verb, spec, f"d[{key!r}]")
    empty = spec.is_list or spec.type == declared.MAPPING
    default = "()" if empty else repr(getattr(spec.default, "value", spec.default))
    return _expression(verb, spec, f"d.get({key!r}, {default})")


def _enum_parser(kind: str):
    enum, synonyms = ENUMS[kind], SYNONYMS[kind]
    return lambda value: vocab.parse_enum(enum, synonyms, value)


def _expression(verb: str, spec: declared.Field, value: str) -> str:
    handler = {"pack": _pack_expression, "unpack": _unpack_expression, "copy": _copy_expression,
               "data": _data_expression}[verb]
    return handler(spec, value)


def _nested_call(verb: str, spec: declared.Field, value: str) -> str:
    call = f"_{verb}_{spec.of}"
    converted = f"{call}({value})" if spec.type == declared.ONE else f"[{call}(v) for v in {value}]"
    return f"None if {value} is None else {converted}"


def _pack_expression(spec: declared.Field, value: str) -> str:
    if spec.type in (declared.MANY, declared.ONE):
        return _nested_call("pack", spec, value)
    if spec.type == declared.DATE:
        return f"None if {value} is None else {value}.toordinal()"
    if spec.type in ENUMS:
        return f"None if {value} is None else {value}.value"
    if spec.type == declared.PENALTIES:
        return f"[v.value for v in {value}]"
    if spec.type == declared.AMOUNT:  # marshal stores no Decimal: whole fen
        return f"None if {value} is None else int({value} * 100)"
    if spec.type == declared.NAMES:  # department names repeat across thousands of items: share them
        return f"[_intern(v) for v in {value}]"
    if spec.type in (declared.STRINGS, declared.MAPPING):
        return f"{value}.copy()"
    if spec.type == declared.TEXT and spec.core:
        return f"_intern({value}) if {value} else {value}"
    return value


def _unpack_expression(spec: declared.Field, value: str) -> str:
    if spec.type in (declared.MANY, declared.ONE):
        return _nested_call("unpack", spec, value)
    if spec.type == declared.DATE:
        return f"None if {value} is None else _fromordinal({value})"
    if spec.type in ENUMS:
        return f"None if {value} is None else _enum_{spec.type}[{value}]"
    if spec.type == declared.PENALTIES:
        return f"[_penalty[v] for v in {value}]"
    if spec.type == declared.AMOUNT:
        return f"None if {value} is None else _yuan({value})"
    return value


def _copy_expression(spec: declared.Field, value: str) -> str:
    if spec.type in (declared.MANY, declared.ONE):
        return _nested_call("copy", spec, value)
    if spec.type in (declared.NAMES, declared.STRINGS, declared.MAPPING, declared.PENALTIES):
        return f"list({value})" if spec.type == declared.PENALTIES else f"{value}.copy()"
    return value


def _data_expression(spec: declared.Field, value: str) -> str:
    """YAML data into a record field: what the models' validators do to a valid value."""
    if spec.type in (declared.MANY, declared.ONE):
        shorthand = declared.GROUPS[spec.of].shorthand
        inner = f"{{{shorthand!r}: v}} if v.__class__ is str else v" if shorthand else "v"
        if spec.type == declared.ONE:
            return f"None if {value} is None else _data_{spec.of}({value})"
        return f"[_data_{spec.of}({inner}) for v in {value}]"
    if spec.type == declared.DATE:
        return f"None if {value} is None else _date({value})"
    if spec.type in ENUMS:
        return f"None if {value} is None else _parse_{spec.type}({value})"
    if spec.type == declared.AMOUNT:
        return f"None if {value} is None else _amount({value})"
    if spec.type == declared.PENALTIES:
        return f"[_parse_penalty(v) for v in ([{value}] if {value}.__class__ is str else {value})]"
    if spec.type == declared.NAMES:
        return f"list(_text_list({value}))"
    if spec.type == declared.STRINGS:
        return f"list({value})"
    if spec.type == declared.MAPPING:
        return f"dict({value})"
    return value


def _nested_classes(group: declared.Group) -> list[type]:
    return [CLASSES[spec.of] for spec in group if spec.of]
