"""`rectify sync` against real git: local bare repositories (file:// URLs) as the units' remotes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import invoke, snapshot
from .gitrepos import commit_all, git, head, needs_git, unit_repository

pytestmark = needs_git
TODAY = "2022-03-01"


def office(tmp_path: Path, *units: str) -> tuple[Path, dict[str, tuple[Path, str]]]:
    """A workspace listing each unit's remote as a git: entry; (workspace, name → (work copy, URL))."""
    root = tmp_path / "巡察办"
    assert invoke("init", "--workspace", str(root)).code == 0
    repos = {name: unit_repository(tmp_path, name) for name in units}
    for name, (_work, url) in repos.items():
        out = invoke("--ledger", str(root), "workspace", "add", url, "--name", name)
        assert out.code == 0, out.stderr
    return root, repos


def sync(root: Path, *args: str):
    return invoke("--ledger", str(root), "sync", *args)


def close_and_push(work: Path, item_id: str) -> None:
    out = invoke("--ledger", str(work), "--today", TODAY, "close", item_id, "--by", "张三")
    assert out.code == 0, out.stderr
    commit_all(work, f"销号 {item_id}")
    git(work, "push", "-q", "origin", "main")


def work_tree(clone: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(clone).items() if not name.startswith(".git/")}


def item_status(ledger: Path, problem: int, number: int) -> str:
    data = yaml.safe_load((ledger / "issues" / f"{problem:02d}.yaml").read_text(encoding="utf-8"))
    return data["items"][number - 1]["status"]


def test_a_units_close_reaches_the_office_after_sync(tmp_path):
    root, repos = office(tmp_path, "城管局", "财政局")
    first = sync(root)
    assert (first.code, first.stdout) == (0, "城管局  更新(已克隆)\n财政局  更新(已克隆)\n"), first.stderr
    clone = root / "ledgers" / "城管局"
    assert item_status(clone, 13, 2) == "open"

    close_and_push(repos["城管局"][0], "13.2")
    out = sync(root)
    assert out.code == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("城管局  更新(") and lines[1] == "财政局  无变化"
    assert item_status(clone, 13, 2) == "closed"
    assert head(clone) == head(repos["城管局"][0])
    listed = invoke("--ledger", str(clone), "list", "--closed", "--format", "tsv")
    assert "\n13.2\t" in listed.stdout

    again = sync(root)
    assert (again.code, again.stdout) == (0, "城管局  无变化\n财政局  无变化\n")


@pytest.mark.slow
def test_failures_leave_their_clones_alone_and_the_others_update(tmp_path):
    root, repos = office(tmp_path, "分叉局", "改动局", "正常局")
    git(root, "init", "-q")  # beside the point, but a workspace is usually a repository too
    invoke("--ledger", str(root), "workspace", "add", (tmp_path / "无此库.git").as_uri(), "--name", "断网局")
    assert sync(root).code == 1  # the unreachable one fails from the start
    diverged, changed = root / "ledgers" / "分叉局", root / "ledgers" / "改动局"
    git(diverged, "commit", "-q", "--allow-empty", "-m", "办公室里的本地提交")
    (changed / "ledger.yaml").write_text("手改\n", encoding="utf-8")
    for name in repos:
        close_and_push(repos[name][0], "13.2")
    before = {name: work_tree(root / "ledgers" / name) for name in ("分叉局", "改动局")}
    heads = {name: head(root / "ledgers" / name) for name in ("分叉局", "改动局")}

    out = sync(root, "--jobs", "2")
    assert out.code == 1
    lines = dict(line.split("  ", 1) for line in out.stdout.splitlines())
    assert lines["分叉局"] == "失败:本地有远程没有的提交(历史已分叉),不能快进;克隆未改动"
    assert lines["改动局"].startswith("失败:克隆中有本地修改")
    assert lines["断网局"].startswith("失败:fatal:") and "无此库.git" in lines["断网局"]
    assert lines["正常局"].startswith("更新(")
    assert out.stderr == "rectify: 3 本台账同步失败\n"
    assert item_status(root / "ledgers" / "正常局", 13, 2) == "closed"
    for name in ("分叉局", "改动局"):
        assert work_tree(root / "ledgers" / name) == before[name]  # a fetch only adds to .git/
        assert head(root / "ledgers" / name) == heads[name]


def test_a_url_starting_with_a_dash_is_refused(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workspace.yaml").write_text("ledgers:\n  - git: --upload-pack=touch /tmp/x\n    name: 坏\n", encoding="utf-8")
    out = sync(root)
    assert out.code == 1
    assert "workspace.yaml:2:" in out.stderr and "git 地址不能以 - 开头" in out.stderr
    assert not (root / "ledgers").exists()
    added = invoke("--ledger", str(root), "workspace", "add", "--", "-oProxyCommand=x:y")
    assert added.code == 1 and "不能以 - 开头" in added.stderr


def test_without_git_installed_sync_says_so(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workspace.yaml").write_text("ledgers:\n  - git: file:///nowhere/a.git\n", encoding="utf-8")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    result = subprocess.run([sys.executable, "-m", "rectify_cli", "--ledger", str(root), "sync"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert result.stderr == "rectify: 找不到 git 命令:请先安装 git(https://git-scm.com/),并确保它在 PATH 中\n"
    assert result.stdout == ""


def test_a_ledger_is_not_a_workspace_to_sync(ledger):
    out = invoke("--ledger", str(ledger), "sync")
    assert out.code == 1 and "不是工作区" in out.stderr


@pytest.mark.slow
def test_two_clerks_editing_different_items_merge_without_conflict(tmp_path):
    """What rectify writes (cache, journal, evidence) makes no conflict of its own."""
    work, url = unit_repository(tmp_path, "城管局")
    other = tmp_path / "第二位经办人"
    git(tmp_path, "clone", "-q", url, str(other))
    evidence = tmp_path / "报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n")
    for folder, item_id in ((work, "13.2"), (other, "8.2")):
        assert invoke("--ledger", str(folder), "list").code == 0  # a cache written
        out = invoke("--ledger", str(folder), "--today", TODAY, "close", item_id, "--by", "张三",
                     "--evidence", str(evidence))
        assert out.code == 0, out.stderr
        commit_all(folder, f"销号 {item_id}")
        assert ".rectify" not in git(folder, "ls-files")
    git(work, "push", "-q", "origin", "main")
    git(other, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")  # a real merge
    assert git(other, "status", "--porcelain") == ""
    assert item_status(other, 13, 2) == item_status(other, 8, 2) == "closed"
    assert invoke("--ledger", str(other), "--today", TODAY, "check").code == 0
