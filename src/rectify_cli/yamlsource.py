"""Read one YAML file safely and remember where every key and value stands.

PyYAML alone keeps the last of duplicate keys silently and forgets positions;
here the node tree is walked by hand so that both become diagnostics.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic

_LIBYAML = hasattr(yaml, "CSafeLoader")  # PyYAML built without libyaml has only its pure-Python parser


class Loader(yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader):
    """PyYAML's safe loader, quicker on ledgers: PyYAML runs its resolver's regexes on every
    plain scalar, and a ledger repeats the same keys, dates and tokens thousands of times."""

    _plain_tags: dict[str, str] = {}  # short plain scalar → its tag; the resolvers never change

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG
        if not implicit[0]:  # quoted, or tagged "!": text (a safe loader has no path resolvers)
            return self.DEFAULT_SCALAR_TAG
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= 40:
                self._plain_tags[value] = tag
        return tag

    def descend_resolver(self, current_node, current_index):
        pass  # only path resolvers need it, and a safe loader has none

    def ascend_resolver(self):
        pass


MAX_NESTING = 1000  # levels of collections in one file; a ledger needs five

Location = tuple[int, int]  # 1-based line and column
YamlPath = tuple[str | int, ...]

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def _looks_like_utf16(raw: bytes) -> bool:
    """ASCII text in UTF-16 without a BOM: every other byte of the start is NUL."""
    head = raw[:200]
    if len(head) < 4:
        return False
    evens, odds = head[0::2], head[1::2]
    return evens.count(0) > 0.8 * len(evens) or odds.count(0) > 0.8 * len(odds)
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class Source:
    """A parsed file: its data, and its node tree to find where any part of it stands."""

    path: Path
    data: Any
    root: Any = None  # the yaml node tree; positions are looked up only for diagnostics

    def where(self, yaml_path: YamlPath, key: bool = False) -> Location:
        """The position of the deepest part of yaml_path that exists (its key, if asked)."""
        node, key_node = self.root, None
        for part in yaml_path:
            child, child_key = _child(node, part)
            if child is None:
                break
            node, key_node = child, child_key
        chosen = key_node if key and key_node is not None else node
        return _location(chosen) if chosen is not None else (1, 1)


class SourceError(Exception):
    """The file cannot be read as YAML at all."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def file_diff(root: Path, path: Path, before: bytes | None, after: bytes | None) -> str:
    """A unified diff of one file of the ledger, as `git diff` names it; None bytes: no file."""
    import difflib

    name = path.relative_to(root).as_posix()
    old = decode(path, before).splitlines(keepends=True) if before is not None else []
    new = decode(path, after).splitlines(keepends=True) if after is not None else []
    return "".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))


