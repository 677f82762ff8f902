"""A self-contained progress board (挂图作战): one HTML file, no external resources.

Items are grouped under their aspect's header row, the open and overdue ones first. On a
narrow screen (a phone) each item becomes a card whose cells carry their column's name;
wider, the table sits in its own horizontally scrolling box, so the page never does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from .. import fields
from ..ids import qualified_id
from ..records import Entry, Ledger
from ..stats import Tally, aspect_label, rate_text, tally_text
from ..views import OVERDUE_LABEL, inert
from . import tabular

NARROW = "40em"  # below this width items are cards
STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}
.sentence{font-size:1.15em;font-weight:bold;margin:.5em 0}
.meta{color:#666;font-size:.9em}
.aspects{margin:1em 0 1.5em}
.aspect{display:flex;flex-wrap:wrap;align-items:center;margin:.3em 0}
.aspect .name{flex:0 1 26em;font-size:.9em}
.aspect .track{display:block;flex:1 1 8em;min-width:6em;background:#eee;height:1.1em;border-radius:3px;overflow:hidden}
.aspect .fill{display:block;background:#2e7d32;height:100%}
.aspect .figure{flex:0 0 9em;text-align:right;font-size:.9em}
.legend{font-size:.9em;margin:.5em 0}
.legend .key{display:inline-block;padding:.1em .6em;margin-right:.5em;border:1px solid #999}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}
thead th{white-space:nowrap}
tr.group th{background:#e4e4e4;font-size:1.05em}
tr.group .figure{font-weight:normal;margin-left:1em}
td.state,.legend .key{print-color-adjust:exact;-webkit-print-color-adjust:exact}
tr.open td.state,tr.overdue td.state{font-weight:bold}
td.text{white-space:pre-wrap}
td.short{white-space:nowrap}
td.rate .track{display:inline-block;vertical-align:middle;width:6em;background:#eee;height:.9em;border-radius:3px;overflow:hidden;margin-right:.4em}
td.rate .fill{display:block;background:#2e7d32;height:100%;print-color-adjust:exact;-webkit-print-color-adjust:exact}
h2{font-size:1.15em;margin:1.5em 0 .5em}
@media screen and (max-width:NARROW){
body{margin:.8em}
.aspect .name{flex-basis:100%}
.aspect .figure{flex-basis:auto;margin-left:.5em}
.cards,.cards tbody,.cards tr,.cards td,.cards th{display:block}
.cards thead{display:none}
.cards tr{border:1px solid #999;margin:.6em 0}
.cards tr.group{border:none;margin-top:1.2em}
.cards td{border:none;border-top:1px solid #ddd}
.cards td.short{display:inline-block;border:none}
.cards td::before{content:attr(data-label);color:#666;margin-right:.5em}
}
@media print{body{margin:0}.aspect .fill{print-color-adjust:exact;-webkit-print-color-adjust:exact}
tr{page-break-inside:avoid}thead{display:table-header-group}}
@page{size:A4 landscape;margin:12mm}
""".replace("NARROW", NARROW) + "".join(
    f"tr.{state} td.state,.legend .{state}{{background:#{fill.lower()}}}\n" for state, _word, fill in tabular.STATES)
# the narrow table's columns, less the aspect: it heads each group instead
BRIEF = [index for index, (column, _cell) in enumerate(tabular.COLUMNS)
         if column.brief and column is not fields.PROBLEM.aspect.column]
ID = [column for column, _cell in tabular.COLUMNS].index(fields.ITEM_ID)
LONG_TEXT = 40  # a column this wide holds paragraphs: keep their line breaks
URGENCY = {"overdue": 0, "open": 1, "closed": 2}  # the order of items within an aspect


def _css(column: fields.Column) -> str:
    """Short cells never wrap; the status cell is coloured by its row's state."""
    short = column is fields.ITEM_ID or any(
        column is spec.column for spec in fields.ITEM if spec.type in (fields.DATE, fields.STATUS))
    names = (["state"] if column is fields.ITEM.status.column else []) + (["short"] if short else [])
    if not names and column.width >= LONG_TEXT:
        names = ["text"]
    return f' class="{" ".join(names)}"' if names else ""


def _h(text: str) -> str:
    return escape(inert(text), quote=True)


_OPENERS = {index: f'<td{_css(tabular.COLUMNS[index][0])} data-label="{_h(tabular.HEADERS[index])}">' for index in BRIEF}


def board(entries: list[Entry], ledger: Ledger, today: dt.date, sentence: str, aspect_rows) -> str:
    return _page(ledger.info.title, f"{ledger.info.unit} · {ledger.info.inspector} · 截至 {today.isoformat()}", sentence, [
        '<section class="aspects">',
        *(_aspect_bar(row) for row in aspect_rows),
        "</section>",
        _legend(),
        _table(entries, ledger, today, {row.label: row for row in aspect_rows}),
    ])


def _page(title: str, meta: str, sentence: str, body: list[str]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_h(title)}</h1>",
        f'<p class="meta">{_h(meta)}</p>',
        f'<p class="sentence" id="sentence">{_h(sentence)}</p>',
        *body,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


# --- a workspace: a row per unit ---------------------------------------------------------------

OVERDUE_HEADING = f"{OVERDUE_LABEL}事项"  # over a workspace's overdue items


@dataclass(frozen=True)
class UnitRow:
    """One unit's line on a workspace's board, with its official figures."""

    unit: str
    round: str | None
    level: str | None
    figures: Tally


