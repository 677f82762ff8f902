"""Reading across a workspace: every member's ledger loaded (each from its own cache), the
broken ones set aside with their reasons, and the figures the office publishes added up.

A member that cannot be read or fails validation is never counted and never silently
dropped: it is `excluded`, and every output names it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from . import cache, fields, loading, query, stats
from .errors import Diagnostic, RectifyError, UnknownId
from .ids import parse_id, qualified_id, split_unit
from .layout import STATE_DIR
from .query import Filters, SortKey
from .records import Entry, Ledger
from .stats import Overall, Tally
from .vocab import CountBy
from .workspace import Member, Workspace

MAX_ERRORS_NAMED = 3  # of an excluded ledger, on stderr


@dataclass(frozen=True)
class Narrow:
    """--unit, --round, --level: which members a command reads."""

    unit: str | None = None
    round: str | None = None
    level: str | None = None

    def admits(self, member: Member) -> bool:
        return all(wanted is None or wanted == value for wanted, value in
                   ((self.unit, member.name), (self.round, member.round), (self.level, member.level)))


@dataclass(frozen=True)
class Part:
    """One member's valid ledger, and the day its figures stand at."""

    member: Member
    ledger: Ledger
    day: dt.date

    @property
    def unit(self) -> str:
        return self.member.name

    @property
    def stamp(self) -> dt.date | None:
        """A snapshot's `数据截至` date; None for a live ledger."""
        return self.day if self.ledger.info.as_of is not None else None


@dataclass(frozen=True)
class Excluded:
    member: Member
    reason: str
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Rollup:
    workspace: Workspace
    parts: list[Part]
    excluded: list[Excluded]

    @property
    def excluded_names(self) -> list[str]:
        return [gone.member.name for gone in self.excluded]

    def part(self, unit: str) -> Part:
        for part in self.parts:
            if part.unit == unit:
                return part
        if unit in self.excluded_names:
            raise RectifyError(f"单位 {unit} 的台账未能读取,未计入")
        raise self.workspace.unknown(unit)


def load(workspace: Workspace, narrow: Narrow, day: Callable[[Ledger], dt.date], texts: bool = True) -> Rollup:
    """Every admitted member's ledger; `day` gives a ledger's date (a given today, else its as_of)."""
    members = [member for member in workspace.members if narrow.admits(member)]
    if not members:
        raise RectifyError(f"没有符合条件的单位;工作区中有:{'、'.join(workspace.names())}")
    _build_caches(members)
    parts, excluded = [], []
    with loading.collector_paused():  # a thousand ledgers' objects, no cycles: collecting only costs time
        for member in members:
            ledger, problem = _load_member(member, texts)
            if ledger is None:
                excluded.append(problem)
            else:
                parts.append(Part(member, ledger, day(ledger)))
    if loading.FREEZE_LEDGER:
        gc.freeze()  # they live until the command ends: the collector need not walk them again
    return Rollup(workspace, parts, excluded)


PARALLEL_FROM = 8  # members without a cache: fewer are read quicker than worker processes start
MAX_WORKERS = 8


