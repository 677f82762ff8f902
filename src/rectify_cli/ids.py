"""Item IDs: what a clerk types (13.2, 13-2, 13(2), １３．２) and how they display."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CIRCLED = {chr(0x2460 + n): f"({n + 1})" for n in range(20)}  # ① … ⑳
# 13.2, 13-2, 13(2), 13.(2): a separator, or brackets, between problem and item — never bare digits
_ID_RE = re.compile(r"^(\d{1,6})(?:\s*(?:[.\-、_/]\s*(?:\(\s*(\d{1,6})\s*\)|(\d{1,6}))|\(\s*(\d{1,6})\s*\)))?\s*[.、]?$")


@dataclass(frozen=True, order=True)
class ItemRef:
    """A parsed ID: a problem, and an item number unless the whole problem is meant."""

    problem: int
    number: int | None = None

    def __str__(self) -> str:
        return str(self.problem) if self.number is None else f"{self.problem}.{self.number}"


def normalise(text: str) -> str:
    for circled, plain in _CIRCLED.items():
        text = text.replace(circled, plain)
    text = unicodedata.normalize("NFKC", text)
    return text.replace("。", ".").replace("-", "-").strip()


def parse_id(text: str) -> ItemRef | None:
    """Parse an ID as typed; None when the text is not an ID at all."""
    match = _ID_RE.match(normalise(text))
    if not match:
        return None
    problem = int(match.group(1))
    number_text = match.group(2) or match.group(3) or match.group(4)
    number = int(number_text) if number_text else None
    if problem < 1 or (number is not None and number < 1):
        return None
    return ItemRef(problem, number)


# A workspace's IDs name the unit first: 城管局/13.2 (displayed), 城管局:13.2, 城管局：13.2.
UNIT_SEPARATOR = "/"  # the display form: shells split completion words at `:`
_QUALIFIED_RE = re.compile(r"^\s*([^/:：]+?)\s*[/:：]\s*(.+)$")


def split_unit(text: str) -> tuple[str | None, str]:
    """(unit, ID) of a typed ID; the unit is None when the text is a plain ID (13/2 is one)."""
    if parse_id(text) is not None:
        return None, text
    match = _QUALIFIED_RE.match(text)
    return (match.group(1), match.group(2)) if match else (None, text)


def qualified_id(unit: str | None, display: str) -> str:
    """`城管局/13.2` in a workspace; the plain ID for a single ledger (unit None)."""
    return display if unit is None else f"{unit}{UNIT_SEPARATOR}{display}"


def display_id(problem: int, number: int, single: bool) -> str:
    """`13.2`; a problem with a single item displays as `2`."""
    return str(problem) if single else f"{problem}.{number}"


def sort_key(display: str) -> tuple[int, int]:
    """Numeric order: 2 < 10, 13.2 < 13.10."""
    problem, _, number = display.partition(".")
    return int(problem), int(number or 1)
