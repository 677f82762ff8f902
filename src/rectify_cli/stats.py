"""Progress figures: the official sentence, tallies by dimension, closures over time."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from . import fields
from .records import Entry, Ledger
from .vocab import KIND_LABELS, Action, CountBy, Penalty, RuleAction, Status

UNASSIGNED = "(未指定)"


class Dimension(StrEnum):
    ASPECT = "aspect"
    PROBLEM = "problem"
    DEPT = "dept"
    LEAD = fields.ITEM.lead.key
    KIND = fields.ITEM.kind.key


DIMENSION_LABELS = {
    Dimension.ASPECT: fields.PROBLEM.aspect.label,
    Dimension.PROBLEM: fields.PROBLEM.title.label,
    Dimension.DEPT: fields.ITEM.departments.label,
    Dimension.LEAD: fields.ITEM.lead.label,
    Dimension.KIND: fields.ITEM.kind.label,
}


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


MAX_PERIODS = {Period.WEEK: 260, Period.MONTH: 60}  # five years: a date typed wrong makes no endless table


# --- the one rate -------------------------------------------------------------------

RATE_STEP = Decimal("0.1")


def completion_rate(closed: int, denominator: int) -> Decimal:
    """Percent closed, to one decimal rounded half-up as reports round (1/16 is 6.3, not 6.2)."""
    if denominator <= 0:
        return Decimal("0.0")
    return (Decimal(100 * closed) / denominator).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def rate_text(rate: Decimal) -> str:
    """`6.3%`: how every output shows a rate."""
    return f"{rate}%"


def tally_text(closed: int, denominator: int) -> str:
    """`1/16`: how every output shows closed over the rate's denominator."""
    return f"{closed}/{denominator}"


def stated_count(info, count_by: CountBy) -> int | None:
    """What ledger.yaml states for this level: stated_items, or stated_problems."""
    return info.stated_problems if count_by is CountBy.PROBLEM else info.stated_items


def denominator(ledger: Ledger, found: int, filtered: bool = False, count_by: CountBy = CountBy.ITEM) -> int:
    """What a rate is out of: the items (or problems) found in a filtered view; for the whole
    ledger the stated count, unless fewer were stated than the ledger holds (a rate over 100% is
    no rate)."""
    stated = None if filtered else stated_count(ledger.info, count_by)
    return stated if stated is not None and stated >= found else found


def official_after(ledger: Ledger, before: list[Entry], after: list[Entry]) -> tuple[int, int, CountBy]:
    """(closed, denominator, level) of the whole ledger once the edited entries are as `after`:
    what an edit reports, counted as summary counts."""
    level = ledger.info.count_by
    if level is CountBy.ITEM:
        closed, found = ledger.tally()  # from the cache's cores: no item built
        closed += sum(not entry.is_open for entry in after) - sum(not entry.is_open for entry in before)
        return closed, denominator(ledger, found), level
    edited = {entry.sort_key: entry.is_open for entry in after}
    problem_open: dict[int, bool] = {}
    for entry in ledger.entries():
        still_open = edited.get(entry.sort_key, entry.is_open)
        problem_open[entry.problem.id] = problem_open.get(entry.problem.id, False) or still_open
    closed = sum(not is_open for is_open in problem_open.values())
    return closed, denominator(ledger, len(problem_open), count_by=level), level


@dataclass
class Tally:
    label: str
    total: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.total - self.closed

    @property
    def rate(self) -> Decimal:
        return completion_rate(self.closed, self.total)

    def add(self, entry: Entry, today: dt.date) -> None:
        self.total += 1
        if not entry.is_open:
            self.closed += 1
        elif entry.is_overdue(today):
            self.overdue += 1


@dataclass(frozen=True)
class Overall:
    """The figures of the official sentence; `stated` differs from `found` when flagged."""

    stated: int  # the denominator of the rate
    found: int
    closed: int
    overdue: int
    declared: int | None = None  # stated_items (or stated_problems) as ledger.yaml says, for the whole ledger
    count_by: CountBy = CountBy.ITEM  # what is counted: items, or problems
    filtered: bool = False  # a selection, not the whole ledger: the official sentence does not apply

    @property
    def open(self) -> int:
        return max(self.stated - self.closed, 0)

    @property
    def rate(self) -> Decimal:
        return completion_rate(self.closed, self.stated)

    @property
    def mismatch(self) -> bool:
        return self.declared is not None and self.declared != self.found


def overall(ledger: Ledger, entries: list[Entry], today: dt.date, filtered: bool,
            count_by: CountBy | None = None) -> Overall:
    """Counts of the entries, or of their problems, by the ledger's count_by unless told;
    for the whole ledger the stated count is the denominator."""
    return _overall(ledger, _standings(entries, today), filtered, count_by)


def whole(ledger: Ledger, today: dt.date) -> Overall:
    """The official figures of the whole ledger, as `overall` of all its entries gives them; from
    the cache's cores when it was read so, no item built."""
    return _overall(ledger, ledger.standings(today), False, None)