def decode(path: Path, raw: bytes) -> str:
    """Bytes to text: UTF-8, a BOM tolerated; other encodings named."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if raw.startswith(_UTF32_BOMS):
        raise _error(path, 1, 1, "文件是 UTF-32 编码,请另存为 UTF-8")
    if raw.startswith(_UTF16_BOMS):
        raise _error(path, 1, 1, "文件是 UTF-16 编码,请另存为 UTF-8")
    if _looks_like_utf16(raw):
        raise _error(path, 1, 1, "文件是 UTF-16 编码,请另存为 UTF-8")
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise _error(path, line, column, "文件含有 NUL 字节,不是文本文件;请检查文件是否损坏")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        raise _error(path, line, column, _encoding_message(raw)) from None


def _encoding_message(raw: bytes) -> str:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return "文件不是有效的 UTF-8 文本,请另存为 UTF-8"
    return "文件是 GBK 编码,不是 UTF-8;请在编辑器中另存为 UTF-8"


def _position(raw: bytes, offset: int) -> Location:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _error(path: Path, line: int, column: int, message: str) -> SourceError:
    return SourceError(Diagnostic(path, line, column, message))


def parse(path: Path, text: str) -> Source:
    """Parse YAML text into plain data with positions; SourceError if it cannot."""
    loader = None
    # 1,000 levels are allowed; the walk takes two frames a level, PyYAML's own composer three
    try:
        loader = Loader(text)  # the pure-Python reader checks the characters here already
        with _deep_recursion():
            node = compose(loader, text)
            if node is None:
                raise _error(path, 1, 1, "文件是空的,没有任何内容")
            source = Source(path, None, node)
            source.data = _Walker(loader, source, "&" in text).value(node)
        return source
    except yaml.MarkedYAMLError as exc:
        raise SourceError(_syntax_diagnostic(path, exc, text)) from None
    except yaml.reader.ReaderError as exc:
        raise _unprintable(path, text, exc) from None
    except yaml.YAMLError as exc:
        raise _error(path, 1, 1, f"YAML 无法解析:{exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _quick_scalar(tag: str, text: str):
    """The common numbers and dates without PyYAML's constructors (their regexes are slow);
    None for anything else, which PyYAML then reads (octal 012, 1_000, 2022-2-3, 2022-02-30…)."""
    if tag == _INT_TAG and text.isascii() and text.isdigit() and (text[0] != "0" or text == "0"):
        return int(text)
    if tag == _TIMESTAMP_TAG and len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            return None
    return None


def _unprintable(path: Path, text: str, exc: yaml.reader.ReaderError) -> SourceError:
    """A control character YAML does not allow: where, and which."""
    position = max(exc.position, 0)
    if _LIBYAML:  # libyaml counts UTF-8 bytes, PyYAML characters
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    position = min(position, len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    message = f"YAML 语法错误:这里有不允许的控制字符 U+{character:04X};请删去它"
    return _error(path, line, column, message)


class _Walker:
    """Turn a node tree into dicts, lists and scalars, refusing what a ledger never needs."""

    def __init__(self, loader, source: Source, anchors: bool):
        self.loader = loader
        self.source = source
        self.anchors = anchors  # without an anchor (&) there can be no alias: no need to look
        self.seen: set[int] = set()

    def value(self, node, field: str = "") -> Any:
        if self.anchors:
            if id(node) in self.seen:
                raise self._fail(node, _NO_ALIASES)
            self.seen.add(id(node))
        tag = node.tag
        if tag == _STR_TAG:  # most values: the text as written, no constructor needed
            return node.value
        if isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
            return [self.value(child, field) for child in node.value]
        if not isinstance(node, yaml.ScalarNode):
            raise self._fail(node, f"不允许的 YAML 标签 {tag};台账只接受普通文字、数字、日期和列表")
        quick = _quick_scalar(tag, node.value)
        if quick is not None:
            return quick
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except Exception:  # 2022-02-30 as a timestamp, or a value its explicit !!tag cannot read
            raise self._fail(node, _unreadable(field, node)) from None

    def mapping(self, node) -> dict:
        result: dict = {}
        first_keys: dict = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                first_line = _location(first_keys[key])[0]
                raise self._fail(key_node, f"重复的键 {key!r}(第 {first_line} 行已有同名键);请删去其中一个")
            first_keys[key] = key_node
            result[key] = self.value(value_node, key if isinstance(key, str) else "")
        return result

    def key(self, node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self._fail(node, "键必须是简单的文字")
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag == "tag:yaml.org,2002:merge":
            raise self._fail(node, "不支持 YAML 合并键 <<,请把内容直接写出")
        if tag == _BOOL_TAG:
            raise self._fail(node, f"键 {node.value!r} 会被 YAML 读成布尔值;请改用其他字段名(如 number)")
        try:
            key = self.loader.construct_object(node)
        except yaml.YAMLError:
            raise
        except Exception:
            raise self._fail(node, _unreadable("键", node)) from None
        if not isinstance(key, str):
            raise self._fail(node, f"键 {node.value!r} 应是文字(字段名),YAML 却把它读成了{_KIND_NAMES.get(type(key), '其他类型')}")
        return key

    def _fail(self, node, message: str) -> SourceError:
        line, column = _location(node)
        return _error(self.source.path, line, column, message)


_KIND_NAMES = {int: "整数", float: "小数", bool: "布尔值", type(None): "空值"}


def _unreadable(field: str, node) -> str:
    value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"{field} 的值 {value!r} 不是有效的日期".strip()
    return f"{field} 的值 {value!r} 无法按标签 {node.tag} 读取;请去掉标签或改正值".strip()


def _child(node, part):
    """(value node, key node) of one step into a mapping (by key) or a sequence (by index)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return value_node, key_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None


