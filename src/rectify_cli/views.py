"""Rendering: every byte the user sees is shaped here. Domain code never prints."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO

from . import fields
from .errors import Diagnostic
from .ids import qualified_id
from .records import Entry, Item, Ledger, as_data
from .rollup import DIMENSION_LABELS as ROLLUP_LABELS
from .rollup import UNIT_KEY, UNIT_LABEL, Dimension, Listed
from .stats import TOTAL_LABEL, Overall, completion_rate, rate_text, tally_text
from .tables import Col, drawn, fitted, screen_width
from .vocab import (
    ACTION_LABELS,
    COUNT_BY_LABELS,
    COUNT_BY_UNITS,
    PENALTY_LABELS,
    SCHEMA_VERSION,
    STATUS_LABELS,
    VOCABULARY,
    CountBy,
    amount_number,
    wan_text,
    yuan_text,
)


class OutputFormat(StrEnum):
    TABLE = "table"
    TSV = "tsv"
    JSON = "json"
    CSV = "csv"
    MD = "md"


class ListFormat(StrEnum):
    TABLE = "table"
    TSV = "tsv"
    JSON = "json"
    CSV = "csv"


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class SummaryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MD = "md"
    TSV = "tsv"


# list's columns; when the terminal is narrow, 方面 goes first, then 责任部门, then 整改时限.
# 单位 is a workspace's (empty, so left out, for a single ledger); the ID names the unit too.
LIST_COLUMNS = [Col(UNIT_LABEL, drop=0), Col(fields.ITEM_ID_LABEL), Col(fields.PROBLEM.title.label, one_line=False, min_width=16),
                Col(fields.PROBLEM.aspect.label, drop=1), Col(fields.ITEM.departments.label, one_line=False,
                                                               min_width=8, drop=2),
                Col(fields.ITEM.deadline.label, drop=3), Col(fields.ITEM.status.label)]
LIST_HEADERS = [column.header for column in LIST_COLUMNS]
OVERDUE_LABEL = "逾期"
NO_DEADLINES = f"台账中没有填写{fields.ITEM.deadline.label}的事项,无法判断逾期"
EMPTY = "—"
YUAN = "元"

_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


def choose_format(requested: OutputFormat | None, stream: IO) -> OutputFormat:
    """A table in a terminal; tab-separated text in a pipe."""
    if requested is not None:
        return requested
    return OutputFormat.TABLE if stream.isatty() else OutputFormat.TSV


_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}  # controls, invisible format marks, line separators


def hidden(char: str) -> bool:
    """A character that acts instead of showing: controls, bidi and zero-width marks, noncharacters."""
    code = ord(char)
    return (
        unicodedata.category(char) in _HIDDEN_CATEGORIES
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def inert(text: str, keep_newlines: bool = True) -> str:
    """Ledger text made safe to print: such characters shown as escapes, never obeyed."""
    if text.isprintable():  # the usual case, checked in C; every hidden character is non-printable
        return text
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in _BIDI_CONTROLS or hidden(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


_JSON_HIDDEN = re.compile("[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\uffff]")


def json_text(data, indent: int | None = 2) -> str:
    """JSON with non-ASCII text kept readable, but every hidden character as a \\u escape."""
    import json  # only the json format needs it

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_HIDDEN.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]!|#~])")


def md_text(text: str) -> str:
    """Ledger text for a Markdown table cell: inert, HTML escaped, Markdown syntax escaped."""
    import html  # only the Markdown and HTML outputs need it

    escaped = html.escape(inert(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("\n", "<br>")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A spreadsheet must never run ledger text as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _escape(char: str) -> str:
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def status_label(entry: Entry, today: dt.date) -> str:
    if entry.is_overdue(today):
        return OVERDUE_LABEL
    return STATUS_LABELS[entry.item.status]


def list_row(entry: Entry, today: dt.date, unit: str | None = None) -> list[str]:
    """A list row; its first cell, the unit, is empty for a single ledger's."""
    item = entry.item
    return [
        unit or "",
        qualified_id(unit, entry.id),
        entry.title,
        entry.problem.aspect,
        "、".join(item.departments),
        item.deadline.isoformat() if item.deadline else "",
        status_label(entry, today),
    ]


def footer(figures: Overall, official: Overall | None = None) -> str:
    """The items' counts, then the official rate (by problem when the ledger counts so)."""
    official = official or figures
    text = f"共 {figures.found} 项,已销号 {figures.closed} 项,未销号 {figures.found - figures.closed} 项"
    if figures.overdue:
        text += f",其中逾期 {figures.overdue} 项"
    return f"{text};{progress_line(official.closed, official.stated, official.count_by)}"


def as_of_line(day: dt.date) -> str:
    """Under a snapshot's tables: the date its figures stand at."""
    return f"{fields.LEDGER.as_of.label} {day.isoformat()}"


# --- list -------------------------------------------------------------------


