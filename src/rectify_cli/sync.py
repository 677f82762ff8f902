"""`rectify sync`: every git: ledger of a workspace brought up to date with its remote.

A clone is made when missing (or an empty folder); otherwise fetched and fast-forwarded
only. A clone that cannot be fast-forwarded (diverged history, local changes or commits,
an unreachable remote) is left exactly as it was and reported; the others go on.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from . import gitrun
from .workspace import Member

# one literal: the word `status` alone would read as the field key to the spelling check
LOCAL_CHANGES = "status --porcelain --untracked-files=no".split()  # noqa: SIM905
GIT_TIMEOUT = 600  # seconds for one git command: a remote that hangs fails instead of holding sync


class Result(StrEnum):
    UPDATED = "更新"
    UNCHANGED = "无变化"
    FAILED = "失败"


@dataclass(frozen=True)
class Outcome:
    member: Member
    result: Result
    detail: str = ""  # the failure's reason, or what changed (已克隆, abc1234..def5678)

    def line(self) -> str:
        if self.result is Result.FAILED:
            return f"{self.member.name}  {self.result}:{self.detail}"
        return f"{self.member.name}  {self.result}" + (f"({self.detail})" if self.detail else "")


def sync_all(members: list[Member], jobs: int, done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Each member synced, `jobs` at a time; the outcomes in the members' order."""
    gitrun.run(["--version"])  # GitMissing, said once, before any work
    outcomes: dict[str, Outcome] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(sync_member, member) for member in members]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.member.name] = outcome
            if done:
                done(outcome)
    return [outcomes[member.name] for member in members]


def sync_member(member: Member) -> Outcome:
    try:
        if _needs_clone(member.folder):
            return _clone(member)
        return _fast_forward(member)
    except gitrun.GitFailed as exc:
        return Outcome(member, Result.FAILED, str(exc))
    except subprocess.TimeoutExpired:
        return Outcome(member, Result.FAILED, f"git 超过 {GIT_TIMEOUT} 秒未完成")
    except OSError as exc:
        return Outcome(member, Result.FAILED, f"{type(exc).__name__}: {exc}")


def _needs_clone(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _clone(member: Member) -> Outcome:
    if member.git.startswith("-"):
        raise gitrun.GitFailed("git 地址不能以 - 开头")
    member.folder.parent.mkdir(parents=True, exist_ok=True)
    _git(["clone", "--quiet", "--", member.git, str(member.folder)], member.folder.parent)
    return Outcome(member, Result.UPDATED, "已克隆")


def _fast_forward(member: Member) -> Outcome:
    folder = member.folder
    if not (folder / ".git").exists():
        raise gitrun.GitFailed(f"{folder} 不是 git 克隆;请移走它,sync 会重新克隆")
    origin = _git(["remote", "get-url", "origin"], folder).strip()
    if origin != member.git:
        raise gitrun.GitFailed(f"克隆的远程是 {origin},工作区写的是 {member.git}")
    if _git(LOCAL_CHANGES, folder).strip():
        raise gitrun.GitFailed("克隆中有本地修改(未提交);工作区的克隆只跟随远程,请还原后再同步")
    _git(["fetch", "--quiet", "origin"], folder)
    upstream = _git(["rev-parse", "--verify", "--quiet", "@{upstream}"], folder, "当前分支没有上游分支").strip()
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], folder, "克隆中没有提交").strip()
    if head == upstream:
        return Outcome(member, Result.UNCHANGED)
    if not _is_ancestor(head, upstream, folder):
        raise gitrun.GitFailed("本地有远程没有的提交(历史已分叉),不能快进;克隆未改动")
    _git(["merge", "--ff-only", "--quiet", upstream], folder)
    return Outcome(member, Result.UPDATED, f"{head[:7]}..{upstream[:7]}")


def _is_ancestor(older: str, newer: str, folder: Path) -> bool:
    return gitrun.run(["merge-base", "--is-ancestor", older, newer], folder, GIT_TIMEOUT).returncode == 0


def _git(args: list[str], folder: Path, failure: str | None = None) -> str:
    return gitrun.output(args, folder, failure, GIT_TIMEOUT)
