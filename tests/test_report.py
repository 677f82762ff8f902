"""`rectify report`: the public progress report in the reference document's outline."""

from __future__ import annotations

import math
import re
import unicodedata

import docx
import pytest
import yaml
from docx.shared import Mm, Pt

from rectify_cli.export import official

from .conftest import REFERENCE
from .render import needs_office, page_size_mm, pdf_pages, to_pdf

AS_OF = ("--today", "2022-02-23")
HEADING_RE = re.compile(r"^(\((一|二|三)\).+方面|\d+[.、]关于“.+”的问题|\(\d+\).+)。?$")
STANDING = "截至2022年2月23日，已完成整改28个，正在整改6个，整改完成率82.4%。"


def normalise(paragraph: str) -> str:
    """Issue 13's matching rule: NFKC, no whitespace, `8、` read as `8.`, a trailing 。 ignored."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", paragraph))
    return re.sub(r"^(\d+)、", r"\1.", text).removesuffix("。")


def reference_paragraphs() -> list[str]:
    """The reference after its source line and opening paragraph."""
    return [normalise(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines()[2:] if line.strip()]


def reference_headings() -> list[str]:
    """Every aspect, problem and sub-item heading of part 二, in order, normalised."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("三、"))
    return [normalise(line) for line in lines[start + 1 : end] if HEADING_RE.match(normalise(line))]


def report_headings(text: str) -> list[str]:
    lines = (normalise(line.lstrip("# ")) for line in text.splitlines())
    return [line for line in lines if HEADING_RE.match(line)]


def report_text(rectify, *args: str) -> str:
    out = rectify(*AS_OF, "report", "--format", "txt", *args)
    assert out.code == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_every_heading_of_the_reference_in_order(rectify, fmt):
    out = rectify(*AS_OF, "report", "--format", fmt)
    assert out.code == 0, out.stderr
    expected = reference_headings()
    assert len(expected) == 3 + 17 + 28
    assert report_headings(out.stdout) == expected


def test_the_reference_reproduced_after_its_opening(rectify):
    """Issue 13 point 4: every paragraph of the reference starts an output paragraph, in order."""
    output = [normalise(line) for line in report_text(rectify).splitlines()]
    position = 0
    for wanted in reference_paragraphs():
        found = next((i for i in range(position, len(output)) if output[i].startswith(wanted)), None)
        assert found is not None, f"not found after output paragraph {position}: {wanted[:40]}"
        position = found + 1


def test_opening_as_written_then_where_the_work_stands(rectify):
    lines = report_text(rectify).splitlines()
    assert lines[1] == REFERENCE.read_text(encoding="utf-8").splitlines()[1]
    assert lines[2] == STANDING
    assert sum("已完成整改" in line for line in lines) == 1
    assert [line for line in lines if re.match("^[一二三四]、", line)] == [
        "一、高点站位,坚持政治统领,全面抓好整改工作部署落实",
        "二、严实并举,坚持问题导向,全力推动整改任务落地见效",
        "三、建章立制,坚持常态长效,全面促使整改成果巩固提升"]
    assert lines[-3].startswith("欢迎广大干部群众") and lines[-2:] == ["泾县城管执法局", "2022年2月25日"]  # the publication date report: holds


