"""Read the official outline of a feedback document or progress report into problems.

    一、 part  →  (一) aspect  →  1. / 1、 problem  →  (1) / ① sub-item  →  整改成效: outcome

Only the part(s) holding numbered problems are read; the organisational parts
before and after them are skipped. Every line that cannot be placed is
reported with its number, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from .. import fields
from .figures import figures_in

NUMERALS = "一二三四五六七八九十"
PART_RE = re.compile(rf"^([{NUMERALS}]+)、\s*(.*)$")
ASPECT_RE = re.compile(rf"^\(([{NUMERALS}]+)\)\s*(.*)$")
PROBLEM_RE = re.compile(r"^(\d{1,3})\s*[.、]\s*(?!\d)(.*)$")
SUB_ITEM_RE = re.compile(r"^\((\d{1,3})\)\s*(.*)$")
OUTCOME_WORDS = sorted(fields.ITEM.outcome.words, key=len, reverse=True)  # the longest first
MEASURES_WORDS = sorted(fields.ITEM.measures.words, key=len, reverse=True)
_LABELS = "|".join(map(re.escape, [*OUTCOME_WORDS, *MEASURES_WORDS]))
# 整改成效: … / 【整改成效】… / [整改情况]: … : the label, then the text
LABEL_RE = re.compile(rf"^(?:[【\[(]({_LABELS})[】\])]\s*:?|({_LABELS})\s*:)\s*(.*)$")
LABEL_INSIDE_RE = re.compile(rf"(?:[【\[(](?:{_LABELS})[】\])]\s*:?|(?:{_LABELS})\s*:)")
TITLE_PATTERNS = [  # the wrappers around a title, at every level
    re.compile(r"^关于“(.+)”问题的整改(?:情况)?$"),
    re.compile(r"^关于“(.+)”的问题$"),
    re.compile(r"^关于“(.+)”问题$"),
    re.compile(r"^在“(.+)”方面(?:的问题|存在的问题)?$"),
    re.compile(r"^关于“(.+)”$"),
    re.compile(r"^关于“([^”]+)$"),
]
LEADING_NUMBER_RE = re.compile(rf"^(?:\(\d{{1,3}}\)|\d{{1,3}}\)|\d{{1,3}}\s*[.、]|\([{NUMERALS}]+\)|[{NUMERALS}]+、)\s*")
CIRCLED = {chr(0x2460 + n): n + 1 for n in range(20)}


@dataclass
class ParsedItem:
    number: int
    title: str | None
    line: int
    outcome_lines: list[str] = field(default_factory=list)
    measures_lines: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str | None:
        return "\n".join(self.outcome_lines) or None

    @property
    def measures(self) -> str | None:
        return "\n".join(self.measures_lines) or None


@dataclass
class ParsedProblem:
    id: int
    title: str
    aspect: str
    line: int
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedDocument:
    aspects: dict[str, str] = field(default_factory=dict)
    problems: list[ParsedProblem] = field(default_factory=list)
    inspection: tuple[dt.date, dt.date] | None = None
    feedback_date: dt.date | None = None
    inspector: str | None = None
    unit: str | None = None
    stated_items: int | None = None
    stated_problems: int | None = None  # 反馈31个问题: the report counts problems
    figures: dict = field(default_factory=dict)  # accountability, rules, funds the report states
    as_of: dt.date | None = None  # 截至X月X日, else the publication date
    stated_done: tuple[int | None, int | None] = (None, None)  # 已完成整改N个, 正在整改M个
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    renumbered: bool = False  # problem numbers repeated in the document and were renumbered


def normalise(line: str) -> str:
    """Full-width brackets, colons and digits as ASCII; circled numbers as (n)."""
    for circled, number in CIRCLED.items():
        line = line.replace(circled, f"({number})")
    line = "".join(_narrow(char) for char in line)
    return line.strip()


def _narrow(char: str) -> str:
    if char in "（）：．":
        return unicodedata.normalize("NFKC", char)
    if "０" <= char <= "９":
        return unicodedata.normalize("NFKC", char)
    return char


def parse(text: str) -> ParsedDocument:
    lines = [normalise(line) for line in text.splitlines()]
    document = ParsedDocument()
    _read_opening(document, lines)
    document.as_of = _as_of(lines)
    document.stated_done = _stated_done("\n".join(lines))
    for start, end, part_title in _problem_parts(lines):
        _read_part(document, lines, start, end, part_title)
    _renumber_if_repeated(document)
    return document


def _renumber_if_repeated(document: ParsedDocument) -> None:
    """Numbering that restarts in each aspect (一: 1. 2.; 二: 1.) is renumbered 1..n in order."""
    ids = [problem.id for problem in document.problems]
    if len(set(ids)) == len(ids):
        return
    for position, problem in enumerate(document.problems, start=1):
        problem.id = position
    document.renumbered = True


def _problem_parts(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, end line, title) of each part that holds numbered problems."""
    starts = [(i, PART_RE.match(line)[2]) for i, line in enumerate(lines) if PART_RE.match(line)]
    if not starts:
        starts = [(-1, "")]
    bounds = [(start, nxt, title) for (start, title), (nxt, _) in zip(starts, [*starts[1:], (len(lines), "")], strict=True)]
    numbered = [(s + 1, e, t) for s, e, t in bounds if any(_is_problem(lines[i]) for i in range(s + 1, e))]
    # Where some part reads like a problem list (titled problems, outcomes), numbered
    # paragraphs elsewhere (整改工作开展情况, 下一步打算) are not problems.
    listed = [(s, e, t) for s, e, t in numbered if any(_is_problem_list_line(lines[i]) for i in range(s, e))]
    return listed or numbered


