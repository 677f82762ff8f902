"""Edits as events: close, reopen, note. Each builds an ItemChange for one item;
`apply` runs it as one safe transaction (validate, write atomically, journal)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, fields, journal, loading, query, records, rules, stats, writing
from .errors import Diagnostic, InvalidLedger, RectifyError, UnknownId
from .evidence import EvidencePlan, copy_evidence, plan_evidence, remove_created
from .layout import LEDGER_FILE
from .records import Entry, LedgerInfo, inspection_start
from .vocab import Action, CountBy, Status
from .yamledit import ItemChange, UneditableFile, edit_item
from .yamlsource import SourceError, decode, file_diff, parse

ITEM, HISTORY = fields.ITEM, fields.HISTORY_ENTRY
ITEMS = fields.PROBLEM.items.key
ITEM_FIELDS = list(ITEM.keys)
HISTORY_FIELDS = list(HISTORY.keys)
MAX_ATTEMPTS = 5


class AlreadyClosed(RectifyError):
    pass


class NotClosed(RectifyError):
    pass


@dataclass(frozen=True)
class Who:
    """Who acts and on which day: every event records both."""

    by: str | None
    on: dt.date


def check_event_date(on: dt.date, today: dt.date, info: LedgerInfo, what: str) -> None:
    if on > today:
        raise RectifyError(f"{what}日期 {on} 晚于今天 {today};不能记录将来的事")
    start = inspection_start(info)
    if start is not None and on < start:
        raise RectifyError(f"{what}日期 {on} 早于{fields.INSPECTION.start.label} {start}")


def history_entry(action: Action, who: Who, **details) -> dict:
    """A history entry in canonical key order, without empty fields."""
    entry = {HISTORY.date.key: who.on, HISTORY.action.key: action.value, HISTORY.by.key: who.by, **details}
    ordered = {key: entry[key] for key in HISTORY_FIELDS if key in entry}
    return {key: value for key, value in ordered.items() if value not in (None, [], "")}


# --- the three events --------------------------------------------------------------


def close_change(entry: Entry, who: Who, info: LedgerInfo, today: dt.date, *, outcome: str | None = None,
                 evidence: list[dict] | None = None, note: str | None = None,
                 source: str | None = None) -> ItemChange:
    item = entry.item
    if item.status is Status.CLOSED:
        by = f"(经办:{item.closed_by})" if item.closed_by else ""
        raise AlreadyClosed(f"{entry.id} 已于 {item.closed_on} 销号{by};如需重新整改,请用 rectify reopen")
    check_event_date(who.on, today, info, "销号")
    reopened = [event.date for event in item.history if event.action is Action.REOPEN]
    if reopened and who.on < max(reopened):
        raise RectifyError(f"{ITEM.closed_on.label} {who.on} 早于该项重新打开的日期 {max(reopened)}")
    evidence = evidence or []
    details = {HISTORY.note.key: note, HISTORY.evidence.key: evidence, HISTORY.source.key: source}
    change = ItemChange(set={ITEM.status.key: Status.CLOSED.value, ITEM.closed_on.key: who.on})
    if who.by:
        change.set[ITEM.closed_by.key] = who.by
    if outcome is not None:
        change.set[ITEM.outcome.key] = outcome
        details[HISTORY.previous_outcome.key] = item.outcome
    if evidence:
        change.append[ITEM.evidence.key] = evidence
    change.append[ITEM.history.key] = [history_entry(Action.CLOSE, who, **details)]
    return change


def reopen_change(entry: Entry, who: Who, info: LedgerInfo, today: dt.date, *, reason: str) -> ItemChange:
    item = entry.item
    if item.status is Status.OPEN:
        raise NotClosed(f"{entry.id} 尚未销号,无需重新打开")
    if not reason.strip():
        raise RectifyError("重新打开须写明原因:--reason 文字")
    check_event_date(who.on, today, info, "重新打开")
    if item.closed_on and who.on < item.closed_on:
        raise RectifyError(f"重新打开日期 {who.on} 早于{ITEM.closed_on.label} {item.closed_on}")
    event = history_entry(Action.REOPEN, who, note=reason, closed_on=item.closed_on, closed_by=item.closed_by)
    return ItemChange(set={ITEM.status.key: Status.OPEN.value}, remove=(ITEM.closed_on.key, ITEM.closed_by.key),
                      append={ITEM.history.key: [event]})


def note_change(entry: Entry, who: Who, info: LedgerInfo, today: dt.date, *, text: str,
                evidence: list[dict] | None = None, source: str | None = None) -> ItemChange:
    """A progress note; evidence given with it is the item's too. A note of evidence alone may
    go without text."""
    if not text.strip() and not evidence:
        raise RectifyError("进展内容不能为空")
    check_event_date(who.on, today, info, "进展")
    event = history_entry(Action.PROGRESS, who, note=text if text.strip() else None, evidence=evidence or [], source=source)
    change = ItemChange(append={ITEM.history.key: [event]})
    if evidence:
        change.append[ITEM.evidence.key] = evidence
    return change


# --- the transaction ------------------------------------------------------------------


@dataclass
class FileEdit:
    path: Path
    before: bytes
    after: bytes
    problem: records.Problem  # what `after` holds, checked

    def diff(self, root: Path) -> str:
        return file_diff(root, self.path, self.before, self.after)


@dataclass
class EditResult:
    entries: list[Entry]  # the edited items, as they are now
    files: list[FileEdit]
    closed: int
    total: int  # the rate's denominator (stats.denominator)
    count_by: CountBy  # what closed and total count: items or problems
    recovered: list[journal.Recovery] = field(default_factory=list)  # commands killed before, rolled back


ChangeBuilder = Callable[[Entry, LedgerInfo, list[dict]], ItemChange]  # entry, ledger info, evidence records


def apply(root: Path, targets: list[str], build: ChangeBuilder, *, today: dt.date, command: str,
          dry_run: bool = False, all_items: bool = False, only_open: bool = False,
          offers_all: bool = False, evidence_sources: list[Path] | None = None) -> EditResult:
    """Run one edit command: under the ledger's lock, retried if a file changed meanwhile.
    A command killed half-way before this one is rolled back first (`recovered` says so)."""
    lock = contextlib.nullcontext([]) if dry_run else journal.locked(root)
    with lock as recovered:
        for attempt in range(MAX_ATTEMPTS):
            try:
                result = _apply_once(root, targets, build, today=today, command=command, dry_run=dry_run,
                                     all_items=all_items, only_open=only_open, offers_all=offers_all,
                                     evidence_sources=evidence_sources or [], use_cache=attempt == 0)
                result.recovered = recovered
                return result
            except writing.ChangedMeanwhile:
                continue
    raise RectifyError("文件在编辑期间反复被其他程序修改,已放弃;请稍后重试")


def _apply_once(root, targets, build, *, today, command, dry_run, all_items, only_open, offers_all, evidence_sources,
                use_cache=True):
    """One try. A retry reads every file itself (use_cache False): what changed may be a file
    whose stat stayed the same (a write through mmap), and the cache's record of it is stale."""
    result = loading.load(root, texts=False, use_cache=use_cache)
    _refuse_if_invalid(result, [root / LEDGER_FILE])
    ledger = result.ledger
    try:
        entries = _chosen_entries(ledger, targets, all_items, only_open, offers_all)
    except UnknownId:
        if result.errors:  # the item may be in a file that does not load: show why
            raise InvalidLedger(result.errors) from None
        raise
    ledger.complete({entry.problem.id for entry in entries})  # the edited problems, with their texts
    entries = _chosen_entries(ledger, targets, all_items, only_open, offers_all)
    sources = {entry.problem.id: result.paths[entry.problem.id] for entry in entries}
    claimed = [path for pid in sources for path in result.duplicates.get(pid, [])]
    writing.wait_for_writers(result, list(sources.values()))  # another program may be halfway through one
    _refuse_if_invalid(result, [*sources.values(), *claimed])
    plans = _plan_evidence(root, entries, evidence_sources)
    created: list[dict] = []  # the evidence copied so far: taken back if the command does not complete
    try:
        evidence = _evidence_entries(root, plans, created, dry_run)
        files = _edited_files(result, entries, sources, lambda entry: build(entry, ledger.info, evidence[entry.id]), today)
        new_entries = [_entry_after(files, entry) for entry in entries]
        closed, total, level = stats.official_after(ledger, entries, new_entries)
        outcome = EditResult(new_entries, files, closed, total, level)
        if not dry_run:
            _write(root, files, created, command)
    except BaseException:
        remove_created(root, created)
        raise
    if not dry_run:
        loading.update_cache(result, {f.path: (f.after, f.problem) for f in files})
    return outcome


