"""The `rectify` command: parse arguments, call the domain, render. No logic of its own."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import inspect
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from . import (
    fields,
    layout,
    loading,
    query,
    records,
    rollup,
    stats,
    streams,
    views,
    vocab,
    workspace,
    writing,
)
from .errors import InvalidLedger, RectifyError, UsageProblem, describe_os_error
from .ids import qualified_id
from .messages import ChineseContext
from .query import Filters, SortKey
from .records import Ledger
from .usage import examples_last, is_help_request, parsing, usage_message
from .views import OutputFormat
from .vocab import Status
from .workspace import Workspace

TODAY_ENV = "RECTIFY_TODAY"
USER_ENV = "RECTIFY_USER"
DEBUG_ENV = "RECTIFY_DEBUG"
MAX_ERRORS_SHOWN = 5


class _ChineseUsage:
    """Commands and groups alike: help in Chinese with the examples last, usage errors in
    one Chinese line."""

    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.help, self.epilog = examples_last(self.help, self.epilog)

    def parse_args(self, ctx, args):
        with parsing(ctx):
            return super().parse_args(ctx, args)


class RectifyCommand(_ChineseUsage, TyperCommand):
    pass


class RectifyGroup(_ChineseUsage, TyperGroup):
    """Turns every failure into one line on stderr and an exit code; never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = list(args) if args is not None else sys.argv[1:]
        self.invoked_with = args  # what the journal records for undo
        streams.begin()
        code = _run(lambda: super(RectifyGroup, self).main(
            args=args, prog_name=prog_name or "rectify", complete_var=complete_var,
            standalone_mode=False, **extra,
        ))
        code = _settle_output(code)
        if standalone_mode:
            sys.exit(code)
        return code


def _run(invoke) -> int:
    try:
        result = invoke()
        return result if isinstance(result, int) else 0
    except InvalidLedger as exc:
        _print_diagnostics(exc.diagnostics, limit=MAX_ERRORS_SHOWN)
        _error(str(exc))
        return exc.exit_code
    except RectifyError as exc:
        _error(str(exc))
        return exc.exit_code
    except typer.TyperException as exc:  # the parser's own errors (typer vendors click)
        if is_help_request(exc):  # a group called bare (`rectify`) shows its help, as --help does
            sys.stdout.write(exc.ctx.get_help() + "\n")
            return 0
        code = getattr(exc, "exit_code", 2)
        _error(usage_message(exc) if code == 2 else str(exc))
        return code
    except typer.Abort:
        _error("已取消")
        return 1
    except KeyboardInterrupt:
        _error("已中断")
        return 130
    except OSError as exc:  # the disk or the system refused: not a bug, say what and where
        _error(describe_os_error(exc))
        return 1
    except Exception as exc:  # a bug: still one line, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        _error(f"内部错误:{type(exc).__name__}: {exc}(设置 {DEBUG_ENV}=1 可查看详情,请报告此问题)")
        return 3


def _settle_output(code: int) -> int:
    """Output that could not be written. After a saved change it is no failure: say the change
    was saved, so a script does not retry it. A reader that stopped early (`| head`) is none
    either; otherwise say why, exit 1."""
    lost = streams.lost_output()
    if lost is None:
        return code
    done = streams.saved()
    if done:
        _error(f"{done},但无法输出结果({streams.reason(lost)})")
    elif not isinstance(lost, BrokenPipeError):
        _error(f"无法输出结果({streams.reason(lost)})")
        return code or 1
    return code


def _error(message: str) -> None:
    sys.stderr.write(views.inert(f"rectify: {message}", keep_newlines=False) + "\n")


def _print_diagnostics(diagnostics, limit: int | None = None) -> None:
    errors = [d for d in diagnostics if d.is_error]
    shown = errors if limit is None else errors[:limit]
    for diagnostic in shown:
        sys.stderr.write(views.diagnostic_line(diagnostic) + "\n")
    if len(errors) > len(shown):
        sys.stderr.write(f"……还有 {len(errors) - len(shown)} 处错误\n")


app = typer.Typer(
    cls=RectifyGroup,
    name="rectify",
    help="巡察整改台账:列出、筛选、查看、检查整改事项。",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    ledger_option: str | None
    today: dt.date  # for edits and their date checks: the real date, or --today / RECTIFY_TODAY
    given: bool = False  # today was given (--today / RECTIFY_TODAY), not the clock's

    def day(self, ledger: Ledger) -> dt.date:
        """The date figures stand at: a given today, else a snapshot's as_of, else the real date."""
        as_of = ledger.info.as_of
        return as_of if as_of is not None and not self.given else self.today

    def stamp(self, ledger: Ledger) -> dt.date | None:
        """A snapshot's `数据截至` date, shown under tables; None for a live ledger."""
        return self.day(ledger) if ledger.info.as_of is not None else None

    def workspace(self) -> Workspace | None:
        """The workspace --ledger, RECTIFY_LEDGER or the upward search finds; None for a ledger."""
        folder, is_workspace = loading.find_workspace_or_ledger(self.ledger_option)
        return workspace.read(folder.resolve()) if is_workspace else None

    def root(self) -> Path:
        """The single ledger; a workspace is refused here (loading.find_root), so commands made
        for one ledger (export, import) never act on a workspace by mistake."""
        return loading.find_root(self.ledger_option)

    def edited(self, typed: list[str]) -> tuple[Path, list[str], str | None]:
        """(the ledger an edit changes, its IDs there, the unit): in a workspace, the one unit
        the IDs name (unitedit.target); else the single ledger and the IDs as typed."""
        space = self.workspace()
        if space is None:
            return self.root(), typed, None
        from . import unitedit

        found = unitedit.target(space, typed, self.today)
        return found.member.folder, found.ids, found.member.name

    def ledger(self, texts: bool = True) -> Ledger:
        """The ledger; without `texts`, items lack outcome, history and the like (quicker)."""
        root = self.root()
        _warn_if_interrupted(root)
        return loading.load_valid(root, texts=texts)


def _warn_if_interrupted(root: Path) -> None:
    """Read commands take no lock: a command killed half-way is only reported."""
    if not layout.has_unfinished_records(root):
        return
    from . import journal

    for command in journal.interrupted(root):
        _error(f"警告: 上次命令“{command}”中断,台账可能只改了一部分;运行 rectify check 或任一编辑命令即可回滚")


def _report_recovered(recovered) -> None:
    for recovery in recovered:
        _error(recovery.message())
    if recovered:  # the roll-back is a saved change, whatever the command does next
        streams.mark_saved("上次中断的命令已回滚")


def parse_cli_date(text: str, option: str) -> dt.date:
    try:
        return vocab.parse_date(text)
    except ValueError:
        raise UsageProblem(f"{option} 的日期 {text!r} 无效,应为 YYYY-MM-DD") from None


def _state(ctx: typer.Context) -> State:
    return ctx.obj


@app.callback()
def main_options(
    ctx: typer.Context,
    ledger: Annotated[
        str | None,
        typer.Option("--ledger", "-L", help="台账目录(含 ledger.yaml);默认取 RECTIFY_LEDGER 或向上查找", metavar="DIR"),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="把“今天”定为某日(YYYY-MM-DD),用于逾期和日期检查;也可设 RECTIFY_TODAY", metavar="DATE"),
    ] = None,
) -> None:
    """巡察整改台账:列出、筛选、查看、检查整改事项。"""
    today_text = today or os.environ.get(TODAY_ENV) or None
    option = "--today" if today else TODAY_ENV
    fixed = parse_cli_date(today_text, option) if today_text else dt.date.today()
    ctx.obj = State(ledger, fixed, given=bool(today_text))


