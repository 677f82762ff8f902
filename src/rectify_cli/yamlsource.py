"""Read one YAML file safely and remember where every key and value stands.

PyYAML alone keeps the last of duplicate keys silently and forgets positions;
here the node tree is walked by hand so that both become diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Location = tuple[int, int]  # 1-based line and column
YamlPath = tuple[str | int, ...]

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass
class Source:
    """A parsed file: its data and the position of each value and key."""

    path: Path
    data: Any
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)

    def where(self, yaml_path: YamlPath, key: bool = False) -> Location:
        """The position of the deepest known part of yaml_path."""
        table = self.keys if key else self.values
        for end in range(len(yaml_path), -1, -1):
            prefix = tuple(yaml_path[:end])
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)


class SourceError(Exception):
    """The file cannot be read as YAML at all."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def decode(path: Path, raw: bytes) -> str:
    """Bytes to text: UTF-8, a BOM tolerated; other encodings named."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if raw.startswith(_UTF16_BOMS):
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
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _error(path, 1, 1, "文件是空的,没有任何内容")
        source = Source(path, None)
        source.data = _Walker(loader, source).value(node, ())
        return source
    except yaml.MarkedYAMLError as exc:
        raise SourceError(_syntax_diagnostic(path, exc)) from None
    except yaml.YAMLError as exc:
        raise _error(path, 1, 1, f"YAML 无法解析:{exc}") from None
    finally:
        loader.dispose()


class _Walker:
    """Turn a node tree into dicts, lists and scalars, refusing what a ledger never needs."""

    def __init__(self, loader, source: Source):
        self.loader = loader
        self.source = source
        self.seen: set[int] = set()

    def value(self, node, yaml_path: YamlPath) -> Any:
        if id(node) in self.seen:
            raise self._fail(node, "不支持 YAML 锚点和别名(& 与 *),请把内容直接写出")
        self.seen.add(id(node))
        self.source.values[yaml_path] = _location(node)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, yaml_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, (*yaml_path, i)) for i, child in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:  # PyYAML reads 2022-02-30 as a timestamp and fails
            raise self._fail(node, f"{node.value!r} 不是有效的日期") from None

    def mapping(self, node, yaml_path: YamlPath) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                first_line = self.source.keys[(*yaml_path, key)][0]
                raise self._fail(key_node, f"重复的键 {key!r}(第 {first_line} 行已有同名键);请删去其中一个")
            self.source.keys[(*yaml_path, key)] = _location(key_node)
            result[key] = self.value(value_node, (*yaml_path, key))
        return result

    def key(self, node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self._fail(node, "键必须是简单的文字")
        if node.tag == "tag:yaml.org,2002:merge":
            raise self._fail(node, "不支持 YAML 合并键 <<,请把内容直接写出")
        if node.tag == _BOOL_TAG:
            raise self._fail(node, f"键 {node.value!r} 会被 YAML 读成布尔值;请改用其他字段名(如 number)")
        return self.loader.construct_object(node)

    def _fail(self, node, message: str) -> SourceError:
        line, column = _location(node)
        return _error(self.source.path, line, column, message)


def _location(node) -> Location:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


_PROBLEM_TEXT = {
    "found character '\\t' that cannot start any token": "这里有制表符(Tab);YAML 的缩进只能用空格",
    "found a tab character": "这里有制表符(Tab);YAML 的缩进只能用空格",
    "mapping values are not allowed here": "这里不能出现冒号“:”;值里含冒号时请给整个值加引号",
    "found undefined alias": "引用了未定义的别名",
    "found duplicate anchor": "锚点重复",
    "could not find expected ':'": "缺少冒号“:”,应写成 键: 值",
    "found unexpected end of stream": "文件意外结束;请检查引号或括号是否成对",
    "found unknown escape character": "双引号里有无效的转义字符(\\);请改用单引号或去掉反斜杠",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致;同一层的键要对齐",
    "expected <block end>, but found '-'": "缩进不一致;列表项 - 要与同级对齐",
    "expected <block end>, but found '<block sequence start>'": "缩进不一致",
    "expected <block end>, but found '<scalar>'": "缩进不一致,或多行文字没有加引号",
    "found unexpected ':'": "这里不能出现冒号“:”;值里含冒号时请给整个值加引号",
    "expected ',' or '}', but got": "花括号 {} 没有正确闭合",
    "expected ',' or ']', but got": "方括号 [] 没有正确闭合",
}


def _syntax_diagnostic(path: Path, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or ""
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '")
        return Diagnostic(path, line, column, f"不允许的 YAML 标签 {tag};台账只接受普通文字、数字、日期和列表")
    for english, chinese in _PROBLEM_TEXT.items():
        if problem.startswith(english) or english in problem:
            return Diagnostic(path, line, column, f"YAML 语法错误:{chinese}")
    return Diagnostic(path, line, column, f"YAML 语法错误:{problem or exc}")
