"""export of a workspace (issue 16, point 2): the xlsx 台账 with a 单位 column and a per-unit
统计 sheet, the html board with a row per unit, json and md; the broken ledger named, exit 1."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest

from . import workspace_support
from .conftest import write_issue
from .render import needs_office, pdf_pages, to_pdf
from .workspace_support import TAOHUA, TODAY, run

space = workspace_support.space  # the fixture
TITLE = "县委巡察办 2022年巡察整改汇总"
LONG = "反复核查整改成效。" * 150  # taller than a row can be: continued in the 附表


def export(space, tmp_path, fmt: str, *args: str):
    target = tmp_path / f"汇总.{fmt}"
    out = run(space, "--today", TODAY, "export", "-f", fmt, "-o", str(target), *args)
    return out, target


def summary_rows(space, *args: str) -> list[dict]:
    out = run(space, "--today", TODAY, "summary", "--by", "unit", "--format", "json", *args)
    return json.loads(out.stdout)


def sheet_rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True)]


def unit_table(sheet) -> list[tuple]:
    """The 统计 sheet's rows by unit: from under its header to the 合计 row."""
    rows = sheet_rows(sheet)
    start = next(index for index, row in enumerate(rows) if row[:3] == ("单位", "轮次", "层级"))
    end = next(index for index, row in enumerate(rows) if row[0] == "合计")
    return rows[start + 1:end]


def test_xlsx_has_a_unit_column_and_each_units_official_figures(space, tmp_path):
    out, target = export(space, tmp_path, "xlsx")
    assert out.code == 1 and "未计入 坏账局" in out.stderr  # named, left out, the command fails
    book = openpyxl.load_workbook(target)
    ledger = book["整改台账"]
    assert ledger["A1"].value == TITLE
    assert [ledger.cell(row=2, column=column).value for column in (1, 2)] == ["单位", "序号"]
    units = [row[0] for row in ledger.iter_rows(min_row=3, max_row=3 + 68, values_only=True)]
    assert units[:34] == ["城管局"] * 34 and units[34:68] == [TAOHUA] * 34 and units[68] is None
    stats = book["统计"]
    data = summary_rows(space)
    assert stats["A1"].value == data["summary"]["sentence"]  # the sentence summary prints
    table = unit_table(stats)
    assert [(row[0], row[3], row[4], row[5], row[6]) for row in table] == [
        (row["label"], row["total"], row["closed"], row["open"], row["overdue"]) for row in data["rows"]]
    assert [round(row[7] * 100, 1) for row in table] == [row["rate"] for row in data["rows"]]
    assert [row[1:3] for row in table] == [("四届第七轮", "县直单位"), ("四届第七轮", "乡镇")]
    rate_cells = [row[7] for row in stats.iter_rows() if row[0].value in ("城管局", TAOHUA)]
    assert rate_cells and all(cell.number_format == "0.0%" for cell in rate_cells)
    texts = [row[0] for row in sheet_rows(stats)]
    assert "完成率排名" in texts and "(未计入:坏账局)" in texts
    assert texts.index("(未计入:坏账局)") > texts.index("合计")  # under the tables


def test_xlsx_narrowed_with_chosen_columns_and_a_continued_text_qualified(space, tmp_path):
    issue = space / "chengguan" / "issues" / "02.yaml"
    text = issue.read_text(encoding="utf-8")
    write_issue(space / "chengguan", "02.yaml", text.replace("    outcome: |-\n      一是", f"    outcome: |-\n      {LONG}一是", 1))
    out, target = export(space, tmp_path, "xlsx", "--unit", "城管局", "--columns", "序号,outcome,status")
    assert out.code == 0, out.stderr
    book = openpyxl.load_workbook(target)
    rows = sheet_rows(book["整改台账"])
    assert rows[1][:4] == ("单位", "序号", "整改进展及成效", "完成情况")
    assert {row[0] for row in rows[2:36]} == {"城管局"}
    continued = sheet_rows(book["附表"])
    assert continued[1][1] == "城管局/2" and LONG in "".join(row[3] for row in continued[1:])
    assert [row[0] for row in unit_table(book["统计"])] == ["城管局"]