FormatOption = Annotated[
    views.ListFormat | None,
    typer.Option("--format", "-f", help="输出格式:table 表格 / tsv / json / csv;非终端默认 tsv", case_sensitive=False),
]
# The filter options of list, summary and export, declared once: (parameter, type and option, default).
_ITEM, _DEADLINE = fields.ITEM, fields.ITEM.deadline.label
_COMPLETE = "、".join(spec.label for spec in _ITEM if spec.complete)
FILTER_OPTIONS = (
    ("only_open", Annotated[bool, typer.Option("--open", help="只要未销号的")], False),
    ("only_closed", Annotated[bool, typer.Option("--closed", help="只要已销号的")], False),
    ("overdue", Annotated[bool, typer.Option("--overdue", help=f"只要逾期的(未销号且已过{_DEADLINE})")], False),
    ("aspect", Annotated[str | None, typer.Option("--aspect", help="方面:键(二)、序号(2)或名称中的词", metavar="ASPECT")], None),
    ("dept", Annotated[str | None, typer.Option("--dept", help=f"{_ITEM.departments.label}(包含此文字)", metavar="DEPT")],
     None),
    (_ITEM.lead.key, Annotated[str | None, typer.Option("--lead", help=f"{_ITEM.lead.label}(包含此文字)", metavar="LEAD")],
     None),
    (_ITEM.kind.key, Annotated[str | None, typer.Option(
        "--kind", help=f"{_ITEM.kind.label}:{' / '.join(vocab.KIND_LABELS.values())}", metavar="KIND")], None),
    ("due_before", Annotated[str | None, typer.Option(
        "--due-before", help=f"{_DEADLINE}早于此日期(YYYY-MM-DD)", metavar="DATE")], None),
    ("search", Annotated[str | None, typer.Option("--search", "-s", help="在标题、措施、成效、进展中查找文字", metavar="TEXT")], None),
)


def _options_for(parameter: str, declared, make):
    """A decorator: the command's `parameter` becomes the `declared` options, in its place;
    the command receives what `make` makes of their values."""

    def decorate(command):
        signature = inspect.signature(command, eval_str=True)
        options = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kind, default=default)
                   for name, kind, default in declared]
        parameters = [q for p in signature.parameters.values() for q in (options if p.name == parameter else [p])]

        @functools.wraps(command)
        def run(**values):
            chosen = {name: values.pop(name) for name, _, _ in declared}
            return command(**{parameter: make(**chosen)}, **values)

        run.__signature__ = signature.replace(parameters=parameters)
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate


def with_filters(command):
    """The command's `filters: Filters` parameter becomes the FILTER_OPTIONS."""
    return _options_for("filters", FILTER_OPTIONS, lambda **chosen: _filters(**chosen))(command)


# A workspace's members, narrowed (list, show, summary): the `narrow: rollup.Narrow` parameter.
NARROW_OPTIONS = (
    (rollup.UNIT_KEY, Annotated[str | None, typer.Option("--unit", help="工作区中只看此单位(单位简称)", metavar="UNIT")], None),
    (rollup.Dimension.ROUND.value, Annotated[str | None, typer.Option("--round", help="工作区中只看此轮次,如 四届第七轮", metavar="ROUND")], None),
    (rollup.Dimension.LEVEL.value, Annotated[str | None, typer.Option("--level", help="工作区中只看此层级,如 乡镇", metavar="LEVEL")], None),
)
NARROW_NEEDS_WORKSPACE = "--unit、--round、--level 只用于工作区(含 workspace.yaml 的目录)"
with_narrowing = _options_for("narrow", NARROW_OPTIONS, lambda **chosen: rollup.Narrow(**chosen))


def _rollup(state: State, narrow: rollup.Narrow, texts: bool) -> rollup.Rollup | None:
    """Every admitted member of the workspace, the broken ones named on stderr; None for a
    single ledger (where --unit, --round and --level mean nothing)."""
    space = state.workspace()
    if space is None:
        if narrow != rollup.Narrow():
            raise UsageProblem(NARROW_NEEDS_WORKSPACE)
        return None
    found = rollup.load(space, narrow, state.day, texts=texts)
    for gone in found.excluded:
        _error(f"未计入 {gone.member.name}:{gone.reason}")
        _print_diagnostics(gone.diagnostics)
    return found


def _finish_rollup(found: rollup.Rollup) -> None:
    """Exit 1 when a ledger was left out: a roll-up never silently drops one."""
    if found.excluded:
        raise typer.Exit(1)


def _filters(*, only_open, only_closed, overdue, aspect, dept, lead, kind, due_before, search) -> Filters:
    if only_open and only_closed:
        raise UsageProblem("--open 与 --closed 不能同时使用")
    return Filters(
        status=Status.OPEN if only_open else Status.CLOSED if only_closed else None,
        overdue=overdue,
        aspect=aspect,
        department=dept,
        lead=lead,
        kind=_parse_kind(kind),
        due_before=parse_cli_date(due_before, "--due-before") if due_before else None,
        search=search,
    )


def _format(requested) -> OutputFormat:
    return views.choose_format(OutputFormat(requested.value) if requested else None, sys.stdout)


@app.command("list", cls=RectifyCommand)
@with_narrowing
@with_filters
def list_items(
    ctx: typer.Context,
    filters: Filters = Filters(),  # replaced by the filter options (with_filters)
    sort: Annotated[SortKey, typer.Option("--sort", help="排序:id 编号 / deadline 时限 / status 状态", case_sensitive=False)] = SortKey.ID,
    output: FormatOption = None,
    narrow: rollup.Narrow = rollup.Narrow(),  # replaced by the workspace options (with_narrowing)
) -> None:
    """列出整改事项,可按状态、方面、部门、领导、类型、时限、文字筛选(条件同时满足)。

    示例:

    \b
    rectify list --open
    rectify list --dept 环卫所 --sort deadline
    rectify list --search 车辆 --format json
    """
    state = _state(ctx)
    fmt = _format(output)
    texts = bool(filters.search) or fmt is OutputFormat.JSON
    found = _rollup(state, narrow, texts)
    if found is not None:
        listed = rollup.select(found, filters, sort)
        figures, official = rollup.list_figures(found, filters, listed)
        views.render_workspace_list(found, listed, figures, official, fmt, sys.stdout)
        return _finish_rollup(found)
    ledger = state.ledger(texts=texts)
    day = state.day(ledger)
    entries = query.select(ledger, filters, day, sort)
    if query.overdue_unknowable(ledger, filters):
        _warn([views.NO_DEADLINES])
    filtered = filters != Filters()
    figures = stats.overall(ledger, entries, day, filtered, count_by=vocab.CountBy.ITEM)
    official = stats.overall(ledger, entries, day, filtered)
    views.render_list(entries, ledger, day, fmt, figures, sys.stdout, official, state.stamp(ledger))


