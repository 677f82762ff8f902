"""Validation as data: pydantic errors become Diagnostics with positions (the ledger rules are in rules.py)."""

from __future__ import annotations

import difflib
import re
import reprlib
import types
import typing

from pydantic import BaseModel, ValidationError

from . import fields, model, records
from .errors import Diagnostic
from .yamlsource import Source


def _enum_words(owner: type[BaseModel] | None, name: str) -> list[str] | None:
    """The words accepted for an enumeration field (by its declared type), else None."""
    group = fields.GROUPS.get(owner.__name__) if owner is not None else None
    spec = group.get(name) if group is not None else None
    if spec is None or spec.type not in records.WORDS:
        return None
    return model.enum_words(records.WORDS[spec.type])


def validate(source: Source, model_class: type[BaseModel]) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate a parsed file against its model; every error with its position."""
    if source.data is None:
        return None, [Diagnostic(source.path, 1, 1, "文件是空的,没有任何内容")]
    if not isinstance(source.data, dict):
        kind = "列表" if isinstance(source.data, list) else "单个值"
        message = f"文件内容应为“字段: 值”的映射,这里却是一个{kind}"
        return None, [Diagnostic(source.path, 1, 1, message)]
    try:
        return model_class.model_validate(source.data), []
    except ValidationError as exc:
        return None, [_diagnostic(source, model_class, error) for error in exc.errors()]


def _diagnostic(source: Source, model_class: type[BaseModel], error: dict) -> Diagnostic:
    loc = tuple(part for part in error["loc"] if not _is_internal(part))
    is_key = error["type"] == "extra_forbidden"
    line, column = source.where(loc, key=is_key)
    return Diagnostic(source.path, line, column, _message(model_class, loc, error))


_INTERNAL_LOC = re.compile(r"(function-(before|after|wrap|plain)|list|dict|nullable|union|tagged-union|model)\[.*\]|str|int")


def _is_internal(part) -> bool:
    """pydantic's own steps in a location ('function-before[…]', 'str'), not the file's keys."""
    return isinstance(part, str) and _INTERNAL_LOC.fullmatch(part) is not None


def _message(model_class: type[BaseModel], loc: tuple, error: dict) -> str:
    owner = _owner_model(model_class, loc)
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    label = _label(owner, name)
    kind = error["type"]
    value = _short(error.get("input"))
    if kind == "extra_forbidden":
        return _unknown_key_message(owner, name)
    if kind == "missing":
        return f"缺少必填字段 {label}"
    words = _enum_words(owner, name)
    if words is not None and kind in {"enum", "is_instance_of", "string_type"}:
        return f"{label} 的值 {value!r} 无效,可填:{'、'.join(words)}"
    if kind == "value_error":
        return f"{label} {error['ctx']['error']}"
    return f"{label} {_type_message(kind, error)}"


class _Shown(str):
    """A value quoted in a message, cut short: a 5 MB value makes no readable line."""

    def __repr__(self) -> str:
        return str(self)


_BRIEF = reprlib.Repr()  # a file may nest lists 1,000 deep; plain repr() would recurse that far
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 1000, 1000


def _short(value, limit: int = 60):
    text = _BRIEF.repr(value)
    return _Shown(text if len(text) <= limit else text[:limit] + "…")


def _type_message(kind: str, error: dict) -> str:
    ctx = error.get("ctx", {})
    messages = {
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "greater_than_equal": f"应不小于 {ctx.get('ge')}",
        "string_type": "应为文字",
        "list_type": "应为列表(每项一行,以 - 开头)",
        "dict_type": "应为“键: 值”的映射",
        "model_type": "应为“字段: 值”的映射",
        "model_attributes_type": "应为“字段: 值”的映射",
        "too_short": "不能为空",
        "string_pattern_mismatch": "格式不对",
    }
    return messages.get(kind, f"无效:{error.get('msg', kind)}")


def _unknown_key_message(owner: type[BaseModel] | None, name: str) -> str:
    message = f"未知字段 {name!r}"
    if owner is None:
        return message
    keys = list(owner.model_fields)
    spoken = _spoken_names(owner)
    if name in spoken:
        return f"{message};字段名用英文,“{name}”应写作 {spoken[name]}"
    close = difflib.get_close_matches(str(name), keys, n=1, cutoff=0.6)
    if close:
        return f"{message},是不是 {_label(owner, close[0])}?"
    return f"{message};可用的字段:{', '.join(keys)}"


def _spoken_names(owner: type[BaseModel]) -> dict[str, str]:
    """The Chinese names a clerk may write for the model's fields (labels first, then synonyms) → key."""
    group = fields.GROUPS.get(owner.__name__)
    if group is None:
        return {}
    names: dict[str, str] = {}
    for spec in group:
        names.setdefault(spec.label, spec.key)
    for spec in group:
        for word in spec.words:
            names.setdefault(word, spec.key)
    return names


def _label(owner: type[BaseModel] | None, name) -> str:
    if owner is None or name not in owner.model_fields:
        return str(name)
    title = owner.model_fields[name].title
    return f"{name}({title})" if title else str(name)


def _owner_model(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class whose field the last name in loc is."""
    current: type[BaseModel] | None = root
    names = [part for part in loc if isinstance(part, str)]
    for name in names[:-1]:
        if current is None or name not in current.model_fields:
            return None
        current = _inner_model(current.model_fields[name].annotation)
    return current


def _inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.GenericAlias):
        return _inner_model(typing.get_origin(annotation))
    return None
