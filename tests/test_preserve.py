"""Edits change only the edited item's lines: every other byte of a hand-written file survives.

Each hand-written issue file below is cut in three: the text before item 2, item 2 itself
(from the start of its dash line to its last character of content, an end-of-line comment
included, no line break) and the text after it. After `close`, `note` or `reopen` of 18.2
the file must still start with exactly the first part and end with exactly the last, and
the lines of item 2 may change only as the command says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import snapshot, written_earlier
from .hostile.support import without_blanks

TODAY = "2022-03-01"
BY = "张三"
BOM = b"\xef\xbb\xbf"
SHIPPED_ITEMS = 34
NOTE = "已召开专题组织生活会"
REASON = "回头看发现仍有欠缴"


@pytest.fixture
def ledger(live_ledger):
    """These cases edit the shipped ledger after its snapshot's as_of: use it live."""
    return live_ledger


@dataclass(frozen=True)
class Handwritten:
    """An issue file 18.yaml, written as `before + item + after` (item 2 in the middle)."""

    before: str
    item: str  # item 2: its dash line up to its last content character, no final line break
    after: str
    history_dash: int  # the column a new history entry's dash belongs at, in this file's style
    newline: str = "\n"
    bom: bool = False

    def crlf(self) -> Handwritten:
        return dataclasses.replace(self, newline="\r\n")

    def with_bom(self) -> Handwritten:
        return dataclasses.replace(self, bom=True)

    def _encode(self, part: str) -> bytes:
        return part.replace("\n", self.newline).encode("utf-8")

    @property
    def prefix(self) -> bytes:
        return (BOM if self.bom else b"") + self._encode(self.before)

    @property
    def suffix(self) -> bytes:
        return self._encode(self.after)

    @property
    def data(self) -> bytes:
        return self.prefix + self._encode(self.item) + self.suffix

    @property
    def lines(self) -> list[str]:
        return self.item.split("\n")

    @property
    def key_column(self) -> int:
        first = self.lines[0]
        return len(first) - len(first.lstrip(" -"))

    def line_with(self, fragment: str) -> str:
        found = [line for line in self.lines if fragment in line]
        assert len(found) == 1, f"{fragment!r} on {len(found)} lines of item 2"
        return found[0]

    @property
    def history_form(self) -> str:
        if "history: []" in self.item:
            return "flow"
        return "block" if "history:" in self.item else "none"

    def parsed(self) -> dict:
        return yaml.safe_load(self.before + self.item + self.after)


# --- the hand-written files ---------------------------------------------------------------

COMMENTED = Handwritten(
    before="""\
# yaml-language-server: $schema=../../schemas/issue.schema.json
# 问题十八:手写的文件,到处是注释。
id: 18   # 问题编号

aspect: 三
# 标题用单引号
title: '党员教育管理不严格'
items:
  # 第一项:块式文字
  - number: 1
    title: 三会一课记录不全
    kind: 限期整改
    measures: |
      一是补齐记录;
      二是建立台账。
    departments: [机关党支部, 办公室]
    deadline: 2022-06-30
    status: closed
    closed_on: 2022-02-20
    closed_by: "李四"   # 经办

  # 第二项:status 写在 title 之前
""",
    item="""\
  - status: open  # 待财政局审核
    number: 2
    # 问题表述
    title: "党费收缴不及时: 个别党员欠缴"
    lead: '王五'   # 分管领导
    deadline: 2022-05-31
    outcome: 已追缴部分党费  # 尚需核实""",
    after="""

  # 第三项:折叠块
  - number: 3
    title: 发展党员程序不规范
    description: >
      个别发展对象
      培养考察不足。
    status: open
    history:
      - date: 2022-02-10
        action: 进展
        note: '已开展自查'
      # 第三项进展之后的注释
# 文件结尾的注释
""",
    history_dash=6,
)