def compose(loader, text: str):
    """The node tree of text (the loader's input): PyYAML's own composer where the nesting
    is surely shallow, an iterative one with a depth limit where it might not be."""
    return compose_flat(loader) if _could_nest_deeply(text) else loader.get_single_node()


def _could_nest_deeply(text: str) -> bool:
    """Every collection has an indicator of its own ([ { - : ?), so fewer than MAX_NESTING of
    them means PyYAML's recursive composer is safe. Some PyYAML builds set no depth limit of
    their own and overflow the C stack on deep input."""
    indicators = sum(text.count(char) for char in "[{-:?")
    return indicators > MAX_NESTING


_EVENTS = yaml.events


def compose_flat(loader):
    """PyYAML's composer without recursion and with a depth limit: the node tree from events."""
    loader.get_event()  # stream start
    if loader.check_event(_EVENTS.StreamEndEvent):
        return None
    document = loader.get_event()
    open_nodes: list = []
    while not loader.check_event(_EVENTS.DocumentEndEvent):
        node = _open_or_close(loader, loader.get_event(), open_nodes)
        if node is None:
            continue
        if not open_nodes:
            root = node
        elif isinstance(open_nodes[-1], yaml.MappingNode):
            _add_pair_part(open_nodes[-1].value, node)
        else:
            open_nodes[-1].value.append(node)
    loader.get_event()
    if not loader.check_event(_EVENTS.StreamEndEvent):
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", document.start_mark,
            "but found another document", loader.get_event().start_mark)
    return root


def _open_or_close(loader, event, open_nodes: list):
    """The node the event completes, or None when it opens a collection."""
    kind = type(event)
    if kind is _EVENTS.ScalarEvent:
        tag = _tag(loader, yaml.ScalarNode, event, event.value)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
    if kind is _EVENTS.SequenceStartEvent or kind is _EVENTS.MappingStartEvent:
        node_class = yaml.SequenceNode if kind is _EVENTS.SequenceStartEvent else yaml.MappingNode
        if len(open_nodes) >= MAX_NESTING:
            raise yaml.composer.ComposerError(None, None, "exceeded maximum nesting depth", event.start_mark)
        tag = _tag(loader, node_class, event, None)
        open_nodes.append(node_class(tag, [], event.start_mark, None, flow_style=event.flow_style))
        return None
    if kind is _EVENTS.AliasEvent:
        raise yaml.composer.ComposerError(None, None, "found an alias", event.start_mark)
    node = open_nodes.pop()  # the end of a sequence or mapping
    node.end_mark = event.end_mark
    return node


def _tag(loader, node_class, event, value) -> str:
    if event.tag is None or event.tag == "!":
        return loader.resolve(node_class, value, event.implicit)
    return event.tag


def _add_pair_part(pairs: list, node) -> None:
    if pairs and pairs[-1][1] is None:
        pairs[-1] = (pairs[-1][0], node)
    else:
        pairs.append((node, None))


@contextlib.contextmanager
def _deep_recursion(limit: int = 5000):
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _location(node) -> Location:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


_NO_ALIASES = "不支持 YAML 锚点和别名(& 与 *),请把内容直接写出"
_TAB = "这里有制表符(Tab);YAML 的缩进只能用空格"
_COLON = "这里不能出现冒号“:”;值里含冒号时请给整个值加引号"
_INDENT = "缩进不一致;同一层的键或列表项要对齐"

