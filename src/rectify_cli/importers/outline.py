"""Read the outline of a feedback document or progress report into problems.

Which numbering family is the aspect (方面), the problem (问题) and the specific item
(具体问题) is inferred from the document (see `infer_levels`), or given by `--levels`:

    reference:  一、 part  →  (一) aspect  →  1. problem  →  (1) item  →  整改成效: outcome

Parts that hold no problems (how the work was organised, rules made) and the opening and
closing paragraphs are kept as the report's narrative. Every line of the problem part that
cannot be placed is reported with its number, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .. import fields
from ..numerals import chinese_numeral
from . import cues
from .figures import figures_in
from .numbering import (
    ASPECT_STYLE,
    ENUMERATED,
    LEVELS,
    NUMERALS,
    RANK,
    UNNUMBERED,
    Levels,
    Numbered,
    narrow,
    numbered,
)

OUTCOME_WORDS = sorted(fields.ITEM.outcome.words, key=len, reverse=True)  # the longest first
MEASURES_WORDS = sorted(fields.ITEM.measures.words, key=len, reverse=True)
_LABELS = "|".join(map(re.escape, [*OUTCOME_WORDS, *MEASURES_WORDS]))
# 整改成效: … / 【整改成效】… / [整改情况]: … : the label, then the text
LABEL_RE = re.compile(rf"^(?:[【\[(]({_LABELS})[】\])]\s*:?|({_LABELS})\s*:)\s*(.*)$")
LABEL_INSIDE_RE = re.compile(rf"(?:[【\[(](?:{_LABELS})[】\])]\s*:?|(?:{_LABELS})\s*:)")
# A plan's lines that state one field of an item: 整改时限:2022年9月底前, 责任单位:办公室
PLAN_FIELDS = (fields.ITEM.lead, fields.ITEM.departments, fields.ITEM.owner, fields.ITEM.deadline)
_PLAN_WORDS = {word: spec.key for spec in PLAN_FIELDS for word in spec.words}
PLAN_LINE_RE = re.compile(rf"^[【\[]?({'|'.join(map(re.escape, sorted(_PLAN_WORDS, key=len, reverse=True)))})[】\]]?\s*:\s*(.+)$")
TITLE_PATTERNS = [  # the wrappers around a title, at every level
    re.compile(r"^关于“(.+)”问题的整改(?:情况)?$"),
    re.compile(r"^关于“(.+)”的问题$"),
    re.compile(r"^关于“(.+)”问题$"),
    re.compile(r"^在“(.+)”方面(?:的问题|存在的问题)?$"),
    re.compile(r"^关于“(.+)”$"),
    re.compile(r"^关于“([^”]+)$"),
]
ASPECT_TITLE_RE = re.compile(r"方面(?:的问题|存在的问题)?。?$")
PROBLEM_TITLE_RE = re.compile(r"^关于“.+”(?:的)?问题")  # 关于“…”的问题, 关于“…”问题的整改
DEFAULT_ASPECT = "巡察反馈问题"  # the one aspect made when the document has no aspect level
HEADING_LENGTH = 60  # a numbered line longer than this is a paragraph, not a heading
METADATA_RE = re.compile(r"^(?:来源|发布时间|时间|作者|点击量|浏览次数)\s*:")


@dataclass
class ParsedItem:
    number: int
    title: str | None
    line: int
    outcome_lines: list[str] = field(default_factory=list)
    measures_lines: list[str] = field(default_factory=list)
    stated: dict[str, str] = field(default_factory=dict)  # field key → text of a plan line (整改时限:…)

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
    aspect_lines: dict[str, int] = field(default_factory=dict)  # aspect key → its line in the document
    problems: list[ParsedProblem] = field(default_factory=list)
    levels: Levels | None = None
    levels_inferred: bool = True
    default_aspect: bool = False  # no aspect level: one aspect was made
    report: dict = field(default_factory=dict)  # opening, sections, closing (the ledger's `report:`)
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
    """Full-width brackets, colons and digits as ASCII."""
    return narrow(line).strip()


def parse(text: str, levels: Levels | None = None) -> ParsedDocument:
    raw = [line.strip() for line in text.splitlines()]
    lines = [normalise(line) for line in raw]
    tokens = [numbered(line) for line in lines]
    given = levels
    levels = _completed(given, lines, tokens) if given else infer_levels(lines, tokens)
    document = ParsedDocument(levels=levels, levels_inferred=given is None)
    outline = _Outline(lines, tokens, document.levels)
    _read_opening(document, lines, outline.first_problem())
    document.as_of = _as_of(lines)
    published = _published(lines)
    document.stated_done = _stated_done("\n".join(lines))
    _read_body(document, raw, outline)
    if document.report and published:
        document.report["date"] = published
    _renumber_if_repeated(document)
    return document


# --- which family is which level ------------------------------------------------------


def _is_heading(token: Numbered) -> bool:
    return token.family not in (UNNUMBERED, ENUMERATED) and len(token.rest) <= HEADING_LENGTH


def _depths(tokens: list[Numbered]) -> dict[str, int]:
    """Each heading family's depth among those the document uses (一、 0, (一) 1, 1. 2 …)."""
    present = {token.family for token in tokens if token.family in RANK}
    return {family: depth for depth, family in enumerate(f for f in RANK if f in present)}