def test_import_refuses_a_workspace_workbook_in_one_line(space, tmp_path):
    _out, target = export(space, tmp_path, "xlsx")
    out = run(space / "taohua", "import", "xlsx", str(target), "--dry-run")
    assert out.code == 1
    assert "工作区的汇总表" in out.stderr and len(out.stderr.strip().splitlines()) == 1


class Board(HTMLParser):
    """The unit table's rows (their cells' texts) and the page's paragraphs."""

    def __init__(self):
        super().__init__()
        self.units: dict[str, list[str]] = {}
        self.overdue: list[str] = []
        self.paragraphs: list[str] = []
        self._table = self._unit = self._text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
        elif tag == "tr" and self._table == "units" and "data-unit" in attrs:
            self._unit = attrs["data-unit"]
            self.units[self._unit] = []
        elif tag == "tr" and self._table == "overdue" and "data-id" in attrs:
            self.overdue.append(attrs["data-id"])
        elif tag in ("td", "p"):
            self._text = ""

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "td" and self._unit:
            self.units[self._unit].append(self._text)
        elif tag == "p":
            self.paragraphs.append(self._text)
        if tag in ("td", "p"):
            self._text = None
        if tag == "tr":
            self._unit = None


def test_html_board_has_a_row_per_unit_and_names_the_excluded(space, tmp_path):
    out, target = export(space, tmp_path, "html")
    assert out.code == 1
    page = target.read_text(encoding="utf-8")
    assert '<meta name="viewport"' in page and "max-width:40em" in page
    board = Board()
    board.feed(page)
    data = summary_rows(space)
    assert list(board.units) == [row["label"] for row in data["rows"]]
    for row in data["rows"]:
        cells = board.units[row["label"]]
        assert cells[3:7] == [str(row[key]) for key in ("total", "closed", "open", "overdue")]
        assert cells[7] == f"{row['rate']}%"
    assert board.units[TAOHUA][1:3] == ["四届第七轮", "乡镇"]
    assert data["summary"]["sentence"] in board.paragraphs
    assert "(未计入:坏账局)" in board.paragraphs
    assert board.overdue == [f"{TAOHUA}/8.2"]  # each unit's overdue items, their IDs qualified
    assert 'class="overdue" data-unit="桃花潭镇人民政府"' in page  # coloured as the legend says


def test_json_and_md_of_a_workspace(space):
    out = run(space, "--today", TODAY, "export", "-f", "json", "--overdue")
    assert out.code == 1
    data = json.loads(out.stdout)
    assert [item["id"] for item in data["items"]] == [f"{TAOHUA}/8.2"]
    assert [gone["unit"] for gone in data["excluded"]] == ["坏账局"]
    md = run(space, "--today", TODAY, "export", "-f", "md", "--level", "乡镇")
    assert md.code == 0, md.stderr
    lines = md.stdout.splitlines()
    assert lines[0] == f"# {TITLE}" and lines[2].startswith("本轮巡察反馈问题34个")
    table = [line for line in lines if line.startswith("| ")]
    assert table[0].startswith("| 单位 | 序号 |") and len(table) == 1 + 34
    assert all(line.startswith(f"| {TAOHUA} |") for line in table[1:])


def test_form_of_a_workspace_is_refused(space, tmp_path):
    out, _target = export(space, tmp_path, "xlsx", "--form")
    assert out.code == 1 and "rectify: 工作区不导出填报表" in out.stderr and "Traceback" not in out.stderr


@needs_office
@pytest.mark.slow
def test_slow_workspace_summary_sheet_prints_on_one_page(space, tmp_path):
    _out, target = export(space, tmp_path, "xlsx")
    pages = [re.sub(r"\s", "", page) for page in pdf_pages(to_pdf(target, tmp_path / "pdf"), raw=True)]
    summary = [page for page in pages if "按单位统计" in page]
    assert len(summary) == 1
    assert all(text in summary[0] for text in ("排名", "83.8%", "85.3%", "(未计入:坏账局)", TAOHUA))
