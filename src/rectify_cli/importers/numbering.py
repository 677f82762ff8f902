"""The numbering families of Chinese official documents, and which level each one is.

    一、  (一)  1.  (1)  1)  ①  第一条  一是   — and 无编号 for a line without numbering

A line is read after `outline.normalise` (full-width brackets, colons and digits as ASCII).
`、` and `.` are the same family: `1、` is `1.` and `一.` is `一、`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from .. import fields
from ..errors import RectifyError
from ..numerals import NUMERALS, chinese_number

_CHINESE = f"[{NUMERALS}百零〇]+"
CIRCLED = "".join(chr(0x2460 + n) for n in range(20))  # ① … ⑳

TOP, ASPECT_STYLE, ARABIC, BRACKETED, HALF_BRACKETED, CIRCLE, ARTICLE, ENUMERATED = (
    "一、", "(一)", "1.", "(1)", "1)", "①", "第一条", "一是")
UNNUMBERED = "无编号"
FAMILY_PATTERNS = {  # family → pattern of (number, rest); compiled on first use (the CLI's help reads FAMILIES)
    TOP: rf"^({_CHINESE})\s*[、.]\s*(.*)$",
    ASPECT_STYLE: rf"^\(({_CHINESE})\)\s*(.*)$",
    ARABIC: r"^(\d{1,3})\s*[.、](?!\d)\s*(.*)$",
    BRACKETED: r"^\((\d{1,3})\)\s*(.*)$",
    HALF_BRACKETED: r"^(\d{1,3})\)\s*(.*)$",
    CIRCLE: rf"^([{CIRCLED}])\s*(.*)$",
    ARTICLE: rf"^第({_CHINESE})条\s*(.*)$",
    ENUMERATED: rf"^({_CHINESE})是\s*(.*)$",
}
FAMILIES = tuple(FAMILY_PATTERNS)
# The usual order of official numbering, outermost first (GB/T 9704: 一、 (一) 1. (1)); 第一条 has
# no fixed place and sits between (一) and 1.; 一是 is text unless --levels says otherwise.
RANK = (TOP, ASPECT_STYLE, ARTICLE, ARABIC, BRACKETED, HALF_BRACKETED, CIRCLE)
LEVELS = ("part", "aspect", "problem", "item")
LEVEL_WORDS = {"part": "部分", "aspect": fields.PROBLEM.aspect.label, "problem": fields.PROBLEM.label,
               "item": fields.ITEM.label}  # --levels accepts either
LEVELS_HELP = (f"指明哪种编号是哪一级,如 “(一)=aspect,1.=problem,(1)=item”;编号可写 {' '.join(FAMILIES)} {UNNUMBERED},"
               f"层级可写 {'/'.join(LEVELS)} 或 {'/'.join(LEVEL_WORDS.values())}")


class Numbered(NamedTuple):
    family: str  # one of FAMILIES, or UNNUMBERED
    number: int | None
    rest: str  # the text after the numbering (for 一是, the whole line)


@functools.cache
def _compiled() -> dict[str, re.Pattern]:
    return {family: re.compile(pattern) for family, pattern in FAMILY_PATTERNS.items()}


def numbered(line: str) -> Numbered:
    """The family, number and text of one normalised line."""
    for family, pattern in _compiled().items():
        match = pattern.match(line)
        if match and (match[2] or family != ENUMERATED):
            rest = line if family == ENUMERATED else match[2]
            return Numbered(family, _number(family, match[1]), rest)
    return Numbered(UNNUMBERED, None, line)


def _number(family: str, token: str) -> int | None:
    if family == CIRCLE:
        return CIRCLED.index(token) + 1
    if token.isdigit():
        return int(token)
    return chinese_number(token)


class Levels(NamedTuple):
    """Which family is which level; None where the document has no such level."""

    part: str | None
    aspect: str | None
    problem: str
    item: str | None

    def level_of(self, family: str) -> str | None:
        return next((level for level in LEVELS if getattr(self, level) == family), None)

    def describe(self) -> str:
        return ",".join(f"{getattr(self, level)}={level}" for level in LEVELS if getattr(self, level))


def narrow(text: str) -> str:
    """Full-width brackets, colons, stops and digits as ASCII; other characters (① too) kept."""
    return "".join(unicodedata.normalize("NFKC", char) if char in _WIDE else char for char in text)


_WIDE = set("（）：．") | {chr(code) for code in range(ord("０"), ord("９") + 1)}


def family_of_token(token: str) -> str:
    """`(一)`, `（一）`, `1、`, `１．`, `①`, `无编号` … as the family they name."""
    text = narrow(token.strip())
    if text == UNNUMBERED:
        return UNNUMBERED
    for family, pattern in _compiled().items():
        match = pattern.match(text + "甲")  # a token is numbering without its text
        if match and match[2] == "甲":
            return family
    raise RectifyError(f"--levels 中的编号 “{token}” 无法识别;可用:{' '.join(FAMILIES)} {UNNUMBERED}")


def parse_levels(text: str) -> Levels:
    """`(一)=aspect,1.=problem,(1)=item` (or 方面/问题/具体问题/部分) as Levels."""
    words = {**{level: level for level in LEVELS}, **{word: level for level, word in LEVEL_WORDS.items()}}
    chosen: dict[str, str] = {}
    for part in re.split(r"[,，;；]\s*", text.strip()):
        token, _, level = part.rpartition("=")
        if not token or level.strip() not in words:
            raise RectifyError(f"--levels 的写法是 “编号=层级”,如 “(一)=aspect,1.=problem,(1)=item”;"
                               f"“{part}” 不符(层级可写:{'、'.join(LEVELS)} 或 {'、'.join(LEVEL_WORDS.values())})")
        chosen[words[level.strip()]] = family_of_token(token)
    if "problem" not in chosen:
        raise RectifyError("--levels 必须指明哪种编号是问题,如 “1.=problem”")
    return Levels(*(chosen.get(level) for level in LEVELS))