def _problem_tokens(lines: list[str], tokens: list[Numbered]) -> list[Numbered]:
    """Where outcomes are labelled, only the top-level blocks that hold a label tell the levels:
    a part on how the work was organised may number its paragraphs 1. 2. 3. too."""
    labelled = [bool(LABEL_RE.match(line)) for line in lines]
    families = [token.family for token in tokens if _is_heading(token) and token.family in RANK]
    if not any(labelled) or not families:
        return tokens
    top = min(families, key=RANK.index)
    starts = [i for i, token in enumerate(tokens) if token.family == top and _is_heading(token)]
    kept = list(tokens)
    for start, end in zip([0, *starts], [*starts, len(tokens)], strict=True):
        if not any(labelled[start:end]):
            kept[start:end] = [NOTHING] * (end - start)
    return kept


NOTHING = Numbered(UNNUMBERED, None, "")


def _outcome_owners(lines: list[str], tokens: list[Numbered]) -> tuple[Counter, Counter]:
    """For each labelled outcome, the family of the heading it belongs to (无编号 when an
    unnumbered title line stands between them); and, for 无编号, the family above that line."""
    owners, above_unnumbered = Counter(), Counter()
    filled = [i for i, line in enumerate(lines) if line]
    for position, index in enumerate(filled):
        token = tokens[index]
        if token.family != UNNUMBERED and LABEL_INSIDE_RE.search(token.rest):  # 16.…整改情况:…
            owners[token.family] += 1
        if not LABEL_RE.match(lines[index]) or position == 0:
            continue
        before = tokens[filled[position - 1]]
        if before.family not in (UNNUMBERED, ENUMERATED):
            owners[before.family] += 1
        elif position >= 2 and not LABEL_RE.match(lines[filled[position - 1]]):
            two_before = tokens[filled[position - 2]]
            if two_before.family not in (UNNUMBERED, ENUMERATED) and not LABEL_RE.match(lines[filled[position - 2]]):
                owners[UNNUMBERED] += 1
                above_unnumbered[two_before.family] += 1
    return owners, above_unnumbered


def infer_levels(lines: list[str], tokens: list[Numbered]) -> Levels:
    """The deepest family that owns outcomes is the item (else the deepest heading family);
    the family above it the problem; above that the aspect, and above that the parts. Titles
    settle what the nesting leaves open: `关于“…”的问题` is a problem, `…方面` an aspect."""
    tokens = _problem_tokens(lines, tokens)
    depth = _depths([token if _is_heading(token) else NOTHING for token in tokens])
    owners, above_unnumbered = _outcome_owners(lines, tokens)
    if above_unnumbered:
        depth[UNNUMBERED] = depth.get(above_unnumbered.most_common(1)[0][0], -1) + 1
    fitting = [family for family in depth if depth[family] < len(LEVELS)]  # four levels at most
    candidates = [family for family in owners if family in fitting] or fitting or list(depth)
    if not candidates:
        return Levels(None, None, UNNUMBERED, None)
    item = max(candidates, key=lambda family: depth[family])
    problem = (above_unnumbered.most_common(1)[0][0] if item == UNNUMBERED and above_unnumbered
               else _parent(item, tokens, depth))
    if problem is None or item != UNNUMBERED and _not_items(item, problem, tokens, depth):
        item, problem = None, item  # headings with outcomes but no items under them: problems
    elif item and _titled(problem, ASPECT_TITLE_RE, tokens):
        item, problem = None, item  # (一)党的建设方面 → 1.理论学习不深入: the 1. are problems
    aspect = _parent(problem, tokens, depth)
    part = _parent(aspect, tokens, depth) if aspect else None
    if aspect and part is None and not _titled(aspect, ASPECT_TITLE_RE, tokens) and _holding(
            aspect, problem, lines, tokens) < 2:
        aspect, part = None, aspect  # one heading holds every problem: it is a part
    return Levels(part, aspect, problem, item)