# summary's groupings: a single ledger's (stats.Dimension) and a workspace's (rollup.Dimension)
SummaryBy = StrEnum("SummaryBy", {d.name: d.value for kind in (stats.Dimension, rollup.Dimension) for d in kind})


@app.command(cls=RectifyCommand)
@with_narrowing
@with_filters
def summary(
    ctx: typer.Context,
    by: Annotated[SummaryBy, typer.Option("--by", help="分组:aspect 方面 / problem 问题 / dept 部门 / lead 领导 / kind 类型;工作区中还可 unit 单位 / round 轮次 / level 层级", case_sensitive=False)] = SummaryBy.ASPECT,
    trend: Annotated[stats.Period | None, typer.Option("--trend", help="按 week 周 / month 月 显示销号数和累计完成率", case_sensitive=False)] = None,
    filters: Filters = Filters(),  # replaced by the filter options (with_filters)
    output: Annotated[views.SummaryFormat | None, typer.Option("--format", "-f", help="输出格式:table 表格(默认,写入文件时不带颜色)/ json / md / tsv", case_sensitive=False)] = None,
    narrow: rollup.Narrow = rollup.Narrow(),  # replaced by the workspace options (with_narrowing)
) -> None:
    """整改进度:官方口径的完成情况,并按方面、问题、部门、领导或类型分组统计。

    示例:

    \b
    rectify summary
    rectify summary --by lead --dept 环卫所
    rectify summary --trend month --format md
    """
    state = _state(ctx)
    fmt = OutputFormat(output.value) if output else OutputFormat.TABLE  # read by people, in a file too
    found = _rollup(state, narrow, texts=bool(filters.search))
    if found is not None:
        if trend is not None:
            raise UsageProblem("--trend 尚不支持工作区;请用 --ledger 指定某个单位的台账目录")
        dimension = _choice(rollup.Dimension, by, "工作区")
        summed = rollup.summarise(found, filters, dimension)
        views.render_workspace_summary(summed, rollup.DIMENSION_LABELS[dimension], fmt, sys.stdout)
        return _finish_rollup(found)
    by = _choice(stats.Dimension, by, "单本台账")
    ledger = state.ledger(texts=bool(filters.search) or trend is not None)
    day = state.day(ledger)
    entries = query.select(ledger, filters, day)
    filtered = filters != Filters()
    if trend is not None:
        total = stats.denominator(ledger, len(entries), filtered)
        views.render_trend(stats.trend(entries, trend, total, since=records.inspection_start(ledger.info)), fmt, sys.stdout)
        return
    figures = stats.overall(ledger, entries, day, filtered=filtered)
    results = stats.results(ledger, entries, filtered=filtered)
    _warn(views.difference_lines(results))
    rows = stats.tally(ledger, entries, by, day)  # rows count items: a problem spans departments
    views.render_summary(figures, results, rows, stats.DIMENSION_LABELS[by], fmt, sys.stdout, state.stamp(ledger),
                         stats.total_row(entries, day))


def _choice(kind: type[StrEnum], by: SummaryBy, where: str):
    """--by's value among those `kind` offers (a workspace's, or a single ledger's)."""
    try:
        return kind(by.value)
    except ValueError:
        raise UsageProblem(f"{where}的 summary 不能 --by {by.value},可填:{' / '.join(kind)}") from None


def _warn(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(views.inert(line, keep_newlines=False) + "\n")


def _parse_kind(text: str | None) -> vocab.Kind | None:
    if text is None:
        return None
    kind = vocab.parse_enum(vocab.Kind, vocab.KIND_SYNONYMS, text)
    if not isinstance(kind, vocab.Kind):
        allowed = "、".join(vocab.enum_words(vocab.KIND_SYNONYMS))
        raise UsageProblem(f"--kind 的值 {text!r} 无效,可填:{allowed}")
    return kind


@app.command(cls=RectifyCommand)
@with_narrowing
def show(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号,如 13.2、13-2、13(2);只写 13 则显示该问题的全部事项;工作区中可写 城管局/13.2")],
    output: FormatOption = None,
    all_fields: Annotated[bool, typer.Option("--all-fields", help="也列出未填写的字段(显示为 —)")] = False,
    narrow: rollup.Narrow = rollup.Narrow(),  # replaced by the workspace options (with_narrowing)
) -> None:
    """查看一个事项已填写的字段及其整改进展。

    示例:

    \b
    rectify show 13.2
    rectify show 13 --all-fields
    rectify show 13（2） --format json
    """
    state = _state(ctx)
    found = _rollup(state, narrow, texts=False)
    if found is not None:
        for part, entries in rollup.resolve(found, item_id):
            part.ledger.complete({entry.problem.id for entry in entries})
        views.render_workspace_show(found, rollup.resolve(found, item_id), _format(output), sys.stdout, all_fields)
        return _finish_rollup(found)
    ledger = state.ledger(texts=False)
    ledger.complete({entry.problem.id for entry in query.resolve(ledger, item_id)})
    entries = query.resolve(ledger, item_id)
    fmt = _format(output)
    views.render_show(entries, ledger, state.day(ledger), fmt, sys.stdout, all_fields)


@app.command(cls=RectifyCommand)
def check(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help=f"台账须完整:未填写{_COMPLETE}算作错误(其他警告仍是警告)")] = False,
    output: Annotated[views.CheckFormat, typer.Option(
        "--format", "-f", help="输出格式:text 逐行(文件:行:列)/ json(诊断为对象,输出到标准输出)", case_sensitive=False)
    ] = views.CheckFormat.TEXT,
) -> None:
    """检查整个台账:逐条列出所有错误和警告(文件:行:列),以及未填写“五个一”的事项。有错误时退出码为 1。

    示例:

    \b
    rectify check
    rectify --ledger 整改台账 check --strict
    rectify --today 2022-06-30 check --format json
    """
    state = _state(ctx)
    folder, is_workspace = loading.find_workspace_or_ledger(state.ledger_option)
    if is_workspace:
        _check_workspace(folder, state.today, strict)
        return
    root = state.root()
    _roll_back_interrupted(root)
    diagnostics, counts = loading.checked(root, state.today, strict)
    views.render_check(diagnostics, counts, output, sys.stdout, sys.stderr)
    if any(d.is_error for d in diagnostics):
        raise typer.Exit(1)


def _check_workspace(root: Path, today: dt.date, strict: bool) -> None:
    """The workspace file, then every member's ledger, each diagnostic with its own file."""
    from . import workspace

    found = workspace.check_workspace_file(root)
    members = [] if any(d.is_error for d in found) else workspace.read(root).members
    for member in members:
        found += workspace.check_member(member, today, strict)
    for diagnostic in found:
        sys.stderr.write(views.diagnostic_line(diagnostic) + "\n")
    errors = sum(d.is_error for d in found)
    if errors:
        sys.stderr.write(f"检查未通过:{errors} 处错误,{len(found) - errors} 处警告\n")
        raise typer.Exit(1)
    warnings = f",{len(found)} 处警告" if found else ""
    sys.stdout.write(f"检查通过:工作区 {root / workspace.WORKSPACE_FILE},{len(members)} 本台账{warnings}\n")


