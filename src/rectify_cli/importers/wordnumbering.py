"""A .docx's paragraphs as the reader sees them: in document order through tables, with Word's automatic
numbering written out (一、 （一） 1. （1） ①) from the document's numbering definitions."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ..numerals import chinese_numeral

LEVELS = 9


def paragraph_lines(document) -> list[str]:
    numbering = _Numbering(document)
    return [numbering.label(p) + Paragraph(p, document).text for p in _paragraphs(document.element.body)]


def _paragraphs(container):
    """w:p elements in order, descending into table cells (a merged cell appears once)."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield child
        elif child.tag == qn("w:tbl"):
            for cell in child.iterchildren(qn("w:tr")):
                for tc in cell.iterchildren(qn("w:tc")):
                    yield from _paragraphs(tc)
        elif child.tag == qn("w:sdt"):  # content controls wrap ordinary paragraphs
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _paragraphs(content)


class _Numbering:
    """Counters per list (numId), levels below the one numbered reset, as Word shows them."""

    def __init__(self, document) -> None:
        self.document = document
        self.counters: dict[str, list[int | None]] = {}
        try:
            self.root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            self.root = None

    def label(self, p) -> str:
        num_id, level = self._num_pr(p)
        if self.root is None or num_id is None or num_id == "0":
            return ""
        levels = self._levels(num_id)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [None] * LEVELS)
        current = counters[level]
        counters[level] = levels[level]["start"] if current is None else current + 1
        for deeper in range(level + 1, LEVELS):
            counters[deeper] = None
        definition = levels[level]
        if definition["format"] in ("bullet", "none"):
            return ""
        text = definition["text"]
        for shown in range(level, -1, -1):  # %10 is not a thing: levels are 1..9
            value = counters[shown] if counters[shown] is not None else levels.get(shown, {}).get("start", 1)
            text = text.replace(f"%{shown + 1}", _formatted(value, levels.get(shown, definition)["format"]))
        return text

    def _num_pr(self, p) -> tuple[str | None, int]:
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            num_pr = self._style_num_pr(p)
        if num_pr is None:
            return None, 0
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        level = int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
        return (num_id.get(qn("w:val")) if num_id is not None else None), min(level, LEVELS - 1)

    def _style_num_pr(self, p):
        style_id = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style_id is None:
            return None
        styles = self.document.part.styles.element
        for style in styles.iterchildren(qn("w:style")):
            if style.get(qn("w:styleId")) == style_id.get(qn("w:val")):
                return style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        return None

    def _levels(self, num_id: str) -> dict[int, dict]:
        num = next((n for n in self.root.iterchildren(qn("w:num")) if n.get(qn("w:numId")) == num_id), None)
        if num is None:
            return {}
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        abstract = next((a for a in self.root.iterchildren(qn("w:abstractNum"))
                         if a.get(qn("w:abstractNumId")) == abstract_id), None)
        levels = {int(lvl.get(qn("w:ilvl"))): _level(lvl) for lvl in abstract.iterchildren(qn("w:lvl"))} if abstract is not None else {}
        for override in num.iterchildren(qn("w:lvlOverride")):
            start = override.find(qn("w:startOverride"))
            level = int(override.get(qn("w:ilvl")))
            if start is not None and level in levels:
                levels[level]["start"] = int(start.get(qn("w:val")))
        return levels


def _level(lvl) -> dict:
    def value(tag: str, default: str) -> str:
        element = lvl.find(qn(tag))
        return element.get(qn("w:val"), default) if element is not None else default

    return {"start": int(value("w:start", "1")), "format": value("w:numFmt", "decimal"), "text": value("w:lvlText", "")}


def _formatted(number: int, number_format: str) -> str:
    if number_format in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
                         "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_numeral(number)
    if number_format in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if number_format == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(number))
    if number_format in ("lowerLetter", "upperLetter") and 1 <= number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if number_format == "upperLetter" else letter
    return str(number)