NOT_INDENTED = Handwritten(
    before="""\
# 列表不缩进在键下的写法
id: 18
aspect: 三
title: 党员教育管理不严格
items:
- number: 1
  title: 三会一课记录不全
  measures: |-
    一是补齐记录;
    二是建立台账。
  status: open
  history:
  - date: 2022-02-10
    action: progress
    note: 已补齐部分记录
""",
    item="""\
- number: 2
  title: '党费收缴不及时'
  status: open    # 待财政局审核
  history:
  - date: 2022-02-15
    action: progress
    by: 王五
    note: "已追缴 3 人"   # 尚需核实""",
    after="""
  # 第二项进展之后的注释
- number: 3
  title: 发展党员程序不规范
  description: >
    个别发展对象
    培养考察不足。
  status: open
# 结尾
""",
    history_dash=2,
)

FOUR_SPACES = Handwritten(
    before="""\
id: 18
aspect: 三
title: 党员教育管理不严格
items:
    - number: 1
      title: 三会一课记录不全
      measures: >-
          一是补齐记录,
          二是建立台账。
      status: open

""",
    item="""\
    - number: 2
      title: 党费收缴不及时
      status: open  # 待财政局审核
      history:
          - date: 2022-02-15
            action: progress
            note: 已追缴 3 人""",
    after="""
          # 第二项进展之后的注释

    - number: 3
      title: 发展党员程序不规范
      description: |
          个别发展对象
          培养考察不足。
      status: open
""",
    history_dash=10,
)

FOUR_SPACES_PADDED = Handwritten(
    before="""\
id: 18
aspect: 三
title: 党员教育管理不严格
items:
    -   number: 1
        title: 三会一课记录不全
        status: open
        history:
            -   date: 2022-02-10
                action: progress
                note: 已补齐部分记录
""",
    item="""\
    -   number: 2
        title: 党费收缴不及时
        status: open
        outcome: >-
            已追缴部分党费,
            尚需核实。""",
    after="""

    -   number: 3
        title: 发展党员程序不规范
        status: open
""",
    history_dash=12,
)

EMPTY_FLOW_HISTORY = Handwritten(
    before="""\
id: 18
aspect: 三
title: 党员教育管理不严格
items:
  - number: 1
    title: 三会一课记录不全
    status: open
""",
    item="""\
  - number: 2
    title: 党费收缴不及时
    history: []
    status: open   # 待审核""",
    after="""
  - number: 3
    title: 发展党员程序不规范
    status: open
""",
    history_dash=6,
)

NO_FINAL_NEWLINE = Handwritten(
    before="""\
id: 18
aspect: 三
title: 党员教育管理不严格
items:
  - number: 1
    title: 三会一课记录不全
    status: open

""",
    item="""\
  - number: 2
    title: 党费收缴不及时
    status: open
    outcome: '已追缴部分党费'""",
    after="",
    history_dash=6,
)

BLOCK_AT_END = Handwritten(
    before="""\
id: 18
aspect: 三
title: 党员教育管理不严格
items:
  - number: 1
    title: 三会一课记录不全
    status: open
""",
    item="""\
  - number: 2
    title: 党费收缴不及时
    status: open
    outcome: |
      一是已追缴部分党费;
      二是建立催缴制度。""",
    after="""


  # 第三项
  - number: 3
    title: 发展党员程序不规范
    status: open
""",
    history_dash=6,
)

VARIANTS = {
    "commented": COMMENTED,
    "not-indented": NOT_INDENTED,
    "four-spaces": FOUR_SPACES,
    "four-spaces-padded-dash": FOUR_SPACES_PADDED,
    "empty-flow-history": EMPTY_FLOW_HISTORY,
    "no-final-newline": NO_FINAL_NEWLINE,
    "block-scalar-ends-item": BLOCK_AT_END,
    "crlf": COMMENTED.crlf(),
    "bom": COMMENTED.with_bom(),
    "bom-crlf-not-indented": NOT_INDENTED.crlf().with_bom(),
    "crlf-four-spaces": FOUR_SPACES.crlf(),
}


# --- helpers ------------------------------------------------------------------------------


def install(ledger: Path, variant: Handwritten) -> Path:
    """Add 18.yaml to the copied ledger and make stated_items match the new total."""
    info = ledger / "ledger.yaml"
    total = SHIPPED_ITEMS + len(variant.parsed()["items"])
    text = re.sub(r"stated_items: \d+", f"stated_items: {total}", info.read_text(encoding="utf-8"))
    info.write_text(text, encoding="utf-8")
    path = ledger / "issues" / "18.yaml"
    path.write_bytes(variant.data)
    return written_earlier(path)


