"""Text as it arrives, made readable before the outline is parsed.

PDF extraction and pasting hard-wrap paragraphs at a fixed width and put spaces between digits and
Chinese; both are undone here so the outline sees one paragraph per line.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import fields

HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
DIGIT_SPACE_RE = re.compile(rf"(?<=[0-9０-９])[ \t\u3000\u00a0]+(?=[{HAN}])|(?<=[{HAN}])[ \t\u3000\u00a0]+(?=[0-9０-９])")
SENTENCE_ENDS = tuple("。！？；!?;…")
CLOSERS = "”’」』)）\"'"  # a sentence may end inside quotes: 。”
NUMERALS = "一二三四五六七八九十百"
# Any numbering of Chinese official documents, or an outcome label: such a line starts a paragraph.
_OUTCOME_WORDS = "|".join(map(re.escape, sorted(fields.ITEM.outcome.words, key=len, reverse=True)))
PARAGRAPH_START_RE = re.compile(
    rf"^\s*(?:[{NUMERALS}]+\s*[、.．]"
    rf"|[（(]\s*[{NUMERALS}0-9０-９]+\s*[)）]"
    r"|[0-9０-９]{1,3}\s*[.．、)）](?![0-9０-９])"
    r"|[\u2460-\u2473]"
    rf"|第[{NUMERALS}0-9]+[条章节部分]"
    r"|【"
    rf"|(?:{_OUTCOME_WORDS})\s*[:：])"
)
LISTED_RE = re.compile(rf"^\s*[{NUMERALS}]+是")  # 一是…二是…: weaker, may start a wrapped line mid-paragraph
MIN_WIDTH = 15  # narrower "wrapping" is more likely a list of short lines


def prepare(text: str) -> str:
    """Spaces between digits and Chinese removed; hard-wrapped paragraphs rejoined."""
    lines = [DIGIT_SPACE_RE.sub("", line) for line in text.splitlines()]
    width = wrap_width(lines)
    return "\n".join(rejoined(lines, width)) + ("\n" if text.endswith("\n") else "")


def wrap_width(lines: list[str]) -> int | None:
    """The width a document was hard-wrapped at, or None when its lines are whole paragraphs.

    Wrapped text has most lines at (or just under) one length and almost none much longer.
    """
    lengths = [len(line.strip()) for line in lines if line.strip()]
    if len(lengths) < 5:
        return None
    width = max(Counter(lengths).most_common(), key=lambda pair: (pair[1], pair[0]))[0]
    near = sum(width - 3 <= n <= width + 3 for n in lengths)
    longer = sum(n > width * 1.5 for n in lengths)
    if width < MIN_WIDTH or near < 0.3 * len(lengths) or longer > 0.05 * len(lengths):
        return None
    return width


def rejoined(lines: list[str], width: int | None) -> list[str]:
    """Each line that continues the paragraph above (see `continues`) appended to it."""
    if width is None:
        return lines
    out: list[str] = []
    previous = ""  # the line above as it was, not the paragraph joined so far
    for line in lines:
        if out and line.strip() and continues(previous.strip(), line, width):
            out[-1] += line  # as it was: a space at the break may belong to the text
        else:
            out.append(line)
        previous = line
    return out


def continues(previous: str, line: str, width: int) -> bool:
    """An unnumbered line continues a full line above that ends no sentence.

    A line filled to the width continues even after a sentence end, and before 二是: a paragraph
    ending exactly at the margin is rarer than a sentence that does.
    """
    if not previous or PARAGRAPH_START_RE.match(line):
        return False
    if len(previous) >= width:
        return True
    ends_sentence = previous.rstrip(CLOSERS).endswith(SENTENCE_ENDS)
    return len(previous) >= width - 3 and not ends_sentence and not LISTED_RE.match(line)
