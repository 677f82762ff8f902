"""Read an Excel 台账 into problems: header row found by its Chinese names, merged cells filled down."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, RectifyError
from ..ids import parse_id
from ..vocab import KIND_SYNONYMS, STATUS_SYNONYMS, Kind, Status, parse_date, parse_enum
from .outline import NUMERALS
from .plan import LedgerFacts

# field → the header words a 台账 uses for it (first match wins, exact before partial)
COLUMNS = {
    "id": ["序号", "编号"],
    "aspect": ["问题类别", "方面", "类别", "问题类型"],
    "problem": ["问题", "反馈问题", "问题标题", "巡察反馈问题"],
    "title": ["具体问题", "问题表现", "问题内容", "存在问题", "具体表现"],
    "description": ["问题描述"],
    "measures": ["整改措施", "措施"],
    "lead": ["责任领导", "牵头领导", "分管领导"],
    "departments": ["责任部门", "牵头部门", "责任单位", "牵头单位", "配合部门"],
    "owner": ["责任人", "具体责任人"],
    "deadline": ["整改时限", "完成时限", "时限"],
    "kind": ["整改类型", "整改方式"],
    "status": ["完成情况", "整改状态", "状态", "是否完成", "销号情况", "整改进展"],
    "outcome": ["整改进展及成效", "整改成效", "整改进展", "整改情况", "进展情况"],
    "closed_on": ["销号时间", "销号日期", "完成时间"],
    "evidence": ["佐证材料", "佐证资料"],
}
HEADER_SCAN_ROWS = 20
LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.、．]\s*")


@dataclass
class WorkbookImport:
    problems: list[dict] = field(default_factory=list)
    facts: LedgerFacts = field(default_factory=LedgerFacts)
    warnings: list[Diagnostic] = field(default_factory=list)


def read(path: Path) -> WorkbookImport:
    sheet = _open_sheet(path)
    grid = _filled_grid(sheet)
    header_row, columns = _find_header(grid, path)
    result = WorkbookImport()
    title = _title_above(grid, header_row)
    aspects: dict[str, str] = {}
    problems: dict[int, dict] = {}
    for number in range(header_row + 1, len(grid)):
        row = grid[number]
        if not any(_text(cell) for cell in row):
            continue
        _take_row(row, number + 1, columns, aspects, problems, result, path)
    result.problems = [_single_item_untitled(problems[key]) for key in sorted(problems)]
    result.facts = LedgerFacts(title=title, aspects=aspects, stated_items=None)
    return result


def _single_item_untitled(problem: dict) -> dict:
    """An export repeats the problem's title for its only item; such an item has no title of its own."""
    items = problem["items"]
    if len(items) == 1 and items[0].get("title") == problem["title"]:
        items[0].pop("title")
    return problem


