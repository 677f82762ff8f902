"""Edits in a workspace under stress (issue 16, point 2), in real processes: a unit's command
killed half-way is rolled back by that unit's `undo --unit`, and edits of two units at once
each take their own unit's lock and both land.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from ..conftest import snapshot
from .support import expect
from .test_faults import copy_ledger, finish, run, spawn

UNITS = ("城管局", "桃花潭镇")


@pytest.fixture
def space(tmp_path) -> Path:
    root = tmp_path / "巡察办"
    for folder in ("a", "b"):
        copy_ledger(root / folder)
    entries = "".join(f"  - path: {folder}\n    name: {unit}\n" for folder, unit in zip(("a", "b"), UNITS, strict=True))
    (root / "workspace.yaml").write_text(f"ledgers:\n{entries}", encoding="utf-8")
    return root


@pytest.mark.slow
def test_a_killed_close_is_rolled_back_by_undo_of_that_unit_slow(space):
    before = snapshot(space)
    killed = run(space, "close", "城管局/13.2", "城管局/15.1", "--by", "张三", env={"RECTIFY_FAULT": "after-rename:1"})
    assert killed.code == -signal.SIGKILL, killed.stderr
    assert snapshot(space) != before  # one of its two files landed
    undo = run(space, "undo", "--unit", "城管局", "--yes")
    assert undo.code == 0, undo.stderr
    assert undo.stderr.startswith("rectify: 上次命令中断,已回滚 2 个文件"), undo.stderr
    assert snapshot(space) == before
    expect(run(space, "undo", "--unit", "桃花潭镇", "--yes"), 1, "rectify: 没有可撤销的编辑命令", stdout=None)


@pytest.mark.slow
def test_two_units_edited_at_once_both_land_slow(space):
    processes = [spawn(space, "close", f"{unit}/13.2", "--by", "张三") for unit in UNITS]
    for process, unit in zip(processes, UNITS, strict=True):
        done = finish(process)
        assert done.code == 0, done.stderr
        assert done.stdout.startswith(f"已销号 {unit}/13.2 ")
    for folder in ("a", "b"):
        assert "closed_by: 张三" in (space / folder / "issues" / "13.yaml").read_text(encoding="utf-8")
