"""Help pages and usage errors, as a new clerk meets them (issue 14, points 1 and 2)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import typer

from rectify_cli.cli import app
from rectify_cli.usage import examples

from .conftest import DATA, REFERENCE, invoke


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("RECTIFY_LEDGER", None)
    return subprocess.run([sys.executable, "-m", "rectify_cli", *args], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("group", [[], ["import"]])
def test_a_bare_group_prints_its_help_and_exits_0(group):
    bare, asked = _run(*group), _run(*group, "--help")
    assert (bare.returncode, bare.stderr) == (0, "")
    assert bare.stdout == asked.stdout
    assert bare.stdout.startswith("用法:rectify") and "\\n" not in bare.stdout


def _command_paths() -> list[list[str]]:
    """Every command the help pages list, sub-commands of a group included."""
    paths, groups = [], [[]]
    while groups:
        group = groups.pop()
        page = invoke(*group, "--help").stdout
        listed = page.partition("命令:\n")[2]
        for name in re.findall(r"^  (\S+)  ", listed, re.MULTILINE):
            paths.append([*group, name])
            if "命令:\n" in invoke(*group, name, "--help").stdout:
                groups.append([*group, name])
    return paths


COMMANDS = _command_paths()


def test_the_help_pages_were_found():
    assert {"list", "close", "init", "schema", "import", "import text", "import xlsx"} <= {" ".join(p) for p in COMMANDS}


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_help_page_ends_with_examples(path):
    page = invoke(*path, "--help").stdout
    lines = [line.strip() for line in page.rstrip().splitlines()]
    shown = examples(page)
    assert 2 <= len(shown) <= 3, page
    assert lines[-len(shown):] == shown  # the page ends with them, one a line, as written
    assert lines[-len(shown) - 2] == "示例:"
    assert all(" ".join(path) in example for example in shown)
    assert re.search(r"[\u4e00-\u9fff\uff00-\uffef]", "".join(shown))  # Chinese words or full-width forms


def _parse(args: list[str]) -> typer.Context:
    """Parse a command line against the commands, as running it would, but run nothing."""
    command = typer.main.get_command(app)
    ctx = command.make_context("rectify", list(args))
    while isinstance(command, typer.core.TyperGroup):
        rest = [*ctx._protected_args, *ctx.args]  # the group's parse leaves the command's words here
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx


ALL_EXAMPLES = [shlex.split(line)[1:] for path in COMMANDS for line in examples(invoke(*path, "--help").stdout)]
# Examples that change nothing outside a copy of the ledger and the working folder, name no other
# ledger, and need no earlier command (undo) nor a document to import: they run on the shipped ledger.
RUNNABLE = [args for args in ALL_EXAMPLES if not {"import", "undo", "--ledger", "-L"} & set(args)]


@pytest.mark.parametrize("args", ALL_EXAMPLES, ids=" ".join)
def test_every_example_parses(args):
    assert _parse(args).command.name in args  # parsed down to the command it names


def test_the_parser_check_catches_a_wrong_example():
    with pytest.raises(Exception, match="--opne"):
        _parse(["list", "--opne"])
    with pytest.raises(Exception, match="xml"):
        _parse(["list", "--format", "xml"])


@pytest.mark.parametrize("args", RUNNABLE, ids=" ".join)
def test_every_runnable_example_succeeds_on_the_shipped_ledger(args, tmp_path, monkeypatch):
    ledger = tmp_path / "ledger"
    shutil.copytree(DATA, ledger)
    monkeypatch.chdir(tmp_path)
    for value in _evidence_files(args):
        (tmp_path / value).write_bytes(REFERENCE.read_bytes())
    out = invoke("--ledger", str(ledger), *args)
    assert out.code == 0, out.stderr


def _evidence_files(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--evidence"]


def test_examples_are_run(tmp_path):
    assert len(RUNNABLE) >= 25 and any("close" in args for args in RUNNABLE)


# Every kind of message the parser (or our own date parsing) gives, as one Chinese line.
USAGE_ERRORS = [
    (["list", "--opne"], "没有这个选项 --opne,是不是 --open?"),
    (["close", "13.2", "--evidence-not", "x"], "没有这个选项 --evidence-not,是不是 --evidence-note?"),
    (["list", "--frobnicate"], "没有这个选项 --frobnicate;rectify list --help 列出全部选项"),
    (["list", "-x"], "没有这个选项 -x;rectify list --help 列出全部选项"),
    (["list", "--today", "2022-01-01"], "--today 是全局选项,须写在命令之前:rectify --today DATE list …"),
    (["note", "15.1"], "缺少参数:进展内容(TEXT);rectify note --help 查看用法"),
    (["close"], "缺少参数:要销号的事项编号(ID);rectify close --help 查看用法"),
    (["import", "text"], "缺少参数:反馈意见或整改进展情况(FILE);rectify import text --help 查看用法"),
    (["reopen", "13.1"], "缺少选项:重新打开的原因(--reason TEXT);rectify reopen --help 查看用法"),
    (["list", "--format", "xml"], "--format 的值 'xml' 无效,可选:table、tsv、json、csv"),
    (["summary", "-f", "XML"], "--format 的值 'XML' 无效,可选:table、json、md、tsv"),
    (["summary", "--trend", "year"], "--trend 的值 'year' 无效,可选:week、month"),
    (["list", "--format"], "选项 --format 后面缺少值,可选:table、tsv、json、csv"),
    (["close", "13.2", "--by"], "选项 --by 后面缺少值:经办人(NAME)"),
    (["-L"], "选项 -L 后面缺少值:台账目录(DIR)"),
    (["list", "--open=yes"], "选项 --open 不带值,只写 --open 即可"),
    (["init", "新台账", "--stated", "三十四"], "--stated 的值 '三十四' 无效,应为不小于 0 的整数"),
    (["init", "新台账", "--stated", "-1"], "--stated 的值 -1 无效,应为不小于 0 的整数"),
    (["list", "--due-before", "2022-02-30"], "--due-before 的日期 '2022-02-30' 无效,应为 YYYY-MM-DD"),
    (["--today", "明天", "list"], "--today 的日期 '明天' 无效,应为 YYYY-MM-DD"),
    (["show", "13.2", "13.3"], "多余的参数:13.3;rectify show --help 查看用法"),
    (["clsoe", "13.2"], "没有这个命令:clsoe,是不是 close?(rectify --help 列出全部命令)"),
    (["import", "txt"], "没有这个命令:txt,是不是 text?(rectify --help 列出全部命令)"),
    (["--today", "2022-01-01"], "缺少命令;rectify --help 列出全部命令"),
]


@pytest.mark.parametrize(("args", "line"), USAGE_ERRORS, ids=[" ".join(args) for args, _ in USAGE_ERRORS])
def test_a_usage_error_is_one_chinese_line(rectify, tmp_path, monkeypatch, args, line):
    monkeypatch.chdir(tmp_path)
    out = rectify(*args)
    assert (out.code, out.stdout) == (2, "")
    assert out.stderr == f"rectify: {line}\n"
    assert not re.search(r"Error|Invalid|Missing|No such|Got |Traceback|`|\"", out.stderr)
    assert not (tmp_path / "新台账").exists()


def test_a_usage_error_from_a_real_process_is_one_line():
    done = _run("list", "--opne")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "rectify: 没有这个选项 --opne,是不是 --open?\n"
