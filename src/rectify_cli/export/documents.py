"""One entry point per export format: the ledger's selected items as bytes."""

from __future__ import annotations

import datetime as dt

from .. import stats, views
from ..records import Entry, Ledger


def export(fmt: str, ledger: Ledger, entries: list[Entry], today: dt.date, filtered: bool) -> bytes:
    figures = stats.overall(ledger, entries, today, filtered=filtered)
    sentence = views.official_sentence(figures)
    if fmt == "csv":
        from .tabular import as_csv

        return as_csv(entries, ledger, today)
    if fmt == "json":
        from .tabular import as_json

        return (views.json_text(as_json(entries, ledger, today)) + "\n").encode()
    if fmt == "md":
        from .tabular import as_markdown

        return as_markdown(entries, ledger, today, sentence).encode()
    aspects = stats.tally(ledger, entries, stats.Dimension.ASPECT, today)
    if fmt == "html":
        from .html import board

        return board(entries, ledger, today, sentence, aspects).encode()
    from .xlsx import workbook

    return workbook(entries, ledger, today, sentence, _summary_tables(ledger, entries, today))


def _summary_tables(ledger: Ledger, entries: list[Entry], today: dt.date):
    tables = []
    for dimension in stats.Dimension:
        rows = stats.tally(ledger, entries, dimension, today)
        label = stats.DIMENSION_LABELS[dimension]
        body = [[row.label, row.total, row.closed, row.open, row.overdue, stats.rate_text(row.rate)] for row in rows]
        tables.append((f"按{label}统计", [label, *views.TALLY_HEADERS], body))
    return tables
