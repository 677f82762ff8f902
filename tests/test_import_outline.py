"""import text: titles without their wrappers, and outcomes however they are labelled (issue 12, points 3–4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from rectify_cli import loading
from rectify_cli.errors import RectifyError
from rectify_cli.importers import cues, numbering, outline

from .conftest import DATA, REFERENCE, invoke
from .test_import import import_text, init, write_doc

OPENING = "2022年3月1日至2022年4月30日,市委第三巡察组对某某县财政局党组进行了常规巡察。\n二、反馈问题整改落实情况\n"


def imported_info(tmp_path: Path, document: str):
    """ledger.yaml, as loaded, after importing `document` into a new ledger."""
    folder = init(tmp_path / "ledger")
    assert import_text(folder, write_doc(tmp_path, document)).code == 0
    return loading.load_valid(folder).info


def imported_tree(tmp_path: Path, body: str) -> list[tuple]:
    """(aspect title, problem title, item title, measures, outcome) of every imported item."""
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, OPENING + body))
    assert outcome.code == 0, outcome.stderr
    assert "无法归类的行" not in outcome.stderr, outcome.stderr
    ledger = loading.load_valid(folder)
    return [(ledger.aspect_title(e.problem.aspect), e.problem.title, e.item.title, e.item.measures, e.item.outcome)
            for e in ledger.entries()]


def test_wrappers_leave_every_level_and_unlabelled_paragraphs_are_the_outcome(tmp_path):
    body = """(一)在“贯彻落实党的路线方针政策”方面
1.关于“学习贯彻不够深入”问题的整改
(1)关于“学习不系统、不全面”
一是开展了专题学习。
二是完善了学习制度。
(2)关于“学习成效不明显”的问题。
一是加强中心组学习。
(二)在“全面从严治党”方面存在的问题
2.关于“资产管理不规范”的问题
(1)资产未及时处置。
已清理固定资产。
"""
    assert imported_tree(tmp_path, body) == [
        ("贯彻落实党的路线方针政策", "学习贯彻不够深入", "学习不系统、不全面", None, "一是开展了专题学习。\n二是完善了学习制度。"),
        ("贯彻落实党的路线方针政策", "学习贯彻不够深入", "学习成效不明显", None, "一是加强中心组学习。"),
        ("全面从严治党", "资产管理不规范", "资产未及时处置", None, "已清理固定资产。"),
    ]


def test_outcome_labels_in_brackets_on_the_heading_line_and_measures(tmp_path):
    body = """(一)党的建设方面
