"""A workspace: the inspection office's folder of many units' ledgers (workspace.yaml).

    title: 县委巡察办 2022年巡察整改汇总
    ledgers:
      - path: 城管局              # a ledger folder, relative to the workspace
        round: 四届第七轮
        level: 县直单位
      - git: file:///srv/乡镇/桃花潭.git   # cloned into ledgers/<name>/
        name: 桃花潭镇

This module reads the file into members (each ledger's unit name, folder, round, level, remote),
checked against the declared model (fields.WORKSPACE) with file:line:col diagnostics. The
commands that read across members, `sync` and the rest build on `read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import checks, fields
from .errors import Diagnostic, InvalidLedger
from .yamlsource import SourceError, decode, parse

WORKSPACE_FILE = "workspace.yaml"
CLONES_DIR = "ledgers"  # where git: entries are cloned, ledgers/<name>/
ENTRY = fields.WORKSPACE_LEDGER


@dataclass(frozen=True)
class Member:
    """One ledger of the workspace."""

    name: str  # the unit's short name: in IDs (城管局/13.2) and tables
    folder: Path  # where its ledger.yaml lies (a clone's folder for git: entries)
    round: str | None = None
    level: str | None = None
    git: str | None = None  # the remote of a git: entry; its clone only follows it
    line: int | None = None  # of its entry in workspace.yaml


@dataclass(frozen=True)
class Workspace:
    root: Path
    title: str | None
    members: list[Member]


def is_workspace(folder: Path) -> bool:
    return (folder / WORKSPACE_FILE).is_file()


def read(root: Path) -> Workspace:
    """The workspace at `root`; InvalidLedger with every problem (file:line:col) if it is wrong."""
    path = root / WORKSPACE_FILE
    try:
        source = parse(path, decode(path, path.read_bytes()))
    except SourceError as exc:
        raise InvalidLedger([exc.diagnostic]) from None
    from .model import Workspace as WorkspaceModel

    model, found = checks.validate(source, WorkspaceModel)
    if model is None:
        raise InvalidLedger(found)
    members, problems = [], []
    for position, entry in enumerate(model.ledgers):
        line, column = source.where((fields.WORKSPACE.ledgers.key, position))
        member, problem = _member(root, entry, line)
        members.append(member)
        if problem:
            problems.append(Diagnostic(path, line, column, problem))
    problems += _repeated_names(path, members)
    if problems:
        raise InvalidLedger(problems)
    return Workspace(root, model.title, members)


def _member(root: Path, entry, line: int | None) -> tuple[Member, str | None]:
    if (entry.path is None) == (entry.git is None):
        return Member(entry.name or "?", root, line=line), f"每个条目须有 {ENTRY.path.key} 或 {ENTRY.git.key},且只能有其一"
    if entry.git is not None:
        name = entry.name or Path(entry.git.rstrip("/")).stem
        problem = _bad_name(name) or ("git 地址不能以 - 开头" if entry.git.startswith("-") else None)
        return Member(name, root / CLONES_DIR / name, entry.round, entry.level, entry.git, line), problem
    folder = (root / entry.path).resolve()
    name = entry.name or _unit_of(folder) or folder.name
    return Member(name, folder, entry.round, entry.level, None, line), _bad_name(name)


def _bad_name(name: str) -> str | None:
    if not name or "/" in name or ":" in name or "：" in name or ".." in name:
        return f"单位简称 {name!r} 不能为空,也不能含 /、: 或 .."
    return None


def _unit_of(folder: Path) -> str | None:
    """The ledger's own unit (its ledger.yaml's `unit`), when it can be read."""
    from .layout import LEDGER_FILE

    try:
        source = parse(folder / LEDGER_FILE, decode(folder / LEDGER_FILE, (folder / LEDGER_FILE).read_bytes()))
    except (OSError, SourceError):
        return None
    unit = source.data.get(fields.LEDGER.unit.key) if isinstance(source.data, dict) else None
    return unit if isinstance(unit, str) and unit.strip() else None


def _repeated_names(path: Path, members: list[Member]) -> list[Diagnostic]:
    seen: dict[str, Member] = {}
    problems = []
    for member in members:
        if member.name in seen:
            message = f"单位简称 {member.name} 重复(第 {seen[member.name].line} 行已有);请用 name: 区分"
            problems.append(Diagnostic(path, member.line, 1, message))
        seen.setdefault(member.name, member)
    return problems
