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


def _rich_drawn(headers: list[str], numeric: list[bool], rows: list[list[str]], sections: frozenset[int]) -> str:
    """The same table as rich draws it to a file: what `tables.drawn` must reproduce."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold")
    for header, right in zip(headers, numeric, strict=True):
        table.add_column(header, no_wrap=True, overflow="fold", justify="right" if right else "left")
    for index, row in enumerate(rows):
        if index in sections:
            table.add_section()
        table.add_row(*(Text(cell, style="bold red") for cell in row))
    buffer = io.StringIO()
    Console(file=buffer, highlight=False, markup=False, emoji=False, soft_wrap=False, width=200).print(table)
    return buffer.getvalue()


@pytest.mark.parametrize(("headers", "numeric", "rows", "sections"), [
    (["单位", "总数"], [False, True], [["城管局", "3"], ["合计", "12"]], frozenset({1})),
    (["编号", "问题", "状态"], [False, False, False], [["13.2", "报废固定资产未及时处置", "逾期"], ["1", "", "已销号"]],
     frozenset()),
    (["a", "完成率"], [False, True], [], frozenset()),
    (["排名", "单位", "完成率"], [True, False, True], [["1", "桃花潭镇人民政府", "100.0%"], ["2", "x", "9.5%"]],
     frozenset({0})),
])
def test_tables_drawn_without_rich_are_what_rich_draws(headers, numeric, rows, sections):
    from rectify_cli.tables import drawn

    assert drawn(headers, numeric, rows, sections) == _rich_drawn(headers, numeric, rows, sections)


def test_a_table_too_wide_or_wrapping_is_left_to_rich():
    from rectify_cli.tables import drawn

    assert drawn(["单位", "总数"], [False, True], [["城管局", "3"]], width=80) is not None
    assert drawn(["单位", "总数"], [False, True], [["城管局", "3"]], width=12) is None  # wider than the screen
    assert drawn(["单位", "总数"], [False, True], [["城管局\n二行", "3"]], width=80) is None
