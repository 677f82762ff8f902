"""What a command loads: only the command it runs, and no heavy library it does not use.

Issue 6: Typer inspects the signature of every command it builds, so `rectify` builds
only the command named on the line; pydantic, openpyxl, python-docx, ruamel.yaml and
rich's table machinery are imported only by the commands that need them. The children
run `python -m rectify_cli` on a copy of the shipped ledger, its cache already warm.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from rectify_cli.cli import _app_for, _command_name, _name_of, app

HEAVY = ("pydantic", "openpyxl", "docx", "ruamel", "rich.table", "rich.console")

# The child writes the names of its loaded modules to a file as it exits.
PROBE = """
import atexit, runpy, sys
report = sys.argv.pop(1)
atexit.register(lambda: open(report, "w").write("\\n".join(sorted(sys.modules))))
runpy.run_module("rectify_cli", run_name="__main__", alter_sys=True)
"""


# The child records every file it opens (Python's audit events), to show what it reads.
OPENS_PROBE = """
import atexit, os, runpy, sys
report = sys.argv.pop(1)
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.fsdecode(args[0]))
sys.addaudithook(hook)
atexit.register(lambda: open(report, "w").write("\\n".join(opened)))
runpy.run_module("rectify_cli", run_name="__main__", alter_sys=True)
"""


def issue_files_opened(ledger: Path, tmp_path: Path, *args: str) -> list[str]:
    report = tmp_path / "opened.txt"
    done = subprocess.run([sys.executable, "-c", OPENS_PROBE, str(report), "--ledger", str(ledger),
                           "--today", "2022-03-01", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = {Path(name).name for name in report.read_text().split("\n") if name.startswith(str(ledger / "issues"))}
    return sorted(name for name in names if name.endswith(".yaml") and not name.startswith("."))  # not temp files


@pytest.mark.slow
def test_commands_about_one_item_read_only_its_file(warm, tmp_path):
    # issue 6, point 3: with the cache warm, nothing parses the whole ledger. Files changed
    # within two seconds of the cache are hashed on each read (an edit in the same second
    # may keep the size); a read after that records their settled state.
    time.sleep(2.1)
    assert loaded(warm, tmp_path, "list")[0].returncode == 0
    assert issue_files_opened(warm, tmp_path, "list", "--open") == []
    assert issue_files_opened(warm, tmp_path, "summary") == []
    assert issue_files_opened(warm, tmp_path, "show", "13.2") == []
    # (each edit makes its own file "just changed", so they all touch 13.yaml)
    assert issue_files_opened(warm, tmp_path, "close", "13.2", "--by", "张三") == ["13.yaml"]
    assert issue_files_opened(warm, tmp_path, "reopen", "13.2", "--reason", "回头看") == ["13.yaml"]
    assert issue_files_opened(warm, tmp_path, "note", "13.1", "已完成一半") == ["13.yaml"]


def loaded(ledger: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    report = tmp_path / "modules.txt"
    done = subprocess.run([sys.executable, "-c", PROBE, str(report), "--ledger", str(ledger), "--today", "2022-03-01", *args],
                          capture_output=True, text=True, timeout=60)
    return done, set(report.read_text().split("\n"))


def heavy(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name.split(".")[0] in {"pydantic", "openpyxl", "docx", "ruamel"}
                  or name in HEAVY)


@pytest.fixture
def warm(ledger, tmp_path):
    """The ledger once read, so the cache holds it (the first read validates, with pydantic)."""
    done, _ = loaded(ledger, tmp_path, "list")
    assert done.returncode == 0, done.stderr
    return ledger


@pytest.mark.parametrize("args", [
    ("list", "--open", "--format", "tsv"),
    ("summary", "--format", "tsv"),
    ("show", "13.2"),
    ("close", "13.2", "--by", "张三"),
    ("reopen", "13.1", "--reason", "回头看"),
    ("note", "8.2", "已完成一半"),
], ids=lambda args: args[0])
def test_quick_commands_load_nothing_heavy(warm, tmp_path, args):
    done, modules = loaded(warm, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert heavy(modules) == []


def test_export_to_excel_loads_openpyxl_and_not_docx(warm, tmp_path):
    done, modules = loaded(warm, tmp_path, "export", "--format", "xlsx", "-o", str(tmp_path / "台账.xlsx"))
    assert done.returncode == 0, done.stderr
    assert "openpyxl" in modules
    assert "docx" not in modules and "ruamel" not in modules


def test_only_the_named_command_is_built():
    # Typer builds a command from its function's signature: the others' are never read
    show = _app_for(["--ledger", "x", "show", "13.2"])
    assert [_name_of(info) for info in show.registered_commands] == ["show"]
    assert show.registered_groups == []
    imports = _app_for(["import", "text", "反馈意见.txt"])
    assert imports.registered_commands == [] and [info.name for info in imports.registered_groups] == ["import"]
    for args in (["--help"], ["clsoe", "1"], []):
        assert _app_for(args) is app
    assert len(app.registered_commands) == 13 and len(app.registered_groups) == 3  # the app keeps them all


def test_help_still_lists_every_command(ledger, tmp_path):
    done, _ = loaded(ledger, tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    for command in ("list", "show", "check", "close", "reopen", "note", "undo", "summary", "export", "report",
                    "import", "init", "schema"):
        assert f" {command} " in done.stdout, command


@pytest.mark.parametrize(("args", "name"), [
    (["list", "--open"], "list"),
    (["--ledger", "x", "close", "1"], "close"),
    (["-L", "x", "--today", "2022-01-01", "show", "3"], "show"),
    (["--ledger=x", "-Lx", "--today=2022-01-01", "summary"], "summary"),
    (["--help"], None),
    (["--ledger", "x"], None),
    (["--install-completion"], None),
    ([], None),
])
def test_the_command_name_is_found_after_the_global_options(args, name):
    assert _command_name(args) == name


@pytest.mark.parametrize(("typed", "line"), [
    ("clsoe", "rectify: 没有这个命令:clsoe,是不是 close?(rectify --help 列出全部命令)"),
    ("frobnicate", "rectify: 没有这个命令:frobnicate(rectify --help 列出全部命令)"),
])
def test_an_unknown_command_is_one_line_with_the_nearest(ledger, tmp_path, typed, line):
    done, _ = loaded(ledger, tmp_path, typed, "1")
    assert done.returncode == 2
    assert done.stderr == line + "\n"
    assert done.stdout == ""
