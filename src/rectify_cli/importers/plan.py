"""From parsed problems to files: new issue files and the blanks of ledger.yaml filled in.

Pure: it returns the text of each file; service.py writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import fields
from ..model import LedgerInfo, Problem
from ..vocab import PLACEHOLDER
from ..yamledit import ItemChange, Style, edit_top_level, render_entry

LEDGER, PROBLEM, ITEM = fields.LEDGER, fields.PROBLEM, fields.ITEM
LEDGER_FIELDS = list(LEDGER.keys)
STYLE = Style("\n", 2, 2)


@dataclass(frozen=True)
class LedgerFacts:
    """What a document or the `init` options say about the inspection."""

    title: str | None = None
    unit: str | None = None
    inspector: str | None = None
    inspection: tuple[dt.date, dt.date] | None = None
    feedback_date: dt.date | None = None
    stated_items: int | None = None
    stated_problems: int | None = None
    count_by: str | None = None
    figures: dict | None = None
    as_of: dt.date | None = None
    report: dict | None = None  # the narrative of an imported report: opening, sections, closing
    aspects: dict[str, str] = field(default_factory=dict)
    # every ledger.yaml field as an exported workbook's data sheet recorded it (YAML data)
    recorded: dict = field(default_factory=dict)


def ledger_text(facts: LedgerFacts, schema_ref: str | None) -> str:
    """A new ledger.yaml; what is not known yet is a clearly marked blank."""
    unit = facts.unit or PLACEHOLDER
    values = {key: getattr(facts, key, None) for key in LEDGER.keys}  # in the declared order
    values.update({
        LEDGER.title.key: facts.title or (f"{unit}巡察整改台账" if facts.unit else PLACEHOLDER),
        LEDGER.unit.key: unit,
        LEDGER.inspector.key: facts.inspector or PLACEHOLDER,
        LEDGER.inspection.key: _inspection(facts),
        LEDGER.aspects.key: facts.aspects or None,
    })
    lines = [f"# yaml-language-server: $schema={schema_ref}"] if schema_ref else []
    lines += [render_entry(key, value, 0, STYLE) for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


def _inspection(facts: LedgerFacts) -> dict | None:
    if not facts.inspection:
        return None
    return dict(zip(fields.INSPECTION.keys, facts.inspection, strict=True))


def fill_ledger(text: str, info: LedgerInfo, facts: LedgerFacts) -> str:
    """ledger.yaml with only its blanks filled from the document; the rest stays as written."""
    change = ItemChange()
    for spec in LEDGER:  # in the declared order, which a new key is written in
        value = _fact(facts, spec)
        if spec is LEDGER.aspects:
            missing = {key: title for key, title in facts.aspects.items() if key not in info.aspects}
            if missing:
                change.set[spec.key] = {**info.aspects, **missing}
        elif not _blank(value, spec) and _blank(getattr(info, spec.key), spec):
            change.set[spec.key] = value
    if not change.set:
        return text
    return edit_top_level(text, change, LEDGER_FIELDS)


def _fact(facts: LedgerFacts, spec: fields.Field):
    """What the document says of one ledger.yaml field, as YAML data; None if nothing."""
    if spec.key in facts.recorded:
        return facts.recorded[spec.key]
    if spec is LEDGER.title:
        return facts.title or (f"{facts.unit}巡察整改台账" if facts.unit else None)
    if spec is LEDGER.inspection:
        return _inspection(facts)
    return getattr(facts, spec.key, None)


def _blank(value, spec: fields.Field) -> bool:
    """Not written in ledger.yaml: a marked blank, nothing, or the field's default."""
    return value in (None, PLACEHOLDER, [], {}) or (spec.default is not None and value == spec.default)


def issue_text(problem: Problem, schema_ref: str | None) -> str:
    """One issue file in the canonical layout the tool writes."""
    data = problem.model_dump(mode="python", exclude_defaults=True)
    data = {**{spec.key: getattr(problem, spec.key) for spec in PROBLEM if spec.required}, **data}
    data[PROBLEM.items.key] = [_item_data(item) for item in problem.items]
    lines = [f"# yaml-language-server: $schema={schema_ref}"] if schema_ref else []
    lines += [render_entry(key, value, 0, STYLE) for key, value in data.items()]
    return "\n".join(lines) + "\n"


def _item_data(item) -> dict:
    data = item.model_dump(mode="python", exclude_defaults=True)
    data.setdefault(ITEM.number.key, item.number)
    data[ITEM.status.key] = item.status
    for spec in ITEM:
        if spec.type in fields.ENUMERATIONS and data.get(spec.key) is not None:
            data[spec.key] = data[spec.key].value
    order = list(type(item).model_fields)
    return {key: data[key] for key in order if key in data}


def file_name(problem_id: int) -> str:
    return f"{problem_id:02d}.yaml"
