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


def display_id(problem: int, number: int, single: bool) -> str:
    """`13.2`; a problem with a single item displays as `2`."""
    return str(problem) if single else f"{problem}.{number}"


def sort_key(display: str) -> tuple[int, int]:
    """Numeric order: 2 < 10, 13.2 < 13.10."""
    problem, _, number = display.partition(".")
    return int(problem), int(number or 1)
