"""The public progress report (整改进展情况) in the reference document's outline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import fields
from ..records import Entry, Ledger
from ..stats import overall, rate_text, results
from ..views import inert, results_sentence
from ..vocab import COUNT_BY_LABELS, Status

NUMERALS = "一二三四五六七八九十"
CLOSING = "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议,请及时向我们反映。"
IN_PROGRESS = "(该项正在整改中)"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the report; `level` 0 is the title, 1–4 the outline's heading levels."""

    text: str
    level: int | None = None  # None: body text


def chinese_number(position: int) -> str:
    if position <= 10:
        return NUMERALS[position - 1]
    tens, ones = divmod(position, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "(日期未填)"


def _inspection_dates(info) -> str:
    if info.inspection is None:
        return "(巡察日期未填)"
    return f"{_date(info.inspection.start)}至{_date(info.inspection.end)}"


def build(ledger: Ledger, today: dt.date) -> list[Paragraph]:
    entries = ledger.entries()
    figures = overall(ledger, entries, today, filtered=False)
    info = ledger.info
    paragraphs = [Paragraph(f"{info.unit}关于{info.inspector}巡察反馈意见整改进展情况的通报", 0)]
    first_aspect = next(iter(info.aspects.values()), "")
    paragraphs.append(Paragraph(
        f"{_inspection_dates(info)},{info.inspector}对{info.unit}进行了巡察。"
        f"{_date(info.feedback_date)},{info.inspector}反馈了巡察意见,指出了{first_aspect}等{figures.stated}个{COUNT_BY_LABELS[figures.count_by]}。"
        f"截至{_date(today)},已完成整改{figures.closed}个,正在整改{figures.open}个,整改完成率{rate_text(figures.rate)}。"
        "按照党务公开原则和巡察工作有关要求,现将巡察整改进展情况予以公布。"
    ))
    sentence = results_sentence(results(ledger, entries, filtered=False))
    if sentence:
        paragraphs.append(Paragraph(sentence))
    for position, (key, title) in enumerate(info.aspects.items(), start=1):
        numeral = key if key in NUMERALS else chinese_number(position)
        paragraphs.append(Paragraph(f"({numeral}){title}", 1))
        for problem in sorted((p for p in ledger.problems if p.aspect == key), key=lambda p: p.id):
            paragraphs += _problem(problem, entries)
    paragraphs.append(Paragraph(CLOSING))
    return paragraphs


def _problem(problem, entries: list[Entry]) -> list[Paragraph]:
    paragraphs = [Paragraph(f"{problem.id}.关于“{problem.title}”的问题。", 2)]
    own = [e for e in entries if e.problem.id == problem.id]
    for entry in own:
        if not entry.single:
            paragraphs.append(Paragraph(f"({entry.item.number}){entry.item.title}。", 3))
        paragraphs.append(Paragraph(_outcome(entry)))
    return paragraphs


def _outcome(entry: Entry) -> str:
    label = fields.ITEM.outcome.label
    text = entry.item.outcome or f"(尚未填写{label})"
    if entry.item.status is Status.OPEN:
        return f"{label}:{text}{IN_PROGRESS}"
    return f"{label}:{text}"


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


def as_docx(paragraphs: list[Paragraph]) -> bytes:
    """A Word document (python-docx), which is what gets published."""
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    for paragraph in paragraphs:
        block = document.add_paragraph()
        run = block.add_run(inert(paragraph.text, keep_newlines=False))
        if paragraph.level == 0:
            block.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(20)
        elif paragraph.level is not None:
            run.bold = True
        else:
            block.paragraph_format.first_line_indent = Pt(28)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