def _completed(given: Levels, lines: list[str], tokens: list[Numbered]) -> Levels:
    """--levels as given; the aspect and the parts it leaves out are the families above, as inferred."""
    if given.aspect or given.part:
        return given
    tokens = _problem_tokens(lines, tokens)
    depth = _depths([token if _is_heading(token) else NOTHING for token in tokens])
    aspect = _parent(given.problem, tokens, depth) if given.problem in depth else None
    if aspect in (given.item, None):
        return given
    part = _parent(aspect, tokens, depth)
    if part is None and not _titled(aspect, ASPECT_TITLE_RE, tokens) and _holding(
            aspect, given.problem, lines, tokens) < 2:
        aspect, part = None, aspect
    return Levels(part, aspect, given.problem, given.item)


def _not_items(family: str, problem: str, tokens: list[Numbered], depth: dict[str, int]) -> bool:
    """Headings that own outcomes but are problems: titled as problems, or never more than one
    under a parent (unless nested as deep as items go)."""
    if _titled(family, PROBLEM_TITLE_RE, tokens):
        return True
    return depth[family] < len(LEVELS) - 1 and not _are_items(family, problem, tokens)


def _titled(family: str, pattern: re.Pattern, tokens: list[Numbered], half: bool = False) -> bool:
    """Most headings of `family` (or, with `half`, at least half) have titles of the form `pattern`."""
    titles = [token.rest for token in tokens if token.family == family and _is_heading(token)]
    matching = sum(bool(pattern.search(title)) for title in titles) * 2
    return bool(titles) and (matching >= len(titles) if half else matching > len(titles))


def _parent(family: str, tokens: list[Numbered], depth: dict[str, int]) -> str | None:
    """The family of the heading most often just above a heading of `family`."""
    parents: Counter = Counter()
    above: str | None = None
    for token in tokens:
        if not _is_heading(token) or token.family not in depth:
            continue
        if token.family == family and above is not None:
            parents[above] += 1
        if depth[token.family] < depth.get(family, 0):
            above = token.family
    return parents.most_common(1)[0][0] if parents else None


def _are_items(family: str, parent: str, tokens: list[Numbered]) -> bool:
    """Items come several to a problem at least once, and their numbering starts again under
    each problem; numbers that go on across parents (1..17 over three aspects) are problems'."""
    numbers, under = [], Counter()
    parents = 0
    for token in tokens:
        if token.family == parent:
            parents += 1
        elif token.family == family and _is_heading(token):
            numbers.append(token.number)
            under[parents] += 1
    through = len(under) > 1 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    return max(under.values(), default=0) > 1 and not through


def _holding(family: str, problem: str, lines: list[str], tokens: list[Numbered]) -> int:
    """How many headings of `family` hold problems (a labelled outcome, else a problem heading)."""
    labelled = any(LABEL_RE.match(line) for line in lines)
    holding, current = set(), None
    for index, token in enumerate(tokens):
        if token.family == family and _is_heading(token):
            current = index
        elif current is not None and (LABEL_RE.match(lines[index]) if labelled else token.family == problem):
            holding.add(current)
    return len(holding)


# --- the body: parts, aspects, problems, items --------------------------------------------


