"""The read commands across a workspace (issue 16, points 2 and 3): list, show and summary over
every unit's ledger, unit-qualified IDs, and a broken ledger named, left out, exit 1.

The workspace (tests/workspace_support.py) holds three copies of the shipped ledger: 城管局, 桃花潭镇人民政府
and the broken 坏账局.
"""

from __future__ import annotations

import json

import docx
import pytest

from . import workspace_support
from .conftest import invoke, write_issue
from .workspace_support import TAOHUA, TODAY, run, tsv

space = workspace_support.space  # the shared fixture, found by pytest under this name


def test_list_has_a_unit_column_and_qualified_ids(space):
    out = run(space, "list", "--open", "--format", "tsv")
    header, *rows = tsv(out.stdout)
    assert header[:2] == ["单位", "编号"]
    assert {row[0] for row in rows} == {"城管局", TAOHUA}
    assert ["城管局", "城管局/13.2"] in [row[:2] for row in rows]
    assert [TAOHUA, f"{TAOHUA}/16"] in [row[:2] for row in rows]
    assert "城管局/16" not in [row[1] for row in rows]  # closed there
    assert len(rows) == 5 + 6


def test_a_single_ledger_lists_as_before(space):
    out = invoke("--ledger", str(space / "chengguan"), "list", "--format", "tsv")
    assert out.stdout.splitlines()[0].split("\t")[:2] == ["编号", "问题"]


def test_broken_ledger_is_named_left_out_and_fails_the_command(space):
    out = run(space, "list", "--format", "table")
    assert out.code == 1
    assert "未计入 坏账局" in out.stderr
    assert "broken/issues/03.yaml:" in out.stderr  # its first errors, with file:line
    assert "(未计入:坏账局)" in out.stdout
    assert "坏账局/" not in out.stdout
    assert "共 68 项" in out.stdout


def test_json_lists_the_excluded(space):
    data = json.loads(run(space, "list", "--format", "json").stdout)
    assert [gone["unit"] for gone in data["excluded"]] == ["坏账局"]
    assert data["excluded"][0]["errors"]
    assert {unit["unit"] for unit in data["units"]} == {"城管局", TAOHUA}
    assert data["items"][0]["id"] == "城管局/1.1" and data["items"][0]["unit"] == "城管局"


@pytest.mark.parametrize("typed", ["城管局/16", "城管局:16", "城管局：16"])
def test_show_a_qualified_id_in_every_spelling(space, typed):
    out = run(space, "show", typed, "--format", "tsv")
    assert out.stdout.startswith("【城管局】\n")
    assert "张三" in out.stdout  # the close made in that ledger
    assert TAOHUA not in out.stdout


def test_show_an_unqualified_id_shows_it_for_every_unit(space):
    out = run(space, "show", "13.2", "--format", "tsv")
    headings = [line for line in out.stdout.splitlines() if line.startswith("【")]
    assert headings == ["【城管局】", f"【{TAOHUA}】"]
    assert out.code == 1 and "(未计入:坏账局)" in out.stdout


def test_show_an_unknown_unit_names_the_units(space):
    out = run(space, "show", "环保局/13.2")
    assert out.code == 1
    assert "没有单位 环保局" in out.stderr and "城管局" in out.stderr


def test_summary_headline_adds_each_ledgers_official_figures(space):
    out = run(space, "--today", TODAY, "summary", "--by", "unit", "--format", "json")
    data = json.loads(out.stdout)
    # 城管局 29/34 (16 closed), the other 28/34: the sum of each ledger's official counts
    assert data["summary"]["sentence"] == "本轮巡察反馈问题68个,已完成整改57个,正在整改11个,整改完成率83.8%"
    assert [(row["label"], row["closed"], row["total"]) for row in data["rows"]] == [("城管局", 29, 34), (TAOHUA, 28, 34)]
    assert data["total"]["closed"] == 57
    assert [gone["unit"] for gone in data["excluded"]] == ["坏账局"]
    assert out.code == 1


def test_summary_ranks_units_by_rate_and_by_overdue(space):
    data = json.loads(run(space, "summary", "--format", "json").stdout)
    ranking = [(row["unit"], row["rate_rank"], row["overdue"], row["overdue_rank"]) for row in data["ranking"]]
    assert ranking == [("城管局", 1, 0, None), (TAOHUA, 2, 1, 1)]
    text = run(space, "summary", "--by", "unit").stdout
    assert "完成率排名" in text and "逾期排名" in text and "(未计入:坏账局)" in text


def test_summary_by_aspect_groups_by_title(space):
    data = json.loads(run(space, "summary", "--by", "aspect", "--format", "json").stdout)
    assert len(data["rows"]) == 3  # both ledgers' three aspects, merged by title
    assert sum(row["total"] for row in data["rows"]) == 68
    assert all(not row["label"].startswith("(") for row in data["rows"])


