"""Running an import: parsed document → validated files → written safely, journaled."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from .. import checks, fields, journal, loading, newledger, rules
from ..errors import Diagnostic, InvalidLedger, RectifyError
from ..layout import ISSUES_DIR, LEDGER_FILE
from ..model import LedgerInfo, Problem
from ..vocab import CountBy, Kind, Status
from ..yamlsource import SourceError, file_diff, parse
from . import cues, plan
from .deadlines import UnreadableDeadline, read_deadline
from .outline import ParsedDocument

ITEM, PROBLEM, LEDGER = fields.ITEM, fields.PROBLEM, fields.LEDGER


@dataclass
class ImportResult:
    problems: list[Problem]
    aspects: dict[str, str]
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    recovered: list[journal.Recovery] = field(default_factory=list)  # commands killed before, rolled back
    source_lines: dict[tuple, int] = field(default_factory=dict)  # node (see `source_lines`) → its line
    ledger_diff: str = ""  # what the import writes to ledger.yaml, as a unified diff
    levels: str = ""  # which numbering is which level, as --levels would say it


def facts_of(parsed: ParsedDocument, as_of: dt.date | None = None) -> plan.LedgerFacts:
    return plan.LedgerFacts(
        unit=parsed.unit, inspector=parsed.inspector, inspection=parsed.inspection,
        feedback_date=parsed.feedback_date, stated_items=parsed.stated_items, aspects=parsed.aspects,
        stated_problems=parsed.stated_problems, figures=parsed.figures or None, as_of=as_of or parsed.as_of,
        count_by=CountBy.PROBLEM.value if parsed.stated_problems is not None else None,
        report=parsed.report if parsed.problems else None,  # the narrative around problems only
    )


def source_lines(parsed: ParsedDocument) -> dict[tuple, int]:
    """Where each node stands in the document: (aspect key,), (problem id, None), (problem id, item number)."""
    lines: dict[tuple, int] = {(key,): line for key, line in parsed.aspect_lines.items()}
    for problem in parsed.problems:
        lines[(problem.id, None)] = problem.line
        lines.update({(problem.id, item.number): item.line for item in problem.items})
    return lines


def reading_warnings(parsed: ParsedDocument, source: Path) -> list[Diagnostic]:
    """How the levels were read, when the document left room for doubt."""
    warnings = []
    if parsed.default_aspect:
        key = next(iter(parsed.aspects))
        message = (f"文档中的问题没有分{PROBLEM.aspect.label},已全部归入一个方面:({key}){parsed.aspects[key]};"
                   f"可在 ledger.yaml 的 {LEDGER.aspects.key} 中改名")
        warnings.append(Diagnostic(source, parsed.aspect_lines.get(key), None, message, "warning"))
    return warnings


def problems_of(parsed: ParsedDocument, source: Path, as_of: dt.date | None = None,
                warnings: list[Diagnostic] | None = None) -> list[Problem]:
    """The problems read; an item whose outcome states no unfinished work is closed on the
    document's as-of date (or `as_of`), when there is one. A plan's item that states only
    measures is not done yet: it stays open."""
    closed_on = as_of or parsed.as_of
    data = []
    for parsed_problem in parsed.problems:
        items = [{ITEM.number.key: item.number, ITEM.title.key: item.title, ITEM.measures.key: item.measures,
                  ITEM.outcome.key: item.outcome, **_status(item.outcome, closed_on),
                  **_stated(item, parsed.feedback_date, source, warnings if warnings is not None else [])}
                 for item in parsed_problem.items]
        if not items:
            raise RectifyError(f"{source}:{parsed_problem.line}: {PROBLEM.label} {parsed_problem.id} "
                               f"下没有任何{ITEM.label}或整改内容")
        data.append({PROBLEM.id.key: parsed_problem.id, PROBLEM.aspect.key: parsed_problem.aspect,
                     PROBLEM.title.key: parsed_problem.title,
                     PROBLEM.items.key: [{k: v for k, v in item.items() if v is not None} for item in items]})
    if not data:
        raise RectifyError(f"{source}: 没有找到任何编号的问题(如 “1.关于……的问题”)")
    return validated_problems(data, source)


def _stated(item, feedback_date: dt.date | None, source: Path, warnings: list[Diagnostic]) -> dict:
    """The fields a plan's lines state (整改时限, 责任单位…): a deadline read as a 台账 cell is."""
    stated = dict(item.stated)
    text = stated.pop(ITEM.deadline.key, None)
    if text is None:
        return stated
    try:
        value = read_deadline(text, feedback_date)
    except UnreadableDeadline as exc:
        warnings.append(Diagnostic(source, item.line, None, str(exc), "warning"))
        return stated
    return {**stated, (ITEM.kind.key if isinstance(value, Kind) else ITEM.deadline.key): value}