def _roll_back_interrupted(root: Path) -> None:
    """`check` rolls back a command killed half-way where it may write; else it warns."""
    from . import journal

    if not journal.interrupted(root):
        return
    try:
        with journal.locked(root) as recovered:
            _report_recovered(recovered)
    except RectifyError:
        _warn_if_interrupted(root)


def _who(state: State, on: str | None, by: str | None):
    from . import edit

    day = parse_cli_date(on, "--on") if on else state.today
    return edit.Who(by or (os.environ.get(USER_ENV) or "").strip() or _login_name(), day)  # a blank variable is unset


def _login_name() -> str | None:
    """The login name, else `uid <n>` (an account without a passwd entry, a system without pwd)."""
    import getpass

    try:
        return getpass.getuser() or None
    except (KeyError, ImportError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else None


def _complete_ids(status: Status | None):
    """Shell completion: the item ids, open ones for close, closed ones for reopen; in a
    workspace, the editable units' ids, qualified (城管局/13.2)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            ids = [qualified_id(unit, entry.id) for unit, entry in _editable_entries(ctx)
                   if status is None or entry.item.status is status]
        except Exception:  # completion must never print a traceback into the shell
            return []
        return [one for one in ids if one.startswith(incomplete)]

    return complete


def _editable_entries(ctx: typer.Context):
    """(unit, entry) of every item an edit may name: the unit None for a single ledger."""
    from . import unitedit

    folder, is_workspace = loading.find_workspace_or_ledger((ctx.find_root().params or {}).get("ledger"))
    ledgers = ([(m.name, m.folder) for m in unitedit.editable_members(workspace.read(folder.resolve()))]
               if is_workspace else [(None, folder)])
    for unit, root in ledgers:
        ledger = loading.load(root).ledger
        yield from ((unit, entry) for entry in (ledger.entries() if ledger else []))


def _run_edit(state: State, targets: list[str], build, *, command: str, verb: str, dry_run: bool,
              all_items: bool = False, only_open: bool = False, evidence: list[Path] | None = None) -> None:
    from . import edit

    root, targets, unit = state.edited(targets)
    result = edit.apply(root, targets, build, today=state.today, command=command, dry_run=dry_run,
                        all_items=all_items, only_open=only_open, offers_all=only_open, evidence_sources=evidence)
    _report_recovered(result.recovered)
    if dry_run:
        for edited in result.files:
            views.write_diff(edited.diff(root), sys.stdout)
        sys.stdout.write("(试运行:未写入任何文件)\n")
        return
    streams.mark_saved("修改已保存")
    for line in views.edit_lines(verb, result.entries, result.closed, result.total, result.count_by, unit):
        sys.stdout.write(line + "\n")


OnOption = Annotated[str | None, typer.Option("--on", help="日期(YYYY-MM-DD),默认今天", metavar="DATE")]


def _named(by: str | None) -> str | None:
    """A blank --by is a slip of the script, not a name to record (nor a cue to fall back)."""
    if by is not None and not by.strip():
        raise UsageProblem("--by 经办人不能为空")
    return by


ByOption = Annotated[str | None, typer.Option("--by", help="经办人,默认取 RECTIFY_USER 或登录名", metavar="NAME", callback=_named)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", "-n", help="只显示将要做的修改(diff),不写入")]


@app.command(cls=RectifyCommand)
def close(
    ctx: typer.Context,
    item_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="要销号的事项编号,如 13.2;工作区中写 城管局/13.2", autocompletion=_complete_ids(Status.OPEN))],
    on: OnOption = None,
    by: ByOption = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help=f"{fields.ITEM.outcome.label}(替换原文,原文记入进展)", metavar="TEXT")] = None,
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help=f"{fields.ITEM.evidence.label}文件,复制进台账 {layout.EVIDENCE_DIR}/ 目录;可多次使用", metavar="FILE")] = None,
    evidence_note: Annotated[list[str] | None, typer.Option("--evidence-note", help=f"只记名称的{fields.ITEM.evidence.label},如《……制度》;可多次使用", metavar="TEXT")] = None,
    note: Annotated[str | None, typer.Option("--note", help="销号说明", metavar="TEXT")] = None,
    all_items: Annotated[bool, typer.Option("--all", help="编号是整个问题时,销号其下全部未销号事项")] = False,
    dry_run: DryRunOption = False,
) -> None:
    """销号:把整改完成并经核实的事项标为已销号,记录日期、经办人和佐证材料。

    示例:

    \b
    rectify close 13.2 --by 张三 --evidence 处置清单.pdf
    rectify close 13 --all --by 张三 --note 已报财政局审核
    rectify close 15.1 --outcome 已完成人员信息核对 --evidence-note 《人事管理制度》 --dry-run
    """
    state = _state(ctx)
    who = _who(state, on, by)
    named = [{"name": name} for name in evidence_note or []]

    def build(entry, info, copied):
        from . import edit

        return edit.close_change(entry, who, info, state.today, outcome=outcome, evidence=[*copied, *named], note=note)

    _run_edit(state, item_ids, build, command=_command_text(ctx), verb="已销号", dry_run=dry_run,
              all_items=all_items, only_open=True, evidence=evidence)


@app.command(cls=RectifyCommand)
def reopen(
    ctx: typer.Context,
    item_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="要重新打开的事项编号;工作区中写 城管局/13.2", autocompletion=_complete_ids(Status.CLOSED))],
    reason: Annotated[str, typer.Option("--reason", help="重新打开的原因(回头看发现的问题),必填", metavar="TEXT")],
    on: OnOption = None,
    by: ByOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """重新打开(回头看):把已销号的事项改回未销号,原销号记录保留在进展中。

    示例:

    \b
    rectify reopen 13.1 --reason 回头看:仍有车辆在院内充电
    rectify reopen 13.1 --reason 台账与实际不符 --by 李四 --dry-run
    """
    state = _state(ctx)
    who = _who(state, on, by)

    def build(entry, info, _copied):
        from . import edit

        return edit.reopen_change(entry, who, info, state.today, reason=reason)

    _run_edit(state, item_ids, build, command=_command_text(ctx), verb="已重新打开", dry_run=dry_run)


@app.command(cls=RectifyCommand)
def note(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号;工作区中写 城管局/13.2", autocompletion=_complete_ids(None))],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="进展内容")],
    on: OnOption = None,
    by: ByOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """记录整改进展:给事项追加一条带日期的进展(已销号的也可以)。

    示例:

    \b
    rectify note 15.1 已向县直机关工委提交申请 --by 李四
    rectify note 16 "已完成 23 名聘用人员的信息核对" --on 2022-02-20
    """
    state = _state(ctx)
    who = _who(state, on, by)

    def build(entry, info, _copied):
        from . import edit

        return edit.note_change(entry, who, info, state.today, text=text)

    _run_edit(state, [item_id], build, command=_command_text(ctx), verb="已记录进展", dry_run=dry_run)


@app.command(cls=RectifyCommand)
def undo(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问,直接撤销")] = False,
    unit: Annotated[str | None, typer.Option("--unit", help="工作区中撤销此单位的上一条命令(单位简称)", metavar="UNIT")] = None,
) -> None:
    """撤销上一条编辑命令(close、reopen、note、import),可多次执行逐条回退。

    示例:

    \b
    rectify undo
    rectify --ledger 整改台账 undo --yes
    rectify --ledger 巡察汇总 undo --unit 城管局
    """
    from . import journal

    root = _undo_root(_state(ctx), unit)
    if yes:  # nothing to confirm: plan and carry out under one lock, so parallel undos take different steps
        with journal.locked(root) as recovered:
            if not _finished_interrupted(recovered):
                plan = journal.plan_undo(root)
                _show_undo(root, plan)
                journal.carry_out(root, plan)
                _undone(plan)
        return
    if sys.stdin is None or sys.stdin.closed:
        raise RectifyError("无法询问确认(标准输入已关闭);确定要撤销请加 --yes")
    with journal.locked(root) as recovered:
        if _finished_interrupted(recovered):
            return
    shown = journal.plan_undo(root)
    _show_undo(root, shown)
    if not typer.confirm("确定撤销吗?", default=False):
        raise RectifyError("未撤销")
    _undone(journal.carry_out_confirmed(root, shown))


def _undo_root(state: State, unit: str | None) -> Path:
    """The single ledger, or in a workspace the ledger of the unit --unit names."""
    space = state.workspace()
    if space is None:
        if unit is not None:
            raise UsageProblem(NARROW_NEEDS_WORKSPACE)
        return state.root()
    from . import unitedit

    return unitedit.undo_target(space, unit).folder


def _finished_interrupted(recovered) -> bool:
    """An undo that finds a command killed half-way rolls it back and stops there."""
    _report_recovered(recovered)
    if recovered:
        sys.stdout.write("未撤销其他命令;如还要撤销更早的命令,请再次运行 rectify undo\n")
    return bool(recovered)


def _show_undo(root: Path, plan) -> None:
    sys.stdout.write(views.inert(f"将撤销:{plan.command}({plan.at})\n"))
    views.write_diff(plan.diff(root), sys.stdout)
    for path in plan.removes:
        sys.stdout.write(f"将删除 {path.relative_to(root).as_posix()}\n")
    sys.stdout.flush()


def _undone(plan) -> None:
    streams.mark_saved("已撤销")
    sys.stdout.write(views.inert(f"已撤销:{plan.command}\n"))


def _command_text(ctx: typer.Context) -> str:
    args = getattr(ctx.find_root().command, "invoked_with", None)
    return " ".join(["rectify", *map(_shown_argument, args)]) if args else ctx.command_path


def _shown_argument(arg: str) -> str:
    return f'"{arg}"' if not arg or any(c.isspace() for c in arg) else arg


ForceOutputOption = Annotated[bool, typer.Option("--force", help="-o 的文件已存在时覆盖它(原子替换)")]


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    MD = "md"
    HTML = "html"


@app.command(cls=RectifyCommand)
@with_filters
@with_narrowing
def export(
    ctx: typer.Context,
    output_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv / xlsx(Excel 台账)/ json / md / html(进度看板)", case_sensitive=False)] = ExportFormat.CSV,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="写入的文件;文本格式默认输出到屏幕,xlsx 必须指定", metavar="FILE")] = None,
    columns: Annotated[str | None, typer.Option("--columns", help="csv / xlsx 的列及其顺序:列名或字段名,逗号分隔,如 deadline,status", metavar="列,列")] = None,
    form: Annotated[bool, typer.Option("--form", help=f"xlsx:给{fields.ITEM.departments.label}的填报表(默认为全部未销号事项),填好后用 import updates 读回")] = False,
    filters: Filters = Filters(),  # replaced by the filter options (with_filters)
    force: ForceOutputOption = False,
    narrow: rollup.Narrow = rollup.Narrow(),  # replaced by the workspace options (with_narrowing)
) -> None:
    """导出整改台账:Excel(可直接打印)、CSV、JSON、Markdown 或 HTML 进度看板,或部门填报表;筛选条件同 list。

    示例:

    \b
    rectify export -f xlsx -o 整改台账.xlsx
    rectify export -f html -o 进度看板.html
    rectify export -f xlsx --form --dept 环卫所 -o 环卫所.xlsx
    """
    from .export import documents

    state = _state(ctx)
    found = _rollup(state, narrow, texts=True)
    if found is not None:
        _export_workspace(found, output_format, form, filters, columns, out, force)
        return
    ledger = state.ledger()
    day = state.day(ledger)
    entries = query.select(ledger, filters, day)
    if output_format is ExportFormat.XLSX and out is None:
        raise UsageProblem("xlsx 格式须用 -o 指定输出文件,如 -o 整改台账.xlsx")
    if form:
        _deliver(documents.form(ledger, query.select(ledger, _form_filters(output_format, columns, filters), day),
                                day, filters.department), out, force)
        return
    data = documents.export(output_format.value, ledger, entries, day, filtered=filters != Filters(), columns=columns)
    _deliver(data, out, force)


def _export_workspace(found: rollup.Rollup, output_format: ExportFormat, form: bool, filters: Filters,
                      columns: str | None, out: Path | None, force: bool) -> None:
    """Every unit's items in one file, a 单位 column first, and the figures by unit."""
    from .export import documents

    if form:
        raise RectifyError("工作区不导出填报表;请用 --ledger 指定某个单位的台账")
    if output_format is ExportFormat.XLSX and out is None:
        raise UsageProblem("xlsx 格式须用 -o 指定输出文件,如 -o 汇总.xlsx")
    _deliver(documents.export_workspace(output_format.value, found, filters, columns), out, force)
    _finish_rollup(found)


def _form_filters(output_format: ExportFormat, columns: str | None, filters: Filters) -> Filters:
    """A form is an xlsx of fixed columns; without --open/--closed it holds the open items."""
    if output_format is not ExportFormat.XLSX:
        raise UsageProblem("--form 只用于 xlsx 格式:rectify export -f xlsx --form -o 填报表.xlsx")
    if columns is not None:
        raise UsageProblem("--form 的列是固定的,不能与 --columns 同用")
    return filters if filters.status else dataclasses.replace(filters, status=Status.OPEN)


def _aspect_pairs(values: list[str] | None) -> dict[str, str]:
    aspects = {}
    for value in values or []:
        key, separator, title = value.partition("=")
        if not separator or not key.strip() or not title.strip():
            raise UsageProblem(f"--aspect 应写成 键=名称,如 一=贯彻落实党中央决策部署方面;收到 {value!r}")
        aspects[key.strip()] = title.strip()
    return aspects


@app.command(cls=RectifyCommand)
def init(
    folder: Annotated[Path | None, typer.Argument(metavar="DIR", help="新台账的目录(不存在则创建)")] = None,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", help="改为新建巡察办的工作区(workspace.yaml),汇总多本台账", metavar="DIR")] = None,
    title: Annotated[str | None, typer.Option("--title", help=fields.LEDGER.title.label, metavar="TEXT")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=fields.LEDGER.unit.label, metavar="TEXT")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector", help=f"{fields.LEDGER.inspector.label},如 县委第二巡察组", metavar="TEXT")] = None,
    start: Annotated[str | None, typer.Option("--start", help="巡察开始日期", metavar="DATE")] = None,
    end: Annotated[str | None, typer.Option("--end", help="巡察结束日期", metavar="DATE")] = None,
    feedback: Annotated[str | None, typer.Option("--feedback", help="反馈会日期", metavar="DATE")] = None,
    stated: Annotated[int | None, typer.Option("--stated", help="反馈意见写明的问题数", metavar="N", min=0)] = None,
    aspect: Annotated[list[str] | None, typer.Option("--aspect", help="方面,写成 键=名称;可多次使用", metavar="KEY=TITLE")] = None,
) -> None:
    """新建一个空台账:ledger.yaml(未给出的信息标为“(待填写)”)、issues/、schemas/。

    示例:

    \b
    rectify init 整改台账 --unit 县城管执法局 --start 2021-09-01 --end 2021-10-31 --feedback 2021-12-01 --stated 34
    rectify init 整改台账 --aspect 一=贯彻落实党中央决策部署方面 --aspect 二=落实全面从严治党责任方面
    rectify init --workspace 巡察汇总 --title "县委巡察办 2022年巡察整改汇总"
    """
    from . import newledger, schemas
    from .importers import plan

    if (folder is None) == (workspace is None):
        raise UsageProblem("请给出新台账的目录 DIR,或用 --workspace DIR 新建工作区(二者取其一)")
    if workspace is not None:
        ledger_only = (unit, inspector, start, end, feedback, stated, aspect)
        if any(value is not None for value in ledger_only):
            raise UsageProblem("--workspace 只接受 --title;单位、巡察组、日期等写在各单位的台账中")
        _init_workspace(workspace, title)
        return
    if (start is None) != (end is None):
        raise UsageProblem("--start 与 --end 须同时给出")
    facts = plan.LedgerFacts(
        title=title, unit=unit, inspector=inspector,
        inspection=(parse_cli_date(start, "--start"), parse_cli_date(end, "--end")) if start and end else None,
        feedback_date=parse_cli_date(feedback, "--feedback") if feedback else None,
        stated_items=stated, aspects=_aspect_pairs(aspect),
    )
    text = plan.ledger_text(facts, "schemas/ledger.schema.json")
    _check_new_ledger(folder, text)
    newledger.create_ledger(folder, text, schemas.documents())
    streams.mark_saved("台账已新建")
    sys.stdout.write(views.inert(f"已新建台账 {folder}\n下一步:rectify --ledger {folder} import text 反馈意见.txt\n"))


def _init_workspace(folder: Path, title: str | None) -> None:
    from . import schemas, workspace

    workspace.create(folder, title, schemas.documents())
    streams.mark_saved("工作区已新建")
    sys.stdout.write(views.inert(f"已新建工作区 {folder}\n下一步:rectify --ledger {folder} workspace add 台账目录或git地址\n"))


def _check_new_ledger(folder: Path, text: str) -> None:
    from .checks import validate
    from .model import LedgerInfo
    from .yamlsource import parse

    info, found = validate(parse(folder / layout.LEDGER_FILE, text), LedgerInfo)
    if info is None:
        raise InvalidLedger(found)


def _command_group(name: str, about: str, examples: list[str]) -> typer.Typer:
    """A group of commands (`rectify import …`), its help ending with examples like a command's."""
    group = typer.Typer(cls=RectifyGroup, help=about + "\n\n示例:\n\n\b\n" + "\n".join(examples), no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


import_app = _command_group("import", "导入:从反馈意见/整改进展情况文档(txt、docx、html、pdf)或 Excel 台账生成问题文件。",
                            ["rectify import text 反馈意见.docx", "rectify import xlsx 整改台账.xlsx --dry-run"])


from .importers.numbering import LEVELS_HELP  # noqa: E402 (light: the --levels help is read at start)


@import_app.command("text", cls=RectifyCommand)
def import_text(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(metavar="FILE", help="反馈意见或整改进展情况:.txt(UTF-8 或 GBK)、.docx、.html/.htm、.pdf")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的同名问题文件(其他文件保留)")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="只显示读出的提纲(带原文行号)和 ledger.yaml 的修改(diff),不写入")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help=f"文档所截至的日期,即已整改事项的{fields.ITEM.closed_on.label}(文档中没有“截至X月X日”或发布日期时)", metavar="DATE")] = None,
    levels: Annotated[str | None, typer.Option(
        "--levels", metavar="编号=层级,…",
        help=LEVELS_HELP)] = None,
) -> None:
    """读取反馈意见、整改方案或整改进展情况,生成问题文件,并填上 ledger.yaml 中的空白。

    哪种编号是方面、问题、具体问题,由文档的层次推断(如“一、(一)1.(1)整改成效:”);推断不对时用 --levels 指明。

    示例:

    \b
    rectify --ledger 整改台账 import text 反馈意见.docx
    rectify import text 整改进展情况.pdf --as-of 2022-02-23 --force --dry-run
    rectify import text 反馈意见.txt --levels "一、=aspect,(一)=problem,1.=item"
    """
    from .importers import documents, numbering, outline, service

    chosen = numbering.parse_levels(levels) if levels else None
    document = documents.read_document(source)
    parsed = outline.parse(document.text, chosen)
    day = parse_cli_date(as_of, "--as-of") if as_of else None
    facts = service.facts_of(parsed, day)
    notes = service.reading_notes(document.notes, source)
    if not parsed.problems:  # keep what the document says of the inspection, then fail
        result = _run_import(ctx, [], facts, notes, False, dry_run)
        raise RectifyError(service.no_problems_message(source, result, dry_run))
    warnings = notes + service.reading_warnings(parsed, source) + service.unplaced_warnings(parsed, source)
    problems = service.problems_of(parsed, source, day, warnings)
    warnings += service.status_warnings(parsed, problems, source, day)
    result = _run_import(ctx, problems, facts, warnings, force, dry_run)
    result.source_lines = service.source_lines(parsed)
    result.levels = parsed.levels.describe() + ("(按文档推断;不对时用 --levels 指明)" if parsed.levels_inferred else "")
    views.write_import_tree(result, sys.stdout, dry_run)


@import_app.command("xlsx", cls=RectifyCommand)
def import_xlsx(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(metavar="FILE", help="Excel 整改台账(.xlsx)")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的同名问题文件(其他文件保留)")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=f"已完成却没有{fields.ITEM.closed_on.label}的行,以此日期销号", metavar="DATE")] = None,
    dry_run: DryRunOption = False,
) -> None:
    """读取 Excel 台账:按列名(问题、具体问题、整改措施、责任部门……)找到表头,合并单元格向下填充。

    示例:

    \b
    rectify import xlsx 整改台账.xlsx --dry-run
    rectify import xlsx 整改台账.xlsx --as-of 2022-02-23 --force
    """
    from .importers import service, workbook

    closed_on = parse_cli_date(as_of, "--as-of") if as_of else None
    if not source.is_file():
        raise RectifyError(f"文件不存在:{source}")
    read = workbook.read(source, as_of=closed_on, feedback_date=_feedback_date(_state(ctx).root()))
    problems = service.validated_problems(read.problems, source)
    _finish_import(ctx, problems, read.facts, read.warnings, force, dry_run)



@import_app.command("updates", cls=RectifyCommand)
def import_updates(
    ctx: typer.Context,
    sources: Annotated[list[Path], typer.Argument(metavar="FILE...", help="各部门填好的填报表(.xlsx,由 rectify export -f xlsx --form 生成)")],
    by: Annotated[str | None, typer.Option("--by", help="经办人,默认取填报表的“填报单位(填报人)”", metavar="NAME", callback=_named)] = None,
    force: Annotated[bool, typer.Option("--force", help="填报表生成后台账中已改动的事项也导入")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问,直接导入")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="只显示将导入的内容,不写入")] = False,
) -> None:
    """导入部门填报表:本期整改进展记为进展,“已完成”的销号,佐证材料记名称;先预览,确认后写入。

    同一份填报表再次导入时,已导入的行自动跳过;一次导入是一步,可用 rectify undo 整体撤销。

    示例:

    \b
    rectify import updates 环卫所.xlsx 执法大队.xlsx --dry-run
    rectify import updates 环卫所.xlsx --yes
    """
    from .importers import updates

    state = _state(ctx)
    fallback = (os.environ.get(USER_ENV) or "").strip() or _login_name()
    plans = updates.plan_files(state.root(), sources, today=state.today, by=by, fallback_by=fallback, force=force)
    views.write_preview(updates.PREVIEW_HEADERS, updates.preview_rows(plans), sys.stdout)
    applicable = any(plan.applied for plan in plans)
    if applicable and not dry_run and not yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise RectifyError("无法询问确认(标准输入不是终端);确认导入请加 --yes")
        if not typer.confirm("确认导入?", default=False):
            raise RectifyError("未导入")
    result = updates.apply_plans(state.root(), plans, today=state.today, command=_command_text(ctx), dry_run=dry_run)
    if result is not None:
        _report_recovered(result.recovered)
        if not dry_run:
            streams.mark_saved("导入已保存")
    for line in updates.summary_lines(plans, dry_run):
        sys.stdout.write(views.inert(line) + "\n")
    if updates.nothing_new(plans):
        sys.stdout.write("这些填报表都已导入过,台账未作修改\n")
    elif dry_run:
        sys.stdout.write("(试运行:未写入任何文件)\n")
    refused = updates.refusals(plans)
    if refused:
        raise RectifyError(f"有 {refused} 处未导入(文件或行),见上方说明")

def _feedback_date(root: Path) -> dt.date | None:
    """The ledger's feedback date, which places a deadline written without its year; None if unreadable."""
    loaded = loading.load(root)
    return loaded.ledger.info.feedback_date if loaded.ledger is not None else None


def _finish_import(ctx: typer.Context, problems, facts, warnings, force: bool, dry_run: bool) -> None:
    views.write_import_tree(_run_import(ctx, problems, facts, warnings, force, dry_run), sys.stdout, dry_run)


def _run_import(ctx: typer.Context, problems, facts, warnings, force: bool, dry_run: bool):
    """Write the import (or plan it), then say what was rolled back before and what to look at."""
    from .importers import service

    state = _state(ctx)
    with views.progress_bar(sys.stderr, len(problems)) as progress:
        result = service.import_problems(state.root(), problems, facts, warnings, force=force, dry_run=dry_run,
                                         command=_command_text(ctx), today=state.today, progress=progress)
    _report_recovered(result.recovered)
    if result.written:
        streams.mark_saved("导入已保存")
    for warning in result.warnings:
        sys.stderr.write(views.diagnostic_line(warning) + "\n")
    return result


workspace_app = _command_group("workspace", "工作区(巡察办):汇总多个单位的台账。", [
    "rectify --ledger 巡察汇总 workspace add ../城管局台账 --round 四届第七轮 --level 县直单位",
    "rectify -L 巡察汇总 workspace add https://git.example.cn/桃花潭镇/台账.git --name 桃花潭镇"])


def _workspace_root(state: State) -> Path:
    folder, is_workspace = loading.find_workspace_or_ledger(state.ledger_option)
    if not is_workspace:
        raise RectifyError(f"{folder} 是台账,不是工作区;请用 --ledger 指定含 workspace.yaml 的目录(rectify init --workspace 新建)")
    return folder


@workspace_app.command("add", cls=RectifyCommand)
def workspace_add(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="PATH|URL", help="台账目录,或 git 能识别的仓库地址(file://、https://、ssh://、git@主机:路径)")],
    name: Annotated[str | None, typer.Option("--name", help=f"{fields.WORKSPACE_LEDGER.get('name').label}(默认取台账的 unit 或仓库名)", metavar="TEXT")] = None,
    round_: Annotated[str | None, typer.Option("--round", help=f"{fields.WORKSPACE_LEDGER.round.label},如 四届第七轮", metavar="TEXT")] = None,
    level: Annotated[str | None, typer.Option("--level", help=f"{fields.WORKSPACE_LEDGER.level.label},如 县直单位、乡镇、村", metavar="TEXT")] = None,
) -> None:
    """把一本台账加入工作区:目录写成 path:(相对于工作区),仓库地址写成 git:(由 rectify sync 克隆)。

    示例:

    \b
    rectify --ledger 巡察汇总 workspace add ../城管局台账 --round 四届第七轮 --level 县直单位
    rectify -L 巡察汇总 workspace add file:///srv/台账/桃花潭镇.git --name 桃花潭镇 --level 乡镇
    """
    from . import workspace

    root = _workspace_root(_state(ctx))
    member = workspace.add(root, target, name=name, round=round_, level=level)
    streams.mark_saved("已加入工作区")
    where = f"git: {member.git}(运行 rectify sync 克隆)" if member.git else f"path: {member.folder}"
    sys.stdout.write(views.inert(f"已加入 {member.name}:{where}\n"))


@app.command(cls=RectifyCommand)
def sync(
    ctx: typer.Context,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="同时同步的仓库数", metavar="N", min=1)] = 8,
) -> None:
    """同步工作区中 git: 的台账:没有克隆就克隆,否则 fetch 后只做快进合并。

    某一本失败(远程不可达、历史分叉、克隆中有本地修改)不影响其他各本,也不改动它的文件;有失败时退出码为 1。

    示例:

    \b
    rectify --ledger 巡察汇总 sync
    rectify -L 巡察汇总 sync --jobs 4
    """
    from . import sync as syncing
    from . import workspace

    members = workspace.read(_workspace_root(_state(ctx))).clones()
    if not members:
        sys.stdout.write("工作区中没有 git: 的台账,无需同步\n")
        return
    with views.progress_bar(sys.stderr, len(members), threshold=1) as progress:
        finished = []

        def done(outcome) -> None:
            finished.append(outcome)
            if progress:
                progress("同步", len(finished), len(members))

        outcomes = syncing.sync_all(members, jobs, done)
    for outcome in outcomes:
        sys.stdout.write(views.inert(outcome.line()) + "\n")
    failed = sum(outcome.result is syncing.Result.FAILED for outcome in outcomes)
    if failed:
        _error(f"{failed} 本台账同步失败")
        raise typer.Exit(1)