def _evidence_entries(root: Path, plans: dict, created: list[dict], dry_run: bool) -> dict[str, list[dict]]:
    """Each item's evidence entries, made from the copies (so they say what was stored),
    or for a dry run, which copies nothing, from the files as they are now."""
    entries: dict[str, list[dict]] = {}
    for key, item_plans in plans.items():
        entries[key] = []
        for plan in item_plans:
            if dry_run:
                entry = plan.preview()
            else:
                entry = copy_evidence(root, plan)
                created.append(entry)
            entries[key].append(entry)
    return entries


def _write(root: Path, files: list[FileEdit], created: list[dict], command: str) -> None:
    """The undo record, then the files (the evidence is already copied): all or none."""
    journal.write_changes(root, command, [(f.path, f.before, f.after) for f in files], created)


def _plan_evidence(root: Path, entries: list[Entry], sources: list[Path]) -> dict[str, list[EvidencePlan]]:
    """Each item gets its own copy under evidence/<ID>/; names never collide."""
    taken: set[str] = set()
    plans: dict[str, list[EvidencePlan]] = {}
    for entry in entries:
        plans[entry.id] = []
        for source in sources:
            plan = plan_evidence(root, entry.id, source, taken)
            plans[entry.id].append(plan)
            taken.add(plan.target)
    return plans