def render_list(
    entries: list[Entry],
    ledger: Ledger,
    today: dt.date,
    fmt: OutputFormat,
    figures: Overall,
    stream: IO,
    official: Overall | None = None,
    stamp: dt.date | None = None,
) -> None:
    """`figures` count the items listed; `official` is the ledger's rate (count_by); `stamp`,
    a snapshot's date, goes under the table."""
    if fmt is OutputFormat.TABLE:
        lines = [footer(figures, official), *([as_of_line(stamp)] if stamp else [])]
        _list_table([(entry, today, None) for entry in entries], lines, stream)
    elif fmt is OutputFormat.JSON:
        stream.write(_json({**_ledger_header(ledger, today), "items": [entry_data(e, ledger, today) for e in entries]}))
    else:
        rows = [list_row(entry, today)[1:] for entry in entries]
        write_delimited([LIST_HEADERS[1:], *rows], fmt, stream)


def write_delimited(rows: list[list[str]], fmt: OutputFormat, stream: IO) -> None:
    if fmt is OutputFormat.CSV:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([[neutralise(inert(c)) for c in row] for row in rows])
        stream.write(buffer.getvalue())
        return
    for row in rows:
        stream.write("\t".join(inert(cell, keep_newlines=False) for cell in row) + "\n")


def _list_table(listed: list[tuple[Entry, dt.date, str | None]], lines: list[str], stream: IO) -> None:
    """Rows of (entry, its ledger's day, its unit or None), then the lines under the table."""
    from rich.text import Text

    width = screen_width(stream)
    rows = [[inert(cell) for cell in list_row(entry, today, unit)] for entry, today, unit in listed]
    layout = fitted(LIST_COLUMNS, rows, width)
    console = _console(stream, width)
    status_at = layout[-1][0]
    styles = [{status_at: _status_style(entry, today)} for entry, today, _unit in listed]
    _print_table(console, LIST_COLUMNS, layout, rows, styles)
    for line in lines:
        console.print(Text(inert(line)))



def write_preview(headers: list[str], rows: list[list[str]], stream: IO) -> None:
    """A table of what a command is about to do (import updates' preview), fitted to the terminal."""

    columns = [Col(header, one_line=False, min_width=8) for header in headers]
    texts = [[inert(cell) for cell in row] for row in rows]
    console = _console(stream)
    _print_table(console, columns, fitted(columns, texts, console.width), texts)


def _status_style(entry: Entry, today: dt.date) -> str:
    if entry.is_overdue(today):
        return "bold red"
    return "yellow" if entry.is_open else "green"


def _console(stream: IO, width: int | None = None):
    from rich.console import Console

    return Console(file=stream, highlight=False, markup=False, emoji=False, soft_wrap=False,
                   width=width or screen_width(stream))


def _print_table(console, columns: list[Col], layout: list[tuple[int, int | None]], rows: list[list[str]],
                 styles: list[dict[int, str]] | None = None, sections: frozenset[int] = frozenset()) -> None:
    """The rows (cells already inert) in the columns `tables.fitted` kept, each cell styled by
    `styles` (row → {column index: style}); a rule above the rows in `sections`. Without colour
    (a file, a pipe) and with nothing to wrap, drawn directly: what rich would print, quicker."""
    from rich.text import Text

    headers = [columns[index].header for index, _width in layout]
    shown = [[row[index] for index, _width in layout] for row in rows]
    if console.color_system is None and all(width is None for _index, width in layout):  # none squeezed
        text = drawn(headers, [columns[index].numeric for index, _width in layout], shown, sections, console.width)
        if text is not None:
            console.file.write(text)
            return
    table = _table(columns, layout)
    for number, row in enumerate(rows):
        if number in sections:
            table.add_section()
        style = styles[number] if styles else {}
        table.add_row(*(Text(row[index], style=style.get(index, "")) for index, _width in layout))
    console.print(table)


def _table(columns: list[Col], layout: list[tuple[int, int | None]]):
    """A rich table of the columns `tables.fitted` kept, at the widths it gave."""
    from rich.table import Table

    table = Table(header_style="bold")
    for index, width in layout:
        column = columns[index]
        table.add_column(column.header, no_wrap=column.one_line, overflow="fold", width=width,
                         justify="right" if column.numeric else "left")
    return table


# --- show -------------------------------------------------------------------


_LABELS = {kind: VOCABULARY[enum][0] for kind, enum in fields.ENUM_TYPES.items()}


def value_text(spec: fields.Field, value) -> str:
    """A field's value as a reader sees it; "" when empty."""
    if value is None or (spec.is_list or spec.type == fields.MAPPING) and not value:
        return ""
    if spec.type == fields.DATE:
        return value.isoformat()
    if spec.type == fields.NAMES:
        return "、".join(value)
    if spec.type == fields.STRINGS:
        return "\n".join(value)
    if spec.type == fields.MAPPING:
        return "\n".join(f"{key} {text}" for key, text in value.items())
    if spec.type in _LABELS:
        return _LABELS[spec.type][value]
    if spec.type == fields.AMOUNT:
        return yuan_text(value)
    if spec.type == fields.FLAG:
        return "是" if value else "否"
    if spec.type == fields.PENALTIES:
        return PENALTY_SEPARATOR.join(PENALTY_LABELS[kind] for kind in value)
    if spec.type == fields.MANY:
        return "\n".join(record_text(spec.of, record) for record in value)
    if spec.type == fields.ONE:
        return record_text(spec.of, value)
    return str(value)


