"""One entry point per export format: the ledger's selected items as bytes."""

from __future__ import annotations

import datetime as dt

from .. import stats, views
from ..errors import RectifyError
from ..records import Entry, Ledger

PICKABLE = ("csv", "xlsx")  # the formats whose columns `--columns` chooses
SUMMARY_DIMENSIONS = (stats.Dimension.ASPECT, stats.Dimension.DEPT)  # the 统计 sheet's tables


def export(fmt: str, ledger: Ledger, entries: list[Entry], today: dt.date, filtered: bool,
           columns: str | None = None) -> bytes:
    """`columns`: what `--columns` gave (names separated by commas), for csv and xlsx."""
    from . import tabular

    if columns is not None and fmt not in PICKABLE:
        raise RectifyError(f"--columns 只用于 {' / '.join(PICKABLE)} 格式")
    picks = tabular.pick(columns)
    figures = stats.overall(ledger, entries, today, filtered=filtered)
    sentence = views.official_sentence(figures)
    if fmt == "csv":
        return tabular.as_csv(entries, ledger, today, picks)
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

    results = views.results_sentence(stats.results(ledger, entries, filtered))
    sentences = [sentence, *([results] if results else [])]
    return workbook(entries, ledger, today, sentences, _summary_tables(ledger, entries, today), picks)


def form(ledger: Ledger, entries: list[Entry], today: dt.date, dept: str | None) -> bytes:
    """The department fill-in form (填报表) for `entries`; `dept`: the --dept it was made for."""
    from .form import workbook

    return workbook(entries, ledger, today, dept)


def _summary_tables(ledger: Ledger, entries: list[Entry], today: dt.date):
    """Rates as the summary's Decimal percent (82.4), for the sheet to show as numbers."""
    tables = []
    for dimension in SUMMARY_DIMENSIONS:
        rows = stats.tally(ledger, entries, dimension, today)
        label = stats.DIMENSION_LABELS[dimension]
        body = [[row.label, row.total, row.closed, row.open, row.overdue, row.rate] for row in rows]
        tables.append((f"按{label}统计", [label, *views.TALLY_HEADERS], body))
    return tables