def edited_item(new: bytes, variant: Handwritten) -> list[str]:
    """The lines of item 2 in the new file, after proving all else is byte-identical."""
    assert new.startswith(variant.prefix), "the text before item 2 changed"
    assert new.endswith(variant.suffix), "the text after item 2 changed"
    assert len(new) >= len(variant.prefix) + len(variant.suffix)
    middle = new[len(variant.prefix) : len(new) - len(variant.suffix)].decode("utf-8")
    return middle.split(variant.newline)


def line_changes(old: list[str], new: list[str]) -> tuple[Counter, Counter]:
    """(lines removed, lines added), as multisets."""
    removed: Counter = Counter()
    added: Counter = Counter()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed.update(old[i1:i2])
            added.update(new[j1:j2])
    return removed, added


def entry_lines(dash: int, pairs: list[tuple[str, str]]) -> list[str]:
    """A history entry as the tool should write it: dash at `dash`, keys two further."""
    (key, value), *rest = pairs
    return [f"{' ' * dash}- {key}: {value}", *(f"{' ' * (dash + 2)}{k}: {v}" for k, v in rest)]


def history_changes(variant: Handwritten, *entries: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The lines that appending entries to item 2's history removes and adds."""
    removed = [variant.line_with("history: []")] if variant.history_form == "flow" else []
    key = [] if variant.history_form == "block" else [" " * variant.key_column + "history:"]
    added = key + [line for entry in entries for line in entry_lines(variant.history_dash, entry)]
    return removed, added


CLOSE_ENTRY = [("date", TODAY), ("action", "close"), ("by", BY)]
NOTE_ENTRY = [("date", TODAY), ("action", "progress"), ("by", BY), ("note", NOTE)]
REOPEN_ENTRY = [("date", TODAY), ("action", "reopen"), ("by", BY), ("note", REASON),
                ("closed_on", TODAY), ("closed_by", BY)]


def close_changes(variant: Handwritten) -> tuple[Counter, Counter]:
    status = variant.line_with("status: open")
    removed, added = history_changes(variant, CLOSE_ENTRY)
    column = " " * variant.key_column
    added += [status.replace("status: open", "status: closed", 1),
              f"{column}closed_on: {TODAY}", f"{column}closed_by: {BY}"]
    return Counter([status, *removed]), Counter(added)


def expected_item(variant: Handwritten, *entries: dict, **fields) -> dict:
    """The whole file's data, with item 2 changed as given."""
    data = variant.parsed()
    item = data["items"][1]
    item.update(fields)
    item["history"] = [*item.get("history", []), *entries]
    return data


def read_back(path: Path) -> dict:
    return yaml.safe_load(path.read_bytes().decode("utf-8-sig"))


def assert_encoding_kept(new: bytes, variant: Handwritten) -> None:
    assert new.startswith(BOM) == variant.bom, "the BOM was added or lost"
    assert new.count(BOM) == (1 if variant.bom else 0)
    if variant.newline == "\r\n":
        assert new.count(b"\n") == new.count(b"\r\n"), "a bare LF got into a CRLF file"
    else:
        assert b"\r" not in new


def assert_plain_yaml(new: bytes) -> None:
    """No anchors or aliases anywhere, and every date the tool wrote is a plain YYYY-MM-DD."""
    text = new.decode("utf-8-sig")
    for event in yaml.parse(text):
        assert not isinstance(event, yaml.AliasEvent), event
        assert getattr(event, "anchor", None) is None, event
    for line in text.splitlines():
        if TODAY in line:
            assert re.fullmatch(rf"[ -]*(date|closed_on): {TODAY}", line), line


def assert_check_passes(rectify) -> None:
    out = rectify("--today", TODAY, "check")
    assert out.code == 0, out.stderr
    assert without_blanks(out.stderr) == "", out.stderr


def run_ok(rectify, *args: str):
    out = rectify("--today", TODAY, *args)
    assert out.code == 0, out.stderr
    assert "Traceback" not in out.stderr
    return out


# --- the hand-written files themselves ------------------------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_handwritten_file_is_valid_as_written(ledger, rectify, name):
    install(ledger, VARIANTS[name])
    assert_check_passes(rectify)


# --- close, note, reopen: only item 2's lines change ---------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_close_changes_only_the_items_lines(ledger, rectify, name):
    variant = VARIANTS[name]
    path = install(ledger, variant)
    run_ok(rectify, "close", "18.2", "--by", BY)
    new = path.read_bytes()
    assert_encoding_kept(new, variant)
    assert line_changes(variant.lines, edited_item(new, variant)) == close_changes(variant)
    closed = {"date": dt.date(2022, 3, 1), "action": "close", "by": BY}
    assert read_back(path) == expected_item(variant, closed, status="closed",
                                            closed_on=dt.date(2022, 3, 1), closed_by=BY)
    assert_plain_yaml(new)
    assert_check_passes(rectify)


@pytest.mark.parametrize("name", VARIANTS)
def test_note_adds_only_history_lines(ledger, rectify, name):
    variant = VARIANTS[name]
    path = install(ledger, variant)
    run_ok(rectify, "note", "18.2", NOTE, "--by", BY)
    new = path.read_bytes()
    assert_encoding_kept(new, variant)
    removed, added = history_changes(variant, NOTE_ENTRY)
    assert line_changes(variant.lines, edited_item(new, variant)) == (Counter(removed), Counter(added))
    noted = {"date": dt.date(2022, 3, 1), "action": "progress", "by": BY, "note": NOTE}
    assert read_back(path) == expected_item(variant, noted)
    assert_plain_yaml(new)
    assert_check_passes(rectify)


@pytest.mark.parametrize("name", VARIANTS)
def test_close_then_reopen_leaves_only_the_two_history_entries(ledger, rectify, name):
    variant = VARIANTS[name]
    path = install(ledger, variant)
    run_ok(rectify, "close", "18.2", "--by", BY)
    run_ok(rectify, "reopen", "18.2", "--reason", REASON, "--by", BY)
    new = path.read_bytes()
    assert_encoding_kept(new, variant)
    removed, added = history_changes(variant, CLOSE_ENTRY, REOPEN_ENTRY)
    assert line_changes(variant.lines, edited_item(new, variant)) == (Counter(removed), Counter(added))
    data = read_back(path)["items"][1]
    assert data["status"] == "open"
    assert "closed_on" not in data and "closed_by" not in data
    assert_plain_yaml(new)
    assert_check_passes(rectify)


CLOSED_BY_HAND = Handwritten(
    before=COMMENTED.before,
    item="""\
  - number: 2
    title: 党费收缴不及时
    status: closed  # 已核实
    closed_on: 2022-02-20  # 财政局已审核
    closed_by: '李四'
    # 销号依据
    outcome: 已追缴全部党费""",
    after=COMMENTED.after,
    history_dash=6,
)


@pytest.mark.parametrize("variant", [CLOSED_BY_HAND, CLOSED_BY_HAND.crlf().with_bom()],
                         ids=["lf", "bom-crlf"])
def test_reopen_of_a_hand_closed_item_changes_only_its_lines(ledger, rectify, variant):
    path = install(ledger, variant)
    run_ok(rectify, "reopen", "18.2", "--reason", REASON, "--by", BY)
    new = path.read_bytes()
    assert_encoding_kept(new, variant)
    status = variant.line_with("status: closed")
    removed = [status, variant.line_with("closed_on:"), variant.line_with("closed_by:")]
    reopened = [("date", TODAY), ("action", "reopen"), ("by", BY), ("note", REASON),
                ("closed_on", "2022-02-20"), ("closed_by", "李四")]
    added = [status.replace("closed", "open", 1), "    history:", *entry_lines(6, reopened)]
    assert line_changes(variant.lines, edited_item(new, variant)) == (Counter(removed), Counter(added))
    item = read_back(path)["items"][1]
    assert (item["status"], "closed_on" in item, "closed_by" in item) == ("open", False, False)
    assert_check_passes(rectify)


# --- values that need quoting read back exactly --------------------------------------------

AWKWARD_TEXT = [
    "- 以短横开头", "--双短横", "问题: 已整改", "见 #3 号文件", "#以井号开头", "行末冒号:",
    "2022-03-01", "2022/3/1", "123", "1.5", "1e3", "0x10", ".inf", "yes", "No", "on", "null", "~",
    "true", "'单引号'", '"双引号"', "[方括号]", "{花括号}", "甲, 乙", "@at", "`反引号`", "%百分号",
    "!标签", "&锚点", "*别名", "? 问号", "| 竖线", "> 大于号", "---", "...", "反斜杠\\n不是换行",
    "  前导空格", "尾随空格  ", "制表\t符", "第一行\n第二行", "第一行\n\n空行之后", "第一行\n  第二行缩进",
    "\n以换行开头", "以换行结尾\n", "回车\r\n换行", "第一行 \n行尾有空格", "中文:冒号#井号",
    "\n  空行后缩进",
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_note_text_round_trips(ledger, rectify, text):
    path = install(ledger, COMMENTED)
    run_ok(rectify, "note", "18.2", "--by", BY, "--", text)
    edited_item(path.read_bytes(), COMMENTED)
    assert read_back(path)["items"][1]["history"][-1]["note"] == text
    assert_check_passes(rectify)


@pytest.mark.parametrize("text", AWKWARD_TEXT)
@pytest.mark.parametrize("name", ["four-spaces-padded-dash", "no-final-newline"])
def test_close_outcome_and_note_round_trip(ledger, rectify, name, text):
    variant = VARIANTS[name]
    path = install(ledger, variant)
    run_ok(rectify, "close", "18.2", "--by", BY, "--outcome", text, "--note", text)
    edited_item(path.read_bytes(), variant)
    item = read_back(path)["items"][1]
    assert item["outcome"] == text
    assert item["history"][-1]["note"] == text
    assert item["history"][-1]["previous_outcome"] == variant.parsed()["items"][1]["outcome"]
    assert_check_passes(rectify)


@pytest.mark.parametrize("name", ["crlf", "bom-crlf-not-indented"])
def test_multiline_note_in_a_crlf_file_keeps_crlf(ledger, rectify, name):
    variant = VARIANTS[name]
    path = install(ledger, variant)
    text = "第一行\n第二行\n\n第四行"
    run_ok(rectify, "note", "18.2", "--by", BY, text)
    new = path.read_bytes()
    assert_encoding_kept(new, variant)
    edited_item(new, variant)
    assert read_back(path)["items"][1]["history"][-1]["note"] == text


# --- edits next to an end-of-line comment (known bugs) -------------------------------------

COMMENT_AFTER_VALUE = {
    "note after `history: []  # 暂无`": (
        EMPTY_FLOW_HISTORY.item.replace("history: []", "history: []  # 暂无"),
        ("note", "18.2", "第一行\n第二行"), ("history", -1, "note"), "# 暂无"),
    "outcome replacing `outcome: 旧  # 待补充`": (
        NO_FINAL_NEWLINE.item.replace("'已追缴部分党费'", "旧  # 待补充"),
        ("close", "18.2", "--outcome", "第一行\n第二行"), ("outcome",), "# 待补充"),
}


def _value_at(item: dict, where: tuple):
    for part in where:
        item = item[part]
    return item


@pytest.mark.parametrize("case", COMMENT_AFTER_VALUE)
def test_multiline_value_next_to_end_of_line_comment(ledger, rectify, case):
    item, args, where, comment = COMMENT_AFTER_VALUE[case]
    variant = dataclasses.replace(NO_FINAL_NEWLINE, item=item)
    path = install(ledger, variant)
    out = rectify("--today", TODAY, *args, "--by", BY)
    assert out.code == 0, out.stderr
    assert _value_at(read_back(path)["items"][1], where) == "第一行\n第二行"
    assert comment in path.read_text(encoding="utf-8")


def test_close_after_a_keep_block_scalar(ledger, rectify):
    """`|+` keeps its trailing blank lines: the new history goes after them, the value stays."""
    variant = dataclasses.replace(
        BLOCK_AT_END, item=BLOCK_AT_END.item.replace("outcome: |", "outcome: |+"))
    path = install(ledger, variant)
    run_ok(rectify, "close", "18.2", "--by", BY)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(variant.before)
    assert text.endswith(variant.after.lstrip("\n"))
    assert read_back(path)["items"][1]["outcome"] == variant.parsed()["items"][1]["outcome"]
    assert read_back(path)["items"][1]["status"] == "closed"


# --- flow style: the item `{…}`, or the whole items list `[{…}, …]`, grows in flow style -------

FLOW_STYLE = {
    "flow item": (EMPTY_FLOW_HISTORY.before, "  - {number: 2, title: 党费收缴不及时, status: open}\n"),
    "flow items list": ("id: 18\naspect: 三\ntitle: 党员教育管理不严格\n",
                        "items: [{number: 1, title: 甲}, {number: 2, title: 乙, status: open}]\n"),
}


@pytest.mark.parametrize("command", [("close", "18.2"), ("note", "18.2", NOTE)], ids=["close", "note"])
@pytest.mark.parametrize("case", FLOW_STYLE)
def test_flow_style_item_is_edited_in_flow_style(ledger, rectify, case, command):
    before, flow_line = FLOW_STYLE[case]
    path = ledger / "issues" / "18.yaml"
    path.write_text(before + flow_line, encoding="utf-8")
    written_earlier(path)
    out = rectify("--today", TODAY, *command)
    assert out.code == 0, out.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before) and text.count("\n") == before.count("\n") + 1  # still one line
    item = read_back(path)["items"][1]
    assert item["history"][-1]["action"] == command[0].replace("note", "progress")
    assert rectify("check").code == 0


def _break(variant: Handwritten, old: str, new: str) -> str:
    text = variant.before + variant.item + variant.after
    assert text.count(old) == 1, old
    return text.replace(old, new)


BROKEN = {
    "unknown key": (_break(NOT_INDENTED, "  status: open\n  history:\n  - date: 2022-02-10",
                           "  stauts: open\n  history:\n  - date: 2022-02-10"),
                    "stauts: open", "未知字段 'stauts'"),
    "duplicate key": (_break(NOT_INDENTED, "  status: open    #", "  title: 重复\n  status: open    #"),
                      "title: 重复", "重复的键 'title'"),
    "closed without date": (_break(COMMENTED, "    closed_on: 2022-02-20\n", ""),
                            "    status: closed", "须有 closed_on"),
    "bad indentation": (_break(FOUR_SPACES, "      title: 发展党员程序不规范", "     title: 发展党员程序不规范"),
                        "     title: 发展党员程序不规范", "YAML 语法错误"),
}
BROKEN_CASES = list(BROKEN)
EDITS = {
    "close": ("close", "18.2", "--evidence", "EVIDENCE"),
    "note": ("note", "18.2", NOTE),
    "reopen": ("reopen", "18.1", "--reason", REASON),
}


def _line_number(text: str, fragment: str) -> int:
    found = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(found) == 1, fragment
    return found[0]


def refuse(ledger: Path, rectify, tmp_path: Path, case: str, edit: str):
    """Run the edit on the broken 18.yaml; it must fail and leave every file as it was."""
    (ledger / "issues" / "18.yaml").write_text(BROKEN[case][0], encoding="utf-8")
    evidence = tmp_path / "照片.jpg"
    evidence.write_bytes(b"jpeg")
    before = snapshot(ledger)
    out = rectify("--today", TODAY, *(str(evidence) if arg == "EVIDENCE" else arg for arg in EDITS[edit]))
    assert out.code == 1, out.stdout
    assert "Traceback" not in out.stderr
    assert snapshot(ledger) == before
    return out


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("case", BROKEN)
def test_invalid_file_is_refused_and_nothing_changes(ledger, rectify, tmp_path, case, edit):
    refuse(ledger, rectify, tmp_path, case, edit)


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("case", BROKEN_CASES)
def test_invalid_file_refusal_shows_its_errors(ledger, rectify, tmp_path, monkeypatch, case, edit):
    monkeypatch.chdir(ledger)
    out = refuse(ledger, rectify, tmp_path, case, edit)
    text, fragment, message = BROKEN[case]
    where = f"issues/18.yaml:{_line_number(text, fragment)}:"
    lines = out.stderr.splitlines()
    assert any(line.startswith(where) and message in line for line in lines), out.stderr
    assert lines[-1].startswith("rectify: 台账有 1 处错误"), out.stderr
