"""The `rectify` command: parse arguments, call the domain, render. No logic of its own."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from . import model, query, store, views
from .errors import InvalidLedger, RectifyError, UsageProblem
from .messages import ChineseContext, usage_message
from .model import Ledger, Status
from .query import Filters, SortKey
from .views import OutputFormat

TODAY_ENV = "RECTIFY_TODAY"
DEBUG_ENV = "RECTIFY_DEBUG"
MAX_ERRORS_SHOWN = 5


class RectifyCommand(TyperCommand):
    context_class = ChineseContext


class RectifyGroup(TyperGroup):
    """Turns every failure into one line on stderr and an exit code; never a traceback."""

    context_class = ChineseContext

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        code = _run(lambda: super(RectifyGroup, self).main(
            args=args, prog_name=prog_name or "rectify", complete_var=complete_var,
            standalone_mode=False, **extra,
        ))
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
    except typer.TyperException as exc:  # the parser's own errors (typer >= 0.29 vendors click)
        code = getattr(exc, "exit_code", 2)
        _error(usage_message(exc) if code == 2 else str(exc))
        return code
    except typer.Abort:
        _error("已取消")
        return 1
    except KeyboardInterrupt:
        _error("已中断")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except Exception as exc:  # a bug: still one line, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        _error(f"内部错误:{type(exc).__name__}: {exc}(设置 {DEBUG_ENV}=1 可查看详情,请报告此问题)")
        return 3


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


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
    today: dt.date

    def root(self) -> Path:
        return store.find_root(self.ledger_option)

    def ledger(self) -> Ledger:
        return store.load_valid(self.root())


def parse_cli_date(text: str, option: str) -> dt.date:
    try:
        return model.parse_date(text)
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
    ctx.obj = State(ledger, fixed)


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="输出格式:table 表格 / tsv / json / csv;非终端默认 tsv", case_sensitive=False),
]


@app.command("list", cls=RectifyCommand)
def list_items(
    ctx: typer.Context,
    only_open: Annotated[bool, typer.Option("--open", help="只列未销号的")] = False,
    only_closed: Annotated[bool, typer.Option("--closed", help="只列已销号的")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期的(未销号且已过整改时限)")] = False,
    aspect: Annotated[str | None, typer.Option("--aspect", help="方面:键(二)、序号(2)或名称中的词", metavar="ASPECT")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="责任部门(包含此文字)", metavar="DEPT")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="责任领导(包含此文字)", metavar="LEAD")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="整改类型:立行立改 / 限期整改 / 长期坚持", metavar="KIND")] = None,
    due_before: Annotated[str | None, typer.Option("--due-before", help="整改时限早于此日期(YYYY-MM-DD)", metavar="DATE")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="在标题、措施、成效、进展中查找文字", metavar="TEXT")] = None,
    sort: Annotated[SortKey, typer.Option("--sort", help="排序:id 编号 / deadline 时限 / status 状态", case_sensitive=False)] = SortKey.ID,
    output: FormatOption = None,
) -> None:
    """列出整改事项,可按状态、方面、部门、领导、类型、时限、文字筛选(条件同时满足)。"""
    state = _state(ctx)
    if only_open and only_closed:
        raise UsageProblem("--open 与 --closed 不能同时使用")
    filters = Filters(
        status=Status.OPEN if only_open else Status.CLOSED if only_closed else None,
        overdue=overdue,
        aspect=aspect,
        department=dept,
        lead=lead,
        kind=_parse_kind(kind),
        due_before=parse_cli_date(due_before, "--due-before") if due_before else None,
        search=search,
    )
    ledger = state.ledger()
    entries = query.select(ledger, filters, state.today, sort)
    fmt = views.choose_format(output, sys.stdout)
    views.render_list(entries, ledger, state.today, fmt, query.counts(entries, state.today), sys.stdout)


def _parse_kind(text: str | None) -> model.Kind | None:
    if text is None:
        return None
    kind = model.parse_enum(model.Kind, model.KIND_SYNONYMS, text)
    if not isinstance(kind, model.Kind):
        allowed = "、".join(model.enum_words(model.KIND_SYNONYMS))
        raise UsageProblem(f"--kind 的值 {text!r} 无效,可填:{allowed}")
    return kind


@app.command(cls=RectifyCommand)
def show(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号,如 13.2、13-2、13(2);只写 13 则显示该问题的全部事项")],
    output: FormatOption = None,
) -> None:
    """查看一个事项的全部字段及其整改进展。"""
    state = _state(ctx)
    ledger = state.ledger()
    entries = query.resolve(ledger, item_id)
    fmt = views.choose_format(output, sys.stdout)
    views.render_show(entries, ledger, state.today, fmt, sys.stdout)


@app.command(cls=RectifyCommand)
def check(ctx: typer.Context) -> None:
    """检查整个台账:逐条列出所有错误和警告(文件:行:列)。有错误时退出码为 1。"""
    state = _state(ctx)
    result = store.load(state.root(), state.today)
    for diagnostic in result.diagnostics:
        sys.stderr.write(views.diagnostic_line(diagnostic) + "\n")
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    if errors:
        sys.stderr.write(f"检查未通过:{errors} 处错误,{warnings} 处警告\n")
        raise typer.Exit(1)
    items = sum(len(p.items) for p in result.ledger.problems)
    problems = len(result.ledger.problems)
    sys.stdout.write(f"检查通过:{problems} 个问题,{items} 项具体问题" + (f",{warnings} 处警告" if warnings else "") + "\n")


@app.command(cls=RectifyCommand)
def schema(
    out: Annotated[Path, typer.Option("--out", "-o", help="写入的目录", metavar="DIR")] = Path("schemas"),
) -> None:
    """由数据模型生成 JSON Schema(ledger.schema.json、issue.schema.json),供编辑器校验。"""
    from . import schemas

    for path in store.write_json_files(out, schemas.documents()):
        sys.stdout.write(f"已写入 {path}\n")


def main() -> None:
    app()