def _overall(ledger: Ledger, standings: list[tuple[int, bool, bool]], filtered: bool,
             count_by: CountBy | None) -> Overall:
    level = count_by or ledger.info.count_by
    counted = _problem_tally(standings) if level is CountBy.PROBLEM else _item_tally(standings)
    declared = None if filtered else stated_count(ledger.info, level)
    return Overall(stated=denominator(ledger, counted.total, filtered, level), found=counted.total,
                   closed=counted.closed, overdue=counted.overdue, declared=declared, count_by=level,
                   filtered=filtered)


def _standings(entries: list[Entry], today: dt.date) -> list[tuple[int, bool, bool]]:
    return [(entry.problem.id, entry.is_open, entry.is_overdue(today)) for entry in entries]


def _item_tally(standings: list[tuple[int, bool, bool]]) -> Tally:
    return Tally("", total=len(standings), closed=sum(not is_open for _id, is_open, _late in standings),
                 overdue=sum(late for _id, _open, late in standings))


def _problem_tally(standings: list[tuple[int, bool, bool]]) -> Tally:
    """A problem is done when all its items (those selected) are closed; overdue when one of
    its open items is."""
    by_problem: dict[int, list[tuple[bool, bool]]] = {}
    for problem_id, is_open, late in standings:
        by_problem.setdefault(problem_id, []).append((is_open, late))
    counted = Tally("", total=len(by_problem))
    for own in by_problem.values():
        if not any(is_open for is_open, _late in own):
            counted.closed += 1
        elif any(late for _open, late in own):
            counted.overdue += 1
    return counted


TOTAL_LABEL = "合计"


def total_row(entries: list[Entry], today: dt.date) -> Tally:
    """Every item once: a table's last row (a department's rows may share items, so no column sum)."""
    row = _item_tally(_standings(entries, today))
    row.label = TOTAL_LABEL
    return row


def tally(ledger: Ledger, entries: list[Entry], dimension: Dimension, today: dt.date) -> list[Tally]:
    """One row per aspect, problem, department, lead or kind, in a stable order."""
    rows: dict[str, Tally] = {}
    for key, label in _known_keys(ledger, dimension):
        rows[key] = Tally(label)
    for entry in entries:
        for key in _keys_of(entry, dimension):
            row = rows.get(key)
            if row is None:
                row = rows[key] = Tally(_label_of(entry, ledger, dimension, key))
            row.add(entry, today)
    result = [row for row in rows.values() if row.total]
    if dimension in (Dimension.DEPT, Dimension.LEAD):  # named ones by size, the unassigned last
        result.sort(key=lambda row: (row.label == UNASSIGNED, -row.total, row.label))
    return result


def aspect_label(ledger: Ledger, key: str) -> str:
    """An aspect as its row and the board's group header name it: (一)…方面."""
    return f"({key}){ledger.aspect_title(key)}"


def _known_keys(ledger: Ledger, dimension: Dimension) -> list[tuple[str, str]]:
    if dimension is Dimension.ASPECT:
        return [(key, aspect_label(ledger, key)) for key in ledger.info.aspects]
    if dimension is Dimension.PROBLEM:
        return [(str(p.id), f"{p.id}. {p.title}") for p in sorted(ledger.problems, key=lambda p: p.id)]
    if dimension is Dimension.KIND:
        return [(str(kind), label) for kind, label in KIND_LABELS.items()]
    return []


def _keys_of(entry: Entry, dimension: Dimension) -> list[str]:
    item = entry.item
    if dimension is Dimension.ASPECT:
        return [entry.problem.aspect]
    if dimension is Dimension.PROBLEM:
        return [str(entry.problem.id)]
    if dimension is Dimension.KIND:
        return [str(item.kind) if item.kind else ""]
    names = item.departments if dimension is Dimension.DEPT else [item.lead] if item.lead else []
    return names or [""]


def _label_of(entry: Entry, ledger: Ledger, dimension: Dimension, key: str) -> str:
    """A row's label, made once for the first item of the row."""
    if not key:
        return UNASSIGNED
    if dimension is Dimension.ASPECT:
        return aspect_label(ledger, key)
    if dimension is Dimension.PROBLEM:
        return f"{entry.problem.id}. {entry.problem.title}"
    if dimension is Dimension.KIND:
        return KIND_LABELS[entry.item.kind]
    return key


# --- what rectification produced ----------------------------------------------------

PENALTY_ORDER = {kind: position for position, kind in enumerate(Penalty)}  # the reports' order

Kinds = tuple  # the kinds one count covers: one, or several the source gives a sum for


@dataclass(frozen=True)
class Difference:
    """A figure ledger.yaml states that the items' own figures do not add up to."""

    figure: fields.Field  # of fields.FIGURES
    stated: object
    counted: object


@dataclass(frozen=True)
class Results:
    """People held accountable, rules made and revised, money recovered: each from the items that
    carry it, or as ledger.yaml states it (the stated figure wins); None where nothing says."""

    accountability: list[tuple[Kinds, int]] | None = None
    rules: tuple[int, int] | None = None  # (new, revised)
    funds: Decimal | None = None
    differences: tuple[Difference, ...] = ()

    @property
    def any(self) -> bool:
        return self.accountability is not None or self.rules is not None or self.funds is not None


