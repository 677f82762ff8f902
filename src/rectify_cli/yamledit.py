"""Surgical edits of one item in an issue file's text.

Only the lines of the edited item change: every other byte — comments, key
order, quoting, blank lines, line endings — stays as the human wrote it.
Positions come from PyYAML's node marks; new text is rendered in the
file's own indentation style, with no anchors and dates as YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import fields
from .errors import RectifyError
from .yamlsource import Loader, compose

ITEMS = fields.PROBLEM.items.key


@dataclass
class ItemChange:
    """What an edit does to one item: keys to set, keys to drop, entries to append."""

    set: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    append: dict[str, list] = field(default_factory=dict)  # evidence/history entries

    def apply_to(self, data: dict) -> dict:
        """The same change on plain data: what the file must hold afterwards."""
        result = {key: value for key, value in data.items() if key not in self.remove}
        result.update(self.set)
        for key, entries in self.append.items():
            result[key] = [*result.get(key, []), *entries]
        return result


class UneditableFile(RectifyError):
    """A construct the surgery does not handle; `line` (1-based) says where, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def located(self, name: str) -> RectifyError:
        where = f"{name}:{self.line}" if self.line else name
        return RectifyError(f"{where}: {self.message}")


@dataclass(frozen=True)
class Style:
    newline: str
    sequence_offset: int  # columns from a key to the dash of its block sequence
    step: int  # columns a nested mapping is indented by


def edit_item(text: str, item_index: int, change: ItemChange, field_order: list[str]) -> str:
    """Return text with `change` applied to items[item_index], nothing else touched.

    Block or flow (`{…}`) items, lists of either kind: a flow collection grows in flow style."""
    root = _compose(text)
    items = _value_of(root, ITEMS)
    if not isinstance(items, yaml.SequenceNode):
        raise UneditableFile(f"{ITEMS} 不是列表,无法编辑", _line(root))
    item = items.value[item_index]
    if not isinstance(item, yaml.MappingNode) or not item.value:
        raise UneditableFile("这一项不是“字段: 值”的映射,无法编辑", _line(item))
    return _apply(text, item, _style(text, root, items), change, field_order)


def edit_top_level(text: str, change: ItemChange, field_order: list[str]) -> str:
    """The same surgery on the file's top-level mapping (ledger.yaml)."""
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode) or root.flow_style or not root.value:
        raise UneditableFile("文件顶层不是块式映射,无法安全编辑")
    newline = "\r\n" if "\r\n" in text else "\n"
    return _apply(text, root, Style(newline, 2, 2), change, field_order)


def _apply(text: str, mapping: yaml.MappingNode, style: Style, change: ItemChange, field_order: list[str]) -> str:
    edits = _Edits(text, mapping, style, field_order)
    for key in change.remove:
        edits.remove(key)
    for key, value in change.set.items():
        edits.put(key, value)
    for key, entries in change.append.items():
        edits.extend(key, entries)
    return edits.result()


def _compose(text: str) -> yaml.MappingNode:
    loader = Loader(text)
    try:
        return compose(loader, text)
    finally:
        loader.dispose()


def _value_of(mapping: yaml.MappingNode, key: str):
    return next((value for k, value in mapping.value if k.value == key), None)


def _line(node) -> int:
    return node.start_mark.line + 1


def _style(text: str, root: yaml.MappingNode, items: yaml.SequenceNode) -> Style:
    newline = "\r\n" if "\r\n" in text else "\n"
    items_key = next(k for k, v in root.value if v is items)
    # a block sequence starts at its first dash, even when a comment or a line break follows it
    offset = 2 if items.flow_style else max(0, items.start_mark.column - items_key.start_mark.column)
    return Style(newline, offset, max(2, offset))


def _alone_on_its_line(text: str, node) -> bool:
    """Nothing but indentation before node on its line: its dash is on a line above."""
    start = text.rfind("\n", 0, node.start_mark.index) + 1
    return not text[start : node.start_mark.index].strip()


