"""`rectify show`: every field of one item, its problem and aspect, history in date order."""

from __future__ import annotations

import json

import pytest

HISTORY = """\
    history:
      - date: 2022-02-20
        action: progress
        by: 王五
        note: 第二次进展
      - date: 2021-12-01
        action: progress
        by: 张三
        note: 第一次进展
"""


@pytest.fixture
def with_history(ledger):
    path = ledger / "issues" / "13.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    status: open\n", "    status: open\n    lead: 李副局长\n" + HISTORY), encoding="utf-8")
    return ledger


def shown_labels(text: str) -> list[str]:
    return [line.split(":", 1)[0] for line in text.splitlines() if ":" in line and not line.startswith(" ")]


def test_only_fields_with_a_value_are_shown(rectify):
    out = rectify("show", "13.1", "--format", "tsv")
    assert out.code == 0
    assert shown_labels(out.stdout) == ["编号", "具体问题", "问题", "方面", "整改类型", "状态", "销号日期", "整改成效"]
    assert "—" not in out.stdout


def test_every_field_is_labelled_with_all_fields(rectify):
    out = rectify("show", "13.1", "--format", "tsv", "--all-fields")
    assert out.code == 0
    labels = shown_labels(out.stdout)
    assert "问题描述:—" in out.stdout and "备注:—" in out.stdout  # the empty ones, marked
    for label in ["编号", "具体问题", "问题", "方面", "状态", "整改类型", "整改措施", "责任领导", "责任部门",
                  "责任人", "整改时限", "销号日期", "销号人", "整改成效", "佐证材料", "建章立制", "整改进展"]:
        assert label in labels
    assert "方面:(二)群众身边腐败问题和不正之风方面" in out.stdout
    assert "整改类型:立行立改" in out.stdout
    assert "销号日期:2022-02-23" in out.stdout


def test_history_in_date_order(with_history, rectify):
    out = rectify("show", "13.2", "--format", "tsv")
    assert out.code == 0
    first = out.stdout.index("2021-12-01 进展 张三:第一次进展")
    second = out.stdout.index("2022-02-20 进展 王五:第二次进展")
    assert first < second
    assert "责任领导:李副局长" in out.stdout


def test_json_show(with_history, rectify):
    data = json.loads(rectify("show", "13.2", "--format", "json").stdout)
    assert data["schema_version"] == 1
    (item,) = data["items"]
    assert item["id"] == "13.2" and item["lead"] == "李副局长"
    assert item["aspect_title"] == "群众身边腐败问题和不正之风方面"
    assert [event["by"] for event in item["history"]] == ["王五", "张三"]


def test_table_show_in_terminal_style(rectify):
    out = rectify("show", "17", "--format", "table")
    assert out.code == 0
    assert "上一轮巡察指出的“混编混岗问题突出”" in out.stdout
    assert "未销号" in out.stdout
