"""Running the real `git` command: never through a shell, never asking for a password."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import RectifyError

URL_SCHEMES = ("file://", "http://", "https://", "ssh://", "git://", "git+ssh://", "ssh+git://")


class GitMissing(RectifyError):
    def __init__(self):
        super().__init__("找不到 git 命令:请先安装 git(https://git-scm.com/),并确保它在 PATH 中")


def run(args: list[str], cwd: Path | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`git ARGS` in cwd, output captured as text; GitMissing when git is not installed."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}  # C: messages a reason can quote
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")  # no password prompt over ssh either
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL, timeout=timeout)
    except FileNotFoundError:
        raise GitMissing() from None


class GitFailed(RectifyError):
    """A git command failed; the message is its reason."""


def output(args: list[str], cwd: Path, failure: str | None = None, timeout: float | None = None) -> str:
    """git's output; GitFailed with `failure`, else git's own reason, when it fails."""
    result = run(args, cwd, timeout)
    if result.returncode != 0:
        raise GitFailed(failure or reason(result))
    return result.stdout


def is_url(text: str) -> bool:
    """What git reads as a remote: a scheme (file://, https://, ssh://…) or scp-like [user@]host:path
    (a one-letter host is a Windows drive, C:\\…)."""
    if text.startswith(URL_SCHEMES):
        return True
    head, colon, _ = text.partition(":")
    return bool(colon) and len(head) > 1 and not any(char in head for char in "/\\ ")


def reason(result: subprocess.CompletedProcess) -> str:
    """git's reason, shortened to its first fatal:/error: line (the most specific)."""
    lines = [line.strip() for line in (result.stderr or result.stdout or "").splitlines() if line.strip()]
    wanted = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (wanted or lines or [f"git 退出码 {result.returncode}"])[0]
