"""`rectify export`: CSV, the print-ready Excel ledger, JSON, Markdown and the HTML board."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from rectify_cli import fields
from rectify_cli.export import tabular

from .conftest import add_to_open_items, replace_once, xlsx_rows
from .render import needs_office, pdf_pages, to_pdf

TODAY = ("--today", "2022-03-01")
TITLE = "泾县城管执法局落实县委第二巡察组反馈意见整改台账"
SENTENCE = "巡察反馈问题34个,已完成整改28个,正在整改6个,整改完成率82.4%"
HEADERS = [
    "序号", "问题类别", "问题", "具体问题", "问题描述", "整改措施", "责任领导", "责任部门", "责任人",
    "整改时限", "整改类型", "整改进展及成效", "完成情况", "销号日期", "佐证材料", "建章立制", "问责情况", "追缴资金", "备注",
]
# the xlsx leaves out the columns empty in every row of the shipped ledger
SHOWN = ["序号", "问题类别", "问题", "具体问题", "责任部门", "整改类型", "整改进展及成效", "完成情况", "销号日期"]
LAST = get_column_letter(len(SHOWN))  # the last column's letter
HYPERLINK = '=HYPERLINK("http://x","点我")'
FORMULA_STARTS = ("=", "+", "-", "@")
SINGLE_ITEM_PROBLEMS = [2, 4, 6, 9, 16, 17]
PLANNED = {
    # file: lines added after the open item's `status: open` (the idea of test_list's fixture)
    "08.yaml": "    deadline: 2022-03-31\n    lead: 张局长\n    departments: [办公室]\n",
    "11.yaml": "    deadline: 2022-01-31\n    lead: 李副局长\n",
    "16.yaml": "    deadline: 2021-12-31\n    kind: 长期坚持\n",
}


def retitle(ledger: Path, name: str, old_start: str, new: str) -> None:
    """Give the item whose title starts with `old_start` a new title (quoted for YAML)."""
    path = ledger / "issues" / name
    text, count = re.subn(rf"(?m)^(\s+)title: {re.escape(old_start)}.*$",
                          lambda m: f"{m.group(1)}title: {json.dumps(new, ensure_ascii=False)}",
                          path.read_text(encoding="utf-8"))
    assert count == 1, f"{name}: {old_start}"
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def planned(ledger):
    """Deadlines (11.3 and 16 overdue on 2022-03-01), a lead and a department on open items."""
    return add_to_open_items(ledger, PLANNED)


@pytest.fixture
def formulas(ledger, rectify):
    """Ledger text that a spreadsheet would run as a formula if it were not neutralised."""
    retitle(ledger, "13.yaml", "市容管理", "@SUM(1)")
    retitle(ledger, "15.yaml", "基础工作不扎实", "-2+3")
    retitle(ledger, "08.yaml", "班子成员", "+1")
    out = rectify(*TODAY, "close", "13.2", "--by", "王", "--outcome", HYPERLINK)
    assert out.code == 0, out.stderr
    return ledger


def export(rectify, *args: str) -> str:
    out = rectify(*TODAY, "export", *args)
    assert out.code == 0, out.stderr
    return out.stdout


def export_file(rectify, tmp_path: Path, fmt: str, *args: str) -> Path:
    target = tmp_path / f"out.{fmt}"
    out = rectify(*TODAY, "export", "--format", fmt, "-o", str(target), *args)
    assert out.code == 0, out.stderr
    assert out.stdout == ""
    assert f"已写入 {target}" in out.stderr
    return target


def listed_ids(rectify, *args: str) -> list[str]:
    out = rectify(*TODAY, "list", *args, "--format", "tsv")
    assert out.code == 0, out.stderr
    return [line.split("\t")[0] for line in out.stdout.splitlines()[1:]]


def board_order(rectify, *args: str) -> list[str]:
    """Items as the board shows them: by aspect, overdue then open then closed, in ID order within."""
    out = rectify(*TODAY, "list", *args, "--format", "tsv")
    assert out.code == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()[1:]]
    aspects = list(dict.fromkeys(row[2] for row in rows))
    urgency = {"逾期": 0, "未销号": 1, "已销号": 2}
    return [row[0] for row in sorted(rows, key=lambda row: (aspects.index(row[2]), urgency[row[-1]]))]


def exported_ids(rectify, *args: str) -> list[str]:
    return [item["id"] for item in json.loads(export(rectify, "--format", "json", *args))["items"]]


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


# --- CSV --------------------------------------------------------------------------------


def test_csv_has_bom_chinese_headers_and_a_row_per_item(rectify, tmp_path):
    path = export_file(rectify, tmp_path, "csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    header, *rows = csv_rows(path)
    assert header == HEADERS
    assert len(rows) == 34
    assert all(len(row) == len(HEADERS) for row in rows)
    assert [row[0] for row in rows] == listed_ids(rectify)


def test_csv_row_content(planned, rectify, tmp_path):
    rows = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in csv_rows(export_file(rectify, tmp_path, "csv"))[1:]}
    assert rows["11.3"]["问题"] == "11.形式主义仍然存在"
    assert rows["11.3"]["具体问题"] == "没有发挥示范表率作用"
    assert rows["11.3"]["责任领导"] == "李副局长"
    assert rows["11.3"]["责任部门"] == "环卫所、执法大队"
    assert rows["11.3"]["整改时限"] == "2022-01-31"
    assert rows["11.3"]["完成情况"] == "逾期"
    assert rows["16"]["整改类型"] == "长期坚持"
    assert rows["13.1"]["完成情况"] == "已销号" and rows["13.1"]["销号日期"] == "2022-02-23"
    assert rows["13.1"]["问题类别"] == "群众身边腐败问题和不正之风方面"
    assert rows["13.1"]["整改进展及成效"].startswith("一是及时约谈了外包服务的社会化公司")


def test_csv_to_stdout_is_the_same_as_the_file(rectify, tmp_path):
    written = export_file(rectify, tmp_path, "csv").read_text(encoding="utf-8")
    printed = export(rectify)  # csv is the default format
    assert printed.startswith("\ufeff序号,问题类别,")
    assert printed == written.replace("\r\n", "\n")  # the test runner folds CRLF


@pytest.mark.parametrize(
    "args",
    [["--aspect", "二"], ["--open"], ["--closed"], ["--overdue"], ["--dept", "执法大队"], ["--lead", "李"],
     ["--kind", "长期坚持"], ["--due-before", "2022-04-01"], ["--search", "资产"], ["--open", "--aspect", "三"]],
)
def test_export_uses_the_filters_of_list(planned, rectify, tmp_path, args):
    ids = [row[0] for row in csv_rows(export_file(rectify, tmp_path, "csv", *args))[1:]]
    assert ids == listed_ids(rectify, *args)
    assert ids == exported_ids(rectify, *args)


def test_aspect_filter_exports_16(rectify, tmp_path):
    assert len(csv_rows(export_file(rectify, tmp_path, "csv", "--aspect", "二"))) == 16 + 1


def test_csv_neutralises_formulas(formulas, rectify, tmp_path):
    rows = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in csv_rows(export_file(rectify, tmp_path, "csv"))[1:]}
    assert rows["13.1"]["具体问题"] == "'@SUM(1)"
    assert rows["15.1"]["具体问题"] == "'-2+3"
    assert rows["8.2"]["具体问题"] == "'+1"
    assert rows["13.2"]["整改进展及成效"] == "'" + HYPERLINK
    cells = [cell for row in rows.values() for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


# --- XLSX -------------------------------------------------------------------------------------


def open_ledger_sheet(path: Path):
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["整改台账", "统计", "data"]
    assert [sheet.sheet_state for sheet in book.worksheets] == ["visible", "visible", "hidden"]  # data: for import
    return book, book["整改台账"]


def row_of(sheet, item_id: str) -> int:
    return xlsx_rows(sheet.parent)[item_id]


def merged(sheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def test_xlsx_title_header_and_rows(rectify, tmp_path):
    book, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    assert sheet["A1"].value == TITLE
    assert f"A1:{LAST}1" in merged(sheet)
    assert [cell.value for cell in sheet[2]][:len(SHOWN)] == SHOWN
    assert [sheet.cell(row=r, column=1).value for r in range(3, 37)] == list(range(1, 35))  # 序号: numbers
    assert list(xlsx_rows(book)) == listed_ids(rectify)
    row = row_of(sheet, "13.2")
    assert sheet.cell(row=row, column=4).value.startswith("截止2021年8月底")
    assert sheet.cell(row=row, column=SHOWN.index("完成情况") + 1).value == "未销号"
    closed = sheet.cell(row=row_of(sheet, "13.1"), column=SHOWN.index("销号日期") + 1)
    assert closed.value == dt.datetime(2022, 2, 23) and closed.number_format == "yyyy-mm-dd"
    assert (book.properties.title, book.properties.creator) == (TITLE, "泾县城管执法局")


def test_xlsx_keeps_every_named_column_in_the_order_named(planned, rectify, tmp_path):
    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx", "--columns", "序号,完成情况,deadline,问责情况"))
    assert [cell.value for cell in sheet[2]] == ["序号", "完成情况", "整改时限", "问责情况"]
    deadline = sheet.cell(row=row_of(sheet, "11.3"), column=3)
    assert deadline.value == dt.datetime(2022, 1, 31) and deadline.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=row_of(sheet, "1.1"), column=3).value is None  # an empty column, kept as named
    written = export_file(rectify, tmp_path, "csv", "--columns", "具体问题,序号")
    assert csv_rows(written)[0] == ["具体问题", "序号"] and csv_rows(written)[1][1] == "1.1"


def test_unknown_columns_are_refused_naming_the_valid_ones(rectify, tmp_path):
    out = rectify(*TODAY, "export", "-f", "xlsx", "-o", str(tmp_path / "x.xlsx"), "--columns", "序号,颜色")
    assert out.code == 1 and out.stderr.startswith("rectify: ") and "颜色" in out.stderr
    assert all(header in out.stderr for header in HEADERS)
    assert not (tmp_path / "x.xlsx").exists()
    out = rectify(*TODAY, "export", "-f", "md", "--columns", "序号")
    assert out.code == 1 and "csv / xlsx" in out.stderr and out.stdout == ""


def test_xlsx_merges_problem_cells_over_their_items(rectify, tmp_path):
    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    ranges = merged(sheet)
    first = row_of(sheet, "13.1")
    assert row_of(sheet, "13.2") == first + 1
    assert f"C{first}:C{first + 1}" in ranges
    assert f"B{first}:B{first + 1}" in ranges
    assert sheet.cell(row=first, column=3).value == "13.资产管理不规范"
    twelve = row_of(sheet, "12.1")
    assert f"C{twelve}:C{twelve + 2}" in ranges  # three items
    for problem in SINGLE_ITEM_PROBLEMS:
        row = row_of(sheet, str(problem))
        assert not [r for r in sheet.merged_cells.ranges if r.min_row <= row <= r.max_row], problem


def test_xlsx_print_setup(rectify, tmp_path):
    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:{LAST}36"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows in ("2:2", "$2:$2")
    assert sheet.oddFooter.center.text == "第 &P 页,共 &N 页"
    assert sheet.oddHeader.right.text == "截至2022年2月23日"  # the ledger's as_of


def test_xlsx_looks_like_an_office_sheet(planned, rectify, tmp_path):
    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    headers = [cell.value for cell in sheet[2] if cell.value]
    assert "整改时限" in headers and "责任领导" in headers  # filled in by the fixture: not left out
    assert (sheet["A1"].font.sz, sheet["A1"].font.b) == (16, True)
    data = [cell for row in sheet.iter_rows(min_row=3, max_row=36, max_col=len(headers)) for cell in row
            if not isinstance(cell, MergedCell)]
    assert {(cell.font.name, cell.font.sz) for cell in data} == {("宋体", 11)}
    assert all(cell.border.left.style == cell.border.bottom.style == "thin" for cell in data)
    status = headers.index("完成情况") + 1
    fills = [sheet.cell(row=row_of(sheet, item), column=status).fill.fgColor.rgb[-6:] for item in ("1.1", "13.2", "11.3")]
    assert fills == [fill for _state, _word, fill in tabular.STATES]  # closed blue, open yellow, overdue red
    legend = [cell.value for cell in sheet[38] if cell.value]
    assert legend == ["图例:", "已销号", "未销号(正在整改)", "逾期未销号"]
    assert sheet.print_area == f"'整改台账'!$A$1:${get_column_letter(len(headers))}$38"


def test_xlsx_rows_are_as_tall_as_their_wrapped_text(rectify, tmp_path):
    from rectify_cli.export.xlsx import LINE, lines

    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    widths = [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(SHOWN))]
    spanned = {row for span in sheet.merged_cells.ranges if span.min_row > 1 for row in range(span.min_row, span.max_row + 1)}
    for row in range(3, 37):
        cells = [sheet.cell(row=row, column=c + 1) for c in range(len(SHOWN))]
        tallest = max(lines(str(cell.value or ""), widths[c]) for c, cell in enumerate(cells)
                      if c not in (1, 2) or row not in spanned)  # a merged problem cell spans its rows
        assert tallest * LINE <= sheet.row_dimensions[row].height <= (tallest + 1) * LINE, row
    assert lines("一二三四五六七八九十", 22) == 1 and lines("一二三四五六七八九十a", 22) == 2  # CJK: two units


def test_xlsx_wraps_text_with_sensible_widths(rectify, tmp_path):
    _, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    widths = [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(SHOWN))]
    assert all(6 <= width <= 60 for width in widths), widths
    assert widths[SHOWN.index("整改进展及成效")] > widths[SHOWN.index("具体问题")] > widths[0]
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows(min_row=3, max_row=36) for cell in row if cell.value)


def test_xlsx_summary_sheet(rectify, tmp_path):
    book, _ = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx"))
    sheet = book["统计"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == SENTENCE
    assert rows[1][0].startswith("在巡察整改工作中,制定及修改完善制度16项")  # the results sentence
    for title in ("按方面统计", "按责任部门统计"):
        assert (title,) == tuple(value for value in rows[[r[0] for r in rows].index(title)] if value is not None)
    header = rows.index(("方面", "总数", "已销号", "未销号", "逾期", "完成率"))
    assert rows[header + 1] == ("(一)贯彻落实党的路线方针政策和党中央决策部署方面", 14, 14, 0, 0, 1)
    assert rows[header + 3] == ("(三)基层党组织软弱涣散、组织力欠缺方面", 4, 1, 3, 0, 0.25)
    rate = sheet.cell(row=header + 3, column=6)
    assert rate.value == 0.813 and rate.number_format == "0.0%"  # 13/16 as the summary rounds it: 81.3%
    assert sheet.cell(row=header + 1, column=1).border.left.style == "thin"
    assert sheet.page_setup.fitToHeight == sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and str(sheet.page_setup.paperSize) == "9"


def test_xlsx_follows_filters(rectify, tmp_path):
    book, sheet = open_ledger_sheet(export_file(rectify, tmp_path, "xlsx", "--open"))
    assert [sheet.cell(row=r, column=1).value for r in range(3, 9)] == list(range(1, 7))
    assert len(openpyxl_data_entries(book)) == len(listed_ids(rectify, "--open")) == 6
    assert len(merged(sheet)) == 1  # the title's: each problem keeps one open item
    assert sheet.auto_filter.ref.startswith("A2:") and sheet.auto_filter.ref.endswith("8")
    summary = book["统计"]["A1"].value  # a selection is not the ledger: not the official sentence
    assert summary == "筛选范围内 6 项:已销号 0 项,未销号 6 项,完成率 0.0%"


def openpyxl_data_entries(book) -> list:
    from rectify_cli import datasheet

    return datasheet.read(book)[datasheet.ENTRIES]


def test_xlsx_keeps_formulas_as_text(formulas, rectify, tmp_path):
    path = export_file(rectify, tmp_path, "xlsx")
    _, sheet = open_ledger_sheet(path)
    cells = {
        ("13.1", "具体问题"): "@SUM(1)", ("15.1", "具体问题"): "-2+3", ("8.2", "具体问题"): "+1",
        ("13.2", "整改进展及成效"): HYPERLINK,
    }
    for (item_id, column), text in cells.items():
        cell = sheet.cell(row=row_of(sheet, item_id), column=SHOWN.index(column) + 1)
        assert cell.value in (text, "'" + text), (item_id, column)
        assert cell.data_type == "s", (item_id, column)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode() and "<f " not in archive.read(name).decode(), name


def test_xlsx_needs_an_output_file(rectify):
    out = rectify(*TODAY, "export", "--format", "xlsx")
    assert out.code == 2
    assert "-o" in out.stderr
    assert out.stdout == ""


# --- JSON and Markdown ------------------------------------------------------------------------------


def test_json_has_full_data_and_stable_keys(planned, rectify):
    text = export(rectify, "--format", "json")
    data = json.loads(text)
    assert list(data) == ["schema_version", "today", "ledger", "items"]
    assert data["schema_version"] == 1 and data["today"] == "2022-03-01"
    assert data["ledger"]["title"] == TITLE and data["ledger"]["stated_items"] == 34
    assert [item["id"] for item in data["items"]] == listed_ids(rectify)
    keys = [list(item) for item in data["items"]]
    assert all(k == keys[0] for k in keys)
    assert {"id", "problem_id", "aspect", "status", "closed_on", "deadline", "departments", "outcome", "history"} <= set(keys[0])
    item = next(i for i in data["items"] if i["id"] == "11.3")
    assert (item["overdue"], item["deadline"], item["lead"]) == (True, "2022-01-31", "李副局长")
    assert export(rectify, "--format", "json") == text


def test_json_items_match_list_json(planned, rectify):
    listed = json.loads(rectify(*TODAY, "list", "--open", "--format", "json").stdout)
    exported = json.loads(export(rectify, "--format", "json", "--open"))
    assert exported["items"] == listed["items"]


def test_markdown_has_sentence_and_table(rectify):
    lines = export(rectify, "--format", "md").splitlines()
    assert lines[0] == f"# {TITLE}"
    assert SENTENCE in lines
    header = lines.index("| 序号 | 问题类别 | 具体问题 | 责任部门 | 整改时限 | 整改进展及成效 | 完成情况 | 销号日期 |")
    assert lines[header + 1] == "|---|---|---|---|---|---|---|---|"
    rows = lines[header + 2 :]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == listed_ids(rectify)
    assert any(row.startswith("| 13.2 | 群众身边腐败问题和不正之风方面 | 截止2021年8月底,报废固定资产账面原价457272.89元,"
                              "未及时处置,造成资产不实 |  |  | 一是及时开展了资产处置工作。") and "| 未销号 |  |" in row for row in rows)


def test_markdown_escapes_a_pipe(ledger, rectify):
    retitle(ledger, "15.yaml", "基础工作不扎实", "基础|工作")
    row = next(line for line in export(rectify, "--format", "md").splitlines() if line.startswith("| 15.1 "))
    assert "基础\\|工作" in row
    assert len(re.split(r"(?<!\\)\|", row)) == 8 + 2


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_text_formats_go_to_stdout_or_a_file(rectify, tmp_path, fmt):
    printed = export(rectify, "--format", fmt)
    assert printed
    assert export_file(rectify, tmp_path, fmt).read_text(encoding="utf-8") == printed


@pytest.mark.parametrize(("args", "message"), [(["--format", "pdf"], "--format"), (["--open", "--closed"], "--open 与 --closed")])
def test_bad_requests(rectify, args, message):
    out = rectify("export", *args)
    assert out.code == 2
    assert message in out.stderr
    assert out.stdout == ""


# --- HTML ----------------------------------------------------------------------------------------------


def test_html_is_self_contained(rectify):
    page = export(rectify, "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<script" not in page.lower()
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!data:|#)""", page, re.I)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I)
    assert "<link" not in page.lower() and "<img" not in page.lower()


