"""Exit codes that tell the truth (issue 10, points 9 and 10).

An edit whose result could not be printed (stdout closed, a full device, nobody reading) was
still saved: exit 0, and stderr says so, so a retrying script does not add the note twice.
A reader that stops early (`| head -1`) is no failure of a read command: exit 0, stderr
empty, on outputs far larger than a pipe's buffer. An ASCII-only stream gets escapes, not a
crash; a trend with a far-off date stays short; a blank `--by` is refused.

Every case runs `python -m rectify_cli` in a real process, its streams set up by bash or by
the test itself, buffered and unbuffered (PYTHONUNBUFFERED changes how stdout is built).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from .support import Finished, expect, load_bench, tree
from .test_faults import command, copy_ledger

NOTE = "复核一次"
BUFFERING = {"buffered": {}, "unbuffered": {"PYTHONUNBUFFERED": "1"}}
PIPE_BUFFER = 64 * 1024


def environment(**changes: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONUNBUFFERED", "PYTHONIOENCODING")}
    return {**env, **changes}


def shell(argv: list[str], redirect: str, env: dict | None = None) -> Finished:
    """argv run by bash with `redirect` after it (`>&-`, `>/dev/full`, `| head -1`); the code is argv's."""
    script = f'"$@" {redirect}; exit ${{PIPESTATUS[0]}}'
    done = subprocess.run(["bash", "-c", script, "bash", *argv], capture_output=True, text=True,
                          timeout=60, env=env or environment())
    return Finished(done.returncode, done.stdout, done.stderr, 0.0)


