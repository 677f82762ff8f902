"""The workspace's own files: init --workspace, workspace add, discovery, check, hook install."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest

from rectify_cli import hook

from .conftest import DATA, invoke
from .gitrepos import GIT_ENV, commit_all, git, needs_git

REFUSED = "rectify: 这是工作区(workspace.yaml);此命令只用于单个台账,请用 --ledger 指定某个单位的台账目录\n"


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "巡察办"
    out = invoke("init", "--workspace", str(root), "--title", "县委巡察办 2022年巡察整改汇总")
    assert out.code == 0, out.stderr
    return root


@pytest.fixture
def unit(tmp_path):
    folder = tmp_path / "城管局台账"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns(".rectify"))
    return folder


def add(root, *args):
    return invoke("--ledger", str(root), "workspace", "add", *args)


def test_init_workspace_writes_its_file_schemas_and_gitignore(workspace):
    assert (workspace / "workspace.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=schemas/workspace.schema.json\n"
        "title: 县委巡察办 2022年巡察整改汇总\nledgers: []\n")
    assert (workspace / ".gitignore").read_text(encoding="utf-8") == "/ledgers/\n.rectify/\n"
    assert (workspace / "schemas" / "workspace.schema.json").is_file()
    out = invoke("--ledger", str(workspace), "check")
    assert out.code == 0 and out.stdout.startswith("检查通过:工作区"), out.stderr


def test_init_workspace_refuses_a_workspace_or_a_ledger(workspace, unit):
    for folder, name in ((workspace, "workspace.yaml"), (unit, "ledger.yaml")):
        out = invoke("init", "--workspace", str(folder))
        assert out.code == 1 and out.stderr == f"rectify: {folder} 中已有 {name},不会在此新建工作区\n"
    assert invoke("init").code == 2
    assert invoke("init", "--workspace", str(workspace / "x"), "--unit", "县城管局").code == 2


def test_add_writes_path_and_git_entries_keeping_comments(workspace, unit):
    text = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    (workspace / "workspace.yaml").write_text(text.replace("ledgers: []", "# 2022 年各轮\nledgers: []  # 待添加"),
                                              encoding="utf-8")
    assert add(workspace, str(unit), "--round", "四届第七轮", "--level", "县直单位").code == 0
    for url, name in (("file:///srv/乡镇/桃花潭.git", None), ("https://git.example.cn/a/财政局.git", None),
                      ("ssh://git@example.cn/b/c.git", "人社局"), ("git@example.cn:d/e.git", "医保局")):
        out = add(workspace, url, *(("--name", name) if name else ()))
        assert out.code == 0, out.stderr
    written = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    assert "# 2022 年各轮\n" in written
    assert written.endswith(
        "ledgers:  # 待添加\n"
        "  - path: ../城管局台账\n    round: 四届第七轮\n    level: 县直单位\n"
        "  - git: file:///srv/乡镇/桃花潭.git\n"
        "  - git: https://git.example.cn/a/财政局.git\n"
        "  - git: ssh://git@example.cn/b/c.git\n    name: 人社局\n"
        "  - git: git@example.cn:d/e.git\n    name: 医保局\n")
    from rectify_cli import workspace as ws

    names = [member.name for member in ws.read(workspace).members]
    assert names == ["泾县城管执法局", "桃花潭", "财政局", "人社局", "医保局"]


@pytest.mark.parametrize("args, message", [
    (("file:///srv/x/桃花潭.git",), "rectify: 单位简称 桃花潭 已在工作区中;请用 --name 另取一个\n"),
    (("file:///srv/y.git", "--name", "a/b"), "rectify: 单位简称 'a/b' 不能为空,也不能含 /、: 或 ..;请用 --name 另取一个\n"),
    (("file:///srv/y.git", "--name", "a:b"), "rectify: 单位简称 'a:b' 不能为空,也不能含 /、: 或 ..;请用 --name 另取一个\n"),
    (("file:///srv/y.git", "--name", "a..b"), "rectify: 单位简称 'a..b' 不能为空,也不能含 /、: 或 ..;请用 --name 另取一个\n"),
    (("没有这个目录",), "rectify: 没有这个目录 既不是台账目录,也不是 git 地址(本机的仓库请写成 file:///路径)\n"),
])
def test_add_refuses_a_repeated_or_bad_name_and_changes_nothing(workspace, args, message):
    assert add(workspace, "file:///srv/乡镇/桃花潭.git").code == 0
    before = (workspace / "workspace.yaml").read_bytes()
    out = add(workspace, *args)
    assert (out.code, out.stderr) == (1, message)
    assert (workspace / "workspace.yaml").read_bytes() == before


def test_found_upward_before_a_ledger_and_refused_by_edit_commands(workspace, unit, monkeypatch):
    (workspace / "资料").mkdir()
    monkeypatch.chdir(workspace / "资料")
    assert invoke("check").stdout.startswith("检查通过:工作区")
    assert invoke("--ledger", str(workspace / "workspace.yaml"), "check").code == 0
    out = invoke("--today", "2022-03-01", "close", "13.2")  # edits work in a workspace: this one has no unit yet
    assert (out.code, out.stderr) == (1, "rectify: 工作区中还没有台账,无可修改;请先用 rectify workspace add 加入单位的台账\n")
    (workspace / "资料" / "台账.xlsx").write_bytes(b"")
    assert invoke("import", "xlsx", "台账.xlsx").stderr == REFUSED


def test_a_ledger_beside_a_workspace_is_an_error_naming_both(workspace, monkeypatch):
    (workspace / "ledger.yaml").write_text("title: x\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    for out in (invoke("check"), invoke("--ledger", str(workspace), "list")):
        assert out.code == 1
        assert out.stderr == f"rectify: {workspace} 中既有 workspace.yaml 又有 ledger.yaml:工作区与台账应分开放在不同目录\n"


def test_check_shows_the_workspace_files_errors_with_line_and_column(workspace):
    (workspace / "workspace.yaml").write_text(
        "ledgers:\n  - path: a\n    git: file:///x.git\n  - git: file:///y.git\n    name: 甲\n"
        "  - git: file:///z.git\n    name: 甲\n", encoding="utf-8")
    out = invoke("--ledger", str(workspace), "check")
    assert out.code == 1
    lines = out.stderr.splitlines()
    assert lines[0].startswith(f"{workspace / 'workspace.yaml'}:2:5:") and "path 或 git" in lines[0]
    assert lines[1].startswith(f"{workspace / 'workspace.yaml'}:6:") and "甲 重复" in lines[1]
    assert lines[-1] == "检查未通过:2 处错误,0 处警告"


@needs_git
def test_check_warns_when_the_clones_are_tracked_by_git(workspace):
    git(workspace, "init", "-q")
    (workspace / "ledgers" / "甲").mkdir(parents=True)
    (workspace / "ledgers" / "甲" / "ledger.yaml").write_text("title: x\n", encoding="utf-8")
    assert invoke("--ledger", str(workspace), "check").stderr == ""
    git(workspace, "add", "-f", "ledgers")
    out = invoke("--ledger", str(workspace), "check")
    assert out.code == 0 and out.stdout.endswith(",1 处警告\n")
    assert "ledgers/ 已被 git 跟踪" in out.stderr and "git rm -r --cached ledgers" in out.stderr


@pytest.mark.slow
@needs_git
def test_hook_install_writes_a_pre_commit_hook_that_checks(tmp_path, unit):
    repo = tmp_path / "repo"
    shutil.move(unit, repo / "data")
    git(repo, "init", "-q")
    out = invoke("--ledger", str(repo / "data"), "hook", "install")
    assert out.code == 0, out.stderr
    path = repo / ".git" / "hooks" / "pre-commit"
    assert path.read_text(encoding="utf-8") == hook.hook_text(repo / "data", repo)
    assert "--ledger data check" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & stat.S_IXUSR
    assert invoke("--ledger", str(repo / "data"), "hook", "install").stdout.startswith("已安装,未改动")
    commit_all(repo, "台账")  # a good ledger commits

    (repo / "data" / "issues" / "13.yaml").write_text("items: [\n", encoding="utf-8")
    git(repo, "add", "-A")
    env = {**os.environ, **GIT_ENV}
    refused = subprocess.run(["git", "commit", "-q", "-m", "坏"], cwd=repo, capture_output=True, text=True, env=env)
    assert refused.returncode != 0 and "检查未通过" in refused.stderr


@needs_git
def test_hook_install_keeps_another_hook_unless_forced(tmp_path, unit):
    git(unit, "init", "-q")
    path = unit / ".git" / "hooks" / "pre-commit"
    path.write_text("#!/bin/sh\nmake lint\n", encoding="utf-8")
    out = invoke("--ledger", str(unit), "hook", "install")
    assert out.code == 1 and out.stderr.startswith(f"rectify: 已有另一个 pre-commit 钩子 {path};加 --force 覆盖它")
    assert path.read_text(encoding="utf-8") == "#!/bin/sh\nmake lint\n"
    assert invoke("--ledger", str(unit), "hook", "install", "--force").code == 0
    assert "rectify_cli" in path.read_text(encoding="utf-8")


def test_hook_install_outside_git_says_so(unit):
    out = invoke("--ledger", str(unit), "hook", "install")
    assert out.code == 1 and "不在 git 仓库中" in out.stderr