class _Edits:
    """Collects non-overlapping replacements and applies them back to front."""

    def __init__(self, text: str, item: yaml.MappingNode, style: Style, field_order: list[str]):
        self.text = text
        self.item = item
        self.style = style
        self.order = field_order
        self.flow = bool(item.flow_style)  # a `{…}` item: its entries are written in flow style too
        self.column = item.value[0][0].start_mark.column
        self.entries = {key.value: (key, value) for key, value in item.value}
        self.removed: set[str] = set()
        self.replacements: list[tuple[int, int, str]] = []
        self.inserted: dict[int, list[str]] = {}

    def result(self) -> str:
        text = self.text
        spans = [*self.replacements, *self._removal_spans()]
        for position, chunks in self.inserted.items():
            spans.append((position, position, "".join(chunks)))
        for start, end, new in sorted(spans, key=lambda span: (span[0], span[1]), reverse=True):
            text = text[:start] + new + text[end:]
        return text

    def put(self, key: str, value: Any) -> None:
        if key in self.entries and key not in self.removed:
            key_node, value_node = self.entries[key]
            self._replace_entry(key_node, value_node, self._render(key, value))
        else:
            self._insert(key, self._render(key, value))

    def _replace_entry(self, key_node, value_node, rendered: str) -> None:
        """Replace `key: value`; a comment after a one-line value moves up to the key's line."""
        end = _content_end(self.text, value_node)
        rest = self.text[end : _line_end(self.text, end)]
        if self.style.newline in rendered and rest.strip().startswith("#"):
            first, separator, others = rendered.partition(self.style.newline)
            rendered = f"{first}{rest.rstrip()}{separator}{others}"
            end += len(rest)
        self.replacements.append((key_node.start_mark.index, end, rendered))

    def remove(self, key: str) -> None:
        if key in self.entries:
            self.removed.add(key)  # spanned in result(), when all removed keys are known

    def _removal_spans(self) -> list[tuple[int, int, str]]:
        names = list(self.entries)
        if len(self.removed) >= len(names):
            raise UneditableFile("不能删除一项的全部字段", _line(self.item))
        leading = self.flow or not _alone_on_its_line(self.text, self.entries[names[0]][0])
        spans = []
        for position, name in enumerate(names):
            if name not in self.removed:
                continue
            key_node, value_node = self.entries[name]
            if leading and all(before in self.removed for before in names[:position]):
                # the first entries: from this key to the next, which moves up to `- ` or `{`
                spans.append((key_node.start_mark.index, self.entries[names[position + 1]][0].start_mark.index, ""))
            elif self.flow:  # `, key: value`, from the end of the entry before
                previous = self.entries[names[position - 1]][1]
                spans.append((_content_end(self.text, previous), _content_end(self.text, value_node), ""))
            else:
                spans.append(self._removed_lines(key_node, value_node))
        return spans

    def _removed_lines(self, key_node, value_node) -> tuple[int, int, str]:
        line_start = self.text.rfind("\n", 0, key_node.start_mark.index) + 1
        end = _line_end(self.text, _content_end(self.text, value_node))
        end = end + len(self.style.newline) if self.text.startswith(self.style.newline, end) else end
        return line_start, end, ""

    def extend(self, key: str, entries: list) -> None:
        existing = self.entries.get(key)
        if existing is None or key in self.removed:
            self._insert(key, self._render(key, entries))
            return
        key_node, value_node = existing
        if not isinstance(value_node, yaml.SequenceNode) or not value_node.value:  # empty: write it whole
            current = _plain(self.text, value_node)
            self._replace_entry(key_node, value_node, self._render(key, [*(current or []), *entries]))
        elif value_node.flow_style:  # `[a, b]` grows to `[a, b, c]`, after its last entry
            position = _content_end(self.text, value_node.value[-1])
            self.inserted.setdefault(position, []).extend(", " + flow(entry) for entry in entries)
        else:
            self._extend_block(value_node, entries)

    def _extend_block(self, sequence: yaml.SequenceNode, entries: list) -> None:
        """New `- ` lines after the last entry, at its dash column; a dash alone on its line if
        the entries before have theirs so (`-` then the entry, or `- # comment` then the entry)."""
        dash = sequence.start_mark.column  # a block sequence starts at its first dash
        last = sequence.value[-1]
        below = last.start_mark.column if _alone_on_its_line(self.text, last) else None
        lines = [_render_sequence_entry(entry, dash, self.style, below) for entry in entries]
        position = _line_end(self.text, _content_end(self.text, sequence))
        self.inserted.setdefault(position, []).extend(self.style.newline + line for line in lines)

    def _insert(self, key: str, rendered: str) -> None:
        anchor = self._preceding_entry(key)
        position = _content_end(self.text, anchor[1])
        if self.flow:
            self.inserted.setdefault(position, []).append(", " + rendered)
            return
        line = self.style.newline + " " * self.column + rendered
        self.inserted.setdefault(_line_end(self.text, position), []).append(line)

    def _preceding_entry(self, key: str):
        """The entry a new key goes after, so that keys keep the model's order."""
        rank = self.order.index(key) if key in self.order else len(self.order)
        present = [
            (self.order.index(name) if name in self.order else len(self.order), position, name)
            for position, name in enumerate(self.entries)
            if name not in self.removed
        ]
        if all(entry[0] <= rank for entry in present):  # ranks last: after the mapping's last entry
            return self.entries[max(present, key=lambda entry: entry[1])[2]]
        before = [entry for entry in present if entry[0] <= rank]
        chosen = max(before)[2] if before else list(self.entries)[-1]
        return self.entries[chosen]

    def _render(self, key: str, value: Any) -> str:
        if self.flow:
            return f"{key}: {flow(value)}"
        return render_entry(key, value, self.column, self.style)