1.理论学习不深入
(1)学习计划落实不到位
整改措施:制定年度学习计划。
【整改情况】已按计划学习12次。
(2)学习记录不全。整改成效:已补齐记录。
2.财务管理不规范
(1)报销审核不严
[整改结果]:已修订报销制度。
(2)公务接待超标
整改落实情况：已退还超标费用。
"""
    assert imported_tree(tmp_path, body) == [
        ("党的建设方面", "理论学习不深入", "学习计划落实不到位", "制定年度学习计划。", "已按计划学习12次。"),
        ("党的建设方面", "理论学习不深入", "学习记录不全", None, "已补齐记录。"),
        ("党的建设方面", "财务管理不规范", "报销审核不严", None, "已修订报销制度。"),
        ("党的建设方面", "财务管理不规范", "公务接待超标", None, "已退还超标费用。"),
    ]


def test_a_paragraph_before_a_label_is_not_taken_for_the_outcome(tmp_path):
    folder = init(tmp_path / "ledger")
    body = "(一)党的建设方面\n1.理论学习不深入\n(1)学习计划落实不到位\n具体表现为计划未执行。\n整改成效:制定学习计划。\n"
    outcome = import_text(folder, write_doc(tmp_path, OPENING + body))
    assert outcome.code == 0, outcome.stderr
    assert "无法归类的行" in outcome.stderr  # said, not silently made part of the outcome
    (entry,) = loading.load_valid(folder).entries()
    assert entry.item.outcome == "制定学习计划。"


# --- point 5: status from the outcome ---------------------------------------------------

SIX_OPEN = ["8.2", "11.3", "13.2", "15.1", "16", "17"]


def test_the_reference_gives_its_six_open_items_closed_on_its_as_of_date(tmp_path):
    folder = init(tmp_path / "ledger")
    assert import_text(folder, REFERENCE).code == 0
    ledger = loading.load_valid(folder)
    assert [e.id for e in ledger.entries() if e.is_open] == SIX_OPEN
    assert {e.item.closed_on for e in ledger.entries() if not e.is_open} == {dt.date(2022, 2, 23)}
    assert ledger.info.as_of == dt.date(2022, 2, 23)  # 截至当前(2月23日), in a report published 2022-02-25
    shipped = loading.load_valid(DATA)
    assert [(e.id, e.item.status) for e in ledger.entries()] == [(e.id, e.item.status) for e in shipped.entries()]
    written = yaml.safe_load((folder / "ledger.yaml").read_text(encoding="utf-8"))["report"]
    assert written == yaml.safe_load((DATA / "ledger.yaml").read_text(encoding="utf-8"))["report"]
    assert [(s["heading"][:4], s.get("problems", False)) for s in written["sections"]] == [
        ("高点站位", False), ("严实并举", True), ("建章立制", False)]  # without their numbering
    assert written["closing"][0].startswith("欢迎广大干部群众") and len(written["opening"]) == 1


@pytest.mark.parametrize(("outcome", "is_open"), [
    ("已修订制度。", False),
    ("已修订制度,将继续加强监督。", False),  # continuing effort alone
    ("持续推进,逐步规范,长期坚持。", False),
    ("正在整改。", True),
    ("拟结合年度述职开展。", True),
    ("下一步将完善制度。", True),
    ("将于换届时调整。", True),
    ("已清理一半,剩余部分将继续清理。", True),
    ("尚未完成处置。", True),
    ("积极研究有关历史遗留问题。", True),
    ("对其他人员将根据需要稳步解决。", True),
])
def test_cue_words_decide_open_or_closed(outcome, is_open):
    assert cues.still_open(outcome) is is_open


DATED = """泾县某局关于巡察整改进展情况的通报
截至2022年3月31日,已完成整改1个,正在整改0个。
二、反馈问题整改落实情况
(一)党的建设方面
1.理论学习不深入
(1)学习计划落实不到位
整改成效:正在制定学习计划。
(2)学习记录不全
整改成效:已补齐记录。
"""


def test_the_documents_own_counts_are_compared_and_a_difference_named(tmp_path):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, DATED))
    assert outcome.code == 0, outcome.stderr
    ledger = loading.load_valid(folder)
    assert [(e.id, e.is_open, e.item.closed_on) for e in ledger.entries()] == [
        ("1.1", True, None), ("1.2", False, dt.date(2022, 3, 31))]
    assert "文档写明正在整改0个,按整改成效读出 1 个" in outcome.stderr


def test_without_a_date_items_stay_open_and_as_of_closes_them(tmp_path):
    undated = DATED.replace("截至2022年3月31日,已完成整改1个,正在整改0个。\n", "")
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, undated))
    assert outcome.code == 0 and "可用 --as-of 日期 指定" in outcome.stderr
    assert all(e.is_open for e in loading.load_valid(folder).entries())
    again = init(tmp_path / "again")
    assert import_text(again, write_doc(tmp_path, undated), "--as-of", "2022-04-01").code == 0
    ledger = loading.load_valid(again)
    assert [e.item.closed_on for e in ledger.entries()] == [None, dt.date(2022, 4, 1)]
    assert ledger.info.as_of == dt.date(2022, 4, 1)


# --- point 8: the opening facts, kept even when no problem is found ----------------------

FACTS_ONLY = ("区委巡察组于2022年3月1日至4月30日对某某区财政局党组进行了常规巡察,6月10日反馈了巡察意见,"
              "指出12个具体问题。\n给予提醒谈话、批评教育等15人,建立健全制度20项,清退违纪款项1.2万元。\n")


def test_facts_are_kept_when_no_problem_is_found_and_undo_removes_them(tmp_path):
    folder = init(tmp_path / "ledger")
    before = (folder / "ledger.yaml").read_bytes()
    outcome = import_text(folder, write_doc(tmp_path, FACTS_ONLY))
    assert outcome.code == 1
    assert "没有找到任何编号的问题" in outcome.stderr and "已写入 ledger.yaml,可用 rectify undo 撤销" in outcome.stderr
    info = loading.load_valid(folder).info  # valid: check's blanks are warnings
    assert (info.inspector, info.unit, info.stated_items) == ("区委巡察组", "某某区财政局", 12)
    assert info.inspection.start == dt.date(2022, 3, 1) and info.feedback_date == dt.date(2022, 6, 10)
    assert info.figures.institutions.new == 20 and str(info.figures.funds_recovered) == "12000.00"
    assert [(list(entry.kind), entry.people) for entry in info.figures.accountability] == [
        (["reminder_talk", "criticism"], 15)]
    again = import_text(folder, write_doc(tmp_path, FACTS_ONLY))
    assert again.code == 1 and "ledger.yaml 无需更改" in again.stderr
    assert invoke("--ledger", str(folder), "undo", "--yes").code == 0
    assert (folder / "ledger.yaml").read_bytes() == before


def test_a_report_counting_problems_says_so(tmp_path):
    document = ("市委巡察五组对某某局进行了巡察,巡察反馈3个问题。\n截至2022年8月31日,已完成整改3个。\n"
                "二、问题整改落实情况\n(一)党的建设方面\n1.理论学习不深入\n整改成效:已完成。\n"
                "2.财务管理不规范\n整改成效:已修订。\n3.公务接待超标\n整改成效:已退还。\n")
    info = imported_info(tmp_path, document)
    assert (info.inspector, info.stated_problems, info.stated_items, info.count_by) == ("市委巡察五组", 3, None, "problem")


# --- the reference re-dressed: wrapper headings, outcomes without labels -------------------


def wrapped_reference() -> str:
    """The reference with 关于“…”问题的整改 problems, 关于“…” items and no outcome labels."""
    lines, in_problems = [], False
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        in_problems = in_problems or line.startswith("二、")
        in_problems = in_problems and not line.startswith("三、")
        problem = re.match(r"^(\d+)\.(.*)$", line) if in_problems else None
        item = re.match(r"^\((\d+)\)(.*)$", line) if in_problems else None
        if problem:
            line = f"{problem[1]}.关于“{outline.clean_title(problem[2])}”问题的整改"
        elif item:
            line = f"({item[1]})关于“{outline.clean_title(item[2])}”"
        elif in_problems and line.startswith("整改成效:"):
            line = line.removeprefix("整改成效:")
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_the_reference_with_wrapper_headings_and_unlabelled_outcomes_gives_the_shipped_tree(tmp_path):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, wrapped_reference()))
    assert outcome.code == 0, outcome.stderr
    assert "无法归类的行" not in outcome.stderr, outcome.stderr
    got, shipped = loading.load_valid(folder), loading.load_valid(DATA)
    def tree(ledger):
        return [(e.id, e.problem.title, e.item.title, e.item.outcome, e.item.status) for e in ledger.entries()]
    assert tree(got) == tree(shipped)


def test_the_unit_is_named_in_full_as_the_title_line_names_it(tmp_path):
    document = ("泾县城管执法局关于县委第二巡察组巡察反馈意见整改进展情况的通报\n"
                "2021年8月30日至2021年9月18日,县委第二巡察组对县城管执法局党组进行了巡察。\n"
                "二、整改落实情况\n(一)党的建设方面\n1.理论学习不深入\n整改成效:已完成。\n")
    info = imported_info(tmp_path, document)
    assert (info.unit, info.title) == ("泾县城管执法局", "泾县城管执法局巡察整改台账")


# --- levels: inferred, or said with --levels ------------------------------------------------

AMBIGUOUS = """二、整改落实情况
(一)党的建设
1.学习不深入
整改成效:已开展学习。
2.制度不健全
整改成效:已建立制度。
(二)作风建设
1.会风不实
整改成效:已精简会议。
"""


def problem_titles(folder: Path) -> list[tuple[str, str]]:
    ledger = loading.load_valid(folder)
    return [(ledger.aspect_title(p.aspect), p.title) for p in ledger.problems]


def test_levels_says_which_numbering_is_which_level_where_the_inference_differs(tmp_path):
    document = write_doc(tmp_path, OPENING + AMBIGUOUS)
    inferred = init(tmp_path / "inferred")
    assert import_text(inferred, document).code == 0  # (一) headings holding several 1. read as problems
    assert problem_titles(inferred) == [(outline.DEFAULT_ASPECT, "党的建设"), (outline.DEFAULT_ASPECT, "作风建设")]
    given = init(tmp_path / "given")
    outcome = import_text(given, document, "--levels", "（一）=方面,1、=问题")
    assert outcome.code == 0, outcome.stderr
    assert problem_titles(given) == [("党的建设", "学习不深入"), ("党的建设", "制度不健全"), ("作风建设", "会风不实")]
    assert "重新编为 1..n" in outcome.stderr  # 1. 2. / 1. became 1, 2, 3


@pytest.mark.parametrize(("tokens", "levels"), [
    ("(一)=aspect,1.=problem,(1)=item", ("(一)", "1.", "(1)")),
    ("（一）=方面，１．=问题，①=具体问题", ("(一)", "1.", "①")),
    ("一、=problem,无编号=item", (None, "一、", "无编号")),
    ("第一条=problem,1)=item", (None, "第一条", "1)")),
    ("一.=aspect,（1）=problem,一是=item", ("一、", "(1)", "一是")),
])
def test_levels_tokens_in_any_width_and_either_stop(tokens, levels):
    chosen = numbering.parse_levels(tokens)
    assert (chosen.aspect, chosen.problem, chosen.item) == levels


@pytest.mark.parametrize("tokens", ["(一)=aspect", "A.=problem", "1.=topic", "1.problem"])
def test_levels_that_cannot_be_read_are_refused_with_the_way_to_write_them(tokens):
    with pytest.raises(RectifyError, match="--levels"):
        numbering.parse_levels(tokens)


def test_a_bad_levels_option_is_one_line_and_changes_nothing(tmp_path):
    folder = init(tmp_path / "ledger")
    before = (folder / "ledger.yaml").read_bytes()
    outcome = import_text(folder, write_doc(tmp_path, OPENING + AMBIGUOUS), "--levels", "甲=problem")
    assert outcome.code == 1 and outcome.stderr.count("\n") == 1 and "“甲” 无法识别" in outcome.stderr
    assert (folder / "ledger.yaml").read_bytes() == before


PLAN = """(一)党的建设方面
1.关于“理论学习不深入”问题的整改
整改措施:制定学习计划。
责任单位:办公室、党建股
整改时限:2022年9月底前
2.关于“资产管理不规范”问题的整改
整改措施:清理资产。
整改时限:立行立改
"""


def test_a_plans_deadline_and_department_lines_fill_their_fields(tmp_path):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, OPENING + PLAN))
    assert outcome.code == 0, outcome.stderr
    items = [e.item for e in loading.load_valid(folder).entries()]
    assert [(i.measures, i.departments, i.deadline, i.kind.value if i.kind else None, i.status.value) for i in items] == [
        ("制定学习计划。", ["办公室", "党建股"], dt.date(2022, 9, 30), None, "open"),
        ("清理资产。", [], None, "immediate", "open")]


def test_an_outcomes_own_numbered_list_stays_in_the_outcome(tmp_path):
    body = """(一)党的建设方面