def test_a_ledger_without_report_has_the_generated_outline(ledger, rectify):
    source = ledger / "ledger.yaml"
    info = yaml.safe_load(source.read_text(encoding="utf-8"))
    del info["report"]
    source.write_text(yaml.safe_dump(info, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = report_text(rectify).splitlines()
    opening = lines[1]
    assert opening.startswith("2021年8月30日至2021年9月18日，县委第二巡察组对泾县城管执法局进行了巡察。")
    assert "2021年10月29日，" in opening and "等34个具体问题。" in opening
    assert STANDING in opening
    assert lines[2] == "在巡察整改工作中，制定及修改完善制度16项（新建13项、修订3项）。"
    assert lines[3] == "（一）贯彻落实党的路线方针政策和党中央决策部署方面"
    assert not any(re.match("^[一二三]、", line) for line in lines)
    assert lines[-3] == "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_the_tools_words_are_full_width(rectify, fmt):
    text = rectify(*AS_OF, "report", "--format", fmt).stdout
    assert "（二）群众身边腐败问题和不正之风方面" in text and "(二)群众身边" not in text
    assert "（1）学习不系统、不全面。" in text
    assert "整改成效:" not in text and text.count("整改成效：") == 34
    assert "(一)组织领导上做到坚强有力" in text  # ledger text as written


def test_outcomes_follow_and_open_items_are_marked(rectify):
    lines = report_text(rectify).splitlines()
    outcomes = [line for line in lines if line.startswith("整改成效：")]
    assert len(outcomes) == 34
    assert sum(line.endswith("（该项正在整改中）") for line in outcomes) == 6
    position = lines.index("（2）截止2021年8月底,报废固定资产账面原价457272.89元,未及时处置,造成资产不实。")
    assert lines[position + 1].endswith("（该项正在整改中）")


def test_an_open_item_ends_with_its_latest_progress(rectify):
    for day, text in (("2022-02-01", "清理出需处置的资产"), ("2022-03-01", "已向财政局提交处置申请")):
        assert rectify("note", "13.2", text, "--on", day, "--by", "张三").code == 0
    lines = report_text(rectify).splitlines()
    position = lines.index("（2）截止2021年8月底,报废固定资产账面原价457272.89元,未及时处置,造成资产不实。")
    assert lines[position + 1].startswith("整改成效：") and not lines[position + 1].endswith("（该项正在整改中）")
    assert lines[position + 2] == "整改进展：2022年3月1日，已向财政局提交处置申请。（该项正在整改中）"
    assert "清理出需处置的资产" not in "\n".join(lines)


def test_full_width_only_beside_chinese():
    assert official.full_width("(1)学习,提高:电话:0563;邮箱") == "（1）学习，提高：电话：0563；邮箱"
    assert official.full_width("设在(局办公室),具体") == "设在（局办公室），具体"
    assert official.full_width("see (a, b): 3.5") == "see (a, b): 3.5"


@pytest.fixture
def word(rectify, tmp_path):
    target = tmp_path / "整改进展情况.docx"
    out = rectify(*AS_OF, "report", "--format", "docx", "-o", str(target))
    assert out.code == 0, out.stderr
    return target


def test_word_document_has_every_heading(word):
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert report_headings("\n".join(paragraphs)) == reference_headings()
    assert "一、高点站位，坚持政治统领，全面抓好整改工作部署落实" in paragraphs
    assert "联系方式：电话：0563—5035580；电子邮箱：13966175668@163.com。" in paragraphs[-3]


def _east_asian(style) -> str:
    return style.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_word_layout_is_gbt_9704(word):
    """Issue 13 point 1, read from the file: page, margins, fonts, spacing, footers, properties."""
    document = docx.Document(str(word))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    styles = document.styles
    normal = styles["Normal"]
    assert (_east_asian(normal), normal.font.size) == ("仿宋_GB2312", Pt(16))
    assert normal.paragraph_format.first_line_indent == Pt(32)
    assert abs(normal.paragraph_format.line_spacing.pt * 22 - Mm(225).pt) < 22 * 0.05
    fonts = {name: (_east_asian(styles[name]), styles[name].font.bold) for name in official.STYLE_NAMES.values()}
    assert fonts == {"公文标题": ("方正小标宋简体", None), "一级标题": ("黑体", False),
                     "二级标题": ("楷体_GB2312", False), "三级标题": ("仿宋_GB2312", True),
                     "四级标题": ("仿宋_GB2312", False)}
    assert styles["公文标题"].font.size == Pt(22)
    by_style = {p.style.name: p.text for p in document.paragraphs}
    assert by_style["一级标题"].startswith("三、") and by_style["三级标题"].startswith("17.")
    signature = [p for p in document.paragraphs if p.style.name == "落款"]
    assert [p.text for p in signature] == ["泾县城管执法局", "2022年2月25日"]
    assert styles["落款"].paragraph_format.right_indent == Pt(64)
    assert document.settings.odd_and_even_pages_header_footer
    assert not section.different_first_page_header_footer
    for footer, alignment in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        paragraph = footer.paragraphs[0]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert " PAGE " in paragraph._p.xml and paragraph.alignment.name == alignment
        assert {run.font.size for run in paragraph.runs} == {Pt(14)}
    properties = document.core_properties
    assert (properties.title, properties.author) == ("泾县城管执法局关于县委第二巡察组巡察反馈意见整改进展情况的通报",
                                                     "泾县城管执法局")


def predicted_pages(paragraphs) -> float:
    """22 lines of 28 characters a page; a title or 落款 line is one line."""
    lines = sum(1 if p.style.name in ("公文标题", "落款") else math.ceil((len(p.text) + 2) / 28)
                for p in paragraphs)
    return lines / official.LINES_PER_PAGE


@needs_office
@pytest.mark.slow
def test_word_as_printed_slow(word, tmp_path):
    """Issue 13 point 5: LibreOffice's PDF is A4, numbered `— N —`, holds every heading and
    has the number of pages the 22 × 28 grid predicts."""
    pdf = to_pdf(word, tmp_path / "pdf")
    width, height = page_size_mm(pdf)
    assert abs(width - 210) < 1 and abs(height - 297) < 1
    pages = pdf_pages(pdf)
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"—\s*{number}\s*—", page), f"page {number} has no — {number} —"
    text = re.sub(r"\s+", "", "".join(pages))
    paragraphs = docx.Document(str(word)).paragraphs
    for heading in (p.text for p in paragraphs if p.style.name in official.STYLE_NAMES.values()):
        assert re.sub(r"\s+", "", heading) in text, heading
    predicted = predicted_pages(paragraphs)
    assert abs(len(pages) - predicted) <= 0.15 * predicted, (len(pages), predicted)


def test_word_needs_an_output_file(rectify):
    out = rectify("report", "--format", "docx")
    assert out.code == 2
    assert "-o" in out.stderr and out.stdout == ""


def test_problems_follow_the_parts_where_none_is_marked(ledger, rectify):
    source = ledger / "ledger.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("      problems: true\n", ""), encoding="utf-8")
    lines = report_text(rectify).splitlines()
    third = lines.index("三、建章立制,坚持常态长效,全面促使整改成果巩固提升")
    assert lines[third - 1] == "二、严实并举,坚持问题导向,全力推动整改任务落地见效"
    assert lines.index("（一）贯彻落实党的路线方针政策和党中央决策部署方面") > third
    assert report_headings("\n".join(lines)) == reference_headings()


def test_a_later_report_is_signed_on_its_own_day(rectify):
    """The imported report's publication date signs a report of its own snapshot, not a later one."""
    out = rectify("--today", "2022-06-30", "report", "-f", "txt")
    assert out.code == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "2022年6月30日"
