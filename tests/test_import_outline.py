"""import text: titles without their wrappers, and outcomes however they are labelled (issue 12, points 3–4)."""

from __future__ import annotations

from pathlib import Path

from rectify_cli import loading

from .test_import import import_text, init, write_doc

OPENING = "2022年3月1日至2022年4月30日,市委第三巡察组对某某县财政局党组进行了常规巡察。\n二、反馈问题整改落实情况\n"


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