def _is_problem_list_line(line: str) -> bool:
    if LABEL_RE.match(line):
        return True
    match = PROBLEM_RE.match(line)
    return bool(match and match[2] and any(pattern.match(match[2].strip()) for pattern in TITLE_PATTERNS))


def _is_problem(line: str) -> bool:
    match = PROBLEM_RE.match(line)
    return bool(match and match[2])


class _Reader:
    """State while walking one part: the current aspect, problem and item."""

    def __init__(self, document: ParsedDocument, part_title: str):
        self.document = document
        self.part_title = part_title
        self.aspect: str | None = None
        self.problem: ParsedProblem | None = None
        self.item: ParsedItem | None = None
        self.in_outcome = False
        self.lines: list[str] = []  # where the paragraphs being read go: an outcome, or measures

    def line(self, number: int, text: str, following: str = "", label_ahead: bool = False) -> None:
        if not text:
            return
        self.following = following
        self.label_ahead = label_ahead  # a label comes before the next heading: this is no outcome
        for handler in (self._aspect, self._problem, self._sub_item, self._outcome, self._other):
            if handler(number, text):
                return

    def _aspect(self, number: int, text: str) -> bool:
        match = ASPECT_RE.match(text)
        if not match or self.in_outcome and not _looks_like_heading(match[2]):
            return False
        key = match[1]
        self.document.aspects[key] = clean_title(match[2])
        self.aspect, self.problem, self.item, self.in_outcome = key, None, None, False
        return True

    def _problem(self, number: int, text: str) -> bool:
        match = PROBLEM_RE.match(text)
        if not match or not match[2]:
            return False
        if self.aspect is None:  # problems directly under the part: the part is the aspect
            self.aspect = NUMERALS[len(self.document.aspects) % 10]
            self.document.aspects[self.aspect] = self.part_title.rstrip("。") or "(未命名方面)"
        heading, labelled = split_label(match[2])
        self.problem = ParsedProblem(int(match[1]), clean_title(heading), self.aspect, number)
        self.document.problems.append(self.problem)
        self.item, self.in_outcome = None, False
        if labelled:  # 16.人事管理较为混乱。整改情况:…
            self._outcome(number, labelled)
        return True

    def _sub_item(self, number: int, text: str) -> bool:
        match = SUB_ITEM_RE.match(text)
        if not match or self.problem is None:
            return False
        heading, labelled = split_label(match[2])
        self._new_item(number, clean_title(heading))
        if labelled:  # (1)学习不系统。整改成效:一是…
            self._outcome(number, labelled)
        return True

    def _outcome(self, number: int, text: str) -> bool:
        match = LABEL_RE.match(text)
        if not match or self.problem is None:
            return False
        label, rest = match[1] or match[2], match[3]
        if self.item is None or self.item.outcome_lines or (label in MEASURES_WORDS and self.item.measures_lines):
            self._new_item(number, None)
        self.lines = self.item.measures_lines if label in MEASURES_WORDS else self.item.outcome_lines
        if rest:
            self.lines.append(rest)
        self.in_outcome = True
        return True

    def _other(self, number: int, text: str) -> bool:
        starts_item = bool(LABEL_RE.match(self.following)) and self.item is not None and self.item.outcome_lines
        if self.in_outcome and self.item is not None and not starts_item:
            self.lines.append(text)  # a continuation paragraph of the outcome (or measures)
        elif self.problem is not None and self.item is None and not self.label_ahead:
            self._new_item(number, None)  # no label, no item heading: the problem's one item, its outcome
            self.lines = self.item.outcome_lines
            self.lines.append(text)
            self.in_outcome = True
        elif self.problem is not None and (self.item is None or self.item.outcome_lines):
            self._new_item(number, clean_title(text))  # an unnumbered specific item
        elif self.item is not None and self.item.title and not self.item.outcome_lines and not self.label_ahead:
            self.lines = self.item.outcome_lines  # no label: the paragraphs under a heading are its outcome
            self.lines.append(text)
            self.in_outcome = True
        else:
            self.document.unplaced.append((number, text))
        return True

    def _new_item(self, number: int, title: str | None) -> None:
        self.item = ParsedItem(len(self.problem.items) + 1, title, number)
        self.problem.items.append(self.item)
        self.in_outcome = False