# Both parsers' wordings (libyaml's and PyYAML's), matched as substrings, first match wins.
_PROBLEM_TEXT = [
    ("'\\t'", _TAB),
    ("tab character", _TAB),
    ("mapping values are not allowed", _COLON),
    ("found unexpected ':'", _COLON),
    ("could not find expected ':'", "缺少冒号“:”,应写成 键: 值"),
    ("found undefined alias", "引用了未定义的别名"),
    ("found an alias", _NO_ALIASES),
    ("found duplicate anchor", "锚点重复"),
    ("second occurrence", "锚点重复"),
    ("found unknown escape character", "双引号里有无效的转义字符(\\);请改用单引号或去掉反斜杠"),
    ("expected ',' or '}'", "花括号 {} 没有正确闭合"),
    ("expected ',' or ']'", "方括号 [] 没有正确闭合"),
    ("did not find expected '-' indicator", _INDENT),
    ("did not find expected key", _INDENT),
    ("expected <block end>", _INDENT),
    ("found unexpected end of stream", "文件意外结束;请检查引号或括号是否成对"),
    ("did not find expected node content", "缺少内容;请检查引号或括号是否成对"),
    ("but found another document", "一个文件里只能有一个 YAML 文档;请删去多余的 ---"),
    ("expected a single document", "一个文件里只能有一个 YAML 文档;请删去多余的 ---"),
    ("exceeded maximum nesting depth", "嵌套层数过深,台账文件不需要这么多层"),
]
_FLOW_CONTEXT = {"flow sequence": "方括号 [] 没有正确闭合", "flow mapping": "花括号 {} 没有正确闭合"}


def _syntax_diagnostic(path: Path, exc: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    line, column = _syntax_location(exc)
    problem = exc.problem or ""
    if "unknown escape character" in problem and _after_backslash(text, exc.problem_mark):
        column -= 1  # PyYAML without libyaml marks the letter after the backslash; point at the backslash
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '")
        return Diagnostic(path, line, column, f"不允许的 YAML 标签 {tag};台账只接受普通文字、数字、日期和列表")
    if "flow" in (exc.context or "") or "expected node content" in problem:
        unclosed = _unclosed_bracket(text, line)
        if unclosed:
            (line, column), bracket = unclosed
            pair = "方括号 []" if bracket == "[" else "花括号 {}"
            return Diagnostic(path, line, column, f"YAML 语法错误:{pair} 没有正确闭合")
    return Diagnostic(path, line, column, f"YAML 语法错误:{_explain(problem, exc.context or '')}")


def _after_backslash(text: str, mark) -> bool:
    index = mark.index if mark else 0
    return 0 < index < len(text) and text[index] != "\\" and text[index - 1] == "\\"


def _unclosed_bracket(text: str, upto_line: int) -> tuple[Location, str] | None:
    """The last [ or { opened before the error and never closed (quotes are skipped)."""
    stack: list[tuple[Location, str]] = []
    for number, line in enumerate(text.splitlines()[:upto_line], start=1):
        quote = None
        for column, char in enumerate(line, start=1):
            if quote:
                quote = None if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#" and (column == 1 or line[column - 2] == " "):
                break
            elif char in "[{":
                stack.append(((number, column), char))
            elif char in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _syntax_location(exc: yaml.MarkedYAMLError) -> Location:
    """Where the construct that went wrong began: an unclosed quote, not the end of file."""
    context = exc.context or ""
    starts_there = context.startswith(("while scanning a simple key", "while scanning a quoted", "while parsing a flow"))
    mark = exc.context_mark if (starts_there and exc.context_mark) else (exc.problem_mark or exc.context_mark)
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _explain(problem: str, context: str) -> str:
    for flow, chinese in _FLOW_CONTEXT.items():
        if flow in context:
            return chinese
    for english, chinese in _PROBLEM_TEXT:
        if english in problem:
            return chinese
    return problem or "无法解析"