hook_app = _command_group("hook", "git 钩子:提交前用 rectify check 检查台账。",
                          ["rectify --ledger 整改台账 hook install", "rectify -L 巡察汇总 hook install --force"])


@hook_app.command("install", cls=RectifyCommand)
def hook_install(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的另一个 pre-commit 钩子")] = False,
) -> None:
    """在台账(或工作区)所在的 git 仓库写入 pre-commit 钩子:每次提交前运行 rectify check,检查不通过则不提交。

    示例:

    \b
    rectify --ledger 整改台账 hook install
    rectify -L 整改台账 hook install --force
    """
    from . import hook

    folder, _ = loading.find_workspace_or_ledger(_state(ctx).ledger_option)
    path, written = hook.install(folder, force)
    if written:
        streams.mark_saved("钩子已写入")
    sys.stdout.write(views.inert(f"{'已写入' if written else '已安装,未改动'} {path}:提交前运行 rectify check\n"))


class ReportFormat(StrEnum):
    MD = "md"
    TXT = "txt"
    DOCX = "docx"


@app.command(cls=RectifyCommand)
@with_narrowing
def report(
    ctx: typer.Context,
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md / txt / docx(Word)", case_sensitive=False)] = ReportFormat.MD,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="写入的文件(督办通知的 docx:写入的目录);md/txt 默认输出到屏幕,docx 必须指定", metavar="FILE")] = None,
    force: ForceOutputOption = False,
    overdue_notice: Annotated[bool, typer.Option("--overdue-notice", help="为每个有逾期事项的单位写督办通知(md 输出到屏幕;docx 每单位一个文件,写入 -o 目录)")] = False,
    reply_by: Annotated[str | None, typer.Option("--reply-by", help="督办通知中要求报送的日期", metavar="DATE")] = None,
    narrow: rollup.Narrow = rollup.Narrow(),  # replaced by the workspace options (with_narrowing)
) -> None:
    """整改进展情况通报:按反馈意见的提纲(方面、问题、具体问题、整改成效)生成公开通报。

    示例:

    \b
    rectify report
    rectify report -f docx -o 整改进展情况.docx
    rectify report -f txt -o 整改进展情况.txt
    """
    from .export import report as public_report

    state = _state(ctx)
    if overdue_notice:
        _overdue_notices(state, narrow, output_format, out, force, parse_cli_date(reply_by, "--reply-by") if reply_by else None)
        return
    if reply_by is not None:
        raise UsageProblem("--reply-by 只用于 --overdue-notice")
    ledger = state.ledger()
    _warn(views.difference_lines(stats.results(ledger, ledger.entries(), filtered=False)))
    paragraphs = public_report.build(ledger, state.day(ledger))
    if output_format is ReportFormat.DOCX:
        if out is None:
            raise UsageProblem("docx 格式须用 -o 指定输出文件,如 -o 整改进展情况.docx")
        data = public_report.as_docx(paragraphs, ledger.info.unit)
    else:
        render = public_report.as_markdown if output_format is ReportFormat.MD else public_report.as_text
        data = render(paragraphs).encode("utf-8")
    _deliver(data, out, force)


