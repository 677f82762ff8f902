"""Tables in any terminal: at 40, 60 and 80 columns `list` and `summary` stay readable (issue 14, point 6)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

TABLE_EDGES = ("┃", "│", "┏", "┡", "└", "├")


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(TABLE_EDGES)]


def header_cells(text: str) -> list[str]:
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in header.strip("┃").split("┃")]


@pytest.mark.parametrize(("width", "headers"), [
    (40, ["编号", "问题", "状态"]),  # 方面, then 责任部门 went for want of space
    (60, ["编号", "问题", "方面", "责任部门", "状态"]),
    (80, ["编号", "问题", "方面", "责任部门", "状态"]),  # 整改时限: empty in every row, left out
])
def test_list_fits_the_terminal_dropping_the_less_important_columns(rectify, width, headers):
    out = rectify("list", "--open", "--format", "table", env={"COLUMNS": str(width)})
    assert out.code == 0, out.stderr
    assert header_cells(out.stdout) == headers
    assert max(cell_len(line) for line in table_lines(out.stdout)) <= width
    title_width = cell_len(table_lines(out.stdout)[1].split("┃")[2]) - 2
    assert title_width >= 16  # eight characters of the title at least


@pytest.mark.parametrize(("width", "headers"), [
    (40, ["方面", "已销号", "完成率"]),
    (60, ["方面", "总数", "已销号", "逾期", "完成率"]),
    (80, ["方面", "总数", "已销号", "未销号", "逾期", "完成率", "进度"]),
])
def test_summary_fits_the_terminal(rectify, width, headers):
    out = rectify("summary", env={"COLUMNS": str(width)})
    assert out.code == 0, out.stderr
    assert header_cells(out.stdout) == headers
    assert max(cell_len(line) for line in table_lines(out.stdout)) <= width
    assert all(cell_len(cell) > 0 for line in table_lines(out.stdout)[3:4] for cell in line.split("│")[1:-1])


@pytest.mark.parametrize("columns", ["0", "-5", "100000", "abc"])
def test_an_absurd_width_falls_back_to_80(rectify, columns):
    out = rectify("list", "--open", "--format", "table", env={"COLUMNS": columns})
    assert out.code == 0, out.stderr
    assert max(cell_len(line) for line in table_lines(out.stdout)) == 80
