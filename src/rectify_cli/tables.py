"""Tables that fit the terminal: its width, which columns go when space is short.

A column empty in every row is left out. When the table cannot fit, the columns go in their
declared order of dropping (`Col.drop`, lowest first); the columns without one always stay,
and a wrapping column keeps its minimum width (the item's title keeps eight characters).
"""

from __future__ import annotations

import os
import shutil
from typing import IO, NamedTuple

FALLBACK_WIDTH = 80  # a width of 0, an absurd one, or none known
WIDTH_RANGE = (20, 10_000)  # outside it, COLUMNS is a mistake
BORDER = 3  # a column's share of the table's frame: "│ " before and " " after its text
EMPTY_CELLS = ("", "—")


class Col(NamedTuple):
    header: str
    one_line: bool = True  # kept on one line (no_wrap); else it wraps down to min_width
    min_width: int = 0  # terminal cells, for a wrapping column (a CJK character is two)
    drop: int | None = None  # when space is short, the lowest goes first; None: never
    numeric: bool = False  # right-aligned


def screen_width(stream: IO) -> int:
    """COLUMNS when it is sensible, else the terminal's width, else 80."""
    low, high = WIDTH_RANGE
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        width = 0
    if not low <= width <= high and _is_terminal(stream):
        width = shutil.get_terminal_size((0, 0)).columns
    return width if low <= width <= high else FALLBACK_WIDTH


def _is_terminal(stream: IO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def fitted(columns: list[Col], rows: list[list[str]], width: int) -> list[tuple[int, int | None]]:
    """The columns to show, in order, as (index, width); the width is set for a wrapping column
    when the table must squeeze it (rich would not break unspaced Chinese below one word)."""
    keep = [index for index, column in enumerate(columns)
            if column.drop is None or any(row[index] not in EMPTY_CELLS for row in rows)]
    natural = {index: _natural(columns[index], rows, index) for index in keep}  # measured once: a thousand rows
    while _needed(columns, natural, keep) > width:
        droppable = [index for index in keep if columns[index].drop is not None]
        if not droppable:
            break
        keep.remove(min(droppable, key=lambda index: columns[index].drop))
    return _widths(columns, natural, keep, width)


def _natural(column: Col, rows: list[list[str]], index: int) -> int:
    from rich.cells import cell_len

    lines = (line for row in rows for line in row[index].split("\n"))
    return max([cell_len(column.header), *(cell_len(line) for line in lines)])


def _needed(columns: list[Col], natural: dict[int, int], keep: list[int]) -> int:
    from rich.cells import cell_len

    total = 1
    for index in keep:
        column = columns[index]
        widest = natural[index]
        if not column.one_line:  # wraps: as narrow as its minimum (or its header), if its text is that wide
            widest = min(widest, max(column.min_width, cell_len(column.header)))
        total += widest + BORDER
    return total


def _widths(columns: list[Col], natural: dict[int, int], keep: list[int], width: int) -> list[tuple[int, int | None]]:
    """Wrapping columns share what the one-line columns leave, in proportion to their text."""
    wrapping = [index for index in keep if not columns[index].one_line]
    fixed = 1 + sum(natural[index] + BORDER for index in keep if index not in wrapping)
    room = width - fixed - BORDER * len(wrapping)
    if sum(natural[index] for index in wrapping) <= room:
        return [(index, None) for index in keep]
    floors = {index: min(natural[index], max(columns[index].min_width, 2)) for index in wrapping}
    spare = max(room - sum(floors.values()), 0)
    extra = sum(natural[index] - floors[index] for index in wrapping) or 1
    given = {index: floors[index] + spare * (natural[index] - floors[index]) // extra for index in wrapping}
    widest = max(wrapping, key=lambda index: natural[index])
    given[widest] += max(room - sum(given.values()), 0)  # what rounding left, to the widest text
    return [(index, given.get(index)) for index in keep]


def drawn(headers: list[str], numeric: list[bool], rows: list[list[str]], sections: frozenset[int] = frozenset(),
          width: int | None = None) -> str | None:
    """The table as rich draws it to a file (heavy head, no styles): a thousand units' rows drawn
    by rich take a second; drawn here, a hundredth. `sections`: the rows a rule goes above (the
    合计 row). None when rich must draw it: a cell of two lines, or wider than `width`."""
    from rich.cells import cell_len

    if any("\n" in cell for row in rows for cell in row):
        return None
    lengths = [[cell_len(cell) for cell in row] for row in rows]  # measured once: a thousand rows
    widths = [max([cell_len(header), *(row[index] for row in lengths)]) for index, header in enumerate(headers)]
    if width is not None and 1 + sum(widths) + BORDER * len(widths) > width:
        return None

    def line(cells: list[str], sizes: list[int], bar: str) -> str:
        padded = (" " * (room - size) + cell if right else cell + " " * (room - size)
                  for cell, size, room, right in zip(cells, sizes, widths, numeric, strict=True))
        return bar + "".join(f" {cell} {bar}" for cell in padded) + "\n"

    def rule(left: str, horizontal: str, cross: str, right: str) -> str:
        return left + cross.join(horizontal * (room + 2) for room in widths) + right + "\n"

    out = [rule("┏", "━", "┳", "┓"), line(headers, [cell_len(header) for header in headers], "┃"),
           rule("┡", "━", "╇", "┩")]
    for index, (row, sizes) in enumerate(zip(rows, lengths, strict=True)):
        if index in sections and index:  # as rich: no rule above the first row
            out.append(rule("├", "─", "┼", "┤"))
        out.append(line(row, sizes, "│"))
    out.append(rule("└", "─", "┴", "┘"))
    return "".join(out)
