"""Edits in a workspace (issue 16, point 2): close, reopen and note by unit-qualified ids change
that unit's ledger, with its own journal (`undo --unit`); a git: member, an unqualified id, two
units in one command and an unknown unit are refused in one line.

The workspace (tests/workspace_support.py): 城管局, 桃花潭镇人民政府 and the broken 坏账局.
"""

from __future__ import annotations

import pytest

from . import workspace_support
from .conftest import invoke, snapshot
from .gitrepos import needs_git, unit_repository
from .test_edit import complete
from .workspace_support import TAOHUA, TODAY

space = workspace_support.space  # the shared fixture, found by pytest under this name
ISSUE_13 = "issues/13.yaml"


def edit(space, *args):
    return invoke("--ledger", str(space), "--today", TODAY, *args)


def one_line(out) -> str:
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_close_changes_only_that_units_ledger_and_undo_unit_restores_it(space):
    before = snapshot(space)
    out = edit(space, "close", "城管局/13.2", "--by", "张三")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("已销号 城管局/13.2 ")
    after = snapshot(space)
    assert after[f"chengguan/{ISSUE_13}"] != before[f"chengguan/{ISSUE_13}"]
    assert "closed_by: 张三" in after[f"chengguan/{ISSUE_13}"].decode()
    assert {path for path in after if after[path] != before.get(path)} == {f"chengguan/{ISSUE_13}"}
    assert not (space / "taohua" / ".rectify").exists()  # the journal is the unit's own
    assert not (space / ".rectify" / "journal").exists()
    assert (space / "chengguan" / ".rectify" / "journal").is_dir()
    undone = edit(space, "undo", "--unit", "城管局", "--yes")
    assert undone.code == 0, undone.stderr
    assert "已撤销:" in undone.stdout and "close 城管局/13.2" in undone.stdout
    assert snapshot(space) == before


@pytest.mark.parametrize("typed", ["城管局:16", "城管局：16"])
def test_reopen_in_every_spelling(space, typed):
    out = edit(space, "reopen", typed, "--reason", "回头看:仍未处置")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("已重新打开 城管局/16 ")
    assert "status: open" in (space / "chengguan" / "issues" / "16.yaml").read_text(encoding="utf-8")


def test_note_goes_to_the_named_unit(space):
    before = snapshot(space / "chengguan")
    out = edit(space, "note", f"{TAOHUA}/13.2", "已报财政局审核", "--by", "李四")
    assert out.code == 0, out.stderr
    assert "已报财政局审核" in (space / "taohua" / ISSUE_13).read_text(encoding="utf-8")
    assert snapshot(space / "chengguan") == before


def test_dry_run_shows_the_diff_and_writes_nothing(space):
    before = snapshot(space)
    out = edit(space, "close", "城管局/13.2", "--by", "张三", "--dry-run")
    assert out.code == 0, out.stderr
    assert "+    closed_by: 张三" in out.stdout and "(试运行:未写入任何文件)" in out.stdout
    assert snapshot(space) == before


def test_an_unqualified_id_is_refused_naming_the_units_that_have_it(space):
    before = snapshot(space)
    out = edit(space, "close", "13.2", "--by", "张三")
    assert out.code == 1
    assert one_line(out) == f"rectify: 编号 13.2 在多个单位都有:城管局、{TAOHUA};请写成 城管局/13.2"
    assert snapshot(space) == before


def test_an_unqualified_id_no_unit_has_is_refused(space):
    out = edit(space, "note", "99.1", "进展")
    assert out.code == 1 and one_line(out) == "rectify: 没有哪个单位有编号为 99.1 的事项"


def test_ids_of_two_units_in_one_command_are_refused(space):
    before = snapshot(space)
    out = edit(space, "close", "城管局/13.2", f"{TAOHUA}/13.2", "--by", "张三")
    assert out.code == 2
    assert one_line(out).startswith(f"rectify: 一条命令只能修改一个单位的台账(各单位各有撤销记录),这里有:城管局、{TAOHUA}")
    assert snapshot(space) == before


def test_an_unknown_unit_is_refused_naming_the_units(space):
    out = edit(space, "close", "环保局/13.2", "--by", "张三")
    assert out.code == 1
    assert one_line(out) == f"rectify: 工作区中没有单位 环保局;有:城管局、{TAOHUA}、坏账局"


def test_a_broken_members_ledger_gives_the_edits_own_error(space):
    out = edit(space, "close", "坏账局/3.1", "--by", "张三")
    assert out.code == 1
    assert "broken/issues/03.yaml:" in out.stderr


def test_undo_in_a_workspace_needs_the_unit(space):
    out = edit(space, "undo", "--yes")
    assert out.code == 2
    assert one_line(out) == f"rectify: 工作区中请用 --unit 指明撤销哪个单位的上一条命令:城管局、{TAOHUA}、坏账局"


def test_undo_unit_on_a_single_ledger_is_refused_as_the_reads_refuse_it(space):
    ledger = str(space / "chengguan")
    undo = invoke("--ledger", ledger, "undo", "--unit", "城管局", "--yes")
    listed = invoke("--ledger", ledger, "list", "--unit", "城管局")
    assert undo.code == listed.code == 2
    assert one_line(undo) == one_line(listed)


@needs_git
def test_a_git_member_is_refused_naming_its_remote(space, tmp_path):
    _work, url = unit_repository(tmp_path, "远程镇")
    assert invoke("--ledger", str(space), "workspace", "add", url, "--name", "远程镇").code == 0
    assert invoke("--ledger", str(space), "sync").code == 0
    clone = space / "ledgers" / "远程镇"
    before = snapshot(clone)
    out = edit(space, "close", "远程镇/13.2", "--by", "张三")
    assert out.code == 1
    assert one_line(out) == (f"rectify: 远程镇 的台账来自 git: {url},请该单位在源仓库中修改"
                             "(工作区中的克隆只跟随远程,由 rectify sync 更新)")
    undo = edit(space, "undo", "--unit", "远程镇", "--yes")
    assert undo.code == 1 and url in one_line(undo)
    assert snapshot(clone) == before


def test_completion_offers_qualified_ids(space):
    offered = complete(space, "rectify close ")
    assert {"城管局/13.2", f"{TAOHUA}/16"} <= set(offered)
    assert not {"城管局/13.1", "城管局/16", "13.2"} & set(offered)  # closed there, or unqualified
    reopened = complete(space, "rectify reopen 城管局/1")
    assert {"城管局/13.1", "城管局/16"} <= set(reopened) and "城管局/13.2" not in reopened
    assert all(one.startswith("城管局/1") for one in reopened)
