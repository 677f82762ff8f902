"""Every valid YAML style of an item can be edited (issue 10, point 8).

The shipped issue files are restyled item by item: the dash alone on its line, a comment
after the dash, history and evidence lists in those styles or in flow style (`[{…}]`,
`[《制度》, 处置清单]`), the whole item as a flow mapping (`- {number: 1, …}`), or
closed_on first, on the dash line. Then note, close, reopen and undo run on every item of
the file: each edit succeeds, the file reads back as exactly the intended data, every byte
outside the edited item stays as it was, and undo gives back the file byte for byte.
`check` accepts every style. One real process per style does the same once.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from rectify_cli.ids import display_id
from rectify_cli.yamledit import ItemChange, UneditableFile, edit_item

from ..conftest import DATA, invoke, make_live
from .support import expect, run_child, without_blanks
from .test_properties import quick

TODAY = "2022-03-01"
DAY = dt.date.fromisoformat(TODAY)
BY = "张三"
NOTE = "已完成第一阶段: 清点, 登记"  # `: ` and `, ` must be quoted in flow style
REASON = "回头看发现问题"
EVIDENCE = "《资产处置清单》"
ISSUE_FILES = sorted(path.name for path in (DATA / "issues").glob("*.yaml"))

# --- restyling ----------------------------------------------------------------------------

ITEM_START = re.compile(r"^  - number: (\d+)\n", re.MULTILINE)
OLD_HISTORY = {"date": "2022-02-01", "action": "progress", "note": "旧进展"}


def _block_lists(dash: str) -> str:
    """A history and an evidence list whose entries start with `dash` on a line of its own."""
    return (f"    history:\n      {dash}\n        date: 2022-02-01\n        action: progress\n"
            f"        note: 旧进展\n    evidence:\n      {dash}\n        《制度》\n")


def _after_status(chunk: str, lines: str) -> str:
    status = re.search(r"^    status: \w+\n", chunk, re.MULTILINE)
    return chunk[: status.end()] + lines + chunk[status.end() :]


def _flow(value) -> str:
    """A value as a YAML flow collection, written here independently of the code under test."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(entry)}" for key, entry in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(entry) for entry in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _dash_alone(chunk: str) -> str:
    return _after_status(chunk.replace("  - number:", "  -\n    number:", 1), _block_lists("-"))


def _dash_comment(chunk: str) -> str:
    return _after_status(chunk.replace("  - number:", "  - # 注释\n    number:", 1), _block_lists("- # 注释"))


def _flow_history(chunk: str) -> str:
    return _after_status(chunk, "    history: [{date: 2022-02-01, action: progress, note: 旧进展}]\n")


def _flow_evidence(chunk: str) -> str:
    return _after_status(chunk, "    evidence: [《制度》, 处置清单]\n")


def _flow_item(chunk: str) -> str:
    item = yaml.safe_load(chunk.replace("  - ", "  ", 1).replace("\n  ", "\n"))
    item["history"] = [OLD_HISTORY]
    return "  - " + _flow(item) + "\n"


def _closed_on_first(chunk: str) -> str:
    """closed_on (when there is one) moved up to the dash line, before number."""
    closed = re.search(r"^    closed_on: .*\n", chunk, re.MULTILINE)
    if closed is None:
        return chunk
    rest = chunk[: closed.start()] + chunk[closed.end() :]
    return rest.replace("  - number:", f"  - {closed.group().strip()}\n    number:", 1)


STYLES = {
    "plain": lambda chunk: chunk,
    "dash alone": _dash_alone,
    "comment after dash": _dash_comment,
    "flow history": _flow_history,
    "flow evidence": _flow_evidence,
    "flow item": _flow_item,
    "closed_on on the dash line": _closed_on_first,
}


@dataclass
class Restyled:
    """An issue file as head + one chunk per item (dash line to last line, line break included)."""

    head: str
    chunks: list[str]
    newline: str = "\n"

    @classmethod
    def of(cls, text: str, styles: list[str], newline: str = "\n") -> Restyled:
        starts = [match.start() for match in ITEM_START.finditer(text)]
        chunks = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
        restyled = [STYLES[styles[i % len(styles)]](chunk) for i, chunk in enumerate(chunks)]
        return cls(text[: starts[0]], restyled, newline)

    @property
    def text(self) -> str:
        return self._lines(self.head + "".join(self.chunks))

    def outside(self, index: int) -> tuple[str, str]:
        """The text before and after item `index`: no edit of that item may touch it."""
        return self._lines(self.head + "".join(self.chunks[:index])), self._lines("".join(self.chunks[index + 1 :]))

    def _lines(self, text: str) -> str:
        return text.replace("\n", self.newline)

    def write(self, path: Path) -> bytes:
        path.write_bytes(self.text.encode("utf-8"))
        return path.read_bytes()


# --- what each command must leave ---------------------------------------------------------


def intended(command: str, item: dict) -> dict:
    """The item after the command, as plain data: what the file must read back as."""
    item = copy.deepcopy(item)
    history = item.setdefault("history", [])
    if command == "note":
        history.append({"date": DAY, "action": "progress", "by": BY, "note": NOTE})
    elif command == "close":
        item.update(status="closed", closed_on=DAY, closed_by=BY)
        item["evidence"] = [*item.get("evidence", []), {"name": EVIDENCE}]
        history.append({"date": DAY, "action": "close", "by": BY, "evidence": [{"name": EVIDENCE}]})
    else:
        entry = {"date": DAY, "action": "reopen", "by": BY, "note": REASON, "closed_on": item.pop("closed_on")}
        if "closed_by" in item:
            entry["closed_by"] = item.pop("closed_by")
        item["status"] = "open"
        history.append(entry)
    return item


