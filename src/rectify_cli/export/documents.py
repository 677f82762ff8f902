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


# --- a workspace: every unit's items, a row per unit ------------------------------------------

def export_workspace(fmt: str, found, filters, columns: str | None = None) -> bytes:
    """A roll-up's (rollup.Rollup) selected items, a unit column first, and its figures by unit
    as `summary --by unit` gives them; the ledgers left out named under the tables."""
    from .. import query, rollup
    from . import tabular

    if columns is not None and fmt not in PICKABLE:
        raise RectifyError(f"--columns 只用于 {' / '.join(PICKABLE)} 格式")
    picks = tabular.pick(columns)
    parts = [(part.unit, part.ledger, query.select(part.ledger, filters, part.day), part.day) for part in found.parts]
    if fmt == "csv":
        return tabular.as_csv_of_units(parts, picks, rollup.UNIT_LABEL)
    summed = rollup.summarise(found, filters, rollup.Dimension.UNIT)
    sentence = views.workspace_sentence(summed)
    notes = views.workspace_notes(found.parts, found.excluded)
    title = found.workspace.title or found.workspace.root.name
    as_of = max((part.day for part in found.parts), default=dt.date.today())
    headers = [rollup.UNIT_LABEL, *(rollup.DIMENSION_LABELS[d] for d in (rollup.Dimension.ROUND, rollup.Dimension.LEVEL)),
               *views.TALLY_HEADERS]
    if fmt == "html":
        from .html import UnitRow, workspace_board

        overdue = [(unit, ledger, [entry for entry in entries if entry.is_overdue(day)], day)
                   for unit, ledger, entries, day in parts]
        units = [UnitRow(*row) for row in _unit_rows(summed)]
        return workspace_board(title, as_of, sentence, headers, units, overdue, notes).encode()
    if fmt == "json":
        return _workspace_json(found, filters)
    if fmt == "md":
        return tabular.as_markdown_of_units(title, parts, sentence, rollup.UNIT_LABEL, notes).encode()
    from .xlsx import workspace_workbook

    by_unit = [[unit, round_ or "", level or "", row.total, row.closed, row.open, row.overdue, row.rate]
               for unit, round_, level, row in _unit_rows(summed)]
    total = summed.total
    by_unit.append([total.label, "", "", total.total, total.closed, total.open, total.overdue, total.rate])
    tables = [(f"按{rollup.UNIT_LABEL}统计", headers, by_unit), ("排名", views.RANKING_HEADERS, _ranking(summed))]
    return workspace_workbook(title, parts, rollup.UNIT_LABEL, as_of, [sentence], tables, notes, picks)


def _unit_rows(summed) -> list[tuple]:
    """Each unit's (name, round, level, official figures) as `summary --by unit` rows them."""
    members = {unit.part.unit: unit.part.member for unit in summed.units}
    return [(row.label, members[row.label].round, members[row.label].level, row) for row in summed.rows]


def _ranking(summed) -> list[list]:
    """The summary's ranking, its counts and rate as numbers for the sheet."""
    rows = []
    for texts, unit in zip(views.ranking_rows(summed), summed.ranking, strict=True):
        figures = unit.figures
        overdue_rank = int(texts[-1]) if texts[-1].isdigit() else texts[-1]
        rows.append([int(texts[0]), texts[1], figures.stated, figures.closed, figures.rate, figures.overdue, overdue_rank])
    return rows


def _workspace_json(found, filters) -> bytes:
    """What `list --format json` gives of the workspace: its units, the excluded, the items with
    qualified IDs."""
    import io

    from .. import rollup

    listed = rollup.select(found, filters)
    figures, official = rollup.list_figures(found, filters, listed)
    stream = io.StringIO()
    views.render_workspace_list(found, listed, figures, official, views.OutputFormat.JSON, stream)
    return stream.getvalue().encode()
