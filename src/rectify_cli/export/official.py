"""The report as a Word document laid out as GB/T 9704-2012 (党政机关公文格式) prescribes.

Every figure of the standard is a named constant here, in one place; report.py only builds the
paragraphs. Fonts are named as Chinese offices install them (仿宋_GB2312, 楷体_GB2312, 黑体,
方正小标宋简体); a machine without them substitutes its own.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from ..views import inert
from .report import FULL_WIDTH

if TYPE_CHECKING:
    from .report import Paragraph

MM_PER_PT = 25.4 / 72

# Page (GB/T 9704 §5.2): A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37, 35, 28, 26
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - TOP_MM - BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH_PT = TEXT_HEIGHT_MM / MM_PER_PT / LINES_PER_PAGE  # ≈ 28.99 pt: 22 lines fill the 版心

# Type (号 → pt) and fonts by element.
TITLE_PT, BODY_PT, PAGE_NUMBER_PT = 22, 16, 14  # 二号, 三号, 四号
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"  # named in the font table as 方正小标宋简体's alternative
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}  # 一、 （一） 1. （1）
BOLD_LEVELS = {3}  # level 3 (1.) may be bold; the standard's offices make it so
LATIN_FONT = "Times New Roman"  # digits and Latin letters in the text
PAGE_NUMBER_FONT = "宋体"
FIRST_LINE_INDENT_CHARS = 2
SIGNATURE_RIGHT_INDENT_CHARS = 4  # the 落款's date about four characters in from the right
PAGE_NUMBER_INSET_CHARS = 1  # odd pages right, even left, one character in from the 版心's edge
PAGE_NUMBER_BELOW_MM = 7  # the page number's line sits 7 mm below the 版心

PROPERTY_LIMIT = 255  # characters of a core property (title, author)

STYLE_NAMES = {0: "公文标题", 1: "一级标题", 2: "二级标题", 3: "三级标题", 4: "四级标题"}
SIGNATURE_STYLE = "落款"

# Ledger text keeps its ASCII punctuation; between Chinese characters the docx shows it full-width.
_CHINESE = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
_BESIDE_CHINESE = re.compile(rf"(?<=[{_CHINESE}])[(),:;]+|[(),:;]+(?=[{_CHINESE}])")
_BRACKETED = re.compile(rf"\((?=[^()]*[{_CHINESE}])[^()]*\)|\([0-9A-Za-z一-十]{{1,3}}\)(?=[{_CHINESE}])")


def full_width(text: str) -> str:
    """ASCII ( ) : , ; written next to Chinese text shown full-width: `(1)学习` → `（1）学习`."""
    text = _BRACKETED.sub(lambda m: m.group().translate(FULL_WIDTH), text)
    return _BESIDE_CHINESE.sub(lambda m: m.group().translate(FULL_WIDTH), text)


def document(paragraphs: list[Paragraph], title: str, unit: str) -> bytes:
    """The .docx bytes: A4, the 版心, the styles of each level, page numbers and properties."""
    from docx import Document

    doc = Document()
    _page(doc)
    _styles(doc)
    _page_numbers(doc)
    _title_fallback(doc)
    from docx.shared import Pt

    previous = None
    for paragraph in paragraphs:
        style = SIGNATURE_STYLE if paragraph.signed else STYLE_NAMES.get(paragraph.level, "Normal")
        block = doc.add_paragraph(full_width(inert(paragraph.text, keep_newlines=False)), style=style)
        if paragraph.signed and not (previous and previous.signed):
            block.paragraph_format.space_before = Pt(LINE_PITCH_PT)  # one blank line above the 落款
        previous = paragraph
    properties = doc.core_properties
    properties.title = _property(title)
    properties.author = properties.last_modified_by = _property(unit)
    doc.core_properties.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _property(text: str) -> str:
    """Ledger text as a core property: inert, and within the format's 255 characters."""
    return inert(text, keep_newlines=False)[:PROPERTY_LIMIT]


def _page(doc) -> None:
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.header_distance = Mm(TOP_MM / 2)
    section.footer_distance = Mm(BOTTOM_MM - PAGE_NUMBER_BELOW_MM) - Pt(PAGE_NUMBER_PT)


def _fonts(style_or_run, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Chinese text takes `w:eastAsia`; digits and Latin letters `w:ascii` and `w:hAnsi`."""
    from docx.oxml.ns import qn

    fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute, name in (("w:eastAsia", east_asian), ("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin)):
        fonts.set(qn(attribute), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    layout = normal.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(LINE_PITCH_PT)
    layout.space_before = layout.space_after = Pt(0)
    layout.first_line_indent = Pt(BODY_PT * FIRST_LINE_INDENT_CHARS)
    layout.widow_control = False  # a line moved over would break the 22-line grid
    for level, name in STYLE_NAMES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        if level == 0:
            _fonts(style, TITLE_FONT)
            style.font.size = Pt(TITLE_PT)
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            style.paragraph_format.first_line_indent = Pt(0)
            style.paragraph_format.space_after = Pt(LINE_PITCH_PT)  # one blank line under the title
        else:
            _fonts(style, HEADING_FONTS[level])
            style.font.bold = level in BOLD_LEVELS
            style.paragraph_format.keep_with_next = True
        _outline_level(style, level)
    signature = doc.styles.add_style(SIGNATURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = normal
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.first_line_indent = Pt(0)
    signature.paragraph_format.right_indent = Pt(BODY_PT * SIGNATURE_RIGHT_INDENT_CHARS)


def _outline_level(style, level: int) -> None:
    """Headings appear in Word's navigation pane (outline level 0 is the title)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    style.element.get_or_add_pPr().append(outline)


def _page_numbers(doc) -> None:
    """`— N —` in 4号 宋体 on every page: odd pages right, even pages left (w:evenAndOddHeaders)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.different_first_page_header_footer = False  # page 1 is numbered too
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph, alignment) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    layout = paragraph.paragraph_format
    layout.alignment = alignment
    layout.first_line_indent = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    inset = Pt(PAGE_NUMBER_PT * PAGE_NUMBER_INSET_CHARS)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        layout.right_indent = inset
    else:
        layout.left_indent = inset
    for part in ("— ", None, " —"):
        run = paragraph.add_run(part) if part else _page_field(paragraph)
        _fonts(run, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        run.font.size = Pt(PAGE_NUMBER_PT)


def _page_field(paragraph):
    """A run holding the PAGE field (with 1 as its last shown value)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    return run


def _title_fallback(doc) -> None:
    """Where 方正小标宋简体 is not installed, the font table offers 宋体 (a 宋 face, GB2312)."""
    from docx.oxml import parse_xml
    from lxml import etree

    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    fonts = parse_xml(part.blob)
    font = parse_xml(
        f'<w:font xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:name="{TITLE_FONT}">'
        f'<w:altName w:val="{TITLE_FALLBACK}"/><w:charset w:val="86"/><w:family w:val="roman"/>'
        '<w:pitch w:val="variable"/></w:font>')
    fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