def test_rounds_each_get_a_row_and_the_headline_drops_本轮(space):
    text = (space / "workspace.yaml").read_text(encoding="utf-8")
    (space / "workspace.yaml").write_text(text.replace("    round: 四届第七轮\n    level: 乡镇", "    round: 四届第八轮\n    level: 乡镇"),
                                          encoding="utf-8")
    data = json.loads(run(space, "summary", "--format", "json").stdout)
    assert data["summary"]["sentence"].startswith("巡察反馈问题68个")
    assert [row["label"] for row in data["rounds"]] == ["四届第七轮", "四届第八轮"]


def test_unit_narrowing_leaves_the_broken_one_aside(space):
    out = run(space, "summary", "--unit", "城管局", "--format", "json")
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["summary"]["sentence"] == "本轮巡察反馈问题34个,已完成整改29个,正在整改5个,整改完成率85.3%"
    assert data["excluded"] == []
    listed = run(space, "list", "--level", "乡镇", "--format", "tsv")
    assert listed.code == 0 and {row[0] for row in tsv(listed.stdout)[1:]} == {TAOHUA}


def test_a_hand_edit_is_seen_by_the_next_rollup(space):
    assert '"closed": 57' in run(space, "summary", "--format", "json").stdout  # caches written
    issue = space / "chengguan" / "issues" / "15.yaml"
    text = issue.read_text(encoding="utf-8")
    write_issue(space / "chengguan", "15.yaml", text.replace("    status: open\n", "    status: closed\n    closed_on: 2022-02-21\n", 1))
    assert '"closed": 58' in run(space, "summary", "--format", "json").stdout


def test_filters_apply_per_ledger(space):
    rows = tsv(run(space, "list", "--overdue", "--format", "tsv").stdout)[1:]
    assert [row[:2] for row in rows] == [[TAOHUA, f"{TAOHUA}/8.2"]]


def test_workspace_options_need_a_workspace(space):
    out = invoke("--ledger", str(space / "chengguan"), "list", "--unit", "城管局")
    assert out.code == 2 and "只用于工作区" in out.stderr


def test_check_checks_every_ledger_of_the_workspace(space):
    """Each member's diagnostics with its own file and line; the broken one fails the check."""
    out = run(space, "--today", TODAY, "check")
    assert out.code == 1
    broken = [line for line in out.stderr.splitlines() if "broken" in line and "03.yaml:" in line]
    assert broken and "错误" in broken[0]  # file:line of the broken member's error
    assert "检查未通过" in out.stderr
    assert any("taohua" in line and "警告" in line for line in out.stderr.splitlines())  # its blank 五个一


def test_export_csv_of_a_workspace_has_a_unit_column(space):
    out = run(space, "--today", TODAY, "export", "-f", "csv", "--open")
    assert out.code == 1  # the broken ledger is named and left out
    rows = [line.split(",") for line in out.stdout.lstrip("\ufeff").splitlines()]
    assert rows[0][:2] == ["单位", "序号"]
    units = {row[0] for row in rows[1:]}
    assert units == {"城管局", TAOHUA} and "坏账局" not in units
    assert "未计入 坏账局" in out.stderr
    narrowed = run(space, "--today", TODAY, "export", "-f", "csv", "--unit", "城管局")
    assert narrowed.code == 0, narrowed.stderr
    assert {line.split(",")[0] for line in narrowed.stdout.lstrip("\ufeff").splitlines()[1:]} == {"城管局"}


def test_overdue_notices_name_each_units_overdue_items(space, tmp_path):
    out = run(space, "--today", TODAY, "report", "--overdue-notice", "--reply-by", "2022-03-10")
    assert out.code == 1 and "未计入 坏账局" in out.stderr  # the broken ledger is named, as in every roll-up
    text = out.stdout
    assert text.count("巡察整改督办通知") == 1  # only 桃花潭镇 has an overdue item
    assert f"{TAOHUA}：" in text and "8.2 班子成员履行“一岗双责”不够" in text
    assert "整改时限2022年1月31日，已逾期23天" in text and "请于2022年3月10日前" in text
    folder = tmp_path / "notices"
    folder.mkdir()
    files = run(space, "--today", TODAY, "report", "--overdue-notice", "-f", "docx", "-o", str(folder),
                "--unit", TAOHUA)
    assert files.code == 0, files.stderr


    written = docx.Document(str(folder / f"督办通知-{TAOHUA}.docx"))
    assert any("已逾期23天" in paragraph.text for paragraph in written.paragraphs)
    assert [path.name for path in folder.iterdir()] == [f"督办通知-{TAOHUA}.docx"]


def test_no_overdue_item_needs_no_notice(rectify):
    out = rectify("--today", TODAY, "report", "--overdue-notice")
    assert out.code == 0 and out.stdout == "" and "无需督办" in out.stderr