1.关于“理论学习不深入”的问题
(1)学习计划未执行。
整改成效:
1.制定学习计划。
2.建立学习台账。
(2)学习记录不全。
整改成效:已补齐。
2.关于“资产管理不规范”的问题
整改成效:已清理。
"""
    assert [row[1:] for row in imported_tree(tmp_path, body)] == [
        ("理论学习不深入", "学习计划未执行", None, "1.制定学习计划。\n2.建立学习台账。"),
        ("理论学习不深入", "学习记录不全", None, "已补齐。"),
        ("资产管理不规范", None, None, "已清理。"),
    ]


def test_levels_naming_only_the_problem_and_item_keep_the_aspects_above(tmp_path):
    body = """(一)党的建设方面
1.关于“理论学习不深入”的问题
一是学习计划未执行。已制定学习计划。
二是学习记录不全。已补齐。
(二)作风建设方面
2.关于“会风不实”的问题
一是会议过多。已精简会议。
"""
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, OPENING + body), "--levels", "1.=problem,一是=item")
    assert outcome.code == 0, outcome.stderr
    ledger = loading.load_valid(folder)
    assert [(ledger.aspect_title(e.problem.aspect), e.id, e.item.title, e.item.outcome) for e in ledger.entries()] == [
        ("党的建设方面", "1.1", "学习计划未执行", "已制定学习计划。"), ("党的建设方面", "1.2", "学习记录不全", "已补齐。"),
        ("作风建设方面", "2", "会议过多", "已精简会议。")]