def _looks_like_heading(text: str) -> bool:
    return len(text) <= 40


def _read_part(document: ParsedDocument, lines: list[str], start: int, end: int, part_title: str) -> None:
    reader = _Reader(document, part_title)
    ahead = _labels_ahead(lines, start, end)
    for index in range(start, end):
        following = next((lines[i] for i in range(index + 1, end) if lines[i]), "")
        reader.line(index + 1, lines[index], following, ahead[index - start])


def _labels_ahead(lines: list[str], start: int, end: int) -> list[bool]:
    """For each line of the part: does a labelled outcome come after it, before the next heading?"""
    ahead, seen = [False] * (end - start), False
    for index in range(end - 1, start - 1, -1):
        ahead[index - start] = seen
        line = lines[index]
        if LABEL_RE.match(line):
            seen = True
        elif ASPECT_RE.match(line) or PROBLEM_RE.match(line) or SUB_ITEM_RE.match(line):
            seen = False
    return ahead


def clean_title(text: str) -> str:
    """A title without its numbering, its wrapper (关于“…”的问题, 在“…”方面…) and a closing 。."""
    text = LEADING_NUMBER_RE.sub("", text.strip()).strip().rstrip("。").strip()
    for pattern in TITLE_PATTERNS:
        match = pattern.match(text)
        if match:
            return match[1].strip().rstrip("。")
    return text


def split_label(text: str) -> tuple[str, str | None]:
    """A heading with its outcome on the same line: (heading, `整改成效:…`), else (text, None)."""
    match = LABEL_INSIDE_RE.search(text)
    if not match or match.start() == 0:
        return text, None
    return text[: match.start()].strip(), text[match.start():]


# --- the opening paragraph --------------------------------------------------------------

