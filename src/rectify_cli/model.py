"""Pydantic models of a ledger: pure data and value parsing, no I/O."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model

from . import fields
from .vocab import (  # noqa: F401 - re-exported for the models' users
    ACTION_LABELS,
    ACTION_SYNONYMS,
    AMOUNT_SCHEMA,
    COUNT_BY_SYNONYMS,
    DATE_PATTERN,
    KIND_LABELS,
    KIND_SYNONYMS,
    PENALTY_LABELS,
    PENALTY_SYNONYMS,
    PLACEHOLDER,
    RULE_ACTION_LABELS,
    RULE_ACTION_SYNONYMS,
    SCHEMA_VERSION,
    STATUS_LABELS,
    STATUS_SYNONYMS,
    VOCABULARY,
    Action,
    CountBy,
    Kind,
    Penalty,
    RuleAction,
    Status,
    enum_words,
    parse_amount,
    parse_date,
    parse_enum,
    parse_text_list,
)


def _enum_field(enum_type, synonyms):
    schema = {"type": "string", "enum": enum_words(synonyms)}
    return Annotated[
        enum_type,
        BeforeValidator(lambda value: parse_enum(enum_type, synonyms, value)),
        WithJsonSchema(schema),
    ]


_PenaltyField = _enum_field(Penalty, PENALTY_SYNONYMS)
PenaltiesField = Annotated[
    list[_PenaltyField],
    BeforeValidator(lambda value: [value] if isinstance(value, str) else value),
    WithJsonSchema({"anyOf": [{"type": "string", "enum": enum_words(PENALTY_SYNONYMS)},
                              {"type": "array", "items": {"type": "string", "enum": enum_words(PENALTY_SYNONYMS)}}]}),
]

DateField = Annotated[
    dt.date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN}),
]
AmountField = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    WithJsonSchema(AMOUNT_SCHEMA),
]
TextList = Annotated[
    list[str],
    BeforeValidator(parse_text_list),
    WithJsonSchema(
        {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
    ),
]


class Strict(BaseModel):
    # strict: no quiet coercion ("34" is not 34), so the JSON Schema accepts what the tool does
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class _OrShorthand:
    """Schema note: an entry may also be written as a bare string, its group's shorthand field."""

    def __init__(self, title: str):
        self.title = title

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {"anyOf": [handler(core_schema), dict(type="string", title=self.title)]}


def parse_shorthand(key: str):
    """A bare string in a list of records stands for one field (an evidence entry's name)."""
    return lambda value: {key: value} if isinstance(value, str) else value


_SCALARS = {
    fields.TEXT: str, fields.INT: int, fields.DATE: DateField, fields.NAMES: TextList,
    fields.STRINGS: list[str], fields.MAPPING: dict[str, str], fields.PENALTIES: PenaltiesField,
    fields.AMOUNT: AmountField, fields.FLAG: bool,
    **{kind: _enum_field(enum, VOCABULARY[enum][1]) for kind, enum in fields.ENUM_TYPES.items()},
}
MODELS: dict[str, type[BaseModel]] = {}


def _annotation(spec: fields.Field):
    if spec.type not in (fields.ONE, fields.MANY):
        return _SCALARS[spec.type]
    inner = fields.GROUPS[spec.of]
    model = _model(inner)
    if spec.type == fields.ONE:
        return model
    if inner.shorthand is None:
        return list[model]
    shorthand = inner.get(inner.shorthand)
    return list[Annotated[model, BeforeValidator(parse_shorthand(shorthand.key)), _OrShorthand(shorthand.label)]]


def _model_field(spec: fields.Field):
    annotation = _annotation(spec)
    limits = {}
    if spec.minimum is not None:
        limits["min_length" if spec.is_list else "ge"] = spec.minimum
    if spec.pattern:
        limits["pattern"] = spec.pattern
    about = dict(title=spec.label, description=spec.description or None, **limits)
    if spec.required:
        return annotation, Field(**about)
    if spec.is_list or spec.type == fields.MAPPING:
        return annotation, Field(default_factory=dict if spec.type == fields.MAPPING else list, **about)
    if spec.default is not None:
        return annotation, Field(spec.default, **about)
    return annotation | None, Field(None, **about)


def _model(group: fields.Group) -> type[BaseModel]:
    """The model of a group, made once; the groups it holds are made first."""
    if group.name not in MODELS:
        MODELS[group.name] = create_model(group.name, __base__=Strict, __doc__=group.description,
                                          __module__=__name__, **{spec.key: _model_field(spec) for spec in group})
    return MODELS[group.name]


_NAMED = {"Evidence": fields.EVIDENCE, "HistoryEntry": fields.HISTORY_ENTRY, "Item": fields.ITEM,
          "Problem": fields.PROBLEM, "Inspection": fields.INSPECTION, "LedgerInfo": fields.LEDGER,
          "Workspace": fields.WORKSPACE}


def __getattr__(name: str):
    """`model.Problem` and the other models, each made when first asked for (with the groups it
    holds): a read that checks a few problem files makes neither the ledger's nor the workspace's."""
    if name not in _NAMED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _model(_NAMED[name])


def to_record(instance):
    """A validated model as its plain record (records.py), recursively."""
    from .records import copier

    return copier(type(instance).__name__)(instance)
