"""`rectify import updates`: the departments' filled forms (填报表) back into the ledger.

Each filled row becomes a progress note (本期整改进展), a close (是否完成 = 已完成) and evidence
names (佐证材料), dated by the form and signed by its filler. Every history entry written
carries `source: <form id>/<row>`, by which a second import of the same form skips the row.
A row is planned first (what it will do, or why not), shown, then all rows are applied as one
edit: one step in the journal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import edit, fields, forms, loading
from ..errors import RectifyError
from ..records import Entry, Ledger
from ..vocab import Status, parse_date
from ..yamledit import ItemChange
from .workbook import _text as cell_text  # a cell as the 台账 importer reads it

HEADERS = [column.header for column in forms.READ_ONLY + forms.INPUTS]
HEADER_SEARCH_ROWS = 10  # the header row stands under the title and the filler line
CLOSE_WORD = forms.DONE_WORDS[0]


@dataclass
class Filled:
    """One data row of the visible sheet: its cells by header."""

    row: int
    cells: dict[str, Any]

    def text(self, header: str) -> str:
        return cell_text(self.cells.get(header))

    @property
    def empty(self) -> bool:
        inputs = [self.text(column.header) for column in forms.INPUTS if column.header != forms.DONE]
        return not any(inputs) and self.text(forms.DONE) != CLOSE_WORD


@dataclass
class Form:
    path: Path
    meta: forms.FormMeta
    filler: dict[str, Any]  # FILLER_LABELS → the cell right of each
    rows: list[Filled]


@dataclass
class RowPlan:
    """What one row will do, or why it will not."""

    row: int
    item_id: str
    source: str
    who: edit.Who | None = None
    note: str = ""
    close_on: dt.date | None = None
    evidence: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)  # applied, with a remark (--force, already closed)
    skipped: str | None = None  # not applied: why
    refused: bool = False  # skipped for a fault in the form, not because it is done already

    def skip(self, reason: str, refused: bool = True) -> RowPlan:
        self.skipped, self.refused = reason, refused
        return self


@dataclass
class FilePlan:
    path: Path
    rows: list[RowPlan] = field(default_factory=list)
    refused: str | None = None  # the whole file: why

    @property
    def applied(self) -> list[RowPlan]:
        return [row for row in self.rows if row.skipped is None]


# --- reading a form ------------------------------------------------------------------


def read_form(path: Path) -> Form:
    import openpyxl

    if not path.is_file():
        raise RectifyError(f"文件不存在:{path}")
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise RectifyError(f"{path}: 无法读取 Excel 文件({type(exc).__name__})") from None
    try:
        meta = forms.read_meta(book)
    except forms.NotAForm as exc:
        raise RectifyError(f"{path}: {exc}") from None
    if forms.FORM_SHEET not in book.sheetnames:
        raise RectifyError(f"{path}: 没有“{forms.FORM_SHEET}”工作表")
    sheet = book[forms.FORM_SHEET]
    header_row, columns = _header(sheet, path)
    filler = _filler(sheet, header_row)
    rows = [Filled(row, {header: sheet.cell(row, column).value for header, column in columns.items()})
            for row in range(header_row + 1, sheet.max_row + 1)]
    return Form(path, meta, filler, rows)


def _header(sheet, path: Path) -> tuple[int, dict[str, int]]:
    for row in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        found = {_label(sheet.cell(row, column).value): column for column in range(1, sheet.max_column + 1)}
        if all(header in found for header in HEADERS):
            return row, {header: found[header] for header in HEADERS}
    raise RectifyError(f"{path}: 找不到填报表的表头({'、'.join(HEADERS)})")


def _filler(sheet, header_row: int) -> dict[str, Any]:
    filler: dict[str, Any] = {}
    for row in range(1, header_row):
        for column in range(1, sheet.max_column):
            label = _label(sheet.cell(row, column).value)
            if label in forms.FILLER_LABELS and label not in filler:
                filler[label] = sheet.cell(row, column + 1).value
    return filler


def _label(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(":").removesuffix(":").strip()


def read_day(value) -> dt.date | None:
    """A date cell, or a date as typed (2022-03-01, 2022/3/1, 2022.3.1, 2022年3月1日); None if blank."""
    text = cell_text(value)
    return parse_date(text) if text else None


# --- planning ------------------------------------------------------------------------


def plan_files(root: Path, paths: list[Path], *, today: dt.date, by: str | None, fallback_by: str | None,
               force: bool) -> list[FilePlan]:
    ledger = loading.load_valid(root)
    planned: set[tuple[str, str]] = set()  # (item, what) already taken by an earlier row: a second close
    return [_plan_file(ledger, path, today, by, fallback_by, force, planned) for path in paths]


def _plan_file(ledger: Ledger, path: Path, today, by, fallback_by, force, planned) -> FilePlan:
    plan = FilePlan(path)
    try:
        form = read_form(path)
        filled_on = _filled_on(form)
    except RectifyError as exc:
        plan.refused = str(exc).removeprefix(f"{path}: ")
        return plan
    if form.meta.identity != forms.ledger_identity(ledger.info):
        plan.refused = f"这份填报表不是由本台账({ledger.info.unit})生成的,整个文件未导入"
        return plan
    entries = {entry.id: entry for entry in ledger.entries()}
    who = edit.Who(by or _signature(form.filler) or fallback_by, filled_on or today)
    for filled in form.rows:
        if filled.empty:
            continue
        plan.rows.append(_plan_row(form, filled, entries, who, ledger, today, force, planned))
    return plan


def _filled_on(form: Form) -> dt.date | None:
    label = forms.FILLER_LABELS[2]
    try:
        return read_day(form.filler.get(label))
    except ValueError:
        raise RectifyError(f"{form.path}: {label} {form.filler.get(label)!r} 不是日期") from None


def _signature(filler: dict[str, Any]) -> str | None:
    """`填报单位(填报人)`, or whichever of the two is filled."""
    unit, person = (str(filler.get(label) or "").strip() for label in forms.FILLER_LABELS[:2])
    if unit and person:
        return f"{unit}({person})"
    return unit or person or None


def _plan_row(form: Form, filled: Filled, entries: dict[str, Entry], who: edit.Who, ledger: Ledger,
              today: dt.date, force: bool, planned: set) -> RowPlan:
    known = form.meta.by_row.get(filled.row)
    shown_id = filled.text(forms.ID_HEADER)
    plan = RowPlan(filled.row, known.id if known else shown_id, forms.source_of(form.meta.form_id, filled.row), who)
    if known is None:
        return plan.skip("不是填报表生成时登记的行(可能是新插入的行)")
    item_id, fingerprint = known.id, known.fingerprint
    entry = entries.get(item_id)
    if entry is None:
        return plan.skip(f"台账中没有序号为 {item_id} 的事项")
    if any(event.source == plan.source for event in entry.item.history):
        return plan.skip("已导入过", refused=False)
    changed = _changed_cells(filled, entry, item_id, fingerprint)
    if changed:
        return plan.skip(f"只读列“{'、'.join(changed)}”被改动,该行未导入")
    if fingerprint != forms.item_fingerprint(entry):
        if not force:
            return plan.skip("填报表生成后,台账中该事项已改动;核对后仍要导入请加 --force")
        plan.marks.append("填报表生成后台账已改动(--force)")
    try:
        _fill(plan, filled, entry, ledger, today, planned)
    except (RectifyError, ValueError) as exc:
        return plan.skip(str(exc))
    if not (plan.note or plan.close_on or plan.evidence):
        return plan.skip("该事项已销号,无进展可记录", refused=False)
    return plan


def _changed_cells(filled: Filled, entry: Entry, item_id: str, fingerprint: str) -> list[str]:
    """The read-only cells that differ from what the form showed: the ledger's values when the
    item is unchanged since (same fingerprint), else at least the ID."""
    shown = forms.shown_values(entry) if fingerprint == forms.item_fingerprint(entry) else {forms.ID_HEADER: item_id}
    return [header for header, value in shown.items() if filled.text(header) != value.strip()]


def _fill(plan: RowPlan, filled: Filled, entry: Entry, ledger: Ledger, today: dt.date, planned: set) -> None:
    done = filled.text(forms.DONE)
    if done and done not in forms.DONE_WORDS:
        raise RectifyError(f"{forms.DONE} 应为 {' 或 '.join(forms.DONE_WORDS)},这里是 {done!r}")
    plan.note = filled.text(forms.PROGRESS)
    plan.evidence = _names(filled.text(forms.EVIDENCE))
    if plan.note or plan.evidence:
        edit.check_event_date(plan.who.on, today, ledger.info, "填报")
    if done != CLOSE_WORD:
        return
    try:
        close_on = read_day(filled.cells.get(forms.DONE_ON)) or plan.who.on
    except ValueError:
        raise RectifyError(f"{forms.DONE_ON} {filled.text(forms.DONE_ON)!r} 不是日期") from None
    edit.check_event_date(close_on, today, ledger.info, forms.DONE_ON.removesuffix("日期"))
    if entry.item.status is Status.CLOSED or (entry.id, "close") in planned:
        plan.marks.append("该事项已销号,只记进展,不再销号")
        return
    planned.add((entry.id, "close"))
    plan.close_on = close_on


def _names(text: str) -> list[str]:
    """The evidence names: one a line, or separated by 、,;"""
    for separator in "、,,;;":
        text = text.replace(separator, "\n")
    return [name.strip() for name in text.splitlines() if name.strip()]


# --- applying ------------------------------------------------------------------------


def apply_plans(root: Path, plans: list[FilePlan], *, today: dt.date, command: str,
                dry_run: bool) -> edit.EditResult | None:
    """Every applicable row of every file, as one edit (one journal step); None if none."""
    rows: dict[str, list[RowPlan]] = {}
    for plan in plans:
        for row in plan.applied:
            rows.setdefault(row.item_id, []).append(row)
    if not rows:
        return None

    def build(entry: Entry, info, _copied) -> ItemChange:
        done = {event.source for event in entry.item.history}  # as it is now: another import may have run since
        changes = [change for row in rows[entry.id] if row.source not in done
                   for change in _row_changes(row, entry, info, today)]
        return _merged(changes)

    return edit.apply(root, list(rows), build, today=today, command=command, dry_run=dry_run)


def _row_changes(row: RowPlan, entry: Entry, info, today: dt.date) -> list[ItemChange]:
    evidence = [{fields.EVIDENCE.shorthand: name} for name in row.evidence]
    changes = []
    if row.note or (evidence and row.close_on is None):
        changes.append(edit.note_change(entry, row.who, info, today, text=row.note,
                                        evidence=evidence if row.close_on is None else None, source=row.source))
    if row.close_on is not None:
        closer = edit.Who(row.who.by, row.close_on)
        changes.append(edit.close_change(entry, closer, info, today, evidence=evidence, source=row.source))
    return changes


def _merged(changes: list[ItemChange]) -> ItemChange:
    merged = ItemChange()
    for change in changes:
        merged.set.update(change.set)
        merged.remove = (*merged.remove, *change.remove)
        for key, entries in change.append.items():
            merged.append[key] = [*merged.append.get(key, []), *entries]
    return merged


# --- what the user sees --------------------------------------------------------------


PREVIEW_HEADERS = ["文件", "行", "事项", "变更", "经办人", "日期", "说明"]


def preview_rows(plans: list[FilePlan]) -> list[list[str]]:
    rows = []
    for plan in plans:
        if plan.refused:
            rows.append([plan.path.name, "", "", "", "", "", f"整个文件未导入:{plan.refused}"])
        for row in plan.rows:
            rows.append([plan.path.name, str(row.row), row.item_id, _change_text(row), (row.who.by or "") if row.who else "",
                         _dates_text(row), "未导入:" + row.skipped if row.skipped else ";".join(row.marks)])
    return rows


def _change_text(row: RowPlan) -> str:
    parts = [f"进展:{row.note}"] if row.note else []
    if row.close_on:
        parts.append("销号")
    if row.evidence:
        parts.append(f"{forms.EVIDENCE}:{'、'.join(row.evidence)}")
    return "\n".join(parts)


def _dates_text(row: RowPlan) -> str:
    if row.who is None or row.skipped:
        return ""
    if row.close_on and row.close_on != row.who.on:
        return f"{row.who.on}(销号 {row.close_on})"
    return str(row.who.on)


def summary_lines(plans: list[FilePlan], dry_run: bool) -> list[str]:
    verb = "将导入" if dry_run else "已导入"
    lines = []
    for plan in plans:
        if plan.refused:
            lines.append(f"{plan.path}: 未导入:{plan.refused}")
            continue
        notes = sum(1 for row in plan.applied if row.note or (row.evidence and not row.close_on))
        closes = sum(1 for row in plan.applied if row.close_on)
        skipped = [row for row in plan.rows if row.skipped]
        line = f"{plan.path}: {verb}进展 {notes} 条,销号 {closes} 项,跳过 {len(skipped)} 行"
        lines.append(line + "".join(f"\n  第 {row.row} 行({row.item_id}):{row.skipped}" for row in skipped))
    return lines


def refusals(plans: list[FilePlan]) -> int:
    """How many files and rows were refused for a fault (not those imported before)."""
    return sum(1 for plan in plans if plan.refused) + sum(1 for plan in plans for row in plan.rows if row.refused)


def nothing_new(plans: list[FilePlan]) -> bool:
    """Every row there was had been imported before."""
    rows = [row for plan in plans for row in plan.rows]
    return bool(rows) and all(row.skipped == "已导入过" for row in rows)