def _status(outcome: str | None, closed_on: dt.date | None) -> dict:
    if closed_on is None or cues.still_open(outcome):
        return {ITEM.status.key: Status.OPEN.value}
    return {ITEM.status.key: Status.CLOSED.value, ITEM.closed_on.key: closed_on}


def status_warnings(parsed: ParsedDocument, problems: list[Problem], source: Path,
                    as_of: dt.date | None = None) -> list[Diagnostic]:
    """What the reading of status could not settle, or found at odds with the document's own counts."""
    items = [item for problem in problems for item in problem.items]
    closed = sum(item.status is Status.CLOSED for item in items)
    warnings = []
    if (as_of or parsed.as_of) is None and any(not cues.still_open(item.outcome) for item in items):
        message = (f"文档中找不到截至日期或发布日期,已整改的事项无法确定{ITEM.closed_on.label},"
                   "全部按未销号导入;可用 --as-of 日期 指定")
        warnings.append(Diagnostic(source, None, None, message, "warning"))
        return warnings
    done, under_way = parsed.stated_done
    for stated, found, word in ((done, closed, "已完成整改"), (under_way, len(items) - closed, "正在整改")):
        if stated is not None and stated != found:
            message = f"文档写明{word}{stated}个,按{ITEM.outcome.label}读出 {found} 个;请逐项核对状态"
            warnings.append(Diagnostic(source, None, None, message, "warning"))
    return warnings


def no_problems_message(source: Path, result: ImportResult, dry_run: bool) -> str:
    """Why an import that found no problem fails, and what became of the facts it did find."""
    found = f"{source}: 没有找到任何编号的问题(如 “1.关于……的问题”)"
    if not result.written and not dry_run:
        return found + ";ledger.yaml 无需更改"
    kept = "将写入" if dry_run else "已写入"
    facts = "、".join(spec.label for spec in (LEDGER.inspection, LEDGER.feedback_date, LEDGER.figures))
    return found + f";文档中的台账信息({facts}等){kept} ledger.yaml" + (
        "" if dry_run else ",可用 rectify undo 撤销")


def reading_notes(notes: list[str], source: Path) -> list[Diagnostic]:
    """How the document was read (its encoding, say), shown with the import's warnings."""
    return [Diagnostic(source, None, None, note, "warning") for note in notes]


def unplaced_warnings(parsed: ParsedDocument, source: Path) -> list[Diagnostic]:
    warnings = [Diagnostic(source, line, 1, f"无法归类的行,未导入:{text[:60]}", "warning") for line, text in parsed.unplaced]
    if parsed.renumbered:
        message = "文档中的问题编号有重复(各方面分别从 1 编号),已按出现顺序重新编为 1..n"
        warnings.append(Diagnostic(source, parsed.problems[0].line, 1, message, "warning"))
    return warnings


def validated_problems(data: list[dict], source: Path) -> list[Problem]:
    """Problems read from a workbook, each checked by the model before anything is written."""
    problems = []
    for problem in data:
        try:
            problems.append(Problem.model_validate(problem))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise RectifyError(f"{source}: 问题 {problem.get('id')} 无法导入({where}:{first['msg']})") from None
    if not problems:
        raise RectifyError(f"{source}: 没有找到任何问题行")
    return problems


