"""A self-contained progress board (挂图作战): one HTML file, no external resources."""

from __future__ import annotations

import datetime as dt
from html import escape

from .. import fields
from ..records import Entry, Ledger
from ..stats import rate_text, tally_text
from ..views import inert
from . import tabular

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}
.sentence{font-size:1.15em;font-weight:bold;margin:.5em 0}
.meta{color:#666;font-size:.9em}
.aspects{margin:1em 0 1.5em}
.aspect{display:flex;align-items:center;margin:.3em 0}
.aspect .name{width:26em;font-size:.9em}
.aspect .track{display:block;flex:1;background:#eee;height:1.1em;border-radius:3px;overflow:hidden}
.aspect .fill{display:block;background:#2e7d32;height:100%}
.aspect .figure{width:9em;text-align:right;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}
tr.closed td.state{color:#2e7d32}
tr.open td.state{color:#b26a00;font-weight:bold}
tr.overdue td.state{color:#c62828;font-weight:bold}
tr.overdue{background:#fff3f3}
td.text{white-space:pre-wrap}
td.short{white-space:nowrap}
@media print{body{margin:0}.aspect .fill{print-color-adjust:exact;-webkit-print-color-adjust:exact}
tr{page-break-inside:avoid}thead{display:table-header-group}}
@page{size:A4 landscape;margin:12mm}
"""
BRIEF = [index for index, (column, _cell) in enumerate(tabular.COLUMNS) if column.brief]
LONG_TEXT = 40  # a column this wide holds paragraphs: keep their line breaks


def _css(column: fields.Column) -> str:
    """Short cells never wrap; the status cell is coloured by its row's state."""
    short = column is fields.ITEM_ID or any(
        column is spec.column for spec in fields.ITEM if spec.type in (fields.DATE, fields.STATUS))
    names = (["state"] if column is fields.ITEM.status.column else []) + (["short"] if short else [])
    if not names and column.width >= LONG_TEXT:
        names = ["text"]
    return f' class="{" ".join(names)}"' if names else ""


_CLASSES = {index: _css(tabular.COLUMNS[index][0]) for index in BRIEF}


def _h(text: str) -> str:
    return escape(inert(text), quote=True)


def board(entries: list[Entry], ledger: Ledger, today: dt.date, sentence: str, aspect_rows) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_h(ledger.info.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_h(ledger.info.title)}</h1>",
        f'<p class="meta">{_h(ledger.info.unit)} · {_h(ledger.info.inspector)} · 截至 {today.isoformat()}</p>',
        f'<p class="sentence" id="sentence">{_h(sentence)}</p>',
        '<section class="aspects">',
        *(_aspect_bar(row) for row in aspect_rows),
        "</section>",
        _table(entries, ledger, today),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _aspect_bar(row) -> str:
    return (
        f'<div class="aspect"><span class="name">{_h(row.label)}</span>'
        f'<span class="track"><span class="fill" style="width:{rate_text(row.rate)}"></span></span>'
        f'<span class="figure">{tally_text(row.closed, row.total)} {rate_text(row.rate)}</span></div>'
    )


def _table(entries: list[Entry], ledger: Ledger, today: dt.date) -> str:
    head = "".join(f"<th>{_h(tabular.HEADERS[index])}</th>" for index in BRIEF)
    rows = [_row(entry, ledger, today) for entry in entries]
    return f'<table id="items"><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def _row(entry: Entry, ledger: Ledger, today: dt.date) -> str:
    cells = tabular.row(entry, ledger, today)
    state = "overdue" if entry.is_overdue(today) else "open" if entry.is_open else "closed"
    tds = [f"<td{_CLASSES[index]}>{_h(cells[index])}</td>" for index in BRIEF]
    return f'<tr class="{state}" data-id="{_h(entry.id)}">' + "".join(tds) + "</tr>"