class _Outline:
    """The document's lines with their numbering, cut into the report's parts."""

    def __init__(self, lines: list[str], tokens: list[Numbered], levels: Levels):
        self.lines, self.tokens, self.levels = lines, tokens, levels
        self.labelled = _labelled(lines, 0, len(lines))
        self.styles = {level: pattern for level, pattern in (("aspect", ASPECT_TITLE_RE), ("problem", PROBLEM_TITLE_RE))
                       if getattr(levels, level) and _titled(getattr(levels, level), pattern, tokens, half=True)}

    def level(self, index: int) -> str | None:
        token = self.tokens[index]
        if token.family == UNNUMBERED or not self.lines[index]:
            return None
        if token.family != ENUMERATED and len(token.rest) > HEADING_LENGTH * 2 and self.levels.level_of(token.family) != "item":
            return None  # a long numbered paragraph (part 一's "(一)组织领导上…") is text
        return self.levels.level_of(token.family)

    def first_problem(self) -> int:
        return next((i for i in range(len(self.lines)) if self.level(i) == "problem"), len(self.lines))

    def blocks(self, level: str) -> list[tuple[int, int]]:
        """(start, end) of each heading of `level`: from it to the next one's."""
        starts = [i for i in range(len(self.lines)) if self.level(i) == level]
        return list(zip(starts, [*starts[1:], len(self.lines)]))  # noqa: B905 (none: no such heading)

    def holds_problems(self, start: int, end: int) -> bool:
        """A labelled outcome where the document labels them, else a problem heading."""
        if self.labelled:
            return _labelled(self.lines, start, end)
        return any(self.level(i) == "problem" for i in range(start, end))

    def closing_start(self, start: int, end: int) -> int:
        """Where the closing begins within lines[start:end]: the first closing cue, else `end`."""
        return next((i for i in range(start, end) if cues.starts_closing(self.lines[i])), end)


def _read_body(document: ParsedDocument, raw: list[str], outline: _Outline) -> None:
    """The problems, and the report's narrative around them: parts (or, without parts, top
    headings) that hold no problem are kept as sections of paragraphs."""
    lines, levels = outline.lines, outline.levels
    splitter = "part" if levels.part else "aspect"
    blocks = outline.blocks(splitter)
    first = blocks[0][0] if blocks else next(
        (i for i in range(len(lines)) if outline.level(i) in ("aspect", "problem")), len(lines))
    closing = outline.closing_start(first, len(lines))
    sections = []
    if not blocks or blocks[0][0] > first:  # problems before any heading of the splitting level
        _read_problems(document, outline, first, min(blocks[0][0] if blocks else closing, closing))
    for start, end in blocks:
        end = min(end, closing)
        heading = clean_heading(raw[start][len(lines[start]) - len(outline.tokens[start].rest):])
        holds = outline.holds_problems(start, end)
        if holds and splitter == "part":
            sections.append({"heading": heading, "problems": True})
        if holds:
            _read_problems(document, outline, start + (splitter == "part"), end)
        elif start < closing:
            sections.append({"heading": heading, "paragraphs": _paragraphs(raw, start + 1, end)})
    document.report = {key: value for key, value in (
        ("opening", _paragraphs(raw, 0, first, opening=True)), ("sections", sections),
        ("closing", _paragraphs(raw, closing, len(lines)))) if value}


def _labelled(lines: list[str], start: int, end: int) -> bool:
    return any(LABEL_RE.match(line) for line in lines[start:end])


def _paragraphs(raw: list[str], start: int, end: int, opening: bool = False) -> list[str]:
    """The non-empty lines as written; the opening loses a web page's metadata and the title."""
    kept = [line for line in raw[start:end] if line]
    if opening:
        kept = [line for line in kept if not METADATA_RE.match(normalise(line)) and not TITLE_LINE_RE.match(line)]
    return kept


def _read_problems(document: ParsedDocument, outline: _Outline, start: int, end: int) -> None:
    reader = _Reader(document, outline)
    ahead = _labels_ahead(outline, start, end)
    for index in range(start, end):
        following = next((outline.lines[i] for i in range(index + 1, end) if outline.lines[i]), "")
        reader.line(index, following, ahead[index - start])