Progress = Callable[[str, int, int], None]  # stage, done, total


def import_problems(root: Path, problems: list[Problem], facts: plan.LedgerFacts, warnings: list[Diagnostic], *,
                    force: bool, dry_run: bool, command: str, today: dt.date,
                    progress: Progress | None = None) -> ImportResult:
    result = ImportResult(problems, facts.aspects, warnings=warnings)
    report = progress or (lambda stage, done, total: None)
    _refuse_existing(root, problems, force)  # before the lock: a refusal leaves no trace
    with journal.locked(root) if not dry_run else contextlib.nullcontext([]) as recovered:
        result.recovered = recovered
        files = _planned_files(root, problems, facts, force, result, today, report)
        ledger_path = root / LEDGER_FILE
        if ledger_path in files:
            before, after = files[ledger_path]
            result.ledger_diff = file_diff(root, ledger_path, before, after.encode("utf-8"))
        if dry_run:
            return result
        changes = [(path, before, after.encode("utf-8")) for path, (before, after) in files.items()]
        if not changes:  # nothing new (facts already there): no step to undo
            return result
        journal.write_changes(root, command, changes, [])  # all or none
        report("写入", len(changes), len(changes))
        result.written = [path for path, before, after in changes]
    return result


def _planned_files(root, problems, facts, force, result, today, report) -> dict[Path, tuple[bytes | None, str]]:
    loaded = loading.load(root)
    ledger_errors = [d for d in loaded.errors if d.path.name == LEDGER_FILE]
    if ledger_errors or loaded.ledger is None:
        raise InvalidLedger(ledger_errors or loaded.errors)
    existing = {path.name: path for path in loading.issue_files(root)}
    _refuse_existing(root, problems, force)
    ledger_path = root / LEDGER_FILE
    ledger_before = loading.read_bytes(ledger_path)
    bom, ledger_text = loading.split_bom(ledger_before)
    new_ledger = plan.fill_ledger(ledger_text, loaded.ledger.info, facts)
    files: dict[Path, tuple[bytes | None, str]] = {}
    if new_ledger != ledger_text:
        files[ledger_path] = (ledger_before, bom.decode("utf-8") + new_ledger)
    info = _validated_ledger(ledger_path, new_ledger)
    reference = newledger.schema_reference(root, "issue")
    for done, problem in enumerate(problems, start=1):
        path = root / ISSUES_DIR / plan.file_name(problem.id)
        text = plan.issue_text(problem, reference)
        _verify_issue(path, text, info, today)
        report("校验", done, len(problems))
        before = loading.read_bytes(path) if path.exists() else None
        files[path] = (before, text)
    result.kept = [path for name, path in existing.items() if root / ISSUES_DIR / name not in files]
    return files


def _refuse_existing(root: Path, problems: list[Problem], force: bool) -> None:
    existing = {path.name for path in loading.issue_files(root)}
    if existing and not force:
        clashing = [plan.file_name(p.id) for p in problems if plan.file_name(p.id) in existing]
        shown = "、".join(clashing[:5]) + ("……" if len(clashing) > 5 else "")
        detail = f",其中 {shown} 将被覆盖" if clashing else ""
        raise RectifyError(f"台账中已有 {len(existing)} 个问题文件{detail};确认导入请加 --force(不被覆盖的文件保留)")


def _validated_ledger(path: Path, text: str) -> LedgerInfo:
    source = parse(path, text)
    info, found = checks.validate(source, LedgerInfo)
    if info is None:
        raise InvalidLedger(found)
    return info


def _verify_issue(path: Path, text: str, info: LedgerInfo, today: dt.date) -> None:
    try:
        source = parse(path, text)
    except SourceError as exc:
        raise InvalidLedger([exc.diagnostic]) from None
    problem, found = checks.validate(source, Problem)
    found += rules.check_problem(problem, source, info, today) if problem else []
    if found:
        raise InvalidLedger(found)