def _content_end(text: str, node) -> int:
    """Just after the last character of a node's own content (not the comments after it);
    a flow collection ends with its closing bracket."""
    last = node
    while isinstance(last, yaml.MappingNode | yaml.SequenceNode) and last.value and not last.flow_style:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    end = last.end_mark.index
    if _keeps_trailing_lines(text, last):  # `|+`: the blank lines are part of the value
        return end - 1 if text[end - 1 : end] == "\n" else end
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _keeps_trailing_lines(text: str, node) -> bool:
    if not isinstance(node, yaml.ScalarNode) or node.style not in ("|", ">"):
        return False
    header = text[node.start_mark.index : text.find("\n", node.start_mark.index)]
    return "+" in header.split("#", 1)[0]


def _line_end(text: str, index: int) -> int:
    """The index of the line break ending the line that holds index (or the end of text)."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _plain(text: str, node) -> Any:
    loader = Loader(text)
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


# --- rendering: the canonical layout of what the tool writes --------------------


FLOW_WIDTH = 80  # a list of scalars longer than this (paragraphs) is written one entry a line


def render_entry(key: str, value: Any, column: int, style: Style) -> str:
    """`key: value` starting at `column`; continuation lines carry absolute indentation."""
    if isinstance(value, list):
        if not value:
            return f"{key}: []"
        if all(_is_scalar(v) and "\n" not in str(v) for v in value) and len(flow(value)) <= FLOW_WIDTH:
            return f"{key}: {flow(value)}"
        dash = column + style.sequence_offset
        lines = [_render_sequence_entry(entry, dash, style) for entry in value]
        return f"{key}:" + "".join(style.newline + line for line in lines)
    if isinstance(value, dict):
        inner = column + style.step
        parts = [" " * inner + render_entry(k, v, inner, style) for k, v in value.items() if v is not None]
        return f"{key}:" + "".join(style.newline + part for part in parts)
    if isinstance(value, str) and "\n" in value and _fits_literal_block(value):
        indent = " " * (column + style.step)
        body = style.newline.join(indent + line if line else "" for line in value.split("\n"))
        return f"{key}: |-{style.newline}{body}"
    return f"{key}: {scalar(value)}"


def _render_sequence_entry(entry: Any, dash: int, style: Style, below: int | None = None) -> str:
    """`- entry` at the dash column; with `below`, the dash alone and the entry on the next
    line, at that column."""
    lead = " " * dash + "- " if below is None else " " * dash + "-" + style.newline + " " * below
    if not isinstance(entry, dict):
        return lead + scalar(entry)
    column = dash + 2 if below is None else below
    parts = [render_entry(k, v, column, style) for k, v in _written(entry).items()]
    first, *rest = parts
    return lead + first + "".join(style.newline + " " * column + part for part in rest)


def _written(entry: dict) -> dict:
    """The fields of a list entry that are written out: empty ones are left away."""
    return {key: value for key, value in entry.items() if value is not None and value != []}


def flow(value: Any) -> str:
    """A value in flow style, on one line: `[a, b]`, `{key: value, …}`, or a scalar."""
    if isinstance(value, list):
        return "[" + ", ".join(flow(entry) for entry in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(entry)}" for key, entry in _written(value).items()) + "}"
    return scalar(value, flow=True)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | dt.date)


def _fits_literal_block(value: str) -> bool:
    """A `|-` block reads back exactly: YAML takes the indentation from the first non-empty line."""
    lines = value.split("\n")
    first = next((line for line in lines if line), "")
    return (
        not value.endswith("\n")
        and not first.startswith((" ", "\t"))
        and not _YAML_UNSAFE.search(value)
        and all(line == line.rstrip(" \t") and "\r" not in line and line.isprintable() for line in lines)
    )


_PLAIN_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`~ ")
_FLOW_UNSAFE = set(",[]{}:?")  # `?` and `:` end a plain scalar in flow for some parsers


def scalar(value: Any, flow: bool = False) -> str:
    """One value as YAML that reads back as exactly that value."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _plain_is_safe(text, flow):
        return text
    return _YAML_UNSAFE.sub(lambda match: _yaml_escape(match.group()), json.dumps(text, ensure_ascii=False))


# What YAML forbids raw, or reads as a line break, in a double-quoted scalar: written escaped.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _yaml_escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _plain_is_safe(text: str, flow: bool) -> bool:
    if not text or text.startswith(_PLAIN_UNSAFE_START) or text != text.strip():
        return False
    if ": " in text or " #" in text or text.endswith(":") or any(ord(c) < 32 or c == "\x7f" for c in text):
        return False
    if _YAML_UNSAFE.search(text):
        return False
    if flow and _FLOW_UNSAFE & set(text):
        return False
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False
