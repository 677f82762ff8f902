"""count_by (official counts by item or by problem) and as_of (a ledger that is a snapshot)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from .conftest import replace_once
from .hostile.support import without_blanks

BY_PROBLEM = "巡察反馈问题17个,已完成整改11个,正在整改6个,整改完成率64.7%"
BY_ITEM = "巡察反馈问题34个,已完成整改28个,正在整改6个,整改完成率82.4%"
AS_OF = "as_of: 2022-02-23\n"


@pytest.fixture
def by_problem(ledger):
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 34\ncount_by: problem\n")
    return ledger


@pytest.fixture
def deadlines(ledger):
    """13.2 due before the snapshot's date, 8.2 after it (but long before the real today)."""
    replace_once(ledger / "issues" / "13.yaml", "    status: open\n", "    deadline: 2022-01-31\n    status: open\n")
    replace_once(ledger / "issues" / "08.yaml", "    title: 班子成员履行“一岗双责”不够\n",
                 "    title: 班子成员履行“一岗双责”不够\n    deadline: 2022-06-30\n")
    return ledger


def summary_json(rectify, *args):
    out = rectify("summary", "--format", "json", *args)
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)


# --- count_by ----------------------------------------------------------------------------


def test_shipped_ledger_counts_by_item(rectify):
    data = summary_json(rectify)
    assert data["summary"]["sentence"] == BY_ITEM
    assert data["summary"]["count_by"] == "item"


def test_count_by_problem_gives_the_problems_sentence(by_problem, rectify):
    figures = summary_json(rectify)["summary"]
    assert figures["sentence"] == BY_PROBLEM
    assert (figures["count_by"], figures["stated"], figures["closed"], figures["open"]) == ("problem", 17, 11, 6)
    table = rectify("summary", "--format", "table").stdout
    assert table.splitlines()[0] == BY_PROBLEM
    assert "分组统计按具体问题计" in table  # the rows by aspect stay by item, and say so


def test_close_and_reopen_lines_count_as_the_summary_does(by_problem, rectify):
    """Problem 13 has two items, 13.1 closed: closing 13.2 completes it; reopening 13.1 undoes that."""
    closed = rectify("--today", "2022-02-24", "close", "13.2", "--by", "张三")
    assert closed.code == 0, closed.stderr
    assert closed.stdout.splitlines()[-1] == "整改完成率(按问题计)12/17 = 70.6%"
    assert summary_json(rectify)["summary"]["closed"] == 12
    note = rectify("--today", "2022-02-24", "note", "11.3", "已约谈", "--by", "张三")
    assert note.stdout.splitlines()[-1] == "整改完成率(按问题计)12/17 = 70.6%"
    reopened = rectify("--today", "2022-02-24", "reopen", "13.1", "--reason", "回头看", "--by", "张三")
    assert reopened.stdout.splitlines()[-1] == "整改完成率(按问题计)11/17 = 64.7%"


def test_count_by_problem_in_the_list_footer(by_problem, rectify):
    out = rectify("list", "--format", "table")
    assert "共 34 项,已销号 28 项,未销号 6 项;整改完成率(按问题计)11/17 = 64.7%" in out.stdout


def test_stated_problems_is_the_denominator_and_check_flags_it(by_problem, rectify):
    replace_once(by_problem / "ledger.yaml", "count_by: problem\n", "count_by: problem\nstated_problems: 20\n")
    figures = summary_json(rectify)["summary"]
    assert figures["sentence"] == "巡察反馈问题20个,已完成整改11个,正在整改9个,整改完成率55.0%"
    check = rectify("check")
    assert check.code == 0
    assert "ledger.yaml:" in check.stderr and "stated_problems(反馈问题个数)为 20,台账中实有 17 个问题" in check.stderr


def test_count_by_problem_in_report_and_exports(by_problem, rectify, tmp_path):
    report = rectify("report", "--format", "txt").stdout
    assert "截至2022年2月23日，已完成整改11个，正在整改6个，整改完成率64.7%" in report
    assert BY_PROBLEM in rectify("export", "--format", "md").stdout
    assert BY_PROBLEM in rectify("export", "--format", "html").stdout
    assert json.loads(rectify("export", "--format", "json").stdout)["ledger"]["count_by"] == "problem"
    from openpyxl import load_workbook

    target = tmp_path / "台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(target)).code == 0
    assert load_workbook(io.BytesIO(target.read_bytes()))["统计"]["A1"].value == BY_PROBLEM