def _open_sheet(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise RectifyError(f"{path}: 不是可读取的 Excel(.xlsx)文件:{exc}") from None
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


def _find_header(grid: list[list], path: Path) -> tuple[int, dict[str, int]]:
    for number, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns = _map_columns([_text(cell) for cell in row])
        if len(columns) >= 3 and ({"title", "problem"} & columns.keys()):
            return number, columns
    raise RectifyError(f"{path}: 前 {HEADER_SCAN_ROWS} 行中找不到表头(应有“问题”或“具体问题”、“整改措施”等列名)")


def _map_columns(headers: list[str]) -> dict[str, int]:
    """Each field takes the column of its most usual name; a column serves one field only."""
    clean = [re.sub(r"\s+", "", header) for header in headers]
    columns: dict[str, int] = {}
    for field_name, words in COLUMNS.items():
        for word in words:
            index = next((i for i, header in enumerate(clean) if header == word and i not in columns.values()), None)
            if index is not None:
                columns[field_name] = index
                break
    return columns


def _title_above(grid: list[list], header_row: int) -> str | None:
    for row in grid[:header_row]:
        texts = [_text(cell) for cell in row if _text(cell)]
        if texts:
            return texts[0]
    return None


def _take_row(row, line: int, columns, aspects, problems, result: WorkbookImport, path: Path) -> None:
    value = {name: _text(row[index]) if index < len(row) else "" for name, index in columns.items()}
    problem_text = value.get("problem") or value.get("title")
    if not problem_text:
        result.warnings.append(Diagnostic(path, line, None, "这一行没有问题内容,未导入", "warning"))
        return
    problem_id, title = _problem_id_and_title(value, problem_text, problems)
    aspect = _aspect_key(value.get("aspect", ""), aspects)
    problem = problems.setdefault(problem_id, {"id": problem_id, "aspect": aspect, "title": title, "items": []})
    item = _item(value, problem, line, result, path)
    problem["items"].append(item)


def _problem_id_and_title(value: dict, text: str, problems: dict[int, dict]) -> tuple[int, str]:
    """`13.资产…` names problem 13; a 序号 like 13.2 too; a running row number does not."""
    numbered = LEADING_NUMBER.match(text)
    title = LEADING_NUMBER.sub("", text).strip().rstrip("。")
    if numbered:
        return int(numbered[1]), title
    ref = parse_id(value.get("id", "")) if value.get("id") else None
    if ref is not None and ref.number is not None and "problem" in value:
        return ref.problem, title
    last = problems[max(problems)] if problems else None
    if last is not None and last["title"] == title:  # a merged 问题 cell, filled down
        return last["id"], title
    return max(problems, default=0) + 1, title


def _aspect_key(text: str, aspects: dict[str, str]) -> str:
    title = re.sub(r"^\(?[(]?([一二三四五六七八九十]+)[)）)]", "", text).strip() or "(未分类)"
    for key, known in aspects.items():
        if known == title:
            return key
    key = NUMERALS[len(aspects) % 10]
    aspects[key] = title
    return key


def _item(value: dict, problem: dict, line: int, result: WorkbookImport, path: Path) -> dict:
    item: dict = {"number": len(problem["items"]) + 1}
    title = (value.get("title") or "").rstrip("。")
    if title:
        item["title"] = title
    for name in ("description", "measures", "lead", "owner", "outcome"):
        if value.get(name):
            item[name] = value[name]
    if value.get("departments"):
        item["departments"] = value["departments"]
    for name in ("deadline", "closed_on"):
        if value.get(name):
            item[name] = _date_or_warn(value[name], name, line, result, path)
    if value.get("kind"):
        kind = parse_enum(Kind, KIND_SYNONYMS, value["kind"])
        if isinstance(kind, Kind):
            item["kind"] = kind.value
    if value.get("evidence"):
        item["evidence"] = [part for part in re.split(r"[\n;;]", value["evidence"]) if part.strip()]
    _status(item, value, line, result, path)
    return {key: val for key, val in item.items() if val not in (None, "")}


def _date_or_warn(text: str, name: str, line: int, result: WorkbookImport, path: Path):
    try:
        return parse_date(text)
    except ValueError:
        result.warnings.append(Diagnostic(path, line, None, f"{name} 的值 {text!r} 不是日期,未导入该值", "warning"))
        return None


def _status(item: dict, value: dict, line: int, result: WorkbookImport, path: Path) -> None:
    text = value.get("status", "")
    status = parse_enum(Status, STATUS_SYNONYMS, text) if text else None
    if text == "逾期":
        status = Status.OPEN
    if text and not isinstance(status, Status):
        item["outcome"] = "\n".join(part for part in (item.get("outcome"), text) if part)
        status = None
    if status is None:
        status = Status.CLOSED if item.get("closed_on") else Status.OPEN
    item["status"] = status.value
    if status is Status.CLOSED and not item.get("closed_on"):
        result.warnings.append(Diagnostic(path, line, None, "已完成但没有销号时间,按未销号导入", "warning"))
        item["status"] = Status.OPEN.value
    if status is Status.OPEN and item.get("closed_on"):
        result.warnings.append(Diagnostic(path, line, None, "未完成却填了销号时间,已忽略销号时间", "warning"))
        item.pop("closed_on")
