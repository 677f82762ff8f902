"""`rectify export -f xlsx --form`: the department fill-in form (填报表) and its hidden sheet."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import openpyxl
import pytest

from rectify_cli import forms
from rectify_cli.loading import load
from rectify_cli.query import Filters, select
from rectify_cli.vocab import Status

from .conftest import add_to_open_items, replace_once
from .render import needs_office, page_size_mm, pdf_text, to_pdf

TODAY = ("--today", "2022-03-01")
TITLE = "泾县城管执法局巡察整改进展填报表(环卫所)"
HEADERS = ["序号", "问题", "具体问题", "整改措施", "整改时限", "当前进展", "本期整改进展", "是否完成", "完成日期", "佐证材料"]
OPEN_IDS = ["8.2", "11.3", "13.2", "15.1", "16", "17"]
HEADER_ROW, FIRST_ROW = 3, 4
# 11.3, the open item 环卫所 shares with 执法大队, given a deadline, measures and a later note
EXTRA_11 = ("    deadline: 2022-06-30\n    measures: 完善环卫考核细则\n    history:\n"
            "      - date: 2022-02-20\n        action: progress\n        note: 召开专题会议\n")


@pytest.fixture
def planned(ledger):
    return add_to_open_items(ledger, {"11.yaml": EXTRA_11})


def make_form(rectify, tmp_path, *args: str) -> openpyxl.Workbook:
    out = tmp_path / "form.xlsx"
    done = rectify(*TODAY, "export", "-f", "xlsx", "--form", *args, "-o", str(out), "--force")
    assert done.code == 0, done.stderr
    return openpyxl.load_workbook(out)


def test_form_for_one_department(planned, rectify, tmp_path):
    book = make_form(rectify, tmp_path, "--dept", "环卫所")
    sheet = book[forms.FORM_SHEET]
    assert book.sheetnames == [forms.FORM_SHEET, forms.META_SHEET]
    assert sheet["A1"].value == TITLE
    assert book.properties.creator == "泾县城管执法局"
    # the filler line: each label, its value cell right of it, unlocked; 填报单位 prefilled
    line = [cell.value for cell in sheet[2]]
    for label in forms.FILLER_LABELS:
        value = sheet.cell(row=2, column=line.index(label) + 2)
        assert value.protection.locked is False and value.fill.fgColor.rgb.endswith("E2EFDA")
    assert sheet.cell(row=2, column=line.index("填报单位") + 2).value == "环卫所"
    assert [cell.value for cell in sheet[HEADER_ROW]] == HEADERS
    # one row: 环卫所's one open item (3.2, also 环卫所's, is closed)
    assert sheet.max_row == FIRST_ROW
    row = [cell.value for cell in sheet[FIRST_ROW]]
    assert row[:4] == ["11.3", "形式主义仍然存在", "没有发挥示范表率作用", "完善环卫考核细则"]
    assert row[4] == dt.datetime(2022, 6, 30) and sheet.cell(row=FIRST_ROW, column=5).number_format == "yyyy-mm-dd"
    assert row[5] == "2022-02-20 召开专题会议"  # the latest note, not the outcome
    assert row[6:] == [None] * 4
    cells = sheet[FIRST_ROW]
    assert all(cell.protection.locked for cell in cells[:6])
    assert all(cell.protection.locked is False and cell.fill.fgColor.rgb.endswith("E2EFDA") for cell in cells[6:])
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.protection.formatRows is False and sheet.protection.formatColumns is False
    assert sheet.row_dimensions[FIRST_ROW].height >= 30  # short texts: still room for two lines of answer


def test_form_keeps_a_formula_as_text(ledger, rectify, tmp_path):
    replace_once(ledger / "issues" / "11.yaml", "    title: 没有发挥示范表率作用\n", "    title: '=1+1'\n")
    replace_once(ledger / "ledger.yaml", "unit: 泾县城管执法局\n", "unit: '=2+2'\n")
    replace_once(ledger / "issues" / "11.yaml", "[环卫所, 执法大队]", "[环卫所, '=3+3']")
    book = make_form(rectify, tmp_path, "--dept", "=3+3")
    sheet = book[forms.FORM_SHEET]
    assert sheet["A1"].value == "=2+2" + forms.TITLE_SUFFIX + "(=3+3)" and sheet["A1"].data_type == "s"
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("=3+3", "s")
    assert (sheet["C4"].value, sheet["C4"].data_type) == ("=1+1", "s")


def test_form_validations(planned, rectify, tmp_path):
    sheet = make_form(rectify, tmp_path, "--dept", "环卫所")[forms.FORM_SHEET]
    rules = {rule.type: rule for rule in sheet.data_validations.dataValidation}
    assert rules["list"].formula1 == '"已完成,正在整改"' and "H4" in rules["list"].sqref
    date = rules["date"]
    assert (date.operator, date.formula1, date.formula2) == ("between", "DATE(2021,8,30)", "DATE(2100,12,31)")
    assert "I4" in date.sqref and "G2" in date.sqref  # 完成日期 and 填报日期
    assert sheet["I4"].number_format == "yyyy-mm-dd"


def test_form_hidden_sheet(planned, rectify, tmp_path):
    book = make_form(rectify, tmp_path, "--dept", "环卫所")
    assert book[forms.META_SHEET].sheet_state == "hidden"
    meta = forms.read_meta(book)
    ledger = load(planned).ledger
    entry = next(entry for entry in ledger.entries() if entry.id == "11.3")
    assert meta.identity == forms.ledger_identity(ledger.info)
    assert meta.made == dt.date(2022, 3, 1)
    assert meta.rows == [forms.FormRow(FIRST_ROW, "11.3", forms.item_fingerprint(entry))]
    assert meta.fillers == {"填报单位": "C2", "填报人": "E2", "填报日期": "G2"}
    assert len(meta.form_id) == 12 and int(meta.form_id, 16) >= 0
    again = forms.read_meta(make_form(rectify, tmp_path, "--dept", "环卫所"))
    assert again.form_id != meta.form_id and again.rows == meta.rows  # each form its own id


def test_read_meta_of_other_books(tmp_path):
    with pytest.raises(forms.NotAForm, match="不是 rectify 生成的填报表"):
        forms.read_meta(openpyxl.Workbook())
    book = openpyxl.Workbook()
    book.create_sheet(forms.META_SHEET)["A1"] = "format"
    with pytest.raises(forms.NotAForm, match="行表"):
        forms.read_meta(book)


def test_form_without_filter_holds_every_open_item(ledger, rectify, tmp_path):
    book = make_form(rectify, tmp_path)
    sheet = book[forms.FORM_SHEET]
    assert sheet["A1"].value == "泾县城管执法局巡察整改进展填报表"
    ids = [sheet.cell(row=row, column=1).value for row in range(FIRST_ROW, sheet.max_row + 1)]
    expected = [entry.id for entry in select(load(ledger).ledger, Filters(status=Status.OPEN), dt.date(2022, 3, 1))]
    assert ids == expected == OPEN_IDS
    assert [row.id for row in forms.read_meta(book).rows] == OPEN_IDS
    assert sheet.cell(row=2, column=3).value is None  # no department: 填报单位 left to fill
    # 11.3's outcome (当前进展, 30 units wide) takes nine lines or more: its row stands that tall
    assert sheet.row_dimensions[FIRST_ROW + OPEN_IDS.index("11.3")].height >= 9 * 15


def test_form_selecting_nothing_is_refused(ledger, tmp_path):
    out = tmp_path / "none.xlsx"
    done = subprocess.run([sys.executable, "-m", "rectify_cli", "--ledger", str(ledger), "export", "-f", "xlsx",
                           "--form", "--dept", "没有这个部门", "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.startswith("rectify: ") and "没有符合条件的整改事项" in done.stderr
    assert "Traceback" not in done.stderr


def test_form_is_xlsx_only(ledger, rectify, tmp_path):
    done = rectify("export", "-f", "csv", "--form", "-o", str(tmp_path / "form.csv"))
    assert done.code == 2 and "--form 只用于 xlsx" in done.stderr
    done = rectify("export", "-f", "xlsx", "--form", "--columns", "序号", "-o", str(tmp_path / "form.xlsx"))
    assert done.code == 2 and "--columns" in done.stderr


@needs_office
@pytest.mark.slow
def test_form_prints_on_a4_landscape_slow(ledger, rectify, tmp_path):
    book = make_form(rectify, tmp_path)
    sheet = book[forms.FORM_SHEET]
    titles = [sheet.cell(row=row, column=3).value for row in range(FIRST_ROW, sheet.max_row + 1)]
    pdf = to_pdf(tmp_path / "form.xlsx", tmp_path / "pdf")
    text = "".join(pdf_text(pdf, raw=True).split())  # a wrapped cell's lines joined
    assert "泾县城管执法局巡察整改进展填报表" in text
    for wanted in [*titles, *(spec.header for spec in forms.INPUTS)]:
        assert "".join(wanted.split()) in text, wanted
    from pypdf import PdfReader

    for page in range(len(PdfReader(str(pdf)).pages)):
        width, height = page_size_mm(pdf, page)
        assert abs(width - 297) <= 1 and abs(height - 210) <= 1