def test_html_is_a_printable_progress_board(rectify):
    page = export(rectify, "--format", "html")
    assert f"<title>{TITLE}</title>" in page
    assert f'<p class="sentence" id="sentence">{SENTENCE}</p>' in page
    bars = re.findall(r'<div class="aspect"><span class="name">([^<]+)</span>.*?width:([\d.]+)%', page)
    assert bars == [
        ("(一)贯彻落实党的路线方针政策和党中央决策部署方面", "100.0"),
        ("(二)群众身边腐败问题和不正之风方面", "81.3"),
        ("(三)基层党组织软弱涣散、组织力欠缺方面", "25.0"),
    ]
    assert re.findall(r'<tr class="\w+" data-id="([^"]+)"', page) == board_order(rectify)
    assert "@media print" in page and "@page" in page


def test_html_colours_rows_by_status(planned, rectify):
    page = export(rectify, "--format", "html")
    states = dict((item_id, state) for state, item_id in re.findall(r'<tr class="(\w+)" data-id="([^"]+)"', page))
    assert {item_id for item_id, state in states.items() if state == "overdue"} == {"11.3", "16"}
    assert {item_id for item_id, state in states.items() if state == "open"} == {"8.2", "13.2", "15.1", "17"}
    assert sum(state == "closed" for state in states.values()) == 28
    fills = dict(re.findall(r"tr\.(\w+) td\.state,\.legend \.\1\{background:#([0-9a-f]{6})\}", page))
    assert fills == {"closed": "ddebf7", "open": "fff2cc", "overdue": "f8cbad"}  # blue, yellow, red
    legend = re.search(r'<p class="legend">完成情况：(.*?)</p>', page).group(1)
    assert re.findall(r'<span class="key (\w+)">(\w+)</span>', legend) == [
        ("closed", "已销号"), ("open", "正在整改"), ("overdue", "逾期")]


