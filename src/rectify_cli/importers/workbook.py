"""Read an Excel 台账 into problems: header row found by its Chinese names, merged cells filled down."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .. import datasheet, fields, records, views
from ..errors import Diagnostic, RectifyError
from ..ids import parse_id
from ..numerals import NUMERALS, chinese_numeral
from ..vocab import (
    AMOUNT_HELP,
    STATUS_COLUMN_WORDS,
    STATUS_SYNONYMS,
    Kind,
    Status,
    amount_number,
    parse_amount,
    parse_date,
    parse_enum,
)
from .deadlines import UnreadableDeadline, read_deadline
from .plan import LedgerFacts

PROBLEM, ITEM = fields.PROBLEM, fields.ITEM
# What a row's cells may give: where the item stands, then every item field a cell can hold.
IMPORTED = [spec for spec in ITEM if not spec.required and (
    spec.type not in (fields.MANY, fields.ONE, fields.MAPPING)
    or spec.type == fields.MANY and (fields.GROUPS[spec.of].shorthand or spec.of in views.RECORD_LINES))]
# column → the header words a 台账 uses for it (first match wins)
COLUMNS = {fields.ITEM_ID: (fields.ITEM_ID.header, *fields.ID_SYNONYMS), PROBLEM.aspect: PROBLEM.aspect.words,
           PROBLEM.title: PROBLEM.title.words, **{spec: spec.words for spec in IMPORTED}}
HEADER_SCAN_ROWS = 20
HEADER_CHARS = 12  # a longer cell is a title or data: its words are not matched inside it
EXACT = 1000  # an exact header beats any contained word
LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.、．]\s*")


@dataclass
class WorkbookImport:
    problems: list[dict] = field(default_factory=list)
    facts: LedgerFacts = field(default_factory=LedgerFacts)
    warnings: list[Diagnostic] = field(default_factory=list)


def read(path: Path, as_of: dt.date | None = None, feedback_date: dt.date | None = None) -> WorkbookImport:
    """`as_of` dates the closed rows without a date; `feedback_date` places a deadline of `3月份`."""
    book = _open_book(path)
    sheet = _ledger_sheet(book)
    grid = _before_legend(_filled_grid(sheet))
    header_row, columns = _find_header(grid, path)
    _continue_cut_cells(grid, header_row, columns, datasheet.read_continued(book))
    rows = Rows(as_of, feedback_date)
    unread = []
    try:
        recorded = datasheet.read(book)
        if recorded is not None and datasheet.WORKSPACE in recorded:
            raise RectifyError(f"{path}: 这是工作区的汇总表(含多个单位的台账),不能导入为一本台账;"
                               "请导入某个单位自己导出的 Excel")
        if recorded is not None:
            return _from_data_sheet(recorded, grid[header_row + 1:], header_row + 2, columns, path, rows)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # a data sheet altered by hand
        unread = [Diagnostic(path, None, None, f"数据表 {datasheet.SHEET} 无法读取,只按表格中的单元格导入", "warning")]
    result = WorkbookImport()
    _settle_status_column(columns, grid, header_row + 1, result, path)
    title = _title_above(grid, header_row)
    aspects: dict[str, str] = {}
    problems: dict[int, dict] = {}
    for number in range(header_row + 1, len(grid)):
        row = grid[number]
        if not any(_text(cell) for cell in row):
            continue
        _take_row(row, number + 1, columns, aspects, problems, result, path, rows)
    _refuse_undated(rows.undated, path)
    result.problems = [_single_item_untitled(problems[key]) for key in sorted(problems)]
    result.facts = LedgerFacts(title=title, aspects=aspects, stated_items=None)
    result.warnings[:0] = unread
    return result


@dataclass
class Rows:
    """What the rows share: the dates given on the command line, the closed rows found without a date."""

    as_of: dt.date | None = None
    feedback_date: dt.date | None = None
    undated: list[int] = field(default_factory=list)


def _refuse_undated(lines: list[int], path: Path) -> None:
    if lines:
        named = "、".join(str(line) for line in lines)
        raise RectifyError(f"{path}: 第 {named} 行已完成却没有{ITEM.closed_on.label}:请在表中填写,"
                           f"或用 --as-of 日期 给出这些行的{ITEM.closed_on.label};未导入任何内容")


def _single_item_untitled(problem: dict) -> dict:
    """An export repeats the problem's title for its only item; such an item has no title of its own."""
    items = problem[PROBLEM.items.key]
    if len(items) == 1 and items[0].get(ITEM.title.key) == problem[PROBLEM.title.key]:
        items[0].pop(ITEM.title.key)
    return problem