def unread(argv: list[str], env: dict) -> Finished:
    """argv with its stdout a pipe nobody reads: the reader is gone before the first write."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    child.stdout.close()
    stderr = child.stderr.read().decode("utf-8")
    return Finished(child.wait(timeout=60), "", stderr, 0.0)


def at_today(root: Path, today: str, *args: str) -> list[str]:
    return command(root, "--today", today, *args, today=False)


def notes(ledger: Path) -> int:
    return (ledger / "issues" / "15.yaml").read_text(encoding="utf-8").count(NOTE)


@pytest.fixture
def ledger(tmp_path) -> Path:
    return copy_ledger(tmp_path / "ledger")


# --- point 9: the edit was saved, its result could not be printed -----------------------------

NOT_PRINTED = {
    "closed": "标准输出已关闭",
    "full": "磁盘空间不足",
    "unread": "输出管道已关闭",
}


def note_with_stdout(ledger: Path, how: str, env: dict) -> Finished:
    argv = command(ledger, "note", "15.1", NOTE, "--by", "李四")
    if how == "unread":
        return unread(argv, env)
    return shell(argv, ">&-" if how == "closed" else ">/dev/full", env)


@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize("how", NOT_PRINTED)
def test_a_saved_note_whose_result_cannot_be_printed_exits_0(ledger, how, buffering):
    out = note_with_stdout(ledger, how, environment(**BUFFERING[buffering]))
    expect(out, 0, f"rectify: 修改已保存,但无法输出结果({NOT_PRINTED[how]})")
    assert notes(ledger) == 1


@pytest.mark.parametrize("redirect", [">&- 2>&-", ">/dev/full 2>/dev/full"], ids=["closed", "full"])
def test_a_saved_note_exits_0_when_stderr_is_unusable_too(ledger, redirect):
    out = shell(command(ledger, "note", "15.1", NOTE, "--by", "李四"), redirect)
    expect(out, 0)
    assert notes(ledger) == 1


def test_a_dry_run_that_cannot_print_saved_nothing_and_says_so(ledger):
    before = tree(ledger)
    out = shell(command(ledger, "note", "15.1", NOTE, "--dry-run"), ">/dev/full")
    expect(out, 1, "rectify: 无法输出结果(磁盘空间不足)")
    assert tree(ledger) == before


@pytest.mark.parametrize("how", ["closed", "full"])
def test_a_read_command_that_cannot_print_fails(ledger, how):
    out = shell(command(ledger, "list"), ">&-" if how == "closed" else ">/dev/full")
    expect(out, 1, f"rectify: 无法输出结果({NOT_PRINTED[how]})")


def undo_argv(ledger: Path) -> list[str]:
    return command(ledger, "undo", "--yes")


def test_undo_yes_into_head_still_undoes(ledger):
    assert shell(command(ledger, "note", "15.1", NOTE, "--by", "李四"), ">/dev/null").code == 0
    out = shell(undo_argv(ledger), "| head -1")
    # the whole plan may or may not reach the pipe before head exits; either way it is undone
    assert out.stderr in ("", "rectify: 已撤销,但无法输出结果(输出管道已关闭)\n"), out.stderr
    expect(out, 0, *out.stderr.splitlines(), stdout=None)
    assert out.stdout.startswith("将撤销:rectify ") and out.stdout.count("\n") == 1, out.stdout
    assert notes(ledger) == 0


@pytest.mark.parametrize("buffering", BUFFERING)
def test_undo_yes_with_nobody_reading_undoes_and_says_so(ledger, buffering):
    assert shell(command(ledger, "note", "15.1", NOTE, "--by", "李四"), ">/dev/null").code == 0
    out = unread(undo_argv(ledger), environment(**BUFFERING[buffering]))
    expect(out, 0, "rectify: 已撤销,但无法输出结果(输出管道已关闭)")
    assert notes(ledger) == 0


# --- point 9: a reader that stops early, on outputs larger than a pipe holds ------------------


BENCH = load_bench()


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """2,400 items, one to a problem (so `summary --by problem` is long too), cache warm."""
    folder = tmp_path_factory.mktemp("large") / "ledger"
    BENCH.build_ledger(folder, 2400, per_file=1)
    assert shell(at_today(folder, BENCH.TODAY, "list"), ">/dev/null").code == 0
    return folder


LONG_OUTPUTS = {
    "list": ("list",),
    "summary": ("summary", "--by", "problem"),
    "export": ("export", "-f", "csv"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", LONG_OUTPUTS)
def test_head_closing_a_long_output_is_no_failure_slow(large, name):
    argv = at_today(large, BENCH.TODAY, *LONG_OUTPUTS[name])
    whole = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=environment())
    assert whole.returncode == 0 and len(whole.stdout.encode()) > 2 * PIPE_BUFFER, len(whole.stdout)
    for env in BUFFERING.values():
        out = shell(argv, "| head -1", environment(**env))
        expect(out, 0, stdout=whole.stdout.splitlines(keepends=True)[0])


# --- point 10: an ASCII-only stream ------------------------------------------------------------


def escaped(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii")


ASCII_CASES = {  # name: (PYTHONIOENCODING, arguments)
    "list": ("ascii", ("list",)),
    "list-strict": ("ascii:strict", ("list",)),
    "show": ("ascii", ("show", "13.2")),
    "summary": ("ascii", ("summary", "--format", "tsv")),
    "error": ("ascii", ("show", "99")),
    "close": ("ascii", ("close", "13.2", "--by", "李四")),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", ASCII_CASES)
def test_an_ascii_stream_gets_escapes_not_a_crash(tmp_path, name):
    encoding, args = ASCII_CASES[name]
    plain_ledger = copy_ledger(tmp_path / "plain")
    ascii_ledger = copy_ledger(tmp_path / "ascii") if name == "close" else plain_ledger
    plain = shell(command(plain_ledger, *args), "")
    out = shell(command(ascii_ledger, *args), "", environment(PYTHONIOENCODING=encoding))
    assert plain.code == (1 if name == "error" else 0), plain.stderr
    assert plain.stdout + plain.stderr != escaped(plain.stdout + plain.stderr)  # there was Chinese to escape
    expect(out, plain.code, *escaped(plain.stderr).splitlines(), stdout=escaped(plain.stdout))


def test_an_ascii_stream_gets_the_summary_table_with_escaped_chinese(tmp_path):
    """The table (summary's form in a file too) draws its frame in what the stream can carry."""
    ledger = copy_ledger(tmp_path / "ledger")
    out = shell(command(ledger, "summary"), "", environment(PYTHONIOENCODING="ascii"))
    assert out.code == 0 and "Traceback" not in out.stderr, out.stderr
    assert escaped("巡察反馈问题34个,已完成整改28个") in out.stdout and escaped("合计") in out.stdout
    out.stdout.encode("ascii")  # nothing the stream could not carry


# --- point 10: a trend with closures far in the past or the future -----------------------------


def replace(path: Path, pattern: str, new: str, count: int = 1) -> None:
    """Change the first `count` matches in path (0: all); there must be one."""
    text, done = re.subn(pattern, new, path.read_text(encoding="utf-8"), count=count)
    assert done, (path, pattern)
    path.write_text(text, encoding="utf-8")


def trend(root: Path, today: str, period: str) -> list[str]:
    argv = at_today(root, today, "summary", "--trend", period, "--format", "json")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=environment())
    expect(Finished(done.returncode, done.stdout, done.stderr, 0.0), 0, stdout=None)
    return [row["period"] for row in json.loads(done.stdout)["trend"]]