def test_count_by_accepts_the_chinese_word_and_rejects_others(ledger, rectify):
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 34\ncount_by: 问题\n")
    assert summary_json(rectify)["summary"]["sentence"] == BY_PROBLEM
    replace_once(ledger / "ledger.yaml", "count_by: 问题\n", "count_by: 部门\n")
    out = rectify("check")
    assert out.code == 1
    assert "ledger.yaml:11:11: 错误: count_by(计数口径) 的值 '部门' 无效" in out.stderr


# --- as_of ---------------------------------------------------------------------------------


def test_overdue_stands_at_as_of_without_today(deadlines, rectify):
    assert rectify("list", "--overdue", "--format", "tsv").stdout.splitlines()[1:] == [
        line for line in rectify("list", "--format", "tsv").stdout.splitlines() if line.startswith("13.2\t")
    ]
    assert summary_json(rectify)["summary"]["overdue"] == 1
    later = rectify("--today", "2023-01-01", "list", "--overdue", "--format", "tsv").stdout.splitlines()[1:]
    assert [line.split("\t")[0] for line in later] == ["8.2", "13.2"]
    env_later = rectify("summary", "--format", "json", env={"RECTIFY_TODAY": "2023-01-01"})
    assert json.loads(env_later.stdout)["summary"]["overdue"] == 2


def test_as_of_line_under_tables_and_in_json(rectify):
    assert rectify("list", "--format", "table").stdout.rstrip().endswith("\n数据截至 2022-02-23")
    assert rectify("summary", "--format", "table").stdout.rstrip().endswith("\n数据截至 2022-02-23")
    assert rectify("summary", "--format", "md").stdout.rstrip().endswith("\n数据截至 2022-02-23")
    assert summary_json(rectify)["as_of"] == "2022-02-23"
    assert json.loads(rectify("list", "--format", "json").stdout)["today"] == "2022-02-23"


def test_report_and_board_are_dated_as_of(rectify):
    report = rectify("report", "--format", "txt").stdout
    assert "截至2022年2月23日，已完成整改28个" in report
    assert f"截至{dt.date.today().year}年" not in report
    assert "截至 2022-02-23" in rectify("export", "--format", "html").stdout


def test_a_close_records_the_real_date_not_as_of(rectify, ledger):
    out = rectify("close", "13.2", "--by", "张三")
    assert out.code == 0, out.stderr
    today = dt.date.today().isoformat()
    assert f"closed_on: {today}" in (ledger / "issues" / "13.yaml").read_text(encoding="utf-8")
    shown = json.loads(rectify("show", "13.2", "--format", "json").stdout)["items"][0]
    assert shown["closed_on"] == today


def test_check_warns_of_events_after_as_of(rectify):
    assert rectify("note", "8.2", "召开专题会", "--on", "2022-03-01", "--by", "张三").code == 0
    out = rectify("check")
    assert out.code == 0
    assert "issues/08.yaml:18:15: 警告: 整改进展的日期 2022-03-01 晚于 ledger.yaml 的 as_of(数据截至)2022-02-23" in out.stderr
    assert "5 处警告" in out.stdout  # and the four blanks of the 五个一


def test_check_warns_of_a_closed_on_after_as_of(ledger, rectify):
    replace_once(ledger / "issues" / "13.yaml", "    status: open\n", "    status: closed\n    closed_on: 2022-03-02\n")
    out = rectify("check")
    assert out.code == 0
    assert "issues/13.yaml:16:16: 警告: 销号日期 2022-03-02 晚于 ledger.yaml 的 as_of(数据截至)2022-02-23" in out.stderr


def test_a_live_ledger_stands_at_the_real_date(deadlines, rectify, ledger):
    replace_once(ledger / "ledger.yaml", AS_OF, "")
    overdue = rectify("list", "--overdue", "--format", "tsv").stdout.splitlines()[1:]
    assert [line.split("\t")[0] for line in overdue] == ["8.2", "13.2"]
    assert "数据截至" not in rectify("list", "--format", "table").stdout
    assert summary_json(rectify)["as_of"] is None
    today = dt.date.today()
    assert f"截至{today.year}年{today.month}月{today.day}日" in rectify("report", "--format", "txt").stdout
    assert rectify("note", "8.2", "召开专题会", "--on", "2022-03-01", "--by", "张三").code == 0
    assert "警告" not in without_blanks(rectify("check").stderr)