def workspace_board(title: str, as_of: dt.date, sentence: str, headers: list[str], units: list[UnitRow],
                    overdue: list[tabular.UnitPart], notes: list[str]) -> str:
    """`headers`: the unit table's (单位, 轮次, 层级, then the summary's); `overdue`: each unit's
    overdue items, listed under the table; `notes`: what the summary says under its tables
    (the ledgers left out)."""
    body = [_legend(), _unit_table(headers, units), *(f'<p class="meta note">{_h(note)}</p>' for note in notes)]
    if any(entries for _unit, _ledger, entries, _day in overdue):
        body += [f"<h2>{OVERDUE_HEADING}</h2>", _overdue_table(overdue)]
    return _page(title, f"截至 {as_of.isoformat()}", sentence, body)


def _unit_state(figures) -> str:
    return "overdue" if figures.overdue else "open" if figures.open else "closed"


def _unit_table(headers: list[str], units: list[UnitRow]) -> str:
    head = "".join(f"<th>{_h(header)}</th>" for header in headers)
    rows = []
    for unit in units:
        figures = unit.figures
        texts = [unit.unit, unit.round or "", unit.level or "", str(figures.total), str(figures.closed),
                 str(figures.open), str(figures.overdue)]
        tds = [f'<td class="{"state" if not column else "short"}" data-label="{_h(header)}">{_h(text)}</td>'
               for column, (header, text) in enumerate(zip(headers, texts, strict=False))]
        tds.append(f'<td class="rate" data-label="{_h(headers[len(texts)])}">{_track(figures.rate)}{rate_text(figures.rate)}</td>')
        rows.append(f'<tr class="{_unit_state(figures)}" data-unit="{_h(unit.unit)}">' + "".join(tds) + "</tr>")
    return (f'<div class="scroll"><table id="units" class="cards"><thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table></div>")


def _overdue_table(overdue: list[tabular.UnitPart]) -> str:
    """Each unit's overdue items under the unit's name, their IDs qualified."""
    head = "".join(f"<th>{_h(tabular.HEADERS[index])}</th>" for index in BRIEF)
    bodies = []
    for unit, ledger, entries, day in overdue:
        if not entries:
            continue
        header = (f'<tr class="group"><th colspan="{len(BRIEF)}" scope="colgroup">{_h(unit)}'
                  f'<span class="figure">{OVERDUE_LABEL} {len(entries)} 项</span></th></tr>')
        bodies.append("<tbody>\n" + "\n".join([header, *(_row(entry, ledger, day, unit) for entry in entries)])
                      + "\n</tbody>")
    return (f'<div class="scroll"><table id="overdue" class="cards"><thead><tr>{head}</tr></thead>\n'
            + "\n".join(bodies) + "\n</table></div>")


def _figure(row) -> str:
    return f"{tally_text(row.closed, row.total)} {rate_text(row.rate)}"


def _aspect_bar(row) -> str:
    return (
        f'<div class="aspect"><span class="name">{_h(row.label)}</span>'
        f'{_track(row.rate)}<span class="figure">{_figure(row)}</span></div>'
    )


def _track(rate) -> str:
    """A rate's bar: a grey track filled green to the rate."""
    return f'<span class="track"><span class="fill" style="width:{rate_text(rate)}"></span></span>'


def _legend() -> str:
    keys = "".join(f'<span class="key {state}">{word}</span>' for state, word, _fill in tabular.STATES)
    return f'<p class="legend">{_h(fields.ITEM.status.column.header)}：{keys}</p>'


def _state(entry: Entry, today: dt.date) -> str:
    return "overdue" if entry.is_overdue(today) else "open" if entry.is_open else "closed"


def _groups(entries: list[Entry], ledger: Ledger) -> dict[str, list[Entry]]:
    """Entries by aspect, in the ledger's order of aspects; the entries keep their order."""
    groups: dict[str, list[Entry]] = {key: [] for key in ledger.info.aspects}
    for entry in entries:
        groups.setdefault(entry.problem.aspect, []).append(entry)
    return {key: members for key, members in groups.items() if members}


def _table(entries: list[Entry], ledger: Ledger, today: dt.date, tallies: dict) -> str:
    head = "".join(f"<th>{_h(tabular.HEADERS[index])}</th>" for index in BRIEF)
    bodies = []
    for key, members in _groups(entries, ledger).items():
        label = aspect_label(ledger, key)
        figure = f'<span class="figure">{_figure(tallies[label])}</span>' if label in tallies else ""
        header = f'<tr class="group"><th colspan="{len(BRIEF)}" scope="colgroup">{_h(label)}{figure}</th></tr>'
        ordered = sorted(members, key=lambda entry: URGENCY[_state(entry, today)])  # stable: ID order within
        bodies.append("<tbody>\n" + "\n".join([header, *(_row(entry, ledger, today) for entry in ordered)]) + "\n</tbody>")
    return (f'<div class="scroll"><table id="items" class="cards"><thead><tr>{head}</tr></thead>\n'
            + "\n".join(bodies) + "\n</table></div>")


def _row(entry: Entry, ledger: Ledger, today: dt.date, unit: str | None = None) -> str:
    """An item's row; in a workspace (`unit`), its ID qualified by its unit."""
    cells = tabular.row(entry, ledger, today)
    if unit is not None:
        cells[ID] = qualified_id(unit, entry.id)
    tds = [f"{_OPENERS[index]}{_h(cells[index])}</td>" for index in BRIEF]
    return f'<tr class="{_state(entry, today)}" data-id="{_h(cells[ID])}">' + "".join(tds) + "</tr>"