ARGS = {"note": ("note", "{id}", NOTE), "close": ("close", "{id}", "--evidence-note", EVIDENCE),
        "reopen": ("reopen", "{id}", "--reason", REASON)}


def command_args(command: str, item_id: str) -> list[str]:
    return ["--today", TODAY, *(arg.format(id=item_id) for arg in ARGS[command]), "--by", BY]


def commands_for(item: dict) -> list[str]:
    """A note, then close and reopen (or reopen and close): every edit on every item."""
    return ["note", "close", "reopen"] if item["status"] == "open" else ["note", "reopen", "close"]


def assert_edited(path: Path, before: Restyled, index: int, data: dict, command: str) -> dict:
    """The file holds the intended data, and nothing outside item `index` moved."""
    text = path.read_bytes().decode("utf-8")
    head, tail = before.outside(index)
    assert text.startswith(head) and text.endswith(tail), text
    assert text.count("\n") == text.count(before.newline), "a line break of another kind got in"
    wanted = {**data, "items": [*data["items"][:index], intended(command, data["items"][index]),
                                *data["items"][index + 1 :]]}
    assert yaml.safe_load(text) == wanted
    return wanted


def item_id(data: dict, index: int) -> str:
    return display_id(data["id"], data["items"][index]["number"], len(data["items"]) == 1)


# --- (a) every item of a restyled file, in process -----------------------------------------


@pytest.mark.slow
@quick(8)
@example(name="07.yaml", styles=["dash alone", "comment after dash", "flow history", "flow evidence"], newline="\n")
@example(name="03.yaml", styles=["flow item", "closed_on on the dash line"], newline="\r\n")
@given(name=st.sampled_from(ISSUE_FILES), styles=st.lists(st.sampled_from(list(STYLES)), min_size=1, max_size=4),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_every_style_edits_every_item_and_undo_restores(tmp_path_factory, name, styles, newline):
    ledger = tmp_path_factory.mktemp("styles") / "ledger"
    shutil.copytree(DATA, ledger, ignore=shutil.ignore_patterns(".rectify"))
    make_live(ledger)
    path = ledger / "issues" / name
    restyled = Restyled.of(path.read_text(encoding="utf-8"), styles, newline)
    original = restyled.write(path)
    _check_passes(ledger)
    data = yaml.safe_load(restyled.text)
    for index, item in enumerate(data["items"]):
        _edit_then_undo(ledger, path, restyled, data, index, commands_for(item))
        assert path.read_bytes() == original


def _check_passes(ledger: Path) -> None:
    """check exits 0 with nothing on stderr but its completeness warnings (which a style may change)."""
    out = invoke("--ledger", str(ledger), "check")
    assert out.code == 0 and without_blanks(out.stderr) == "", out.stderr


def _edit_then_undo(ledger: Path, path: Path, restyled: Restyled, data: dict, index: int, commands: list[str]):
    """Each command on the same item, each checked; then one undo per command, each giving back
    exactly the bytes before that command."""
    versions = [path.read_bytes()]
    current = data
    for command in commands:
        out = invoke("--ledger", str(ledger), *command_args(command, item_id(data, index)))
        expect(out, 0, stdout=None)
        current = assert_edited(path, restyled, index, current, command)
        versions.append(path.read_bytes())
    _check_passes(ledger)  # the edited styles check too
    for version in reversed(versions[:-1]):
        expect(invoke("--ledger", str(ledger), "undo", "--yes"), 0, stdout=None)
        assert path.read_bytes() == version


# --- (b) one real process per style --------------------------------------------------------


REAL_RUN = {"closed_on on the dash line": (0, "reopen")}  # the style is about removing closed_on


@pytest.mark.slow
@pytest.mark.parametrize("style", [style for style in STYLES if style != "plain"])
def test_slow_each_style_in_a_real_process(tmp_path, style):
    """13.yaml with both items restyled: close of the open 13.2 (reopen of 13.1), then undo."""
    ledger = tmp_path / "ledger"
    shutil.copytree(DATA, ledger, ignore=shutil.ignore_patterns(".rectify"))
    make_live(ledger)
    path = ledger / "issues" / "13.yaml"
    restyled = Restyled.of(path.read_text(encoding="utf-8"), [style])
    original = restyled.write(path)
    index, command = REAL_RUN.get(style, (1, "close"))
    data = yaml.safe_load(restyled.text)
    done = run_child(ledger, *command_args(command, item_id(data, index)))
    assert (done.code, done.stderr) == (0, ""), done.stderr
    assert_edited(path, restyled, index, data, command)
    assert invoke("--ledger", str(ledger), "check").code == 0
    assert run_child(ledger, "undo", "--yes").code == 0
    assert path.read_bytes() == original


# --- what is still refused names the file, the line and the construct ------------------------


def test_an_item_that_is_not_a_mapping_is_refused_with_its_line():
    """Not reachable through the CLI (such a file fails validation first): the guard itself."""
    text = "id: 18\naspect: 三\ntitle: 党员教育管理不严格\nitems:\n  - number: 1\n  - 只有一句话\n"
    with pytest.raises(UneditableFile) as refused:
        edit_item(text, 1, ItemChange(set={"status": "closed"}), ["number", "status"])
    message = str(refused.value.located("issues/18.yaml"))
    assert message == "issues/18.yaml:6: 这一项不是“字段: 值”的映射,无法编辑"