def test_a_trend_from_a_closure_in_year_one_covers_five_years(tmp_path):
    root = copy_ledger(tmp_path / "past")
    replace(root / "ledger.yaml", "start: 2021-08-30", "start: 0001-01-01")
    replace(root / "issues" / "01.yaml", "closed_on: 2022-02-23", "closed_on: 0001-01-01")
    assert shell(command(root, "check"), "").code == 0  # the validator allows it
    months = trend(root, "2022-03-01", "month")
    assert (len(months), months[0], months[-1]) == (60, "0001-01", "0005-12")
    weeks = trend(root, "2022-03-01", "week")
    assert (len(weeks), weeks[0]) == (260, "0001-W01")


def test_a_trend_to_a_closure_in_9999_covers_five_years(tmp_path):
    root = copy_ledger(tmp_path / "future")
    replace(root / "issues" / "01.yaml", "closed_on: 2022-02-23", "closed_on: 9999-12-31")
    months = trend(root, "9999-12-31", "month")
    assert (len(months), months[0], months[-1]) == (60, "2022-02", "2027-01")
    weeks = trend(root, "9999-12-31", "week")
    assert (len(weeks), weeks[0]) == (260, "2022-W08")


def test_a_trend_in_the_calendars_last_month_ends_there(tmp_path):
    root = copy_ledger(tmp_path / "last")
    for field, day in [("start", "01"), ("end", "10"), ("feedback_date", "15")]:
        replace(root / "ledger.yaml", rf"\b{field}: [0-9-]+", f"{field}: 9999-12-{day}")
    for path in (root / "issues").glob("*.yaml"):
        if "closed_on" in path.read_text(encoding="utf-8"):
            replace(path, r"\b(closed_on|date): [0-9-]+", r"\1: 9999-12-31", count=0)
    assert shell(at_today(root, "9999-12-31", "check"), "").code == 0
    assert trend(root, "9999-12-31", "month") == ["9999-12"]
    assert trend(root, "9999-12-31", "week") == ["9999-W52"]


# --- point 10: a blank --by --------------------------------------------------------------------

BLANK_BY = {
    "close": ("close", "13.2"),
    "reopen": ("reopen", "1.1", "--reason", "回头看"),
    "note": ("note", "15.1", NOTE),
}


@pytest.mark.parametrize("by", ["   ", ""], ids=["spaces", "empty"])
@pytest.mark.parametrize("name", BLANK_BY)
def test_a_blank_by_is_refused(ledger, name, by):
    before = tree(ledger)
    out = shell([*command(ledger, *BLANK_BY[name]), "--by", by], "")
    expect(out, 2, "rectify: --by 经办人不能为空")
    assert tree(ledger) == before


def test_a_blank_rectify_user_counts_as_unset(ledger):
    """RECTIFY_USER of spaces is no name: the login name (or `uid <n>`) is recorded instead."""
    import getpass

    out = shell(command(ledger, "note", "15.1", NOTE), "", env=environment(RECTIFY_USER="   "))
    assert out.code == 0, out.stderr
    text = (ledger / "issues" / "15.yaml").read_text(encoding="utf-8")
    assert f"by: {getpass.getuser()}" in text
    assert "by: '   '" not in text and 'by: "   "' not in text