def results(ledger: Ledger, entries: list[Entry], filtered: bool) -> Results:
    """The results of these entries; for the whole ledger, the figures ledger.yaml states win."""
    items = [entry.item for entry in entries]
    penalties = [penalty for item in items for penalty in item.accountability]
    counted = (_accountability(penalties) if penalties else None, _rules(items), _funds(items))
    given = _stated(None if filtered else ledger.info.figures)
    chosen = [mine if theirs is None else theirs for theirs, mine in zip(given, counted, strict=True)]
    differences = tuple(Difference(figure, theirs, mine)
                        for figure, theirs, mine in zip(fields.FIGURES, given, counted, strict=True)
                        if theirs is not None and mine is not None and theirs != mine)
    return Results(*chosen, differences=differences)


def _stated(figures) -> tuple:
    """ledger.yaml's figures, in the declared order (accountability, rules, funds); None unstated."""
    if figures is None:
        return None, None, None
    rules = figures.institutions
    return (_accountability(figures.accountability) if figures.accountability else None,
            None if rules is None else (rules.new or 0, rules.revised or 0),
            figures.funds_recovered)


def _accountability(entries) -> list[tuple[Kinds, int]]:
    """People by kind, in the reports' order; kinds counted together stay together, placed by the
    earliest of them."""
    people: dict[Kinds, int] = {}
    for entry in entries:
        kinds = tuple(entry.kind)
        people[kinds] = people.get(kinds, 0) + entry.people
    return sorted(people.items(), key=lambda pair: sorted(PENALTY_ORDER[kind] for kind in pair[0]))


def _rules(items) -> tuple[int, int] | None:
    actions = [rule.action for item in items for rule in item.institutions]
    if not actions:
        return None
    revised = sum(1 for action in actions if action is RuleAction.REVISED)
    return len(actions) - revised, revised


def _funds(items) -> Decimal | None:
    amounts = [item.funds_recovered for item in items if item.funds_recovered is not None]
    return sum(amounts, Decimal(0)) if amounts else None


# --- closures over time --------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    period: str
    closures: int
    closed: int  # closed at the period's end: closures less reopenings, so far
    total: int
    reopenings: int = 0  # closed items reopened (重新整改) in the period

    @property
    def rate(self) -> Decimal:
        return completion_rate(self.closed, self.total)


def status_changes(entry: Entry) -> list[tuple[dt.date, bool]]:
    """(date, closed?) in date order, from history, and closed_on for items closed without it."""
    changes: list[tuple[dt.date, bool]] = []
    for event in entry.item.history:
        if event.action is Action.CLOSE:
            changes.append((event.date, True))
        elif event.action is Action.REOPEN:
            if event.closed_on and not any(d == event.closed_on and c for d, c in changes):
                changes.append((event.closed_on, True))
            changes.append((event.date, False))
    closed_on = entry.item.closed_on
    if entry.item.status is Status.CLOSED and closed_on and (closed_on, True) not in changes:
        changes.append((closed_on, True))
    return sorted(changes, key=lambda change: change[0])


def trend(entries: list[Entry], period: Period, total: int | None = None,
          since: dt.date | None = None) -> list[TrendRow]:
    """Closures per period and how many items stood closed at each period's end (of `total`),
    from the earliest change but not before `since` (the inspection start), for at most
    MAX_PERIODS[period] periods."""
    changes = {id(entry): status_changes(entry) for entry in entries}
    dates = [day for entry_changes in changes.values() for day, _ in entry_changes]
    if not dates:
        return []
    first = max(min(dates), since) if since else min(dates)
    rows = []
    for start, end, label in itertools.islice(_periods(first, max(dates), period), MAX_PERIODS[period]):
        closures = sum(1 for c in changes.values() for day, closed in c if closed and start <= day <= end)
        reopenings = sum(1 for c in changes.values() for day, closed in c if not closed and start <= day <= end)
        closed = sum(1 for c in changes.values() if _closed_at(c, end))
        rows.append(TrendRow(label, closures, closed, total or len(entries), reopenings))
    return rows


def _closed_at(changes: list[tuple[dt.date, bool]], day: dt.date) -> bool:
    state = False
    for when, closed in changes:
        if when > day:
            break
        state = closed
    return state


def _periods(first: dt.date, last: dt.date, period: Period):
    start = _period_start(first, period)
    while True:
        following = _next_start(start, period)
        yield start, following - dt.timedelta(days=1) if following else dt.date.max, _period_label(start, period)
        if following is None or following > last:
            return
        start = following


def _period_start(day: dt.date, period: Period) -> dt.date:
    if period is Period.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_start(start: dt.date, period: Period) -> dt.date | None:
    """The next period's first day; None after the calendar's last period (9999-12)."""
    try:
        if period is Period.WEEK:
            return start + dt.timedelta(days=7)
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    except OverflowError:
        return None


def _period_label(start: dt.date, period: Period) -> str:
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{start.year:04d}-{start.month:02d}"