MARKED = (*fields.ENUMERATIONS, fields.DATE)  # in a record's line, in brackets after its texts
MARKS_OPEN, MARKS_SEPARATOR, MARKS_CLOSE = "(", ",", ")"


PENALTY_SEPARATOR, PENALTY_SUM, PEOPLE = "、", "等", "人"


def accountability_text(kinds, people: int) -> str:
    """`诫勉1人`; several kinds counted together: `提醒谈话、批评教育等15人`."""
    words = PENALTY_SEPARATOR.join(PENALTY_LABELS[kind] for kind in kinds)
    return f"{words}{PENALTY_SUM if len(kinds) > 1 else ''}{people}{PEOPLE}"


# Groups whose records read as a phrase of their own rather than field by field.
RECORD_LINES = {fields.ACCOUNTABILITY.name: lambda record: accountability_text(record.kind, record.people)}


def record_text(group_name: str, record) -> str:
    """One nested record on one line: its shown texts side by side, then its words and dates in
    brackets (《……制度》(修订,2022-01-05)), a form the Excel importer reads back."""
    if group_name == fields.HISTORY_ENTRY.name:
        return history_line(record)
    if group_name in RECORD_LINES:
        return RECORD_LINES[group_name](record)
    shown = [spec for spec in fields.GROUPS[group_name] if spec.shown]
    texts = [value_text(spec, getattr(record, spec.key)) for spec in shown if spec.type not in MARKED]
    marks = [value_text(spec, getattr(record, spec.key)) for spec in shown if spec.type in MARKED]
    text = " ".join(text for text in texts if text)
    marks = [mark for mark in marks if mark]
    return f"{text}{MARKS_OPEN}{MARKS_SEPARATOR.join(marks)}{MARKS_CLOSE}" if marks else text


def item_text(entry: Entry, spec: fields.Field, today: dt.date) -> str:
    """An item's field as text; its status says 逾期 when overdue."""
    if spec is fields.ITEM.status:
        return status_label(entry, today)
    if spec is fields.ITEM.history:
        return "\n".join(history_lines(entry.item))
    return value_text(spec, getattr(entry.item, spec.key))


def detail_fields(entry: Entry, ledger: Ledger, today: dt.date, all_fields: bool = False) -> list[tuple[str, str]]:
    """The fields of one item that have a value (every field, — for the empty, with
    `all_fields`), in the declared order; where it stands after its title."""
    problem = entry.problem
    rows = [(fields.ITEM_ID_LABEL, entry.id)]
    for spec in fields.ITEM:
        if not spec.shown:
            continue
        text = item_text(entry, spec, today)
        if text or all_fields:
            rows.append((spec.label, f"{text}{YUAN}" if text and spec.type == fields.AMOUNT else text or EMPTY))
        if spec is fields.ITEM.title:
            rows.append((fields.PROBLEM.title.label, f"{problem.id}. {problem.title}"))
            rows.append((fields.PROBLEM.aspect.label, f"({problem.aspect}){ledger.aspect_title(problem.aspect)}"))
    return rows


def history_line(event) -> str:
    text = f"{event.date} {ACTION_LABELS[event.action]}"
    if event.by:
        text += f" {event.by}"
    if event.note:
        text += f":{event.note}"
    return text


def history_lines(item: Item) -> list[str]:
    return [history_line(event) for event in sorted(item.history, key=lambda e: e.date)]


def render_show(entries: list[Entry], ledger: Ledger, today: dt.date, fmt: OutputFormat, stream: IO,
                all_fields: bool = False) -> None:
    if fmt is OutputFormat.JSON:
        stream.write(_json({**_ledger_header(ledger, today), "items": [entry_data(e, ledger, today) for e in entries]}))
        return
    for index, entry in enumerate(entries):
        if index:
            stream.write("\n")
        rows = detail_fields(entry, ledger, today, all_fields)
        if fmt is OutputFormat.TABLE:
            _show_grid(rows, entry, today, stream)
        else:
            _show_plain(rows, stream)


def _show_plain(rows: list[tuple[str, str]], stream: IO) -> None:
    for label, value in rows:
        lines = inert(value).split("\n")
        stream.write(f"{label}:{lines[0]}\n")
        for line in lines[1:]:
            stream.write(f"    {line}\n")


def _show_grid(rows: list[tuple[str, str]], entry: Entry, today: dt.date, stream: IO) -> None:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        text = Text(inert(value))
        if label == fields.ITEM.status.label:
            text.stylize(_status_style(entry, today))
        grid.add_row(Text(label), text)
    _console(stream).print(grid)


# --- data for machines ---------------------------------------------------------