def test_html_groups_items_under_aspects_urgent_first(planned, rectify):
    page = export(rectify, "--format", "html")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    head = re.findall(r"<th>([^<]+)</th>", re.search(r"<thead><tr>(.*?)</tr></thead>", page).group(1))
    brief = [column.header for column in (fields.ITEM_ID, *(spec.column for spec in tabular.ITEM_COLUMNS)) if column.brief]
    assert head == brief  # the declared narrow columns, the aspect left to the group rows
    assert head[:2] == ["序号", "具体问题"] and "完成情况" in head and "问题类别" not in head
    groups = re.findall(rf'<tr class="group"><th colspan="{len(head)}" scope="colgroup">([^<]+)<span class="figure">([^<]+)</span>', page)
    assert groups == [
        ("(一)贯彻落实党的路线方针政策和党中央决策部署方面", "14/14 100.0%"),
        ("(二)群众身边腐败问题和不正之风方面", "13/16 81.3%"),
        ("(三)基层党组织软弱涣散、组织力欠缺方面", "1/4 25.0%"),
    ]
    assert page.count("贯彻落实党的路线方针政策和党中央决策部署方面") == 2  # its bar and its group, not every row
    rows = re.findall(r'<tr class="(\w+)" data-id="([^"]+)"', page)
    assert [item_id for _state, item_id in rows] == board_order(rectify)
    second = [pair for pair in rows if pair[1].split(".")[0] in {"8", "9", "10", "11", "12", "13", "14"}]
    assert second[:3] == [("overdue", "11.3"), ("open", "8.2"), ("open", "13.2")]
    assert second[3:] == [("closed", i) for i in ["8.1", "8.3", "9", "10.1", "10.2", "11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "14.1", "14.2"]]


def test_html_escapes_ledger_text(ledger, rectify):
    markup = "<script>alert(1)</script> & 甲"
    retitle(ledger, "15.yaml", "基础工作不扎实", markup)
    replace_once(ledger / "ledger.yaml", f"title: {TITLE}\n", f"title: {json.dumps(TITLE + markup, ensure_ascii=False)}\n")
    page = export(rectify, "--format", "html")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 甲" in page
    assert page.count("&lt;script&gt;") == 3  # <title>, <h1> and the item's row


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def chromium(tmp_path):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium not installed: apt-get install chromium")

    def run(*args: str) -> subprocess.CompletedProcess:
        profile = f"--user-data-dir={tmp_path / 'chromium-profile'}"
        return subprocess.run([executable, *CHROMIUM_FLAGS, profile, *args],
                              capture_output=True, timeout=60, check=False)

    return run


@pytest.mark.slow
def test_html_board_renders_in_chromium(rectify, tmp_path, chromium):
    board = export_file(rectify, tmp_path, "html", "--aspect", "二")
    dom = chromium("--dump-dom", board.as_uri())
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    rendered = dom.stdout.decode("utf-8")
    expected = board_order(rectify, "--aspect", "二")
    assert len(expected) == 16 and sorted(expected) == sorted(exported_ids(rectify, "--aspect", "二"))
    assert re.findall(r'<tr\b[^>]*\bdata-id="([^"]+)"', rendered) == expected
    assert "筛选范围内 16 项:已销号 13 项,未销号 3 项" in rendered  # a selection says it is one

    png = tmp_path / "board.png"
    shot = chromium(f"--screenshot={png}", "--window-size=1400,1000", board.as_uri())
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
    assert png.exists()
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5000


# Measured in one Chromium start: the board in two iframes (srcdoc shares the host's origin, so
# the host's script reads their layout). An iframe is a viewport of its own size: media queries,
# innerWidth and scrolling all answer to it.
SCREENS = {"phone": (390, 844), "desktop": (1280, 800)}
MEASURE = r"""
function measure(frame) {
  const win = frame.contentWindow, doc = frame.contentDocument, width = win.innerWidth;
  const style = el => win.getComputedStyle(el);
  const fits = el => { const r = el.getBoundingClientRect(); return r.left >= -0.5 && r.right <= width + 0.5; };
  const shown = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && style(el).visibility !== 'hidden'; };
  const scrolled = el => {  // inside its own horizontally scrolling box, which itself fits
    for (let up = el.parentElement; up; up = up.parentElement)
      if (['auto', 'scroll'].includes(style(up).overflowX)) return fits(up);
    return false; };
  const name = cell => cell.parentElement.dataset.id || cell.textContent.slice(0, 12);
  const cells = [...doc.querySelectorAll('#items td, #items tbody th')];
  return {innerWidth: width, scrollWidth: doc.documentElement.scrollWidth, columns: doc.querySelectorAll('#items thead th').length,
    body: [style(doc.body).overflowX, style(doc.body).overflowY], cells: cells.length,
    unseen: cells.filter(c => !shown(c) || !(fits(c) || scrolled(c))).map(name),
    bars: [...doc.querySelectorAll('.aspect .track')].map(t => t.getBoundingClientRect().width),
    fills: [...doc.querySelectorAll('.aspect .fill')].map(t => t.getBoundingClientRect().width)};
}
window.addEventListener('load', () => {
  const frames = [...document.querySelectorAll('iframe')];
  document.getElementById('out').textContent = JSON.stringify(Object.fromEntries(frames.map(f => [f.id, measure(f)])));
});
"""


def measured_in_chromium(chromium, page: str, folder: Path) -> dict:
    frames = "".join(f'<iframe id="{screen}" width="{width}" height="{height}" style="border:0;display:block" '
                     f'srcdoc="{html.escape(page, quote=True)}"></iframe>' for screen, (width, height) in SCREENS.items())
    host = folder / "measure.html"
    host.write_text(f'<!DOCTYPE html><html><body style="margin:0">{frames}<pre id="out"></pre>'
                    f"<script>{MEASURE}</script></body></html>", encoding="utf-8")
    dom = chromium("--window-size=1400,1800", "--dump-dom", host.as_uri())
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    found = re.search(r'<pre id="out">(.+?)</pre>', dom.stdout.decode("utf-8"), re.S)
    assert found, dom.stdout.decode("utf-8")[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.slow
def test_html_board_fits_a_phone_and_a_desktop_slow(planned, rectify, tmp_path, chromium):
    page = export(rectify, "--format", "html")
    measured = measured_in_chromium(chromium, page, tmp_path)
    for screen, (width, _height) in SCREENS.items():
        seen = measured[screen]
        assert seen["innerWidth"] == width, screen
        assert seen["scrollWidth"] <= width, (screen, seen["scrollWidth"])  # the page never scrolls sideways
        assert "hidden" not in seen["body"], screen
        assert seen["columns"] >= 5 and seen["cells"] == 34 * seen["columns"] + 3  # every item's cells and the three aspects' header rows
        assert seen["unseen"] == [], screen
        assert len(seen["bars"]) == 3 and min(seen["bars"]) > 50, (screen, seen["bars"])
        assert all(fill > 0 for fill in seen["fills"]), (screen, seen["fills"])


# --- the xlsx as a reader sees it: LibreOffice prints it -------------------------------------


@needs_office
@pytest.mark.slow
def test_slow_xlsx_prints_every_text_whole_and_the_summary_on_one_page(rectify, ledger, tmp_path):
    from rectify_cli import loading

    book = export_file(rectify, tmp_path, "xlsx")
    pages = pdf_pages(to_pdf(book, tmp_path / "pdf"), raw=True)
    flat = [re.sub(r"\s", "", page) for page in pages]
    longest = max((entry.item.outcome or "" for entry in loading.load_valid(ledger).entries()), key=len)
    assert len(longest) > 300
    assert re.sub(r"\s", "", longest) in "".join(flat)  # no row cuts its text short
    summary = [number for number, page in enumerate(flat) if "按方面统计" in page or "按责任部门统计" in page]
    assert len(summary) == 1 and "完成率" in flat[summary[0]]  # the 统计 sheet: one page
    assert "100.0%" in flat[summary[0]] and "81.3%" in flat[summary[0]]
    assert all(f"第{number}页,共" in page for number, page in enumerate(flat[:summary[0]], start=1))  # footer
    assert not any('"entries"' in page for page in flat)  # the hidden data sheet is not printed
