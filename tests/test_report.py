"""`rectify report`: the public progress report in the reference document's outline."""

from __future__ import annotations

import re

import docx
import pytest

from .conftest import REFERENCE

HEADING_RE = re.compile(r"^(\((一|二|三)\).+方面|\d+[.、]关于“.+”的问题|\(\d+\).+)。?$")


def reference_headings() -> list[str]:
    """Every aspect, problem and sub-item heading of part 二, in order, normalised."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("三、"))
    return [_normalise(line) for line in lines[start + 1 : end] if HEADING_RE.match(line)]


def _normalise(line: str) -> str:
    """The document writes `8、` and `15、` where the report writes `8.`; trailing 。 varies."""
    return re.sub(r"^(\d+)、", r"\1.", line).rstrip("。")


def report_headings(text: str) -> list[str]:
    return [_normalise(line.lstrip("# ")) for line in text.splitlines() if HEADING_RE.match(line.lstrip("# "))]


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_every_heading_of_the_reference_in_order(rectify, fmt):
    out = rectify("--today", "2022-02-23", "report", "--format", fmt)
    assert out.code == 0, out.stderr
    expected = reference_headings()
    assert len(expected) == 3 + 17 + 28
    assert report_headings(out.stdout) == expected


def test_opening_paragraph_has_dates_and_counts(rectify):
    text = rectify("--today", "2022-02-23", "report", "--format", "txt").stdout
    opening = text.splitlines()[1]
    assert "2021年8月30日至2021年9月18日" in opening
    assert "2021年10月29日" in opening
    assert "34个具体问题" in opening
    assert "已完成整改28个,正在整改6个,整改完成率82.4%" in opening
    assert text.rstrip().endswith("请及时向我们反映。")


def test_outcomes_follow_and_open_items_are_marked(rectify):
    text = rectify("report", "--format", "txt").stdout
    outcomes = [line for line in text.splitlines() if line.startswith("整改成效:")]
    assert len(outcomes) == 34
    assert sum(line.endswith("(该项正在整改中)") for line in outcomes) == 6
    lines = text.splitlines()
    position = lines.index("(2)截止2021年8月底,报废固定资产账面原价457272.89元,未及时处置,造成资产不实。")
    assert lines[position + 1].endswith("(该项正在整改中)")


def test_word_document(rectify, tmp_path):
    target = tmp_path / "整改进展情况.docx"
    out = rectify("--today", "2022-02-23", "report", "--format", "docx", "-o", str(target))
    assert out.code == 0, out.stderr
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert report_headings("\n".join(paragraphs)) == reference_headings()


def test_word_needs_an_output_file(rectify):
    out = rectify("report", "--format", "docx")
    assert out.code == 2
    assert "-o" in out.stderr and out.stdout == ""
