"""Edits in a workspace (issue 16, point 2): which unit's ledger a command changes.

An edit names its items by unit (城管局/13.2) and changes that unit's ledger exactly as the
command on that ledger would: its own lock, its own journal (so `undo --unit 城管局` undoes it
there). A `git:` member is edited at its source, by its clerk: the office's clone only follows
its remote, and a change made in it would stop `sync` from fast-forwarding. One command changes
one unit, since each unit has its own journal and one command must be undone in one step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import rollup
from .errors import RectifyError, UsageProblem
from .ids import qualified_id, split_unit
from .workspace import Member, Workspace


@dataclass(frozen=True)
class Target:
    """The unit an edit changes, and the IDs as its own ledger knows them."""

    member: Member
    ids: list[str]


def target(space: Workspace, typed: list[str], today: dt.date) -> Target:
    """The one editable unit the typed IDs name; refused when one lacks its unit, or they name two."""
    _refuse_if_empty(space)
    split = [split_unit(text) for text in typed]
    for unit, plain in split:
        if unit is None:
            raise _unqualified(space, plain, today)
    units = list(dict.fromkeys(unit for unit, _ in split))
    if len(units) > 1:
        raise UsageProblem(f"一条命令只能修改一个单位的台账(各单位各有撤销记录),这里有:{'、'.join(units)};请分开执行")
    return Target(editable(space, units[0]), [plain for _, plain in split])


def editable(space: Workspace, unit: str) -> Member:
    """The member named `unit`, if the office may edit it here (a `path:` entry)."""
    member = space.member(unit)
    if member.git is not None:
        raise RectifyError(f"{member.name} 的台账来自 git: {member.git},请该单位在源仓库中修改"
                           "(工作区中的克隆只跟随远程,由 rectify sync 更新)")
    return member


def undo_target(space: Workspace, unit: str | None) -> Member:
    """The unit whose last command `undo --unit` takes back; without --unit, which one is unknown."""
    _refuse_if_empty(space)
    if unit is None:
        raise UsageProblem(f"工作区中请用 --unit 指明撤销哪个单位的上一条命令:{'、'.join(m.name for m in editable_members(space))}")
    return editable(space, unit)


def editable_members(space: Workspace) -> list[Member]:
    return [member for member in space.members if member.git is None]


EMPTY = "工作区中还没有台账,无可修改;请先用 rectify workspace add 加入单位的台账"


def _refuse_if_empty(space: Workspace) -> None:
    if not space.members:
        raise RectifyError(EMPTY)


def _unqualified(space: Workspace, plain: str, today: dt.date) -> RectifyError:
    """An ID without its unit: name the units that have it (none: resolve says so)."""
    found = rollup.load(space, rollup.Narrow(), lambda _ledger: today, texts=False)
    units = [part.unit for part, _ in rollup.resolve(found, plain)]
    example = qualified_id(units[0], plain)
    if len(units) > 1:
        return RectifyError(f"编号 {plain} 在多个单位都有:{'、'.join(units)};请写成 {example}")
    return RectifyError(f"工作区中编号须写明单位:{plain} 在 {units[0]};请写成 {example}")