def _labels_ahead(outline: _Outline, start: int, end: int) -> list[bool]:
    """For each line: does a labelled outcome come after it, before the next heading?"""
    ahead, seen = [False] * (end - start), False
    for index in range(end - 1, start - 1, -1):
        ahead[index - start] = seen
        if LABEL_RE.match(outline.lines[index]):
            seen = True
        elif outline.level(index) in ("aspect", "problem", "item"):
            seen = False
    return ahead


def _renumber_if_repeated(document: ParsedDocument) -> None:
    """Numbering that restarts in each aspect (一: 1. 2.; 二: 1.) is renumbered 1..n in order."""
    ids = [problem.id for problem in document.problems]
    if len(set(ids)) == len(ids):
        return
    for position, problem in enumerate(document.problems, start=1):
        problem.id = position
    document.renumbered = True


class _Reader:
    """State while walking the problem part: the current aspect, problem and item."""

    def __init__(self, document: ParsedDocument, outline: _Outline):
        self.document, self.outline = document, outline
        self.aspect: str | None = None
        self.problem: ParsedProblem | None = None
        self.item: ParsedItem | None = None
        self.in_outcome = False
        self.lines: list[str] = []  # where the paragraphs being read go: an outcome, or measures
        self.last: dict[str, int] = {}  # level → the number of its last heading

    def line(self, index: int, following: str = "", label_ahead: bool = False) -> None:
        text = self.outline.lines[index]
        if not text:
            return
        self.following, self.label_ahead = following, label_ahead
        level = self.outline.level(index)
        token = self.outline.tokens[index]
        if LABEL_RE.match(text):
            self._outcome(index + 1, text)
        elif PLAN_LINE_RE.match(text) and self.problem is not None:
            self._plan_line(index + 1, PLAN_LINE_RE.match(text))
        elif level in ("aspect", "problem", "item") and self._continues(level, token):
            getattr(self, f"_{level}")(index + 1, token)
        else:
            self._other(index + 1, text)

    def _continues(self, level: str, token: Numbered) -> bool:
        """Inside an outcome, a numbered line is a heading only when it takes the next number
        of its level (an outcome's own 1. 2. list is text)."""
        if level == "item" and self.problem is None:
            return False
        if not self.in_outcome:
            return True
        styled = self.outline.styles.get(level)  # where problems read 关于“…”的问题, a heading has a wrapper
        title = clean_heading(token.rest)
        wrapped = styled is None or bool(styled.search(title)) or any(p.match(title) for p in TITLE_PATTERNS)
        return token.number == self.last.get(level, 0) + 1 and wrapped

    def _heading(self, level: str, number: int | None) -> None:
        self.last[level] = number or 0
        for deeper in ("problem", "item")[("aspect", "problem", "item").index(level):]:
            if deeper != level:
                self.last.pop(deeper, None)

    def _aspect(self, number: int, token: Numbered) -> None:
        self._heading("aspect", token.number)
        key = chinese_numeral(len(self.document.aspects) + 1)
        self.document.aspects[key] = clean_title(token.rest)
        self.document.aspect_lines[key] = number
        self.aspect, self.problem, self.item, self.in_outcome = key, None, None, False

    def _problem(self, number: int, token: Numbered) -> None:
        self._heading("problem", token.number)
        if self.aspect is None:  # no aspect level: one aspect holds every problem
            self.aspect = NUMERALS[0]
            self.document.aspects.setdefault(self.aspect, DEFAULT_ASPECT)
            self.document.aspect_lines.setdefault(self.aspect, number)
            self.document.default_aspect = True
        heading, labelled = split_label(_enumerated_title(token))
        self.problem = ParsedProblem(token.number or len(self.document.problems) + 1, clean_title(heading),
                                     self.aspect, number)
        self.document.problems.append(self.problem)
        self.item, self.in_outcome = None, False
        if labelled:  # 16.人事管理较为混乱。整改情况:…
            self._outcome(number, labelled)

    def _item(self, number: int, token: Numbered) -> None:
        self._heading("item", token.number)
        heading, labelled = split_label(_enumerated_title(token))
        self._new_item(number, clean_title(heading))
        if labelled:  # (1)学习不系统。整改成效:一是…
            self._outcome(number, labelled)
        elif token.family == ENUMERATED and "。" in token.rest.rstrip("。"):  # 一是加强学习。开展了…
            self._outcome_text(token.rest.split("。", 1)[1].strip())

    def _outcome(self, number: int, text: str) -> None:
        match = LABEL_RE.match(text)
        if self.problem is None:
            self.document.unplaced.append((number, text))
            return
        label, rest = match[1] or match[2], match[3]
        if self.item is None or self.item.outcome_lines or (label in MEASURES_WORDS and self.item.measures_lines):
            self._new_item(number, None)
        self.lines = self.item.measures_lines if label in MEASURES_WORDS else self.item.outcome_lines
        if rest:
            self.lines.append(rest)
        self.in_outcome = True

    def _plan_line(self, number: int, match: re.Match) -> None:
        if self.item is None:
            self._new_item(number, None)
        self.item.stated[_PLAN_WORDS[match[1]]] = match[2].strip()
        self.in_outcome = False  # what follows is no longer the measures' text

    def _outcome_text(self, text: str) -> None:
        self.lines = self.item.outcome_lines
        if text:
            self.lines.append(text)
        self.in_outcome = True

    def _other(self, number: int, text: str) -> None:
        starts_item = bool(LABEL_RE.match(self.following)) and self.item is not None and self.item.outcome_lines
        if self.in_outcome and self.item is not None and not starts_item:
            self.lines.append(text)  # a continuation paragraph of the outcome (or measures)
        elif self.problem is not None and self.item is None and not self.label_ahead:
            self._new_item(number, None)  # no label, no item heading: the problem's one item, its outcome
            self._outcome_text(text)
        elif self.problem is not None and (self.item is None or self.item.outcome_lines):
            self._new_item(number, clean_title(text))  # an unnumbered specific item
        elif self.item is not None and self.item.title and not self.item.outcome_lines and not self.label_ahead:
            self._outcome_text(text)  # no label: the paragraphs under a heading are its outcome
        else:
            self.document.unplaced.append((number, text))

    def _new_item(self, number: int, title: str | None) -> None:
        self.item = ParsedItem(len(self.problem.items) + 1, title, number)
        self.problem.items.append(self.item)
        self.in_outcome = False


