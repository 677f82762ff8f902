"""The rules beyond the files' shape: of one issue file given ledger.yaml, and across files.

No pydantic: they run on validated models and on plain records alike, so an edit
can be checked without importing the validator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import fields
from .errors import Diagnostic
from .records import inspection_start
from .vocab import PLACEHOLDER, Kind, Status
from .yamlsource import Source

ITEM, PROBLEM, LEDGER = fields.ITEM, fields.PROBLEM, fields.LEDGER
COMPLETE = tuple(spec for spec in ITEM if spec.complete)  # the 五个一, in the fields' order
EXAMPLES_SHOWN = 3


def check_problem(problem, source: Source, info, today: dt.date | None) -> list[Diagnostic]:
    """The rules one issue file must satisfy on its own (given ledger.yaml)."""
    found: list[Diagnostic] = []

    def report(yaml_path: tuple, message: str) -> None:
        line, column = source.where(yaml_path)
        found.append(Diagnostic(source.path, line, column, message))

    expected_stem = str(problem.id)
    if source.path.stem.lstrip("0") != expected_stem:
        report((PROBLEM.id.key,), f"文件名 {source.path.name} 与{PROBLEM.id.label} id: {problem.id} 不一致,应命名为 {problem.id:02d}.yaml")
    if problem.aspect not in info.aspects:
        declared = "、".join(info.aspects) or "无"
        report((PROBLEM.aspect.key,), f"{PROBLEM.aspect.label} {problem.aspect!r} 未在 ledger.yaml 的 "
                                      f"{fields.LEDGER.aspects.key} 中声明(已声明:{declared})")
    for index, item in enumerate(problem.items):
        for yaml_path, message in _item_problems(problem, index, item, info, today):
            report((PROBLEM.items.key, index, *yaml_path), message)
    return found


def _item_problems(problem, index: int, item, info, today: dt.date | None) -> Iterator[tuple[tuple, str]]:
    number, status, closed_on = ITEM.number, ITEM.status, ITEM.closed_on
    if item.number != index + 1:
        yield (number.key,), (f"{number.named}应为 {index + 1}:{ITEM.label}须从 1 起连续编号,"
                              f"这里是 {item.number}")
    if len(problem.items) > 1 and not item.title:
        yield (number.key,), f"本问题有多项{ITEM.label},每项都须有 {ITEM.title.named}"
    if item.status is Status.CLOSED and item.closed_on is None:
        yield (status.key,), f"已销号的事项须有 {closed_on.named};如未销号,请把 {status.key} 改为 {Status.OPEN}"
    if item.status is Status.OPEN and item.closed_on is not None:
        yield (closed_on.key,), f"未销号的事项不应有 {closed_on.named};如已销号,请把 {status.key} 改为 {Status.CLOSED}"
    if item.closed_on is not None:
        start = inspection_start(info)
        if start is not None and item.closed_on < start:
            yield (closed_on.key,), f"{closed_on.named}{item.closed_on} 早于{fields.INSPECTION.start.label} {start}"
        if today is not None and item.closed_on > today:
            yield (closed_on.key,), f"{closed_on.named}{item.closed_on} 晚于今天 {today}"


def events_after(problem, source: Source, as_of: dt.date) -> list[Diagnostic]:
    """A snapshot (ledger.yaml's as_of) holds nothing later than its date: each later event
    (a closed_on, a history entry) is a warning, for the snapshot is stale or the date wrong."""
    found = []
    items = fields.PROBLEM.items.key
    history, date, closed_on = fields.ITEM.history.key, fields.HISTORY_ENTRY.date.key, fields.ITEM.closed_on.key
    late = f"晚于 ledger.yaml 的 {fields.LEDGER.as_of.key}({fields.LEDGER.as_of.label}){as_of}"
    for index, item in enumerate(problem.items):
        if item.closed_on is not None and item.closed_on > as_of:
            found.append(_warning(source, (items, index, closed_on), f"{fields.ITEM.closed_on.label} {item.closed_on} {late}"))
        for position, event in enumerate(item.history):
            if event.date > as_of:
                where = (items, index, history, position, date)
                found.append(_warning(source, where, f"{fields.ITEM.history.label}的日期 {event.date} {late}"))
    return found


def _warning(source: Source, yaml_path: tuple, message: str) -> Diagnostic:
    line, column = source.where(yaml_path)
    return Diagnostic(source.path, line, column, message, severity="warning")


def incomplete(entries) -> list[tuple[fields.Field, list[str]]]:
    """Each field of the 五个一 that some items leave blank, with those items' IDs. A 长期坚持
    item has no deadline to give."""
    found = []
    for spec in COMPLETE:
        blank = [entry.id for entry in entries if _blank(entry.item, spec)]
        if blank:
            found.append((spec, blank))
    return found


def _blank(item, spec: fields.Field) -> bool:
    if spec is ITEM.deadline and item.kind is Kind.LONG_TERM:
        return False
    value = getattr(item, spec.key)
    return not value or (isinstance(value, str) and not value.strip())


def completeness(entries, path, strict: bool = False) -> list[Diagnostic]:
    """One line per field of the 五个一 left blank: `28 项未填写 责任领导(如 1.1、1.2、2…)`;
    errors when the ledger must be complete (`check --strict`)."""
    found = []
    for spec, ids in incomplete(entries):
        shown = "、".join(ids[:EXAMPLES_SHOWN]) + ("…" if len(ids) > EXAMPLES_SHOWN else "")
        message = f"{len(ids)} 项未填写 {spec.label}(如 {shown})"
        found.append(Diagnostic(path, None, None, message, severity="error" if strict else "warning"))
    return found


# --- Rules across files and of ledger.yaml: on valid models or records -------------


@dataclass(frozen=True)
class Seen:
    """What the rules across files need of one valid issue file (its node tree is let go)."""

    problem_id: int
    items: int
    path: Path
    id_at: tuple[int, int]


def seen(problem, source: Source) -> Seen:
    return Seen(problem.id, len(problem.items), source.path, source.where(("id",)))


def check_across(files: list[Seen], info, info_source: Source, complete: bool = True) -> list[Diagnostic]:
    """Rules across files and of ledger.yaml; the item count is compared only when every file was read."""
    diagnostics = _check_problem_ids(files)
    if complete:
        diagnostics += _check_stated(info, info_source, LEDGER.stated_items, sum(f.items for f in files), "项")
        diagnostics += _check_stated(info, info_source, LEDGER.stated_problems, len(files), "个问题")
    diagnostics += _check_blanks(info, info_source)
    diagnostics += _check_inspection(info, info_source)
    return diagnostics


def _check_inspection(info, source: Source) -> list[Diagnostic]:
    inspection, dates = info.inspection, fields.INSPECTION
    found = []
    if inspection and inspection.end < inspection.start:
        line, column = source.where((LEDGER.inspection.key, dates.end.key))
        message = f"{dates.end.label} {inspection.end} 早于{dates.start.label} {inspection.start}"
        found.append(Diagnostic(source.path, line, column, message))
    if inspection and info.feedback_date and info.feedback_date < inspection.start:
        line, column = source.where((LEDGER.feedback_date.key,))
        message = f"{LEDGER.feedback_date.label} {info.feedback_date} 早于{dates.start.label} {inspection.start}"
        found.append(Diagnostic(source.path, line, column, message))
    return found


def _check_blanks(info, source: Source) -> list[Diagnostic]:
    """A ledger made by `init` may hold marked blanks: say which are still to fill in."""
    blanks = [spec.key for spec in LEDGER if spec.required and getattr(info, spec.key) == PLACEHOLDER]
    blanks += [] if info.inspection else [LEDGER.inspection.key]
    blanks += [] if info.aspects else [LEDGER.aspects.key]
    found = []
    for name in blanks:
        line, column = source.where((name,))
        found.append(Diagnostic(source.path, line, column, f"{LEDGER.get(name).named} 尚未填写", severity="warning"))
    return found


def _check_problem_ids(files: list[Seen]) -> list[Diagnostic]:
    found = []
    first_file: dict[int, Path] = {}
    for file in files:
        if file.problem_id in first_file:
            other = first_file[file.problem_id].name
            found.append(Diagnostic(file.path, *file.id_at, f"问题编号 id: {file.problem_id} 与 {other} 重复"))
        else:
            first_file[file.problem_id] = file.path
    return found


def _check_stated(info, source: Source, spec, counted: int, counting: str) -> list[Diagnostic]:
    """A count ledger.yaml states (stated_items, stated_problems) against what the ledger holds."""
    stated = getattr(info, spec.key)
    if stated is None or stated == counted:
        return []
    line, column = source.where((spec.key,))
    message = f"{spec.key}({spec.label})为 {stated},台账中实有 {counted} {counting}"
    return [Diagnostic(source.path, line, column, message, severity="warning")]
