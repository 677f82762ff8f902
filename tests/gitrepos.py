"""Real git repositories for the workspace tests: a unit's ledger, its bare remote, clones."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DATA, make_live

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

# An identity and no user configuration: the tests run the same on any machine.
GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.cn", "GIT_COMMITTER_NAME": "测试",
           "GIT_COMMITTER_EMAIL": "t@example.cn", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, capture_output=True,
                            text=True, env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def unit_repository(base: Path, name: str) -> tuple[Path, str]:
    """A unit's ledger (a live copy of the shipped one) in git, pushed to a bare remote:
    (the clerk's working copy, the remote's file:// URL)."""
    work = base / "units" / name
    shutil.copytree(DATA, work, ignore=shutil.ignore_patterns(".rectify"))
    make_live(work)
    # no .gitignore: rectify's .rectify/ must keep itself out of git (init's .gitignore is tested apart)
    git(work, "init", "-q")
    commit_all(work, "台账")
    remote = base / "remotes" / f"{name}.git"
    remote.parent.mkdir(parents=True, exist_ok=True)
    git(base, "clone", "-q", "--bare", str(work), str(remote))
    git(work, "remote", "add", "origin", remote.as_uri())
    git(work, "fetch", "-q", "origin")
    git(work, "branch", "-q", "-u", "origin/main")
    return work, remote.as_uri()


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()
