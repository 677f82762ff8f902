"""`rectify hook install`: a git pre-commit hook that runs `rectify check` on the ledger."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from . import gitrun
from .errors import RectifyError
from .writing import replace_atomically

MARK = "# written by `rectify hook install`"


def hook_text(ledger: Path, top: Path) -> str:
    """The hook: git runs it at the top of the work tree, where the ledger's relative path holds.
    The interpreter that installed it runs it, so it works without `rectify` on PATH."""
    relative = Path(os.path.relpath(ledger.resolve(), top.resolve())).as_posix()
    command = [sys.executable, "-m", "rectify_cli", "--ledger", relative, "check"]
    return f"#!/bin/sh\n{MARK}: check the ledger before each commit\nexec {shlex.join(command)}\n"


def install(root: Path, force: bool) -> tuple[Path, bool]:
    """Write the pre-commit hook of root's git repository; (its path, whether it was written)."""
    top = Path(gitrun.output(["rev-parse", "--show-toplevel"], root, f"{root} 不在 git 仓库中(先 git init)").strip())
    path = root / gitrun.output(["rev-parse", "--git-path", "hooks/pre-commit"], root).strip()
    text = hook_text(root, top)
    current = path.read_bytes() if path.is_file() else None
    if current == text.encode("utf-8"):
        return path, False
    if current is not None and not force:
        raise RectifyError(f"已有另一个 pre-commit 钩子 {path};加 --force 覆盖它(或把下面一行加进去:"
                           f"{text.splitlines()[-1]})")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, None, text.encode("utf-8"))
    path.chmod(0o755)
    return path, True