def entry_data(entry: Entry, ledger: Ledger, today: dt.date) -> dict:
    problem = entry.problem
    data = {
        "id": entry.id,
        "problem_id": problem.id,
        "problem_title": problem.title,
        "aspect": problem.aspect,
        "aspect_title": ledger.aspect_title(problem.aspect),
        "display_title": entry.title,
        "overdue": entry.is_overdue(today),
    }
    data.update(as_data(entry.item))
    return data


def envelope(**parts) -> dict:
    """Every JSON document the tool prints: its schema_version first, then its parts."""
    return {"schema_version": SCHEMA_VERSION, **parts}


def _ledger_header(ledger: Ledger, today: dt.date) -> dict:
    info = ledger.info
    return envelope(today=today.isoformat(),
                    ledger={spec.key: getattr(info, spec.key) for spec in fields.LEDGER if spec.required})


def _json(data) -> str:
    return json_text(data) + "\n"


# --- diagnostics -------------------------------------------------------------


def diagnostic_line(diagnostic: Diagnostic, cwd: Path | None = None) -> str:
    """`issues/13.yaml:12:5: 错误: …`, the form editors jump to."""
    where = display_path(diagnostic.path, cwd)
    if diagnostic.line is not None:
        where += f":{diagnostic.line}"
        if diagnostic.column is not None:
            where += f":{diagnostic.column}"
    label = "错误" if diagnostic.is_error else "警告"
    return inert(f"{where}: {label}: {diagnostic.message}", keep_newlines=False)


def render_check(diagnostics: list[Diagnostic], counts: tuple[int, int] | None, fmt: CheckFormat,
                 stream: IO, errors_stream: IO) -> None:
    """`check`'s findings: lines on errors_stream, then the verdict on stream (passed) or
    errors_stream (failed); or one JSON document on stream. `counts`: (problems, items) read."""
    errors = sum(d.is_error for d in diagnostics)
    if fmt is CheckFormat.JSON:
        problems, items = counts or (None, None)
        stream.write(_json(envelope(ok=not errors, errors=errors, warnings=len(diagnostics) - errors,
                                    problems=problems, items=items,
                                    diagnostics=[diagnostic_data(d) for d in diagnostics])))
        return
    for diagnostic in diagnostics:
        errors_stream.write(diagnostic_line(diagnostic) + "\n")
    warnings = len(diagnostics) - errors
    if errors:
        errors_stream.write(f"检查未通过:{errors} 处错误,{warnings} 处警告\n")
        return
    problems, items = counts or (0, 0)
    stream.write(f"检查通过:{problems} 个问题,{items} 项{fields.ITEM.label}" + (f",{warnings} 处警告" if warnings else "") + "\n")


def diagnostic_data(diagnostic: Diagnostic, cwd: Path | None = None) -> dict:
    """A diagnostic for JSON: where (as diagnostic_line says it), how bad, what."""
    return {"file": display_path(diagnostic.path, cwd), "line": diagnostic.line, "column": diagnostic.column,
            "level": diagnostic.severity, "message": diagnostic.message}


def display_path(path: Path, cwd: Path | None = None) -> str:
    base = (cwd or Path.cwd()).resolve()
    absolute = path.resolve() if not path.is_absolute() else path
    try:
        return str(absolute.relative_to(base))
    except ValueError:  # outside the working folder: the full path, which editors open too
        return str(absolute)


# --- edits ----------------------------------------------------------------------------


def progress_line(closed: int, denominator: int, count_by: CountBy = CountBy.ITEM) -> str:
    """`整改完成率 1/16 = 6.3%`, under a list and after an edit; `(按问题计)` when counted by problem."""
    level = f"(按{COUNT_BY_LABELS[count_by]}计)" if count_by is not CountBy.ITEM else " "
    return f"整改完成率{level}{tally_text(closed, denominator)} = {rate_text(completion_rate(closed, denominator))}"


def edit_lines(verb: str, entries: list[Entry], closed: int, total: int, count_by: CountBy,
               unit: str | None = None) -> list[str]:
    """`已销号 13.2 …` (in a workspace `城管局/13.2`) for each edited item, then the ledger's progress."""
    lines = []
    for entry in entries:
        item = entry.item
        detail = [str(item.closed_on)] if verb == "已销号" and item.closed_on else []
        if verb == "已销号" and item.closed_by:
            detail.append(f"经办:{item.closed_by}")
        suffix = f"({','.join(detail)})" if detail else ""
        lines.append(inert(f"{verb} {qualified_id(unit, entry.id)} {entry.title}{suffix}", keep_newlines=False))
    lines.append(progress_line(closed, total, count_by))
    return lines


def write_diff(diff: str, stream: IO) -> None:
    stream.write(inert(diff) if diff else "(没有变化)\n")


# --- summary --------------------------------------------------------------------------

TALLY_HEADERS = ["总数", "已销号", "未销号", "逾期", "完成率"]
PROGRESS_HEADER = "进度"
# When the terminal is narrow, summary's columns go in this order: 进度, 未销号, 逾期, 总数, 已销号
TALLY_DROPS = {PROGRESS_HEADER: 1, "未销号": 2, "逾期": 3, "总数": 4, "已销号": 5, "完成率": None}
BAR_WIDTH = 30