def _open_book(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise RectifyError(f"{path}: 不是可读取的 Excel(.xlsx)文件:{exc}") from None


def _ledger_sheet(book):
    for sheet in book.worksheets:
        if "台账" in sheet.title:
            return sheet
    return book.worksheets[0]


def _filled_grid(sheet) -> list[list]:
    """Cell values by row; a merged range's value repeated in every cell it covers."""
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    return grid


def _before_legend(grid: list[list]) -> list[list]:
    """The rows above the legend an exported 台账 has under its table."""
    ends = [number for number, row in enumerate(grid) if row and _text(row[0]) == datasheet.LEGEND]
    return grid[:ends[0]] if ends else grid


def _continue_cut_cells(grid: list[list], header_row: int, columns, continued: dict) -> None:
    """A cell cut short with (续见附表) takes the whole text the 附表 keeps for its 序号 and column."""
    if not continued or fields.ITEM_ID not in columns:
        return
    headers = [_text(cell) for cell in grid[header_row]]
    for row in grid[header_row + 1:]:
        number = _text(row[columns[fields.ITEM_ID]]) if columns[fields.ITEM_ID] < len(row) else ""
        for index, cell in enumerate(row):
            if isinstance(cell, str) and cell.endswith(datasheet.CONTINUED) and index < len(headers):
                row[index] = continued.get((number, headers[index]), cell)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(grid: list[list], path: Path) -> tuple[int, dict[object, int]]:
    """The header's last row and each field's column; title and 填报单位 rows above it are passed over."""
    for number, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        upper = [_header_text(cell) for cell in row]
        if len({text for text in upper if text}) < 3:  # a title, a 填报单位 line, a blank
            continue
        lower = [_header_text(cell) for cell in grid[number + 1]] if number + 1 < len(grid) else []
        rows = [upper, lower] if _continues_header(upper, lower) else [upper]
        columns = _map_columns(rows)
        if len(columns) >= 3 and ({ITEM.title, PROBLEM.title} & columns.keys()):
            return number + len(rows) - 1, columns
    raise RectifyError(f"{path}: 前 {HEADER_SCAN_ROWS} 行中找不到表头(应有“{PROBLEM.title.label}”或“{ITEM.title.label}”、“{ITEM.measures.label}”等列名)")


def _header_text(cell) -> str:
    return re.sub(r"\s+", "", _text(cell)).replace("\uff08", "(").replace("\uff09", ")")


def _continues_header(upper: list[str], lower: list[str]) -> bool:
    """A second header row: cells merged down from the first (序号 over two rows), or names under a
    group cell merged across (责任 over 责任领导, 责任部门, 责任人)."""
    named = [i for i, text in enumerate(lower) if text and (i >= len(upper) or text != upper[i]) and _fields_of(text)]
    merged_down = any(text and i < len(upper) and text == upper[i] for i, text in enumerate(lower))
    grouped = any(upper[i] and upper[i] == upper[i + 1] and {i, i + 1} <= set(named) for i in range(len(upper) - 1))
    return bool(named) and (merged_down or grouped)


def _score(text: str, words: tuple[str, ...]) -> int:
    if text in words:
        return EXACT - words.index(text)
    if len(text) > HEADER_CHARS:
        return 0
    return max((len(word) for word in words if word in text), default=0)


def _fields_of(text: str) -> dict[object, int]:
    return {name: score for name, words in COLUMNS.items() if (score := _score(text, words))}


def _map_columns(rows: list[list[str]]) -> dict[object, int]:
    """Each column takes the field its name matches best, exactly or by a contained word; a
    field one column only, the column of its most usual name. Of two header rows the lower
    names the column, the upper when the lower names no field."""
    order = {name: rank for rank, name in enumerate(COLUMNS)}
    candidates = []
    for index in range(max(len(row) for row in rows)):
        texts = [row[index] for row in reversed(rows) if index < len(row) and row[index]]
        scores = next((found for text in texts if (found := _fields_of(text))), {})
        candidates += [(-score, order[name], index, name) for name, score in scores.items()]
    columns: dict[object, int] = {}
    for _, _, index, name in sorted(candidates, key=lambda c: c[:3]):
        if name not in columns and index not in columns.values():
            columns[name] = index
    return columns


def _status_word(text: str) -> Status | None:
    parsed = parse_enum(Status, STATUS_SYNONYMS, text)
    if isinstance(parsed, Status):
        return parsed
    return next((status for status, words in STATUS_COLUMN_WORDS.items() if text in words), None)


def _settle_status_column(columns: dict, grid: list[list], start: int, result: WorkbookImport, path: Path) -> None:
    """The status column is the one whose cells are status words, whatever its header; a column
    named for status that holds sentences is the outcome (this tool's export heads status 完成情况)."""
    def values(index: int) -> list[str]:
        return [text for row in grid[start:] if index < len(row) and (text := _text(row[index]))]

    def all_status(index: int) -> bool:
        found = values(index)
        return bool(found) and all(_status_word(text) for text in found)

    named = columns.get(ITEM.status)
    if named is not None and (all_status(named) or not values(named)):
        return
    held = {index: name for name, index in columns.items()}
    width = max((len(row) for row in grid[start:]), default=0)
    found = next((i for i in range(width) if _may_hold_status(held.get(i)) and all_status(i)), None)
    if found is None and named is not None and any(_status_word(text) for text in values(named)):
        return  # words and sentences mixed: a status column; each row says what it could not read
    if found is not None:
        columns.pop(held.get(found), None)
        columns[ITEM.status] = found
    elif named is not None:
        columns.pop(ITEM.status)
    if named is None or named == found:
        return
    if ITEM.outcome not in columns:
        columns[ITEM.outcome] = named
    else:
        message = f"第 {named + 1} 列不是{ITEM.status.label},也已有{ITEM.outcome.label}列,未导入该列"
        result.warnings.append(Diagnostic(path, None, None, message, "warning"))


def _may_hold_status(name) -> bool:
    """A column of no field, or of a free text, may be the status column by its cells."""
    return name is None or isinstance(name, fields.Field) and name.type == fields.TEXT and name not in (ITEM.title, PROBLEM.title, PROBLEM.aspect)


def _title_above(grid: list[list], header_row: int) -> str | None:
    for row in grid[:header_row]:
        texts = [_text(cell) for cell in row if _text(cell)]
        if texts:
            return texts[0]
    return None


def _take_row(row, line: int, columns, aspects, problems, result: WorkbookImport, path: Path, rows: Rows) -> None:
    value = {name: _text(row[index]) if index < len(row) else "" for name, index in columns.items()}
    problem_text = value.get(PROBLEM.title) or value.get(ITEM.title)
    if not problem_text:
        result.warnings.append(Diagnostic(path, line, None, "这一行没有问题内容,未导入", "warning"))
        return
    problem_id, title = _problem_id_and_title(value, problem_text, problems)
    aspect = _aspect_key(value.get(PROBLEM.aspect, ""), aspects)
    problem = problems.setdefault(problem_id, {PROBLEM.id.key: problem_id, PROBLEM.aspect.key: aspect, PROBLEM.title.key: title,
                                               PROBLEM.items.key: []})
    item = _item(value, problem, line, result, path, rows)
    problem[PROBLEM.items.key].append(item)


def _problem_id_and_title(value: dict, text: str, problems: dict[int, dict]) -> tuple[int, str]:
    """`13.资产…` names problem 13; a 序号 like 13.2 too; a running row number does not."""
    numbered = LEADING_NUMBER.match(text)
    title = LEADING_NUMBER.sub("", text).strip().rstrip("。")
    if numbered:
        return int(numbered[1]), title
    ref = parse_id(value[fields.ITEM_ID]) if value.get(fields.ITEM_ID) else None
    if ref is not None and ref.number is not None and PROBLEM.title in value:
        return ref.problem, title
    last = problems[max(problems)] if problems else None
    if last is not None and last[PROBLEM.title.key] == title:  # a merged 问题 cell, filled down
        return last[PROBLEM.id.key], title
    return max(problems, default=0) + 1, title


def _aspect_key(text: str, aspects: dict[str, str]) -> str:
    title = re.sub(rf"^\(?[(]?([{NUMERALS}]+)[)）)]", "", text).strip() or "(未分类)"
    for key, known in aspects.items():
        if known == title:
            return key
    key = chinese_numeral(len(aspects) + 1)
    aspects[key] = title
    return key


def _item(value: dict, problem: dict, line: int, result: WorkbookImport, path: Path, rows: Rows) -> dict:
    item: dict = {ITEM.number.key: len(problem[PROBLEM.items.key]) + 1}
    for spec in IMPORTED:
        if not value.get(spec) or spec is ITEM.status:
            continue
        if spec is ITEM.deadline:
            item[spec.key] = _deadline(value[spec], item, rows.feedback_date, line, result, path)
        else:
            item[spec.key] = _cell_value(spec, value[spec], line, result, path)
    if item.get(ITEM.title.key):
        item[ITEM.title.key] = item[ITEM.title.key].rstrip("。")
    _status(item, value, line, result, path, rows)
    return {key: val for key, val in item.items() if val not in (None, "", [])}


def _deadline(text: str, item: dict, feedback_date: dt.date | None, line: int, result: WorkbookImport, path: Path):
    """A deadline cell (see deadlines.py); a kind of rectification goes to the item's kind."""
    try:
        value = read_deadline(text, feedback_date)
    except UnreadableDeadline as exc:
        result.warnings.append(Diagnostic(path, line, None, str(exc), "warning"))
        return None
    if isinstance(value, Kind):
        item.setdefault(ITEM.kind.key, value.value)  # a 整改类型 column, read after, has the last word
        return None
    return value


def _cell_value(spec: fields.Field, text: str, line: int, result: WorkbookImport, path: Path):
    """A cell's text as the field's value; a value that cannot be read is left out, with a warning."""
    if spec.type == fields.DATE:
        return _date_or_warn(text, spec, line, result, path)
    if spec.type == fields.INT:
        if not re.fullmatch(r"\d+", text):
            result.warnings.append(Diagnostic(path, line, None, f"{spec.label} 的值 {text!r} 不是整数,未导入该值", "warning"))
            return None
        return int(text)
    if spec.type == fields.AMOUNT:
        try:
            return amount_number(parse_amount(text))
        except ValueError:
            result.warnings.append(Diagnostic(path, line, None, f"{spec.label} 的值 {text!r} {AMOUNT_HELP},未导入该值", "warning"))
            return None
    if spec.type in records.ENUMS:
        parsed = parse_enum(records.ENUMS[spec.type], records.SYNONYMS[spec.type], text)
        return parsed.value if isinstance(parsed, StrEnum) else None
    if spec.type in (fields.STRINGS, fields.MANY):
        lines = [part.strip() for part in re.split(r"[\n;;]", text) if part.strip()]
        return [_record(fields.GROUPS[spec.of], line) for line in lines] if spec.type == fields.MANY else lines
    return text


MARKS = re.compile(rf"^(.*?)\s*[{views.MARKS_OPEN}(]([^()()]*)[{views.MARKS_CLOSE})]$")


def _record(group: fields.Group, line: str):
    """A record's line as views.record_text writes it: `name(修订,2022-01-05)`; a line whose
    brackets hold no such words stays one text (《……制度(试行)》)."""
    if group.name in _LINE_READERS:
        return _LINE_READERS[group.name](line)
    match = MARKS.match(line)
    if match is None:
        return line
    record = {group.shorthand: match[1]}
    marked = [spec for spec in group if spec.type in views.MARKED]
    for part in re.split(r"[,,、]", match[2]):
        spec, value = next(((s, v) for s in marked if s.key not in record and (v := _mark(s, part.strip()))), (None, None))
        if spec is None:
            return line
        record[spec.key] = value
    return record


ACCOUNTABILITY_LINE = re.compile(rf"^(.+?){views.PENALTY_SUM}?\s*(\d+)\s*{views.PEOPLE}$")


def _accountability(line: str):
    """`诫勉1人`, `提醒谈话、批评教育等15人` (views.accountability_text) as an entry; other text as it
    is, for `check` to point at."""
    match = ACCOUNTABILITY_LINE.match(line)
    if match is None:
        return line
    kinds = [kind.strip() for kind in re.split(r"[、,,]", match[1]) if kind.strip()]
    spec = fields.ACCOUNTABILITY
    return {spec.kind.key: kinds if len(kinds) > 1 else kinds[0], spec.people.key: int(match[2])}


_LINE_READERS = {fields.ACCOUNTABILITY.name: _accountability}
assert _LINE_READERS.keys() == views.RECORD_LINES.keys()


def _mark(spec: fields.Field, text: str):
    """A bracketed word or date as the field's value, or None."""
    if spec.type == fields.DATE:
        try:
            return parse_date(text)
        except ValueError:
            return None
    parsed = parse_enum(records.ENUMS[spec.type], records.SYNONYMS[spec.type], text)
    return parsed.value if isinstance(parsed, StrEnum) else None


def _date_or_warn(text: str, spec: fields.Field, line: int, result: WorkbookImport, path: Path):
    try:
        return parse_date(text)
    except ValueError:
        message = f"{spec.label} 的值 {text!r} 不是日期,未导入该值"
        result.warnings.append(Diagnostic(path, line, None, message, "warning"))
        return None


def _status(item: dict, value: dict, line: int, result: WorkbookImport, path: Path, rows: Rows) -> None:
    text = value.get(ITEM.status, "")
    status = _status_word(text) if text else None
    if text and status is None:
        message = f"{ITEM.status.label} {text!r} 不是完成状态(如 已完成、正在整改、是、否),未导入该值"
        result.warnings.append(Diagnostic(path, line, None, message, "warning"))
    if status is None:
        status = Status.CLOSED if item.get(ITEM.closed_on.key) else Status.OPEN
    item[ITEM.status.key] = status.value
    if status is Status.CLOSED and not item.get(ITEM.closed_on.key):
        if rows.as_of is None:
            rows.undated.append(line)
        item[ITEM.closed_on.key] = rows.as_of
    if status is Status.OPEN and item.get(ITEM.closed_on.key):
        result.warnings.append(Diagnostic(path, line, None, f"未完成却填了{ITEM.closed_on.label},已忽略{ITEM.closed_on.label}", "warning"))
        item.pop(ITEM.closed_on.key)


# --- a workbook this tool exported: its data sheet gives every field back ------------------

EVIDENCE = fields.EVIDENCE


def _from_data_sheet(recorded: dict, rows: list[list], first_line: int, columns, path: Path, dates: Rows) -> WorkbookImport:
    """The problems and facts the data sheet recorded; a visible cell edited since the export
    wins, and each such difference is listed; an item whose row was deleted is left out."""
    from ..export import tabular

    result = WorkbookImport()
    info = recorded[datasheet.INFO]
    aspects = dict(info.get(LEDGER.aspects.key) or {})
    problems: dict[int, dict] = {}
    for _shown, head, item in recorded[datasheet.ENTRIES]:
        problems.setdefault(head[PROBLEM.id.key], {**head, PROBLEM.items.key: []})[PROBLEM.items.key].append(item)
    ledger = records.Ledger(records.from_data(records.LedgerInfo, info),
                            [records.from_data(records.Problem, problem) for problem in problems.values()])
    shown = {(entry.problem.id, entry.item.number): entry for entry in ledger.entries()}
    today = parse_date(recorded[datasheet.TODAY])
    visible = _rows_by_id(rows, first_line, columns, recorded, result, path)
    for shown_id, head, item in recorded[datasheet.ENTRIES]:
        if shown_id not in visible:
            continue
        line, row = visible[shown_id]
        entry = shown[(head[PROBLEM.id.key], item[ITEM.number.key])]
        edited = set()
        for source, want in zip(tabular.SOURCES, tabular.row(entry, ledger, today), strict=True):
            got = _cell(row, columns, source)
            if source is fields.ITEM_ID or got is None or _unchanged(got, _text(views.inert(want))):
                continue  # the 序号 is the running number the row was matched by
            header = (getattr(source, "column", None) or source).header
            result.warnings.append(Diagnostic(path, line, None, f"{entry.id} {header}: {_brief(want)} → {_brief(got)}"
                                              "(以表格中的为准)", "warning"))
            _take_cell(source, got, item, problems[head[PROBLEM.id.key]], aspects, (line, result, path))
            edited.add(source)
        if edited & {ITEM.status, ITEM.closed_on}:
            _settle_closed(item, _cell(row, columns, ITEM.status) or "", (line, result, path), dates)
    _refuse_undated(dates.undated, path)
    if visible:  # rows matched by 序号: the visible sheet says which items are still there
        ids = {shown_id: shown[(head[PROBLEM.id.key], item[ITEM.number.key])].id
               for shown_id, head, item in recorded[datasheet.ENTRIES]}
        _leave_out_deleted(recorded, visible, ids, problems, result, path)
    result.problems = [_restored(problem) for problem in problems.values()]
    result.facts = LedgerFacts(aspects=aspects, recorded=_yaml_dates(LEDGER, _cleaned(info)))
    return result


def _unchanged(got: str, want: str) -> bool:
    """The same text, or its beginning cut short with (续见附表) where no 附表 gave the rest."""
    cut = got.removesuffix(datasheet.CONTINUED)
    return got == want or cut != got and want.startswith(cut)


def _cell(row: list, columns, source) -> str | None:
    """A visible row's cell for a field; None when the sheet has no such column."""
    return _text(row[columns[source]]) if source in columns and columns[source] < len(row) else None


def _settle_closed(item: dict, status_text: str, where, dates: Rows) -> None:
    """An item whose status or closing date was edited: closed with a date (the cell's, else
    --as-of), or open without one, as a row of any 台账 is read."""
    line, result, path = where
    _status(item, {ITEM.status: status_text}, line, result, path, dates)
    if item[ITEM.status.key] == Status.OPEN.value:  # reopened in the sheet, as `reopen` does
        item.pop(ITEM.closed_by.key, None)


def _leave_out_deleted(recorded: dict, visible: dict, ids: dict[str, str], problems: dict[int, dict],
                       result: WorkbookImport, path: Path) -> None:
    """Items whose rows were deleted in Excel are not imported, nor a problem left without items;
    `ids`: each row's item ID by its 序号, to name them."""
    entries = recorded[datasheet.ENTRIES]
    gone = [(shown, head, item) for shown, head, item in entries if shown not in visible]
    if not gone:
        return
    for _shown, head, item in gone:
        kept = problems[head[PROBLEM.id.key]][PROBLEM.items.key]
        kept[:] = [other for other in kept if other is not item]
    emptied = [number for number, problem in problems.items() if not problem[PROBLEM.items.key]]
    for number in emptied:
        del problems[number]
    message = (f"导出时的 {len(entries)} 项中,表格里已删除 {len(gone)} 项:"
               f"{'、'.join(ids[shown] for shown, _head, _item in gone)};未导入")
    if emptied:
        message += f"。{PROBLEM.label} {'、'.join(map(str, emptied))} 已没有{ITEM.label},也未导入"
    result.warnings.append(Diagnostic(path, None, None, message, "warning"))


LEDGER = fields.LEDGER


def _rows_by_id(rows, first_line: int, columns, recorded: dict, result: WorkbookImport, path: Path) -> dict:
    """The visible rows by the item ID they show; a row the data sheet does not know is reported."""
    if fields.ITEM_ID not in columns:
        return {}
    known = {shown for shown, _head, _item in recorded[datasheet.ENTRIES]}
    found = {}
    for offset, row in enumerate(rows):
        shown = _cell(row, columns, fields.ITEM_ID) or ""
        if shown in known:
            found[shown] = (first_line + offset, row)
        elif any(_text(cell) for cell in row):
            message = f"这一行({shown or '无编号'})不在导出时的数据中,未导入"
            result.warnings.append(Diagnostic(path, first_line + offset, None, message, "warning"))
    return found


def _brief(text: str) -> str:
    flat = text.replace("\n", " ")
    return (flat[:40] + "……") if len(flat) > 40 else flat or "(空)"


def _take_cell(source, text: str, item: dict, problem: dict, aspects: dict, where) -> None:
    """An edited cell's value in place of the recorded one, read as a cell of any 台账 is."""
    if source is PROBLEM.aspect:
        problem[PROBLEM.aspect.key] = _aspect_key(text, aspects)
    elif source is PROBLEM.title:
        problem[PROBLEM.title.key] = LEADING_NUMBER.sub("", text).strip()
    elif source is ITEM.title:
        item[ITEM.title.key] = text if text != problem[PROBLEM.title.key] else None
    elif source is ITEM.status:
        pass  # read with the closing date, once the row's cells are all taken (_settle_closed)
    elif source is ITEM.outcome:  # the cell holds the outcome, then the progress notes
        notes = {f"{event[HISTORY.date.key]} {event[HISTORY.note.key]}" for event in item[ITEM.history.key]
                 if event.get(HISTORY.note.key)}
        item[ITEM.outcome.key] = "\n".join(line for line in text.split("\n") if line not in notes) or None
    elif source in IMPORTED:
        item[source.key] = _cell_value(source, text, *where) if text else None


HISTORY = fields.HISTORY_ENTRY


def _restored(problem: dict) -> dict:
    """A recorded problem as YAML data: evidence files become notes (the workbook holds no files),
    items numbered 1..n as a partial export may have left them."""
    items = problem[PROBLEM.items.key]
    if [item[ITEM.number.key] for item in items] != list(range(1, len(items) + 1)):
        for number, item in enumerate(items, start=1):
            item[ITEM.number.key] = number
    for item in items:
        item[ITEM.evidence.key] = [_evidence_note(e) for e in item.get(ITEM.evidence.key) or []]
        for event in item.get(ITEM.history.key) or []:
            event[HISTORY.evidence.key] = [_evidence_note(e) for e in event.get(HISTORY.evidence.key) or []]
    return _cleaned(problem)


def _evidence_note(evidence):
    """A file's record as a note naming the file and its SHA-256, so that `check` needs no file."""
    if not isinstance(evidence, dict) or not evidence.get(EVIDENCE.path.key):
        return evidence
    file = Path(evidence[EVIDENCE.path.key]).name
    digest = evidence.get(EVIDENCE.sha256.key)
    original = f"原文件 {EVIDENCE.sha256.label} {digest}" if digest else f"原文件 {evidence[EVIDENCE.path.key]}"
    name = evidence.get(EVIDENCE.shorthand)  # the name field (Group.name is the group's own)
    return {EVIDENCE.shorthand: f"{name}({file},{original})" if name and name != file else f"{file}({original})"}


def _cleaned(value):
    """Data without its empty fields (None, [], {}), as a file written by hand would be."""
    if isinstance(value, dict):
        return {key: _cleaned(v) for key, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def _yaml_dates(group: fields.Group, data: dict) -> dict:
    """Recorded data with its dates as dates, so ledger.yaml is written as by hand."""
    out = dict(data)
    for spec in group:
        value = out.get(spec.key)
        if value is None:
            continue
        if spec.type == fields.DATE:
            out[spec.key] = parse_date(value)
        elif spec.type == fields.ONE:
            out[spec.key] = _yaml_dates(fields.GROUPS[spec.of], value)
        elif spec.type == fields.MANY:
            out[spec.key] = [_yaml_dates(fields.GROUPS[spec.of], v) if isinstance(v, dict) else v for v in value]
    return out
