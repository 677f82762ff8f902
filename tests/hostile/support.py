"""Helpers shared by the hostile catalogue: exact expectations, and a tree that sees links as links."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import re
import resource
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..conftest import REPO

STATE_DIR = ".rectify"


def load_bench():
    """bench/run.py, whose deterministic ledger generator tests reuse."""
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree(folder: Path) -> dict[str, object]:
    """Every entry under folder but .rectify/: a file's bytes, a link's target, else its kind.

    Like conftest.snapshot, but it never follows a link nor opens anything except a regular
    file (so a FIFO does not block it), and a link replaced by a file, or a new empty
    folder, shows as a change.
    """
    found: dict[str, object] = {}
    for base, folders, files in os.walk(folder):
        here = Path(base)
        folders[:] = [name for name in folders if name != STATE_DIR or here != folder]
        for name in sorted([*folders, *files]):
            path = here / name
            mode = path.lstat().st_mode
            key = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                found[key] = path.read_bytes()
            else:
                found[key] = stat.filemode(mode)[0]  # d folder, p FIFO
    return found


def expect(out, code: int, *lines: str | re.Pattern, stdout: str | None = "") -> None:
    """The exit code, no traceback, and stderr exactly these lines (a Pattern must match a
    whole line); stdout as given (None: not compared)."""
    assert "Traceback" not in out.stdout + out.stderr, out.stderr[-3000:]
    assert out.code == code, (out.code, out.stdout[:500], out.stderr[:3000])
    got = out.stderr.splitlines()
    assert len(got) == len(lines), out.stderr[:3000]
    for line, wanted in zip(got, lines, strict=True):
        if isinstance(wanted, re.Pattern):
            assert wanted.fullmatch(line), (line[:500], wanted.pattern)
        else:
            assert line == wanted, line[:500]
    if stdout is not None:
        assert out.stdout == stdout, out.stdout[:500]


def at(literal: str, pattern: str) -> re.Pattern:
    """A whole-line pattern: literal text (file, line, message start) and then a pattern."""
    return re.compile(re.escape(literal) + pattern)


# What `check` says of every copy of the shipped ledger that reads without errors: the
# 五个一 it leaves blank (issue 14.9), one warning each, then its verdict.
SHIPPED_BLANKS = (
    "34 项未填写 整改措施(如 1.1、1.2、2…)",
    "34 项未填写 责任领导(如 1.1、1.2、2…)",
    "28 项未填写 责任部门(如 1.1、1.2、2…)",
    "34 项未填写 整改时限(如 1.1、1.2、2…)",
)
BLANK_LINES = tuple(re.compile(r".*ledger\.yaml: 警告: " + re.escape(message)) for message in SHIPPED_BLANKS)
CLEAN = "检查通过:17 个问题,34 项具体问题,4 处警告\n"


_BLANK_LINE = re.compile(r".*ledger\.yaml: 警告: \d+ 项未填写 .*\n?")


def without_blanks(stderr: str) -> str:
    """stderr without `check`'s completeness warnings (the 五个一 a copy leaves blank)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not _BLANK_LINE.fullmatch(line))


@dataclass
class Finished:
    code: int | None  # None: still running at the timeout, and killed
    stdout: str
    stderr: str
    seconds: float


MODULE = ("-m", "rectify_cli")


def run_child(ledger: Path, *args: str, timeout: float = 10.0, memory: int | None = None,
              python: tuple[str, ...] = MODULE, env: dict | None = None, preexec=None) -> Finished:
    """`python -m rectify_cli --ledger LEDGER ARGS…` in a child process, in the ledger: a command
    that blocks or eats memory fails the test (timeout, memory ceiling) instead of hanging it.
    `env` replaces the environment; `preexec` runs in the child before it starts."""
    def before():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if preexec:
            preexec()

    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, *python, "--ledger", str(ledger), *args],
            capture_output=True, text=True, timeout=timeout, cwd=ledger, env=env,
            preexec_fn=before if memory or preexec else None,
        )
    except subprocess.TimeoutExpired as exc:
        return Finished(None, _text(exc.stdout), _text(exc.stderr), time.perf_counter() - started)
    return Finished(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def lock_is_free(root: Path) -> bool:
    """Whether the ledger's lock (an flock on .rectify/lock) can be taken now."""
    with open(root / STATE_DIR / "lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _text(data) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data or ""