def official_sentence(figures) -> str:
    """The sentence reports publish, for the whole ledger; a selection says it is one."""
    if figures.filtered:
        return filtered_sentence(figures)
    return (
        f"巡察反馈问题{figures.stated}个,已完成整改{figures.closed}个,"
        f"正在整改{figures.open}个,整改完成率{rate_text(figures.rate)}"
    )


def filtered_sentence(figures) -> str:
    if figures.count_by is CountBy.PROBLEM:
        return (f"筛选范围内 {figures.stated} 个问题:已完成 {figures.closed} 个,未完成 {figures.open} 个,"
                f"完成率 {rate_text(figures.rate)}")
    return (f"筛选范围内 {figures.stated} 项:已销号 {figures.closed} 项,未销号 {figures.open} 项,"
            f"完成率 {rate_text(figures.rate)}")


RESULTS_OPENING = "在巡察整改工作中,"


def results_clauses(results) -> list[str]:
    """`给予诫勉1人、批评教育5人`, `制定及修改完善制度16项(新建13项、修订3项)`, `追缴资金3.46万元`:
    the clauses the ledger knows, in the reports' order."""
    clauses = []
    if results.accountability is not None:
        clauses.append("给予" + PENALTY_SEPARATOR.join(accountability_text(kinds, people)
                                                     for kinds, people in results.accountability))
    if results.rules is not None:
        new, revised = results.rules
        clauses.append(f"制定及修改完善制度{new + revised}项(新建{new}项、修订{revised}项)")
    if results.funds is not None:
        clauses.append(f"{fields.FIGURES.funds_recovered.label}{wan_text(results.funds)}")
    return clauses


def results_sentence(results) -> str | None:
    """The sentence after the counts; None when the ledger says nothing of its results."""
    clauses = results_clauses(results)
    return RESULTS_OPENING + ";".join(clauses) + "。" if clauses else None


def _figure_text(figure: fields.Field, value) -> str:
    if figure is fields.FIGURES.accountability:
        return PENALTY_SEPARATOR.join(accountability_text(kinds, people) for kinds, people in value)
    if figure is fields.FIGURES.institutions:
        return f"新建{value[0]}项、修订{value[1]}项"
    return wan_text(value)


def difference_lines(results) -> list[str]:
    """Warnings for stderr: ledger.yaml states a figure the items do not add up to."""
    return [f"警告:ledger.yaml 写明{d.figure.label} {_figure_text(d.figure, d.stated)},"
            f"各事项合计 {_figure_text(d.figure, d.counted)};按写明的数字" for d in results.differences]


def results_data(results) -> dict:
    """Every figure as numbers, for JSON; null where the ledger says nothing."""
    penalty, counts = fields.ACCOUNTABILITY, fields.RULE_COUNTS
    accountability = None if results.accountability is None else [
        {penalty.kind.key: [kind.value for kind in kinds], penalty.people.key: people}
        for kinds, people in results.accountability]
    rules = None if results.rules is None else {
        counts.new.key: results.rules[0], counts.revised.key: results.rules[1], "total": sum(results.rules)}
    funds = None if results.funds is None else amount_number(results.funds)
    return {fields.FIGURES.accountability.key: accountability, fields.FIGURES.institutions.key: rules,
            fields.FIGURES.funds_recovered.key: funds, "sentence": results_sentence(results)}


def summary_notes(figures) -> list[str]:
    unit = COUNT_BY_UNITS[figures.count_by]
    notes = []
    if figures.mismatch:
        notes.append(
            f"注意:ledger.yaml 写明反馈问题 {figures.declared} 个,台账中实有 {figures.found} {unit};"
            f"完成率按 {figures.stated} 个计算"
        )
    notes.append(f"逾期未销号 {figures.overdue} {unit}")
    if figures.count_by is not CountBy.ITEM:  # a problem spans departments and leads: rows stay by item
        notes.append(f"完成率按{COUNT_BY_LABELS[figures.count_by]}计;分组统计按{COUNT_BY_LABELS[CountBy.ITEM]}计")
    return notes


