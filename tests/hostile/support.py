"""Helpers shared by the hostile catalogue: exact expectations, and a tree that sees links as links."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

STATE_DIR = ".rectify"


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