def _overdue_notices(state: State, narrow: rollup.Narrow, output_format: ReportFormat, out: Path | None,
                     force: bool, reply_by: dt.date | None) -> None:
    """A 督办通知 for each unit with overdue items: md (or txt) in one stream, docx a file each."""
    from .export import notice
    from .export import report as public_report

    found = _rollup(state, narrow, texts=False)
    if found is None:
        ledger = state.ledger(texts=False)
        units, issuer = [(ledger.info.unit, ledger, state.day(ledger))], ledger.info.inspector
    else:
        units = [(part.unit, part.ledger, part.day) for part in found.parts]
        issuer = found.workspace.title or "巡察办"
    notices = notice.notices(units, issuer, reply_by)
    if not notices:
        _error("没有逾期未销号的事项,无需督办")
    elif output_format is ReportFormat.DOCX:
        _notice_files(notices, out, force, issuer)
    else:
        render = public_report.as_markdown if output_format is ReportFormat.MD else public_report.as_text
        _deliver("\n".join(render(n.paragraphs) for n in notices).encode("utf-8"), out, force)
    if found is not None:
        _finish_rollup(found)


def _notice_files(notices, folder: Path | None, force: bool, issuer: str) -> None:
    from .export import report as public_report

    if folder is None or not folder.is_dir():
        raise UsageProblem("督办通知的 docx 须用 -o 指定一个已有的目录,每个单位写一个文件:督办通知-<单位>.docx")
    for found in notices:
        _deliver(public_report.as_docx(found.paragraphs, issuer), folder / f"督办通知-{found.unit}.docx", force)