RANGE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:至|到|-|—|~)\s*(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
DAY_RE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_COMMITTEE = r"(?:[^\s,,。、]{0,8}?(?:省委|市委|县委|区委|党委|党组))"
# 县委第二巡察组, 巡察五组, 区委巡察组
INSPECTOR_RE = re.compile(rf"({_COMMITTEE}?第[{NUMERALS}]+巡察组|{_COMMITTEE}?巡察[{NUMERALS}]+组|{_COMMITTEE}巡察组)")
UNIT_PATTERNS = [
    re.compile(r"对([^,,。]{2,30}?)(?:党组|党委|党总支|党支部)?(?:进行了|开展了)(?:常规|专项)?巡察"),
    re.compile(r"巡察(?!组)([^,,。]{2,30}?)(?:党组|党委)?情况反馈会"),
]
# 34个具体问题, 5个方面12个具体问题, 3个方面41条问题: items; 反馈31个问题: problems
STATED_ITEMS_RE = [re.compile(p) for p in (rf"(\d+)\s*个{fields.ITEM.label}", r"(\d+)\s*条(?:具体)?问题")]
STATED_PROBLEMS_RE = re.compile(r"(\d+)\s*个问题")
SELF_REFERENCES = {"我局", "我单位", "我委", "我院", "我校", "我镇", "我乡", "我办", "我县"}


def _read_opening(document: ParsedDocument, lines: list[str]) -> None:
    first_problem = next((i for i, line in enumerate(lines) if _is_problem(line)), len(lines))
    opening = "\n".join(line for line in lines[:first_problem] if not ASPECT_RE.match(line) or len(line) < 60)
    document.inspection = _inspection_dates(opening)
    document.feedback_date = _feedback_date(opening, document.inspection)
    inspector = INSPECTOR_RE.search(opening)
    document.inspector = inspector[1] if inspector else None
    document.unit = _full_name(_unit(opening), lines[:first_problem])
    counts = (pattern.search(opening) for pattern in STATED_ITEMS_RE)
    document.stated_items = next((int(match[1]) for match in counts if match), None)
    problems = STATED_PROBLEMS_RE.search(opening)
    if document.stated_items is None and problems:
        document.stated_problems = int(problems[1])
    document.figures = figures_in("\n".join(lines))


def _inspection_dates(text: str) -> tuple[dt.date, dt.date] | None:
    match = RANGE_RE.search(text)
    if not match:
        return None
    year, month, day, end_year, end_month, end_day = match.groups()
    start = _date(int(year), int(month), int(day))
    end = _date(int(end_year or year), int(end_month), int(end_day))
    if start and end and end < start and not end_year:  # 2021年11月15日至1月10日
        end = _date(end.year + 1, end.month, end.day)
    return (start, end) if start and end else None


def _feedback_date(text: str, inspection) -> dt.date | None:
    for sentence in re.split(r"[。\n]", text):
        if "反馈" not in sentence:
            continue
        for match in DAY_RE.finditer(sentence):
            if inspection and RANGE_RE.search(sentence) and match.start() <= RANGE_RE.search(sentence).end():
                continue
            year = int(match[1]) if match[1] else _year_after(inspection, int(match[2]))
            if year:
                return _date(year, int(match[2]), int(match[3]))
    return None


def _year_after(inspection, month: int) -> int | None:
    if not inspection:
        return None
    end = inspection[1]
    return end.year if month >= end.month else end.year + 1


TITLE_LINE_RE = re.compile(r"^(.{2,30}?)(?:党组|党委)?关于.{2,60}(?:通报|报告|情况|公告)$")


def _full_name(unit: str | None, opening: list[str]) -> str | None:
    """The unit as the title line names it in full (泾县城管执法局), when the paragraph uses a
    short form of it (县城管执法局, 城管执法局)."""
    for line in opening[:3]:
        match = TITLE_LINE_RE.match(line)
        if match and unit and unit != match[1] and match[1].endswith(unit):
            return match[1]
        if match and unit is None:
            return match[1]
    return unit


def _unit(text: str) -> str | None:
    for pattern in UNIT_PATTERNS:
        for match in pattern.finditer(text):
            name = match[1].strip()
            if name not in SELF_REFERENCES and fields.LEDGER.inspector.label not in name:
                return name
    return None


PUBLISHED_RE = re.compile(r"(?:时间|发布时间|发布日期|日期)\s*:\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
CLOSING_DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
AS_OF_RE = re.compile(r"截至(?:当前|目前|今)?\s*\(?\s*(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
DONE_RE = re.compile(r"已完成整改(\d+)个")
UNDER_WAY_RE = re.compile(r"正在整改(\d+)个")


def _published(lines: list[str]) -> dt.date | None:
    """The publication date: a `时间:2022-02-25` line, else a closing line that is only a date."""
    for line in lines:
        match = PUBLISHED_RE.search(line)
        if match:
            return _date(*(int(part) for part in match.groups()))
    for line in reversed(lines):
        match = CLOSING_DATE_RE.match(line)
        if match:
            return _date(*(int(part) for part in match.groups()))
    return None


def _as_of(lines: list[str]) -> dt.date | None:
    """The date the document's figures stand at: its latest 截至X月X日 (not after publication),
    else its publication date."""
    published = _published(lines)
    found = []
    for match in AS_OF_RE.finditer("\n".join(lines)):
        year = int(match[1]) if match[1] else (published.year if published else None)
        day = _date(year, int(match[2]), int(match[3])) if year else None
        if day and (published is None or day <= published):
            found.append(day)
    return max(found, default=published)


def _stated_done(text: str) -> tuple[int | None, int | None]:
    done, under_way = DONE_RE.search(text), UNDER_WAY_RE.search(text)
    return (int(done[1]) if done else None, int(under_way[1]) if under_way else None)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
