"""Chinese wording for the argument parser's own (English) usage errors."""

from __future__ import annotations

import difflib
import re

import typer

_PATTERNS = [
    (r"No such option: (\S+)(?:\s+Did you mean (\S+)\?)?", lambda m: f"没有这个选项:{m[1]}" + (f",是不是 {m[2]}?" if m[2] else "")),
    (r"Missing argument '(.+?)'\.", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing option '(.+?)'\.", lambda m: f"缺少选项 {m[1]}"),
    (r"Option '(.+?)' requires an argument\.", lambda m: f"选项 {m[1]} 后面需要一个值"),
    (r"Got unexpected extra arguments? \((.+)\)", lambda m: f"多余的参数:{m[1]}"),
    (r"Invalid value for '(.+?)': (.+?) is not one of (.+)\.", lambda m: f"{m[1]} 的值 {m[2]} 无效,可选:{m[3]}"),
    (r"Invalid value for '(.+?)': (.+)", lambda m: f"{m[1]} 的值无效:{m[2]}"),
]


def usage_message(error: Exception) -> str:
    """A usage error (the vendored click.UsageError) in Chinese; unknown ones kept as they are."""
    format_message = getattr(error, "format_message", None)
    text = (format_message() if format_message else str(error)).strip()
    unknown = re.match(r"No such command '(.+?)'\.", text)
    if unknown:
        return _unknown_command(unknown[1], getattr(error, "ctx", None))
    for pattern, render in _PATTERNS:
        match = re.match(pattern, text, re.DOTALL)
        if match:
            return render(match) + _help_hint(error)
    return f"用法错误:{text}" + _help_hint(error)


def _unknown_command(name: str, ctx) -> str:
    known = ctx.command.list_commands(ctx) if ctx is not None else []
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    guess = f",是不是 {nearest[0]}?" if nearest else ""
    return f"没有这个命令:{name}{guess}(rectify --help 列出全部命令)"


def _help_hint(error: Exception) -> str:
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return ""
    return f"(rectify {ctx.command_path.partition(' ')[2]} --help 查看用法)".replace("rectify  ", "rectify ")


# --- help pages ------------------------------------------------------------------

_SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
_HELP_TEXTS = {
    "Show this message and exit.": "显示本帮助并退出",
    "Install completion for the current shell.": "为当前 shell 安装命令补全",
    "Show completion for the current shell, to copy it or customize the installation.": "显示当前 shell 的补全脚本,可复制或自行安装",
    "[required]": "[必填]",
}


def _translate(text: str) -> str:
    for english, chinese in _HELP_TEXTS.items():
        text = text.replace(english, chinese)
    return text.replace("[default: ", "[默认:")


class ChineseHelpFormatter(typer.Context.formatter_class):
    """The help page's fixed English words in Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND", "命令").replace("[ARGS]...", "[参数]...")
        super().write_usage(prog, args, prefix="用法:" if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_SECTIONS.get(name, name))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(term, _translate(text)) for term, text in rows], *args, **kwargs)


class ChineseContext(typer.Context):
    formatter_class = ChineseHelpFormatter