def bar(rate: Decimal, width: int = BAR_WIDTH) -> str:
    filled = round(min(max(rate, 0), 100) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def tally_cells(row) -> list[str]:
    return [str(row.total), str(row.closed), str(row.open), str(row.overdue), rate_text(row.rate)]


def render_summary(figures, results, rows, dimension_label: str, fmt: OutputFormat, stream: IO,
                   stamp: dt.date | None = None, total=None) -> None:
    """The official figures (by count_by) and results, then rows by item and their `total` (合计)
    row; `stamp` is a snapshot's date."""
    if fmt is OutputFormat.JSON:
        stream.write(_json(envelope(**{"summary": _figures_data(figures), "results": results_data(results),
                                        fields.LEDGER.as_of.key: stamp.isoformat() if stamp else None,
                                        "by": dimension_label, "rows": [_tally_data(row) for row in rows]})))
        return
    rows = [*rows, *([total] if total is not None else [])]
    if fmt is OutputFormat.MD:
        stream.write(summary_markdown(figures, results, rows, dimension_label, stamp))
        return
    if fmt in (OutputFormat.TSV, OutputFormat.CSV):
        write_delimited([[dimension_label, *TALLY_HEADERS], *([row.label, *tally_cells(row)] for row in rows)], fmt, stream)
        return
    _summary_table(figures, results, rows, dimension_label, stream, stamp)


def summary_markdown(figures, results, rows, dimension_label: str, stamp: dt.date | None = None) -> str:
    sentence = results_sentence(results)
    lines = [official_sentence(figures) + "。", *([sentence] if sentence else []), ""]
    lines += [f"> {note}" for note in summary_notes(figures)] + [""]
    lines.append("| " + " | ".join([dimension_label, *TALLY_HEADERS]) + " |")
    lines.append("|" + "---|" * (len(TALLY_HEADERS) + 1))
    for row in rows:
        cells = [_md_cell(row.label), *tally_cells(row)]
        lines.append("| " + " | ".join(cells) + " |")
    if stamp:
        lines += ["", as_of_line(stamp)]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return md_text(text)


def _summary_table(figures, results, rows, dimension_label: str, stream: IO, stamp: dt.date | None) -> None:
    from rich.text import Text

    console = _console(stream)
    console.print(Text(official_sentence(figures), style="bold"))
    console.print(Text(f"{bar(figures.rate)} {rate_text(figures.rate)}", style="green"))
    sentence = results_sentence(results)
    if sentence:
        console.print(Text(sentence))
    for note in summary_notes(figures):
        style = "yellow" if note.startswith("注意") or figures.overdue else ""
        console.print(Text(note, style=style))
    _tally_table(rows, dimension_label, console)
    if stamp:
        console.print(Text(as_of_line(stamp)))


def _tally_table(rows, dimension_label: str, console) -> None:
    """Rows of tallies (the 合计 row set apart), with their progress bars."""

    columns = [Col(dimension_label, one_line=False, min_width=16),
               *(Col(header, drop=TALLY_DROPS[header], numeric=True) for header in TALLY_HEADERS),
               Col(PROGRESS_HEADER, drop=TALLY_DROPS[PROGRESS_HEADER])]
    texts = [[inert(row.label), *tally_cells(row), bar(row.rate, 12)] for row in rows]
    layout = fitted(columns, texts, console.width)
    styles = [{4: "bold red" if row.overdue else "", 6: "green"} for row in rows]  # 逾期, 进度
    sections = frozenset(number for number, row in enumerate(rows) if row.label == TOTAL_LABEL)
    _print_table(console, columns, layout, texts, styles, sections)


def _figures_data(figures) -> dict:
    return {"stated": figures.stated, "found": figures.found, "closed": figures.closed,
            "open": figures.open, "overdue": figures.overdue, "rate": float(figures.rate),
            fields.LEDGER.count_by.key: figures.count_by.value, "sentence": official_sentence(figures)}


def _tally_data(row) -> dict:
    return {"label": row.label, "total": row.total, "closed": row.closed, "open": row.open,
            "overdue": row.overdue, "rate": float(row.rate)}


REOPENED = "重新整改"  # reopened items, in a trend's own column


def render_trend(rows, fmt: OutputFormat, stream: IO) -> None:
    headers = ["时段", "销号", REOPENED, "累计已销号", "累计完成率"]
    if fmt is OutputFormat.JSON:
        data = [{"period": r.period, "closures": r.closures, "reopenings": r.reopenings, "closed": r.closed,
                 "total": r.total, "rate": float(r.rate)} for r in rows]
        stream.write(_json(envelope(trend=data)))
        return
    cells = [[r.period, str(r.closures), str(r.reopenings), tally_text(r.closed, r.total), rate_text(r.rate)]
             for r in rows]
    if fmt in (OutputFormat.TSV, OutputFormat.CSV):
        write_delimited([headers, *cells], fmt, stream)
        return
    if fmt is OutputFormat.MD:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        stream.write("\n".join(lines) + "\n")
        return
    widest = max((r.closures for r in rows), default=0) or 1
    console = _console(stream)
    from rich.text import Text

    for row, cell in zip(rows, cells, strict=True):
        closures = "▇" * (max(1, round(row.closures / widest * 12)) if row.closures else 0)
        line = Text(f"{cell[0]:<8} 销号 {row.closures:>4} ")
        line.append(f"{closures:<12}", style="cyan")
        if any(r.reopenings for r in rows):  # a column of its own, where there are any
            line.append(f" {REOPENED} {row.reopenings:>3}", style="yellow" if row.reopenings else "")
        line.append(f" 累计 {cell[3]:>9} {cell[4]:>6} ")
        line.append(bar(row.rate, 12), style="green")
        console.print(line)


# --- import ------------------------------------------------------------------------------


def write_import_tree(result, stream: IO, dry_run: bool) -> None:
    """The aspects, problems and items an import made (or would make); a dry run also says
    where each stands in the document, how its levels were read, and what ledger.yaml gets."""
    where = result.source_lines if dry_run else {}

    def node(text: str, key: tuple) -> None:
        line = f"  (第 {where[key]} 行)" if key in where else ""
        stream.write(inert(text, keep_newlines=False) + line + "\n")

    for key, title in result.aspects.items():
        node(f"({key}){title}", (key,))
        for problem in (p for p in result.problems if p.aspect == key):
            node(f"  {problem.id}. {problem.title}", (problem.id, None))
            if len(problem.items) > 1:
                for item in problem.items:
                    node(f"    {problem.id}.{item.number} {item.title or ''}", (problem.id, item.number))
    items = sum(len(p.items) for p in result.problems)
    counts = (f"{len(result.aspects)} 个{fields.PROBLEM.aspect.label},{len(result.problems)} 个{fields.PROBLEM.label},"
              f"{items} 项{fields.ITEM.label}")
    if dry_run:
        if result.levels:
            stream.write(f"层级:{result.levels}\n")
        stream.write(inert(result.ledger_diff) if result.ledger_diff else "ledger.yaml 无需更改\n")
        stream.write(f"(试运行:将导入 {counts};未写入任何文件)\n")
    else:
        stream.write(f"已导入 {counts};写入 {len(result.written)} 个文件,保留 {len(result.kept)} 个原有问题文件\n")


PROGRESS_THRESHOLD = 100  # problems; smaller imports finish before a bar would help


@contextlib.contextmanager
def progress_bar(stream: IO, size: int, threshold: int = PROGRESS_THRESHOLD):
    """A rich progress bar on a terminal for work that takes long (size ≥ threshold); otherwise nothing."""
    if size < threshold or not stream.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=_console(stream), transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update


# --- a workspace: many units' ledgers -----------------------------------------------------

THIS_ROUND = "本轮"
RATE_RANK, OVERDUE_RANK = "完成率排名", "逾期排名"


def excluded_line(names: list[str]) -> str:
    """Under every table of a roll-up that left a ledger out."""
    return f"(未计入:{'、'.join(names)})"


def workspace_notes(parts, excluded) -> list[str]:
    """Under a roll-up's tables: the dates its snapshots stand at, and the ledgers left out."""
    stamps = {part.unit: part.stamp for part in parts if part.stamp}
    lines = []
    if len(set(stamps.values())) == 1 and len(stamps) == len(parts):
        lines.append(as_of_line(next(iter(stamps.values()))))
    elif stamps:
        lines.append(f"{fields.LEDGER.as_of.label}:" + ",".join(f"{unit} {day}" for unit, day in stamps.items()))
    if excluded:
        lines.append(excluded_line([gone.member.name for gone in excluded]))
    return lines


def _excluded_data(excluded) -> list[dict]:
    return [{UNIT_KEY: gone.member.name, "reason": gone.reason,
             "errors": [diagnostic_line(d) for d in gone.diagnostics]} for gone in excluded]


def _workspace_header(found) -> dict:
    space = found.workspace
    return {"schema_version": SCHEMA_VERSION, "workspace": {fields.WORKSPACE.title.key: space.title, "root": str(space.root)},
            "units": [_unit_data(part) for part in found.parts], "excluded": _excluded_data(found.excluded)}


def _unit_data(part) -> dict:
    member = part.member
    return {UNIT_KEY: member.name, fields.WORKSPACE_LEDGER.round.key: member.round, fields.WORKSPACE_LEDGER.level.key: member.level, "today": part.day.isoformat(),
            fields.LEDGER.as_of.key: part.stamp.isoformat() if part.stamp else None,
            "ledger": _ledger_header(part.ledger, part.day)["ledger"]}


def _workspace_entry(one, ledger: Ledger) -> dict:
    return {UNIT_KEY: one.unit, **entry_data(one.entry, ledger, one.day), "id": one.id, "item_id": one.entry.id}


def render_workspace_list(found, listed, figures: Overall, official: Overall, fmt: OutputFormat,
                          stream: IO) -> None:
    """A roll-up's items (rollup.Listed), with a 单位 column and unit-qualified IDs."""
    if fmt is OutputFormat.TABLE:
        lines = [footer(figures, official), *workspace_notes(found.parts, found.excluded)]
        _list_table([(one.entry, one.day, one.unit) for one in listed], lines, stream)
    elif fmt is OutputFormat.JSON:
        ledgers = {part.unit: part.ledger for part in found.parts}
        stream.write(_json({**_workspace_header(found),
                            "items": [_workspace_entry(one, ledgers[one.unit]) for one in listed]}))
    else:
        write_delimited([LIST_HEADERS, *(list_row(one.entry, one.day, one.unit) for one in listed)], fmt, stream)


def render_workspace_show(found, shown, fmt: OutputFormat, stream: IO, all_fields: bool = False) -> None:
    """Each unit's items (rollup.resolve), headed by the unit."""
    if fmt is OutputFormat.JSON:
        units = [{**_unit_data(part), "items": [_workspace_entry(Listed(part.unit, e, part.day), part.ledger) for e in entries]}
                 for part, entries in shown]
        stream.write(_json({**_workspace_header(found), "shown": units}))
        return
    for index, (part, entries) in enumerate(shown):
        stream.write(("\n" if index else "") + inert(f"【{part.unit}】", keep_newlines=False) + "\n")
        render_show(entries, part.ledger, part.day, fmt, stream, all_fields)
    if found.excluded:
        stream.write(excluded_line(found.excluded_names) + "\n")


def workspace_sentence(summed) -> str:
    """The official sentence for the whole workspace: `本轮…` when one round is present."""
    sentence = official_sentence(summed.figures)
    return THIS_ROUND + sentence if summed.one_round is not None and not summed.figures.filtered else sentence


def _ranks(values: list) -> list[int]:
    """Competition ranks (1, 1, 3) of values already in order."""
    return [values.index(value) + 1 for value in values]


def ranking_rows(summed) -> list[list[str]]:
    by_rate = summed.ranking
    rate_ranks = _ranks([unit.figures.rate for unit in by_rate])
    overdue_rank: dict[int, int] = {}  # a count's rank: one more than the units with more overdue
    for place, count in enumerate(sorted((unit.figures.overdue for unit in by_rate), reverse=True), start=1):
        overdue_rank.setdefault(count, place)
    rows = []
    for rank, unit in zip(rate_ranks, by_rate, strict=True):
        figures = unit.figures
        rows.append([str(rank), unit.part.unit, str(figures.stated), str(figures.closed), rate_text(figures.rate),
                     str(figures.overdue), str(overdue_rank[figures.overdue]) if figures.overdue else EMPTY])
    return rows


RANKING_HEADERS = [RATE_RANK, UNIT_LABEL, "反馈问题", "已完成", "完成率", "逾期", OVERDUE_RANK]


def render_workspace_summary(summed, dimension_label: str, fmt: OutputFormat, stream: IO) -> None:
    rows = [*summed.rows, summed.total]
    if fmt is OutputFormat.JSON:
        stream.write(_json(_workspace_summary_data(summed, dimension_label)))
        return
    if fmt in (OutputFormat.TSV, OutputFormat.CSV):
        write_delimited([[dimension_label, *TALLY_HEADERS], *([row.label, *tally_cells(row)] for row in rows)], fmt, stream)
        return
    if fmt is OutputFormat.MD:
        stream.write(_workspace_markdown(summed, rows, dimension_label))
        return
    from rich.text import Text

    console = _console(stream)
    console.print(Text(workspace_sentence(summed), style="bold"))
    console.print(Text(f"{bar(summed.figures.rate)} {rate_text(summed.figures.rate)}", style="green"))
    for note in summary_notes(summed.figures):
        console.print(Text(note, style="yellow" if summed.figures.overdue else ""))
    if summed.rounds:
        _tally_table(summed.rounds, ROLLUP_LABELS[Dimension.ROUND], console)
    _tally_table(rows, dimension_label, console)
    ranking = [Col(header, numeric=header != UNIT_LABEL) for header in RANKING_HEADERS]
    texts = [[inert(cell) for cell in row] for row in ranking_rows(summed)]
    _print_table(console, ranking, fitted(ranking, texts, console.width), texts)
    for line in _summary_notes(summed):
        console.print(Text(inert(line)))


def _summary_notes(summed) -> list[str]:
    return workspace_notes([unit.part for unit in summed.units], summed.excluded)


def _workspace_markdown(summed, rows, dimension_label: str) -> str:
    lines = [workspace_sentence(summed) + "。", ""]
    for label, headers, cells in ((dimension_label, TALLY_HEADERS, [[row.label, *tally_cells(row)] for row in rows]),
                                  (None, RANKING_HEADERS, ranking_rows(summed))):
        lines.append("| " + " | ".join([*([label] if label else []), *headers]) + " |")
        lines.append("|" + "---|" * (len(headers) + (1 if label else 0)))
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in cells] + [""]
    lines += _summary_notes(summed)
    return "\n".join(lines) + "\n"


def _workspace_summary_data(summed, dimension_label: str) -> dict:
    figures = {**_figures_data(summed.figures), "sentence": workspace_sentence(summed)}
    ranking = [{UNIT_KEY: unit.part.unit, "rate_rank": int(row[0]), "overdue_rank": int(row[-1]) if row[-1] != EMPTY else None,
                **_figures_data(unit.figures),
                fields.LEDGER.as_of.key: unit.part.stamp.isoformat() if unit.part.stamp else None}
               for unit, row in zip(summed.ranking, ranking_rows(summed), strict=True)]
    return {"schema_version": SCHEMA_VERSION, "summary": figures, fields.WORKSPACE_LEDGER.round.key: summed.one_round,
            "rounds": [_tally_data(row) for row in summed.rounds], "by": dimension_label,
            "rows": [_tally_data(row) for row in summed.rows], "total": _tally_data(summed.total),
            "ranking": ranking, "excluded": _excluded_data(summed.excluded)}
