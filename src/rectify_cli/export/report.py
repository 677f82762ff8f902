"""The public progress report (整改进展情况) in the reference document's outline.

`build` makes the paragraphs: the title; the opening; the parts of the ledger's `report:`
(一、 二、 三、, numbered here), one of which holds every aspect, problem and item with its
outcome; the closing; the 落款. Without `report:` the outline is the opening, the problems and
the usual closing. The tool's own words use full-width punctuation; ledger text is as written.
as_text / as_markdown print the paragraphs; as_docx lays them out (official.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .. import fields
from ..numerals import NUMERALS, chinese_numeral
from ..records import Entry, Ledger
from ..stats import overall, rate_text, results
from ..views import inert, results_sentence
from ..vocab import COUNT_BY_LABELS, Action, Status

CLOSING = "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"
IN_PROGRESS = "（该项正在整改中）"
PROGRESS_LABEL = fields.ITEM.history.label  # 整改进展
# ASCII punctuation and its full-width form: the report's own words use the latter
FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})
_SENTENCE_END = re.compile(r"[。！？]$")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the report; `level` 0 is the title, 1–4 the outline's heading levels."""

    text: str
    level: int | None = None  # None: body text
    signed: bool = False  # a line of the 落款 (unit and date)


def chinese_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "（日期未填）"


def _inspection_dates(info) -> str:
    if info.inspection is None:
        return "（巡察日期未填）"
    return f"{chinese_date(info.inspection.start)}至{chinese_date(info.inspection.end)}"


def title(ledger: Ledger) -> str:
    info = ledger.info
    return f"{info.unit}关于{info.inspector}巡察反馈意见整改进展情况的通报"


def build(ledger: Ledger, today: dt.date) -> list[Paragraph]:
    """The report's paragraphs, dated `today` (the ledger's as_of for a snapshot)."""
    entries = ledger.entries()
    report = ledger.info.report
    paragraphs = [Paragraph(title(ledger), 0), *_opening(ledger, entries, today, report)]
    sections = list(report.sections) if report else []
    if not any(section.problems for section in sections):
        sections.append(None)  # no part is marked for the problems: they follow the parts
    numbered = 0
    for section in sections:
        heading = section.heading if section else None
        if heading:
            numbered += 1
            paragraphs.append(Paragraph(f"{chinese_numeral(numbered)}、{heading}", 1))
        if section is None or section.problems:
            paragraphs += _problems(ledger, entries)
        if section is not None:
            paragraphs += [Paragraph(text) for text in section.paragraphs]
    paragraphs += [Paragraph(text) for text in (report.closing if report and report.closing else [CLOSING])]
    published = report.date if report is not None else None  # the imported report's publication date,
    signed_on = published if published and published >= today else today  # for its own snapshot only
    paragraphs += [Paragraph(ledger.info.unit, signed=True), Paragraph(chinese_date(signed_on), signed=True)]
    return paragraphs


def _opening(ledger: Ledger, entries: list[Entry], today: dt.date, report) -> list[Paragraph]:
    """The ledger's opening as written, then where the work stands (unless the opening says it);
    without one, a generated opening with the dates and counts. Then the results sentence."""
    info = ledger.info
    figures = overall(ledger, entries, today, filtered=False)
    standing = (f"截至{chinese_date(today)}，已完成整改{figures.closed}个，正在整改{figures.open}个，"
                f"整改完成率{rate_text(figures.rate)}。")
    if report and report.opening:
        paragraphs = [Paragraph(text) for text in report.opening]
        if not any("已完成整改" in text for text in report.opening):
            paragraphs.append(Paragraph(standing))
    else:
        first_aspect = next(iter(info.aspects.values()), "")
        paragraphs = [Paragraph(
            f"{_inspection_dates(info)}，{info.inspector}对{info.unit}进行了巡察。"
            f"{chinese_date(info.feedback_date)}，{info.inspector}反馈了巡察意见，"
            f"指出了{first_aspect}等{figures.stated}个{COUNT_BY_LABELS[figures.count_by]}。{standing}"
            "按照党务公开原则和巡察工作有关要求，现将巡察整改进展情况予以公布。")]
    sentence = results_sentence(results(ledger, entries, filtered=False))
    if sentence:
        paragraphs.append(Paragraph(sentence.translate(FULL_WIDTH)))  # summary's wording, full-width
    return paragraphs


def _problems(ledger: Ledger, entries: list[Entry]) -> list[Paragraph]:
    paragraphs = []
    for position, (key, name) in enumerate(ledger.info.aspects.items(), start=1):
        numeral = key if key in NUMERALS else chinese_numeral(position)
        paragraphs.append(Paragraph(f"（{numeral}）{name}", 2))
        for problem in sorted((p for p in ledger.problems if p.aspect == key), key=lambda p: p.id):
            paragraphs += _problem(problem, entries)
    return paragraphs


def _problem(problem, entries: list[Entry]) -> list[Paragraph]:
    paragraphs = [Paragraph(f"{problem.id}.关于“{problem.title}”的问题。", 3)]
    for entry in (e for e in entries if e.problem.id == problem.id):
        if not entry.single:
            paragraphs.append(Paragraph(f"（{entry.item.number}）{_sentence(entry.item.title or '')}", 4))
        paragraphs += _outcome(entry)
    return paragraphs


def _sentence(text: str) -> str:
    """Ledger text ending a paragraph: as written, with a 。 where it has no closing mark."""
    return text if _SENTENCE_END.search(text) else text + "。"


def _outcome(entry: Entry) -> list[Paragraph]:
    """整改成效：…; an open item adds its latest progress notes and （该项正在整改中）."""
    label = fields.ITEM.outcome.label
    texts = [f"{label}：{entry.item.outcome or f'（尚未填写{label}）'}"]
    if entry.item.status is not Status.OPEN:
        return [Paragraph(texts[0])]
    texts += [f"{PROGRESS_LABEL}：{chinese_date(note.date)}，{_sentence(note.note)}" for note in latest_progress(entry.item)]
    texts[-1] += IN_PROGRESS
    return [Paragraph(text) for text in texts]


def latest_progress(item) -> list:
    """The progress notes of the latest date since the item was last reopened, in their order."""
    since = [event for event in item.history if event.action is Action.REOPEN]
    start = item.history.index(since[-1]) + 1 if since else 0
    notes = [e for e in item.history[start:] if e.action is Action.PROGRESS and e.note]
    latest = max((note.date for note in notes), default=None)
    return [note for note in notes if note.date == latest]


def as_text(paragraphs: list[Paragraph]) -> str:
    return "\n".join(inert(p.text, keep_newlines=False) for p in paragraphs) + "\n"


def as_markdown(paragraphs: list[Paragraph]) -> str:
    lines = []
    for paragraph in paragraphs:
        prefix = "#" * (paragraph.level + 1) + " " if paragraph.level is not None else ""
        lines += [prefix + _md_escape(inert(paragraph.text, keep_newlines=False)), ""]
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def as_docx(paragraphs: list[Paragraph], unit: str) -> bytes:
    """A Word document in the GB/T 9704 layout (official.py), which is what gets published."""
    from . import official

    heading = next((p.text for p in paragraphs if p.level == 0), "")
    return official.document(paragraphs, heading, unit)