def _deliver(data: bytes, out: Path | None, force: bool = False) -> None:
    if out is None:  # each format made its own cells inert; the bytes go out as they are
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    writing.write_output(out, data, force)
    sys.stderr.write(f"已写入 {out}\n")


@app.command(cls=RectifyCommand)
def schema(
    out: Annotated[Path, typer.Option("--out", "-o", help="写入的目录", metavar="DIR")] = Path("schemas"),
    readme: Annotated[Path, typer.Option("--readme", help="其中有字段表标记时,更新该表", metavar="FILE")] = Path(
        "README.md"),
) -> None:
    """由数据模型生成 JSON Schema(ledger.schema.json、issue.schema.json),供编辑器校验;并更新 README 的字段表。

    示例:

    \b
    rectify schema
    rectify schema -o 整改台账/schemas --readme 说明.md
    """
    from . import schemas

    for path in writing.write_json_files(out, schemas.documents()):
        sys.stdout.write(f"已写入 {path}\n")
    if writing.replace_marked(readme, schemas.TABLE_START, schemas.TABLE_END, schemas.field_table()):
        sys.stdout.write(f"已更新 {readme} 的字段表\n")


def main() -> None:
    streams.guard()
    loading.FREEZE_LEDGER = True  # this process ends with the command
    _app_for(sys.argv[1:])()


_VALUE_OPTIONS = ("--ledger", "-L", "--today")  # the global options that take a value


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command the arguments name: Typer inspects every command's
    signature on each run, a third of a quick command's time. Anything else gets them all."""
    name = _command_name(args)
    commands = [info for info in app.registered_commands if _name_of(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if name is None or not (commands or groups):
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def _command_name(args: list[str]) -> str | None:
    """The first word after the global options, or None (help, completion, a stray option)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _VALUE_OPTIONS:
            index += 2
        elif arg.startswith(("--ledger=", "--today=")) or (arg.startswith("-L") and len(arg) > 2):
            index += 1
        else:
            return None if arg.startswith("-") else arg
    return None


def _name_of(info) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)
