"""Whether YAML data is plainly valid: in the canonical forms the tool writes, certainly what
the models (model.py) accept, so a read can build its record without importing pydantic.

Conservative by design: only the forms a clerk's tools write pass (YAML dates, canonical enum
tokens, lists of strings, whole numbers that are not bools, nested mappings). Anything else
(a date as text, an enum synonym, an amount as text, a shorthand entry, an empty string) is
"in doubt": False, and the caller validates with pydantic. Made from fields.py alone.
"""

from __future__ import annotations

import datetime as dt
import re

from . import fields
from .vocab import Penalty

_ENUM_TOKENS = {kind: frozenset(member.value for member in enum) for kind, enum in fields.ENUM_TYPES.items()}
_PENALTY_TOKENS = frozenset(member.value for member in Penalty)
_INT_LIMIT = 2**63  # pydantic's strict int takes bigger ones too; such a value is in doubt here
_AMOUNT_LIMIT = 10**15  # yuan: far below where a Decimal's quantize to the fen fails
_PATTERNS: dict[str, re.Pattern] = {}
_SURROGATE = re.compile("[\ud800-\udfff]")


def plainly_valid(group: fields.Group, data) -> bool:
    """True only when the group's model certainly accepts data as it stands."""
    if data.__class__ is not dict:
        return False
    for key in data:
        if key.__class__ is not str or group.get(key) is None:
            return False
    for spec in group:
        if spec.key in data:
            if not _plain_value(spec, data[spec.key]):
                return False
        elif spec.required:
            return False
    return True


def _plain_value(spec: fields.Field, value) -> bool:
    if value is None:  # only a field with no default and no list is Optional in its model
        return not spec.required and spec.default is None and not spec.is_list and spec.type != fields.MAPPING
    kind = spec.type
    if kind == fields.TEXT:
        return _text(value) and (spec.pattern is None or _matches(spec.pattern, value))
    if kind == fields.INT:
        return value.__class__ is int and -_INT_LIMIT < value < _INT_LIMIT and _at_least(spec, value)
    if kind == fields.DATE:
        return value.__class__ is dt.date
    if kind in (fields.NAMES, fields.STRINGS):
        return value.__class__ is list and all(_text(v) for v in value) and _at_least(spec, len(value))
    if kind == fields.MAPPING:
        return value.__class__ is dict and all(_text(k) and _text(v) for k, v in value.items())
    if kind in _ENUM_TOKENS:
        return value.__class__ is str and value in _ENUM_TOKENS[kind]
    if kind == fields.PENALTIES:
        return (value.__class__ is list and all(v.__class__ is str and v in _PENALTY_TOKENS for v in value)
                and _at_least(spec, len(value)))
    if kind == fields.AMOUNT:
        return value.__class__ is int and 0 <= value < _AMOUNT_LIMIT
    if kind == fields.FLAG:
        return value.__class__ is bool
    if kind == fields.ONE:
        return plainly_valid(fields.GROUPS[spec.of], value)
    if kind == fields.MANY:
        inner = fields.GROUPS[spec.of]
        return (value.__class__ is list and all(plainly_valid(inner, v) for v in value)
                and _at_least(spec, len(value)))
    return False  # a type declared later and not known here: in doubt


def _text(value) -> bool:
    """A non-empty str that pydantic takes as it is: a lone surrogate (YAML's "\\ud800") it refuses."""
    return value.__class__ is str and value != "" and (value.isascii() or _SURROGATE.search(value) is None)


def _at_least(spec: fields.Field, number: int) -> bool:
    return spec.minimum is None or number >= spec.minimum


def _matches(pattern: str, value: str) -> bool:
    """pydantic's regex ends `$` at the text's end only, Python's also before a last newline."""
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = re.compile(pattern)
    return not value.endswith("\n") and _PATTERNS[pattern].search(value) is not None