def _build_caches(members: list[Member]) -> None:
    """Members never read before (no cache) parsed on every core, each writing its cache, which
    the reading that follows uses: a thousand ledgers' first roll-up takes half the time on two
    cores. Broken ones write none and are read again, for their errors, one by one."""
    cold = [member.folder for member in members if _never_cached(member)]
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(cold) < PARALLEL_FROM or workers < 2:
        return
    from concurrent.futures import ProcessPoolExecutor

    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_build_cache, cold, chunksize=max(1, len(cold) // (workers * 4))))
    except (OSError, RuntimeError):  # no processes to be had (a sandbox, a broken pool): read them here
        return


def _never_cached(member: Member) -> bool:
    """No cache yet (one stat: a thousand members are asked); a folder that is no ledger is
    passed over by its worker and reported by the reading that follows."""
    return not os.path.exists(os.path.join(member.folder, STATE_DIR, cache.CACHE_FILE))


def _build_cache(folder) -> None:
    """In a worker process: read the ledger, which writes its cache when it is valid. Whatever
    goes wrong here goes wrong again when the member is read in the command's own process,
    which reports it: here it is only passed over."""
    with contextlib.suppress(Exception):
        loading.load(folder, texts=False)


def _load_member(member: Member, texts: bool) -> tuple[Ledger | None, Excluded | None]:
    try:
        result = loading.load(member.folder, texts=texts)
    except (OSError, RectifyError) as exc:
        return None, _not_a_ledger(member) or Excluded(member, str(exc))
    if result.errors or result.ledger is None:
        return None, _not_a_ledger(member) or Excluded(member, f"台账有 {len(result.errors)} 处错误",
                                                      result.errors[:MAX_ERRORS_NAMED])
    return result.ledger, None


def _not_a_ledger(member: Member) -> Excluded | None:
    """Why a member that did not read has no ledger at all, if so; asked only then: a thousand
    members read without it."""
    absent = member.absence()
    return Excluded(member, absent) if absent else None


# --- items ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """An item of a workspace: its unit, and the day its ledger stands at."""

    unit: str
    entry: Entry
    day: dt.date

    @property
    def id(self) -> str:
        return qualified_id(self.unit, self.entry.id)


def select(rollup: Rollup, filters: Filters, sort: SortKey = SortKey.ID) -> list[Listed]:
    """The items the filters admit, ledger by ledger (each with its own aspects and day)."""
    return [Listed(part.unit, entry, part.day) for part in rollup.parts
            for entry in query.select(part.ledger, filters, part.day, sort)]


def list_figures(rollup: Rollup, filters: Filters, listed: list[Listed]) -> tuple[Overall, Overall]:
    """(the listed items' counts, the official figures), each ledger counted its own way."""
    filtered = filters != Filters()
    by_unit: dict[str, list[Entry]] = {part.unit: [] for part in rollup.parts}
    for one in listed:
        by_unit[one.unit].append(one.entry)
    items, official = [], []
    for part in rollup.parts:
        entries = by_unit[part.unit]
        items.append(stats.overall(part.ledger, entries, part.day, filtered, count_by=CountBy.ITEM))
        official.append(stats.overall(part.ledger, entries, part.day, filtered))
    return added(items, filtered), added(official, filtered)


def resolve(rollup: Rollup, text: str) -> list[tuple[Part, list[Entry]]]:
    """`城管局/13.2`: that unit's item; a bare `13.2`: that item of every unit that has it."""
    unit, plain = split_unit(text)
    if unit is not None:
        part = rollup.part(unit)
        return [(part, query.resolve(part.ledger, plain))]
    found, refused = [], None
    for part in rollup.parts:
        try:
            found.append((part, query.resolve(part.ledger, plain)))
        except UnknownId as exc:
            refused = exc
    if found:
        return found
    if refused is not None and parse_id(plain) is None:
        raise refused  # not an ID at all: query says what one looks like
    raise UnknownId(f"没有哪个单位有编号为 {plain} 的事项")


# --- figures -----------------------------------------------------------------------------


UNIT_KEY = fields.LEDGER.unit.key  # a member's short name, in JSON and as --unit
_ENTRY = fields.WORKSPACE_LEDGER


class Dimension(StrEnum):
    UNIT = UNIT_KEY
    ROUND = _ENTRY.round.key
    LEVEL = _ENTRY.level.key
    ASPECT = stats.Dimension.ASPECT.value
    DEPT = stats.Dimension.DEPT.value
    KIND = stats.Dimension.KIND.value


UNIT_LABEL = "单位"
DIMENSION_LABELS = {Dimension.UNIT: UNIT_LABEL, Dimension.ROUND: "轮次", Dimension.LEVEL: "层级",
                    Dimension.ASPECT: stats.DIMENSION_LABELS[stats.Dimension.ASPECT],
                    Dimension.DEPT: stats.DIMENSION_LABELS[stats.Dimension.DEPT],
                    Dimension.KIND: stats.DIMENSION_LABELS[stats.Dimension.KIND]}
NO_ROUND = "(未注明轮次)"


@dataclass(frozen=True)
class Official:
    """One unit's official figures: its own count_by, stated count and day."""

    part: Part
    figures: Overall


@dataclass
class Summary:
    figures: Overall  # the workspace's: each ledger's official figures added up
    one_round: str | None  # the round, when exactly one is present
    rounds: list[Tally]  # one per round, when more than one
    rows: list[Tally]
    total: Tally
    ranking: list[Official]  # by rate, best first; then fewest overdue
    units: list[Official]
    excluded: list[Excluded]


def summarise(rollup: Rollup, filters: Filters, by: Dimension) -> Summary:
    filtered = filters != Filters()
    by_member = by in (Dimension.UNIT, Dimension.ROUND, Dimension.LEVEL)
    if by_member and not filtered:  # each ledger's own figures: no item need be built
        chosen = []
        units = [Official(part, stats.whole(part.ledger, part.day)) for part in rollup.parts]
    else:
        chosen = [(part, query.select(part.ledger, filters, part.day)) for part in rollup.parts]
        units = [Official(part, stats.overall(part.ledger, entries, part.day, filtered)) for part, entries in chosen]
    rounds = _grouped(units, _GROUPING[Dimension.ROUND])
    if by_member:
        rows = _grouped(units, _GROUPING[by])
        total = _as_tally(stats.TOTAL_LABEL, [unit.figures for unit in units])
    else:
        rows = _item_rows(chosen, by)
        total = _as_tally(stats.TOTAL_LABEL, [stats.total_row(entries, part.day) for part, entries in chosen])
    present = {part.member.round for part in rollup.parts}
    ranking = sorted(units, key=lambda unit: (-unit.figures.rate, unit.figures.overdue, unit.part.unit))
    return Summary(added([unit.figures for unit in units], filtered), next(iter(present)) if len(present) == 1 else None,
                   rounds if len(rounds) > 1 else [], rows, total, ranking, units, rollup.excluded)


_GROUPING = {Dimension.UNIT: lambda part: part.unit,
             Dimension.ROUND: lambda part: part.member.round or NO_ROUND,
             Dimension.LEVEL: lambda part: part.member.level or stats.UNASSIGNED}


def _grouped(units: list[Official], key) -> list[Tally]:
    groups: dict[str, list[Overall]] = {}
    for unit in units:
        groups.setdefault(key(unit.part), []).append(unit.figures)
    return [_as_tally(label, figures) for label, figures in groups.items()]


def _as_tally(label: str, figures) -> Tally:
    """Official figures (or tallies) added up: each counts by its own ledger's count_by."""
    return Tally(label, total=sum(_total(f) for f in figures), closed=sum(f.closed for f in figures),
                 overdue=sum(f.overdue for f in figures))


def _total(figures) -> int:
    return figures.stated if isinstance(figures, Overall) else figures.total


def added(figures: list[Overall], filtered: bool) -> Overall:
    """Ledgers' figures added up; counted by problem only when every ledger counts so."""
    levels = {one.count_by for one in figures}
    return Overall(stated=sum(f.stated for f in figures), found=sum(f.found for f in figures),
                   closed=sum(f.closed for f in figures), overdue=sum(f.overdue for f in figures),
                   count_by=levels.pop() if len(levels) == 1 else CountBy.ITEM, filtered=filtered)


def _item_rows(chosen: list[tuple[Part, list[Entry]]], by: Dimension) -> list[Tally]:
    """Rows by item, merged by label across ledgers; aspects by their titles (units number them
    differently)."""
    rows: dict[str, Tally] = {}
    for part, entries in chosen:
        if by is Dimension.ASPECT:
            for entry in entries:
                title = part.ledger.aspect_title(entry.problem.aspect)
                rows.setdefault(title, Tally(title)).add(entry, part.day)
            continue
        for row in stats.tally(part.ledger, entries, stats.Dimension(by.value), part.day):
            merged = rows.setdefault(row.label, Tally(row.label))
            merged.total, merged.closed, merged.overdue = (merged.total + row.total, merged.closed + row.closed,
                                                           merged.overdue + row.overdue)
    result = list(rows.values())
    if by is Dimension.DEPT:  # as stats orders them: by size, the unassigned last
        result.sort(key=lambda row: (row.label == stats.UNASSIGNED, -row.total, row.label))
    return result
