"""`rectify import xlsx` on 台账 as clerks make them: odd headers, two header rows, status words, deadline words."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import snapshot
from .test_import import assert_checks, import_xlsx, init, issues, save_book

ROW = ["1", "1.公车管理不严", "公车私用", "两台公车周末外出", "杜绝公车私用", "办公室", "王五", "2022-04-30",
       "已建立用车登记台账", "张三", "是", "2022-04-20", "另见车辆台账"]
HEADER_VARIANTS = [
    ["序号", "巡察反馈问题", "问题具体表现", "问题描述", "整改目标", "责任单位(部门)", "整改责任人", "整改完成时限",
     "整改进展及成效", "分管领导", "是否销号", "销号时间", "备注"],
    ["序号", "问题", "存在问题", "问题描述", "整改措施", "牵头单位", "责任人", "完成时限",
     "整改落实情况", "牵头领导", "完成状态", "完成时间", "备注"],
    ["编号", "反馈问题", "具体问题", "问题描述(详细)", "整改措施及目标", "责任部门(单位)", "具体责任人", "整改时限",
     "整改进展", "责任领导", "是否完成", "完成时间", "备 注"],
]


@pytest.mark.parametrize("headers", HEADER_VARIANTS, ids=["contained", "synonyms", "spaced"])
def test_headers_by_synonym_and_contained_word(tmp_path, headers):
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", [headers, ROW]))
    assert outcome.code == 0, outcome.stderr
    assert issues(folder)[1]["items"] == [{
        "number": 1, "title": "公车私用", "description": "两台公车周末外出", "measures": "杜绝公车私用",
        "lead": "张三", "departments": ["办公室"], "owner": "王五", "deadline": dt.date(2022, 4, 30),
        "status": "closed", "closed_on": dt.date(2022, 4, 20), "outcome": "已建立用车登记台账",
        "remarks": "另见车辆台账",
    }]
    assert_checks(folder)


def test_two_row_header_below_title_and_filler_rows(tmp_path):
    rows = [
        ["某县财政局巡察反馈问题整改落实情况台账"],
        ["填报单位:某县财政局", None, None, "联系人:李四", None, None, "填报时间:2022年5月1日"],
        ["序号", "问题", "具体问题", "责任", "责任", "责任", "整改时限", "完成情况"],
        [None, None, None, "责任领导", "责任部门", "责任人", None, None],
        ["1", "1.公车管理不严", "公车私用", "张三", "办公室", "王五", "2022-04-30", "否"],
        ["2", None, "公车未按规定停放", "张三", "办公室、车队", "赵六", "2022-05-31", "正在整改"],
    ]
    merges = ("A1:H1", "A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:G4", "H3:H4", "B5:B6")
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows, merges))
    assert outcome.code == 0, outcome.stderr
    problem = issues(folder)[1]
    assert problem["title"] == "公车管理不严"
    assert [(i["title"], i["lead"], i["departments"], i["owner"], i["status"]) for i in problem["items"]] == [
        ("公车私用", "张三", ["办公室"], "王五", "open"),
        ("公车未按规定停放", "张三", ["办公室", "车队"], "赵六", "open"),
    ]
    assert "警告" not in outcome.stderr


def test_yes_no_column_with_an_odd_header_is_the_status(tmp_path):
    rows = [["问题", "整改措施", "责任部门", "是否整改到位", "销号时间"],
            ["1.理论学习不深入", "制定计划", "办公室", "是", "2022-03-20"],
            ["2.公车管理不严", "加强管理", "办公室", "否", "2022-03-25"]]
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows))
    assert outcome.code == 0, outcome.stderr
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i["status"], i.get("closed_on"), i.get("outcome")) for i in items] == [
        ("closed", dt.date(2022, 3, 20), None), ("open", None, None)]
    assert ":3: 警告: 未完成却填了" in outcome.stderr


def test_wancheng_qingkuang_with_sentences_is_the_outcome(tmp_path):
    rows = [["问题", "整改措施", "责任部门", "完成情况"],
            ["1.理论学习不深入", "制定计划", "办公室", "已制定学习计划,按月集中学习。"],
            ["2.公车管理不严", "加强管理", "办公室", "已建立用车登记制度。"]]
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows))
    assert outcome.code == 0, outcome.stderr
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i["status"], i["outcome"]) for i in items] == [
        ("open", "已制定学习计划,按月集中学习。"), ("open", "已建立用车登记制度。")]


def test_a_cell_that_is_no_status_word_is_warned_not_appended(tmp_path):
    rows = [["问题", "整改措施", "整改进展及成效", "完成情况"],
            ["1.理论学习不深入", "制定计划", "已制定计划", "已完成"],
            ["2.公车管理不严", "加强管理", "已建立制度", "基本完成"]]
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows), "--as-of", "2022-05-01")
    assert outcome.code == 0, outcome.stderr
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i["status"], i["outcome"]) for i in items] == [("closed", "已制定计划"), ("open", "已建立制度")]
    assert ":3: 警告: " in outcome.stderr and "'基本完成'" in outcome.stderr


CLOSED_UNDATED = [["序号", "问题", "整改措施", "完成情况", "销号时间"],
                  ["1", "1.理论学习不深入", "制定计划", "已完成", None],
                  ["2", "2.公车管理不严", "加强管理", "已销号", "2022-04-15"],
                  ["3", "3.意识形态工作不到位", "压实责任", "是", None],
                  ["4", "4.档案管理不规范", "规范管理", "推进中", None]]


def test_closed_rows_without_a_date_take_as_of(tmp_path):
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", CLOSED_UNDATED), "--as-of", "2022-05-01")
    assert outcome.code == 0, outcome.stderr
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i["status"], i.get("closed_on")) for i in items] == [
        ("closed", dt.date(2022, 5, 1)), ("closed", dt.date(2022, 4, 15)), ("closed", dt.date(2022, 5, 1)),
        ("open", None)]
    assert_checks(folder)


def test_closed_rows_without_a_date_are_refused_by_row(tmp_path):
    folder = init(tmp_path / "ledger")
    before = snapshot(folder)
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", CLOSED_UNDATED))
    assert outcome.code == 1
    assert "第 2、4 行已完成" in outcome.stderr and "--as-of" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert snapshot(folder) == before


def test_deadline_words(tmp_path):
    deadlines = ["2022年3月底前", "3月份", "11月底前", "12月", "立行立改", "长期坚持", "2022/6/30"]
    rows = [["问题", "整改措施", "整改时限"]]
    rows += [[f"{n}.问题{n}", "措施", deadline] for n, deadline in enumerate(deadlines, start=1)]
    folder = init(tmp_path / "ledger", "--feedback", "2021-12-20")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows))
    assert outcome.code == 0, outcome.stderr
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i.get("deadline"), i.get("kind")) for i in items] == [
        (dt.date(2022, 3, 31), None), (dt.date(2022, 3, 31), None), (dt.date(2022, 11, 30), None),
        (dt.date(2021, 12, 31), None), (None, "immediate"), (None, "long_term"), (dt.date(2022, 6, 30), None)]
    assert "警告" not in outcome.stderr


def test_month_without_year_and_no_feedback_date_is_warned(tmp_path):
    rows = [["问题", "整改措施", "整改时限"], ["1.公车管理不严", "加强管理", "3月份"]]
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows))
    assert outcome.code == 0, outcome.stderr
    assert "deadline" not in issues(folder)[1]["items"][0]
    assert ":2: 警告: " in outcome.stderr and "'3月份'" in outcome.stderr