def _enumerated_title(token: Numbered) -> str:
    """A heading's text; for 一是加强学习。…, the first sentence without 一是."""
    if token.family != ENUMERATED:
        return token.rest
    return re.sub(rf"^[{NUMERALS}]+是", "", token.rest).split("。", 1)[0]


def clean_title(text: str) -> str:
    """A title without its numbering, its wrapper (关于“…”的问题, 在“…”方面…) and a closing 。."""
    text = normalise(text)
    found = numbered(text)
    text = (found.rest if found.family not in (UNNUMBERED, ENUMERATED) else text).strip().rstrip("。").strip()
    for pattern in TITLE_PATTERNS:
        match = pattern.match(text)
        if match:
            return match[1].strip().rstrip("。")
    return text


def clean_heading(text: str) -> str:
    """A part's heading as the report keeps it: without numbering or a closing 。."""
    return text.strip().rstrip("。").strip()


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


def _read_opening(document: ParsedDocument, lines: list[str], first_problem: int) -> None:
    long_aspects = (line for line in lines[:first_problem]  # part 一's "(一)…" paragraphs tell other dates
                    if numbered(line).family != ASPECT_STYLE or len(line) < HEADING_LENGTH)
    opening = "\n".join(long_aspects)
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


TITLE_LINE_RE = re.compile(r"^(.{2,30}?)(?:党组|党委)?关于.{2,60}(?:通报|报告|情况|公告|意见|方案)$")


def _full_name(unit: str | None, opening: list[str]) -> str | None:
    """The unit as the title line names it in full (泾县城管执法局), when the paragraph uses a
    short form of it (县城管执法局, 城管执法局)."""
    for line in opening[:3]:
        match = TITLE_LINE_RE.match(line)
        if match and unit and unit != match[1] and match[1].endswith(unit):
            return match[1]
        if match and unit is None and fields.LEDGER.inspector.label not in match[1]:
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