def _chosen_entries(ledger, targets: list[str], all_items: bool, only_open: bool, offers_all: bool) -> list[Entry]:
    chosen: list[Entry] = []
    for target in targets:
        entries = query.resolve(ledger, target)
        if len(entries) > 1 and not all_items:
            listed = "、".join(entry.id for entry in entries)
            hint = ",或加 --all 处理全部" if offers_all else ""
            raise RectifyError(f"问题 {target} 下有多项:{listed};请指定其中一项{hint}")
        if len(entries) > 1 and only_open:
            entries = [entry for entry in entries if entry.is_open]
            if not entries:
                raise AlreadyClosed(f"问题 {target} 下的事项都已销号")
        chosen += [entry for entry in entries if entry not in chosen]
    return chosen


def _refuse_if_invalid(result: loading.LoadResult, paths: list[Path]) -> None:
    errors = [d for d in result.errors if d.path in paths or d.path.name == LEDGER_FILE]
    if errors or result.ledger is None:
        raise InvalidLedger(errors or result.errors)


def _edited_files(result: loading.LoadResult, entries, sources, build, today) -> list[FileEdit]:
    by_file: dict[Path, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(sources[entry.problem.id], []).append(entry)
    return [_edit_file(result, path, file_entries, build, today) for path, file_entries in by_file.items()]


def _edit_file(result: loading.LoadResult, path: Path, entries: list[Entry], build, today: dt.date) -> FileEdit:
    before = loading.read_bytes(path)
    if cache.digest(before) != result.digests.get(path.relative_to(result.root).as_posix()):
        raise writing.ChangedMeanwhile  # not the content just validated: read the ledger again
    bom, text = loading.split_bom(before)
    expected = parse(path, decode(path, before)).data
    for entry in entries:
        index = entry.problem.items.index(entry.item)
        change = build(entry)
        try:
            text = edit_item(text, index, change, ITEM_FIELDS)
        except UneditableFile as exc:
            raise exc.located(path.relative_to(result.root).as_posix()) from None
        items = expected[ITEMS]
        expected = {**expected, ITEMS: _replace(items, index, change.apply_to(items[index]))}
    after = bom + text.encode("utf-8")
    return FileEdit(path, before, after, _verify(path, after, expected, result.ledger.info, today))


def _replace(items: list, index: int, new) -> list:
    return [*items[:index], new, *items[index + 1 :]]


def _verify(path: Path, after: bytes, expected: dict, info: LedgerInfo, today: dt.date) -> records.Problem:
    """The edited text must read back as exactly what was intended and keep the ledger's rules;
    else nothing is written. The file held validated data before (its digest says so) and the
    change adds values of known types, so the models need not run: the edit stays quick."""
    try:
        source = parse(path, decode(path, after))
    except SourceError as exc:
        raise _not_written(exc.diagnostic) from None
    if source.data != expected:
        raise RectifyError(f"{path.name}: 编辑结果与预期不符,未写入(这是程序错误,请报告)")
    problem = records.from_data(records.Problem, source.data)
    broken = rules.check_problem(problem, source, info, today)
    if broken:
        raise _not_written(broken[0])
    return problem


def _not_written(diagnostic: Diagnostic) -> RectifyError:
    line = f":{diagnostic.line}" if diagnostic.line else ""
    return RectifyError(f"{diagnostic.path.name}{line}: 编辑后的文件不能通过校验,未写入:{diagnostic.message}")


def _entry_after(files: list[FileEdit], entry: Entry) -> Entry:
    problem = next(f.problem for f in files if f.problem.id == entry.problem.id)
    return Entry(problem, problem.items[entry.problem.items.index(entry.item)])
