"""Chinese wording for the help pages' fixed English words (usage errors: usage.py)."""

from __future__ import annotations

import typer

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
