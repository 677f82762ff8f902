"""JSON Schemas generated from the models, for editors (yaml-language-server)."""

from __future__ import annotations

from .model import LedgerInfo, Problem

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
FILES = {"ledger.schema.json": (LedgerInfo, "巡察整改台账 ledger.yaml"), "issue.schema.json": (Problem, "巡察整改台账 问题文件 issues/NN.yaml")}


def documents() -> dict[str, dict]:
    """File name → schema document, in a stable form."""
    result = {}
    for name, (model_class, title) in FILES.items():
        schema = model_class.model_json_schema(mode="validation")
        result[name] = {"$schema": SCHEMA_DIALECT, **schema, "title": title}
    return result
