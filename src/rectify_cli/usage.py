"""The argument parser's own (English) usage errors, said in one Chinese line.

Each error is read by its kind (the vendored click's exception classes, matched by name so
that a plain click works too) and the parameter it carries, not by its English wording."""

from __future__ import annotations

import difflib
import re
from contextlib import contextmanager
from enum import Enum

_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", re.DOTALL)
_UNKNOWN_COMMAND = re.compile(r"No such command '(.+?)'\.", re.DOTALL)
_HEAD_END = re.compile(r"[,,;;::((]")  # a help text's name for its parameter ends here


def nearest(word: str, known) -> str | None:
    """The known word closest to a mistyped one, if any is close enough. Options are compared
    without their dashes, which would make any two look alike."""
    names = {name.lstrip("-"): name for name in known}
    found = difflib.get_close_matches(word.lstrip("-"), list(names), n=1, cutoff=0.6)
    return names[found[0]] if found else None


@contextmanager
def parsing(ctx):
    """The parser raises some errors (an option without its value) without the command's
    context; give them this one, which names the option's command and help."""
    try:
        yield
    except Exception as error:
        if getattr(error, "ctx", False) is None:
            error.ctx = ctx
        raise


EXAMPLES = "示例:"


def examples_last(help_text: str | None, epilog: str | None) -> tuple[str | None, str | None]:
    """A help text's closing examples (a paragraph `示例:` and a \\b block of command lines) move
    to the epilog, so the help page ends with them, after the options."""
    if not help_text or f"\n{EXAMPLES}" not in help_text:
        return help_text, epilog
    text, _, examples = help_text.partition(f"\n{EXAMPLES}")
    return text.rstrip(), "\n\n".join(part for part in (epilog, EXAMPLES + examples) if part)


def examples(help_page: str) -> list[str]:
    """The example command lines a help page ends with."""
    _, _, tail = help_page.partition(EXAMPLES)
    return [line.strip() for line in tail.splitlines() if line.strip().startswith("rectify ")]


def is_help_request(error: Exception) -> bool:
    """A group called without a command: click's way of asking for its help page."""
    return _kind(error) == "NoArgsIsHelpError"


def usage_message(error: Exception) -> str:
    """A usage error (the vendored click.UsageError) as one Chinese line."""
    kind = _kind(error)
    ctx = getattr(error, "ctx", None)
    param = getattr(error, "param", None)
    text = getattr(error, "message", None) or str(error)
    if kind == "NoSuchOption":
        return _unknown_option(error.option_name, ctx)
    if kind == "BadOptionUsage":
        return _bad_option_usage(error.option_name, text, ctx)
    if kind == "MissingParameter" and param is not None:
        return _missing(param, ctx)
    if kind == "BadParameter" and param is not None:
        return _bad_value(param, text, ctx)
    if _UNKNOWN_COMMAND.match(text):
        return _unknown_command(_UNKNOWN_COMMAND.match(text)[1], ctx)
    if _EXTRA.match(text):
        return f"多余的参数:{_EXTRA.match(text)[1]}" + _help_hint(ctx)
    if text.strip() == "Missing command.":
        return "缺少命令" + _help_hint(ctx, "列出全部命令")
    return f"用法错误:{text.strip()}" + _help_hint(ctx)


def _kind(error: Exception) -> str | None:
    known = ("NoArgsIsHelpError", "NoSuchOption", "BadOptionUsage", "MissingParameter", "BadParameter")
    return next((c.__name__ for c in type(error).__mro__ if c.__name__ in known), None)


def _unknown_command(name: str, ctx) -> str:
    known = ctx.command.list_commands(ctx) if ctx is not None else []
    guess = nearest(name, known)
    return f"没有这个命令:{name}" + (f",是不是 {guess}?" if guess else "") + "(rectify --help 列出全部命令)"


def _unknown_option(option: str, ctx) -> str:
    if ctx is None:
        return f"没有这个选项 {option}"
    root = ctx.find_root()
    if root is not ctx and _param_of(root, option) is not None:
        param = _param_of(root, option)
        return f"{option} 是全局选项,须写在命令之前:rectify {option} {param.metavar or ''} {_path(ctx)} …".replace("  ", " ")
    guess = nearest(option, [name for p in ctx.command.get_params(ctx) for name in p.opts])
    if guess:
        return f"没有这个选项 {option},是不是 {guess}?"
    return f"没有这个选项 {option}" + _help_hint(ctx, "列出全部选项")


def _bad_option_usage(option: str, text: str, ctx) -> str:
    param = _param_of(ctx, option) if ctx is not None else None
    if "does not take a value" in text:
        return f"选项 {option} 不带值,只写 {option} 即可"
    if param is None:
        return f"选项 {option} 后面缺少值" + _help_hint(ctx)
    choices = _choices(param)
    if choices:
        return f"选项 {option} 后面缺少值,可选:{choices}"
    return f"选项 {option} 后面缺少值:{_what(param)}({_metavar(param, ctx)})"


def _missing(param, ctx) -> str:
    if param.param_type_name == "argument":
        return f"缺少参数:{_what(param)}({_metavar(param, ctx)})" + _help_hint(ctx)
    return f"缺少选项:{_what(param)}({_option_name(param)} {_metavar(param, ctx)})" + _help_hint(ctx)


def _bad_value(param, text: str, ctx) -> str:
    name = _option_name(param) if param.param_type_name == "option" else _what(param)
    value = text.partition(" is not ")[0]
    choices = _choices(param)
    if choices:
        return f"{name} 的值 {value} 无效,可选:{choices}"
    type_name = getattr(param.type, "name", "")
    if "int" in type_name or "float" in type_name:
        number = "整数" if "int" in type_name else "数"
        low, high = getattr(param.type, "min", None), getattr(param.type, "max", None)
        bounds = "、".join(f"{word} {bound} " for word, bound in (("不小于", low), ("不大于", high)) if bound is not None)
        return f"{name} 的值 {value} 无效,应为{bounds + '的' if bounds else ''}{number}"
    return f"{name} 的值无效:{text}" + _help_hint(ctx)


def _param_of(ctx, option: str):
    return next((p for p in ctx.command.get_params(ctx) if option in p.opts), None)


def _option_name(param) -> str:
    """The option's long name (--format rather than -f)."""
    return max(param.opts, key=len)


def _what(param) -> str:
    """What the parameter is, in Chinese: its help text up to the first comma or bracket."""
    help_text = (getattr(param, "help", None) or "").strip()
    return _HEAD_END.split(help_text, maxsplit=1)[0].strip() or (param.name or "").upper()


def _metavar(param, ctx) -> str:
    return (param.metavar or param.make_metavar(ctx)).removesuffix("...")


def _choices(param) -> str | None:
    choices = getattr(param.type, "choices", None)
    if not choices:
        return None
    return "、".join(str(c.value) if isinstance(c, Enum) else str(c) for c in choices)


def _path(ctx) -> str:
    return ctx.command_path.partition(" ")[2]


def _help_hint(ctx, what: str = "查看用法") -> str:
    if ctx is None:
        return ""
    return f";rectify {_path(ctx)} --help {what}".replace("rectify  ", "rectify ")
