"""Hostile text: ledger text that tries to drive the terminal, the spreadsheet or the reader.

Terminal escape sequences (SGR colours, OSC 8 hyperlinks, clear-screen), BEL, backspace,
carriage return, rich markup, right-to-left overrides and the bidi isolates, other C0
controls, DEL and C1 controls are written into every kind of ledger text of a copied ledger
(ledger title, unit, inspection team, aspect, problem title, item title, outcome, measures,
departments, lead, owner, closer, history note); zero-width characters, U+FFFE and text typed
on the command line of an edit have tests of their own. Every output must
show them inert: no raw control character reaches the screen or the file, and the text is
still there in escaped form (``\\x1b[31m``), so a clerk can see what the file holds.

Spreadsheet cells that would start a formula (=, +, -, @) are neutralised; Markdown outputs
keep ledger text literal (no links, images or HTML from the ledger).

"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from ..conftest import invoke, snapshot, write_issue

TODAY = "2022-03-01"
TERMINAL = {"FORCE_COLOR": "1", "COLUMNS": "4000"}  # rich in terminal mode, wide enough never to fold a cell

# --- the payload ---------------------------------------------------------------------

ESC_RED = "\x1b[31m红\x1b[0m"
ESC_SHOWN = "\\x1b[31m红\\x1b[0m"
OSC8 = "\x1b]8;;http://x.example\x07链接\x1b]8;;\x07"
CLEAR = "\x1b[2J"
MARKUP = "[bold]粗[/] [link=http://x.example]链[/link] [/]"
BIDI = "\u202e反\u2066\u2067\u2068\u2069\u200f"
C0 = "\x07\x08\r\x01\x1f\x0b\x0c\x1c\x00"
DEL_C1 = "\x7f\x85\x9b"
HTML = "<script>alert(1)</script>&amp;"
PAYLOAD = f"{ESC_RED} {OSC8} {CLEAR} {MARKUP} {BIDI} {C0} {DEL_C1} {HTML}"
# What an edit command can take on its command line and write (DEL and C1 apart: see STORED below).
TYPED = f"{ESC_RED} {OSC8} {CLEAR} {MARKUP} {BIDI} {C0.replace(chr(0), '')} {HTML}"

# Each piece of ledger text starts with its own label, so that an output can be searched for it.
LEDGER_TITLE = "台账名称"
UNIT = "被巡察单位"
INSPECTOR = "巡察组名"
ASPECT = "方面名称"
PROBLEM = "问题标题"
ITEM1 = "事项一"
ITEM2 = "事项二"
OUTCOME = "成效文字"
MEASURES = "措施文字"
DEPT = "部门甲"
LEAD = "领导乙"
OWNER = "责任人丙"
CLOSER = "销号人丁"
NOTE = "进展记录"

# Raw characters no output may carry: C0 (newline apart; tab, CR where a format needs them),
# DEL, C1, and the bidi controls.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours in terminal mode


def raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return sorted({char for char in _CONTROLS.findall(text) if char not in allowed})


def without_rich_colours(text: str) -> str:
    return _SGR.sub("", text)


def shown(label: str) -> str:
    """How `label + PAYLOAD` starts once made inert."""
    return label + ESC_SHOWN


def md_rendered(text: str) -> str:
    """Markdown as a viewer shows it: a backslash before ASCII punctuation is an escape, and goes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def write_ledger(ledger: Path, payload: str) -> Path:
    """Put `payload` into every kind of ledger text; issue 18 (two items) under aspect 二."""
    info_path = ledger / "ledger.yaml"
    info = yaml.safe_load(info_path.read_text(encoding="utf-8"))
    info["title"] = LEDGER_TITLE + payload
    info["unit"] = UNIT + payload
    info["inspector"] = INSPECTOR + payload
    info["aspects"]["二"] = ASPECT + payload
    info_path.write_text(yaml.safe_dump(info, allow_unicode=True, sort_keys=False), encoding="utf-8")
    issue = {
        "id": 18,
        "aspect": "二",
        "title": PROBLEM + payload,
        "items": [
            {
                "number": 1,
                "title": ITEM1 + payload,
                "kind": "time_bound",
                "measures": MEASURES + payload,
                "lead": LEAD + payload,
                "departments": [DEPT + payload],
                "owner": OWNER + payload,
                "deadline": dt.date(2022, 1, 31),
                "status": "open",
                "outcome": OUTCOME + payload,
                "history": [{"date": dt.date(2022, 2, 1), "action": "progress", "note": NOTE + payload}],
            },
            {
                "number": 2,
                "title": ITEM2 + payload,
                "status": "closed",
                "closed_on": dt.date(2022, 2, 2),
                "closed_by": CLOSER + payload,
                "departments": [DEPT + payload],
                "lead": LEAD + payload,
            },
        ],
    }
    write_issue(ledger, "18.yaml", yaml.safe_dump(issue, allow_unicode=True, sort_keys=False))
    return ledger


@pytest.fixture
def hostile(ledger) -> Path:
    return write_ledger(ledger, PAYLOAD)


def run(ledger: Path, *args: str, env: dict | None = None):
    return invoke("--ledger", str(ledger), "--today", TODAY, *args, env=env)


def test_the_hostile_ledger_is_valid(hostile):
    out = run(hostile, "check")
    assert out.code == 0, out.stderr


# --- terminal tables (rich) ----------------------------------------------------------------

TABLES = {
    "list": (("list",), [ITEM1, ITEM2, DEPT]),
    "show": (("show", "18"), [PROBLEM, ASPECT, ITEM1, ITEM2, OUTCOME, MEASURES, LEAD, DEPT, OWNER, NOTE, CLOSER]),
    "summary-dept": (("summary", "--by", "dept"), [DEPT]),
    "summary-lead": (("summary", "--by", "lead"), [LEAD]),
    "summary-problem": (("summary", "--by", "problem"), [PROBLEM]),
    "summary-aspect": (("summary", "--by", "aspect"), [ASPECT]),
}


@pytest.mark.parametrize("name", TABLES)
def test_terminal_tables_show_ledger_text_inert(hostile, name):
    args, labels = TABLES[name]
    out = run(hostile, *args, "--format", "table", env=TERMINAL)
    assert out.code == 0, out.stderr
    assert "\x1b[" in out.stdout  # rich is in terminal mode: its own colours are there
    assert "\x1b[31m红" not in out.stdout
    assert "\x1b]" not in out.stdout  # no OSC 8 hyperlink, from the ledger or from markup
    text = without_rich_colours(out.stdout)
    assert raw_controls(text) == []
    for label in labels:
        assert shown(label) in text, label
    assert "[bold]粗[/] [link=http://x.example]链[/link] [/]" in text  # markup printed, not obeyed
    assert "\\u202e反\\u2066\\u2067\\u2068\\u2069\\u200f" in text
    assert "\\x7f\\x85\\x9b" in text


# --- plain text: tsv, csv, show plain, summary md/tsv, report txt/md ----------------------

PLAIN = {  # arguments, labels that must show, is it Markdown, raw characters the format needs
    "list-tsv": (("list", "-f", "tsv"), [ITEM1, ITEM2, DEPT], False, "\n\t"),
    "list-csv": (("list", "-f", "csv"), [ITEM1, ITEM2, DEPT], False, "\n"),
    "show-plain": (("show", "18", "-f", "tsv"), [PROBLEM, ASPECT, ITEM1, ITEM2, OUTCOME, MEASURES, LEAD, DEPT, OWNER, NOTE, CLOSER], False, "\n"),
    "summary-dept-tsv": (("summary", "--by", "dept", "-f", "tsv"), [DEPT], False, "\n\t"),
    "summary-lead-md": (("summary", "--by", "lead", "-f", "md"), [LEAD], True, "\n"),
    "summary-dept-md": (("summary", "--by", "dept", "-f", "md"), [DEPT], True, "\n"),
    "summary-problem-tsv": (("summary", "--by", "problem", "-f", "tsv"), [PROBLEM], False, "\n\t"),
    "report-txt": (("report", "-f", "txt"), [UNIT, INSPECTOR, ASPECT, PROBLEM, ITEM1, ITEM2, OUTCOME], False, "\n"),
    "report-md": (("report", "-f", "md"), [UNIT, INSPECTOR, ASPECT, PROBLEM, ITEM1, ITEM2, OUTCOME], True, "\n"),
    "export-md": (("export", "-f", "md"), [LEDGER_TITLE, ITEM1, ITEM2, DEPT], True, "\n"),
}


@pytest.mark.parametrize("name", PLAIN)
def test_plain_outputs_show_ledger_text_inert(hostile, name):
    args, labels, markdown, allowed = PLAIN[name]
    out = run(hostile, *args, env=TERMINAL)  # FORCE_COLOR must not turn plain formats into colour
    assert out.code == 0, out.stderr
    assert raw_controls(out.stdout, allowed) == []
    text = md_rendered(out.stdout) if markdown else out.stdout
    for label in labels:
        assert shown(label) in text, label


@pytest.mark.parametrize("args", [("list", "-f", "tsv"), ("summary", "--by", "dept", "-f", "tsv")])
def test_tsv_rows_keep_their_columns(hostile, args):
    out = run(hostile, *args)
    rows = out.stdout.splitlines()  # str.splitlines also breaks at \x0b \x0c \x1c \x85: none may be raw
    assert len({row.count("\t") for row in rows}) == 1


def test_markdown_tables_keep_their_columns(hostile):
    out = run(hostile, "summary", "--by", "dept", "-f", "md")
    rows = [line for line in out.stdout.splitlines() if line.startswith("|")]
    assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1


def test_export_csv_cells_are_inert(hostile):
    out = run(hostile, "export", "-f", "csv")
    assert out.code == 0, out.stderr
    text = out.stdout.removeprefix("\ufeff")
    assert raw_controls(text.replace("\r\n", "\n")) == []  # \r\n ends rows; no other CR
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len({len(row) for row in rows}) == 1
    cells = "\n".join(cell for row in rows for cell in row)
    for label in (ASPECT, PROBLEM, ITEM1, ITEM2, MEASURES, LEAD, DEPT, OUTCOME, NOTE):
        assert shown(label) in cells, label


def test_export_html_escapes_ledger_text(hostile):
    out = run(hostile, "export", "-f", "html")
    assert out.code == 0, out.stderr
    assert raw_controls(out.stdout) == []
    assert "<script>" not in out.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in out.stdout
    for label in (LEDGER_TITLE, UNIT, INSPECTOR, ASPECT, ITEM1, ITEM2, DEPT, OUTCOME, NOTE):
        assert shown(label) in out.stdout, label


# --- Markdown: ledger text must not become links, images or HTML ----------------------------

MD_HOSTILE = "![跟踪](http://x.example/t.png) [点此](http://x.example/) <img src=x onerror=alert(1)>"


@pytest.fixture
def markdown(ledger) -> Path:
    issue = {"id": 18, "aspect": "二", "title": "问题" + MD_HOSTILE, "items": [
        {"number": 1, "title": "事项" + MD_HOSTILE, "departments": ["部门" + MD_HOSTILE], "lead": "领导" + MD_HOSTILE,
         "status": "open"},
    ]}
    write_issue(ledger, "18.yaml", yaml.safe_dump(issue, allow_unicode=True, sort_keys=False))
    return ledger


@pytest.mark.parametrize("args", [
    ("report", "-f", "md"),
    pytest.param(("export", "-f", "md")),
    pytest.param(("summary", "--by", "dept", "-f", "md")),
    pytest.param(("summary", "--by", "lead", "-f", "md")),
    pytest.param(("summary", "--by", "problem", "-f", "md")),
], ids=["report", "export", "summary-dept", "summary-lead", "summary-problem"])
def test_markdown_outputs_keep_ledger_text_literal(markdown, args):
    out = run(markdown, *args)
    assert out.code == 0, out.stderr
    assert not re.search(r"(?<!\\)<img", out.stdout)  # no HTML from the ledger (\\< or &lt; is text)
    assert not re.search(r"(?<!\\)!(?<!\\)\[跟踪(?<!\\)\]\(", out.stdout)  # no image
    assert not re.search(r"(?<!\\)\[点此(?<!\\)\]\(", out.stdout)  # no link


# --- JSON --------------------------------------------------------------------------------

JSONS = {
    "list": (("list", "-f", "json"), ITEM1),
    "show": (("show", "18", "-f", "json"), ITEM1),
    "summary": (("summary", "--by", "dept", "-f", "json"), DEPT),
    "export": (("export", "-f", "json"), ITEM1),
}


def strings_in(data) -> set[str]:
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(strings_in(v) for v in data.values()), set(data))
    if isinstance(data, list):
        return set().union(set(), *(strings_in(v) for v in data))
    return set()


@pytest.mark.parametrize("name", JSONS)
def test_json_escapes_terminal_controls_and_keeps_the_text(hostile, name):
    args, label = JSONS[name]
    out = run(hostile, *args)
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert label + PAYLOAD in strings_in(data)  # the data is exact: JSON escapes, it does not alter
    assert raw_controls(out.stdout, allowed="\n\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == []
    assert "\\u001b[31m红" in out.stdout


@pytest.mark.parametrize("name", JSONS)
def test_json_escapes_del_c1_and_bidi_controls(hostile, name):
    args, label = JSONS[name]
    out = run(hostile, *args)
    assert out.code == 0, out.stderr
    assert label + PAYLOAD in strings_in(json.loads(out.stdout))
    assert raw_controls(out.stdout) == []


# --- files: docx, xlsx ---------------------------------------------------------------------


def test_docx_report_with_control_characters_is_written_inert(hostile, tmp_path):
    from docx import Document

    target = tmp_path / "通报.docx"
    out = run(hostile, "report", "-f", "docx", "-o", str(target))
    assert out.code == 0, out.stderr
    text = "\n".join(paragraph.text for paragraph in Document(str(target)).paragraphs)
    assert raw_controls(text) == []
    for label in (UNIT, INSPECTOR, ASPECT, PROBLEM, ITEM1, ITEM2, OUTCOME):
        assert shown(label) in text, label


def test_docx_report_shows_bidi_and_c1_controls_escaped(ledger, tmp_path):
    from docx import Document

    write_ledger(ledger, "\u202e反\u2066\u2069 \x85\x9b")  # XML accepts these: the document is written
    target = tmp_path / "通报.docx"
    out = run(ledger, "report", "-f", "docx", "-o", str(target))
    assert out.code == 0, out.stderr
    text = "\n".join(paragraph.text for paragraph in Document(str(target)).paragraphs)
    assert raw_controls(text) == []
    assert ITEM1 + "\\u202e反" in text


def _cells(path: Path):
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_xlsx_cells_are_inert(hostile, tmp_path):
    target = tmp_path / "台账.xlsx"
    out = run(hostile, "export", "-f", "xlsx", "-o", str(target))
    assert out.code == 0, out.stderr
    texts = [cell.value for cell in _cells(target) if isinstance(cell.value, str)]
    assert [t for t in texts if raw_controls(t)] == []
    joined = "\n".join(texts)
    for label in (LEDGER_TITLE, ASPECT, PROBLEM, ITEM1, ITEM2, MEASURES, LEAD, DEPT, OUTCOME, NOTE):
        assert shown(label) in joined, label


@pytest.mark.parametrize("args", [("export", "-f", "xlsx"), ("report", "-f", "docx")], ids=["xlsx", "docx"])
@pytest.mark.parametrize("char", ["\ufffe", "\uffff"], ids=["fffe", "ffff"])
def test_noncharacters_do_not_break_office_files(ledger, tmp_path, args, char):
    write_ledger(ledger, char)
    target = tmp_path / f"out.{args[-1]}"
    out = run(ledger, *args, "-o", str(target))
    assert out.code == 0, out.stderr
    assert target.is_file()


# --- spreadsheet formulas ---------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example","点")', "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formulas(ledger) -> Path:
    items = [
        {"number": n, "title": text, "measures": text, "lead": text, "departments": [text], "outcome": text,
         "status": "open"}
        for n, text in enumerate(FORMULAS, start=1)
    ]
    issue = {"id": 18, "aspect": "二", "title": "=1+1", "items": items}
    write_issue(ledger, "18.yaml", yaml.safe_dump(issue, allow_unicode=True, sort_keys=False))
    return ledger


def test_export_csv_neutralises_formula_cells(formulas):
    out = run(formulas, "export", "-f", "csv", "--aspect", "二")
    assert out.code == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout.removeprefix("\ufeff"), newline="")))[1:]
    ours = [row for row in rows if row[0].startswith("18.")]
    assert len(ours) == len(FORMULAS)
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []
    assert "'" + FORMULAS[0] in ours[0]  # still readable, as text


def test_list_csv_neutralises_formula_cells(formulas):
    out = run(formulas, "list", "-f", "csv", "--aspect", "二")
    assert out.code == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout, newline="")))[1:]
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []


def test_xlsx_stores_formula_text_as_text(formulas, tmp_path):
    target = tmp_path / "台账.xlsx"
    out = run(formulas, "export", "-f", "xlsx", "-o", str(target))
    assert out.code == 0, out.stderr
    with zipfile.ZipFile(target) as book:
        sheets = [book.read(name).decode() for name in book.namelist() if name.startswith("xl/worksheets/")]
    assert not any(re.search(r"<(\w+:)?f[ >]", sheet) for sheet in sheets)  # no formula element anywhere
    cells = _cells(target)
    assert {cell.data_type for cell in cells} <= {"s", "n", "d"}  # text, 序号 and dates
    texts = {cell.value for cell in cells}
    assert FORMULAS[0] in texts and "@SUM(1)" in texts  # kept as typed, stored as strings
    assert [t for t in texts if isinstance(t, str) and t.startswith(("\t", "\r"))] == []


# --- check's diagnostics -----------------------------------------------------------------


def _issue_with(line: str) -> str:
    return f"id: 18\naspect: 二\ntitle: 标题\nitems:\n  - number: 1\n    status: open\n{line}\n"


def test_check_shows_a_key_with_an_escape_sequence_inert(rectify, ledger):
    write_issue(ledger, "18.yaml", _issue_with('    "\\e]8;;http://x\\astatus\\u202e": open'))
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    assert raw_controls(out.stderr) == []
    line = next(line for line in out.stderr.splitlines() if "18.yaml:7:5:" in line)
    assert "\\x1b]8;;http://x\\x07status\\u202e" in line


def test_check_shows_a_wrong_value_inert(rectify, ledger):
    write_issue(ledger, "18.yaml", _issue_with('    kind: "\\e[31m\\e[2J立行\\x9b\\u202e"'))
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    assert raw_controls(out.stderr) == []
    line = next(line for line in out.stderr.splitlines() if "18.yaml:7:11:" in line)
    assert "\\x1b[31m\\x1b[2J立行\\x9b\\u202e" in line


def test_check_shows_a_file_name_with_an_escape_sequence_inert(rectify, ledger):
    write_issue(ledger, "\x1b[31m18\x07.yaml", _issue_with(""))
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    assert raw_controls(out.stderr) == []
    assert "\\x1b[31m18\\x07.yaml" in out.stderr


@pytest.mark.parametrize("key", ['"\\e[31mstatus"', '"[bold]"', '"a[1]"'], ids=["escape", "markup", "index"])
@pytest.mark.parametrize("where", ["top", "item"])
def test_check_names_an_unknown_key_with_a_bracket(rectify, ledger, key, where):
    shown_key = yaml.safe_load(key).replace("\x1b", "\\x1b")
    if where == "top":
        text, position = f"{key}: x\nid: 18\naspect: 二\ntitle: 标题\nitems:\n  - number: 1\n", "18.yaml:1:1:"
    else:
        text, position = _issue_with(f"    {key}: x"), "18.yaml:7:5:"
    write_issue(ledger, "18.yaml", text)
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    line = next(line for line in out.stderr.splitlines() if "未知字段" in line)
    assert position in line
    assert f"未知字段 '{shown_key}'" in line


# --- error messages ------------------------------------------------------------------------

ERRORS = {
    "show-escape": (("show", "\x1b[31m13"), "\\x1b[31m13"),
    "show-clear": (("show", "13\x1b[2J"), "13\\x1b[2J"),
    "show-osc8": (("show", "\x1b]8;;http://x\x0713.2"), "\\x1b]8;;http://x\\x0713.2"),
    "show-bidi": (("show", "\u202e31"), "\\u202e31"),
    "show-c1": (("show", "\x9b13"), "\\x9b13"),
    "show-bel-unknown": (("show", "99\x07"), "99\\x07"),
    "close": (("close", "\x1b[31m13.2"), "\\x1b[31m13.2"),
    "note": (("note", "\x1b[31m13.2", "进展"), "\\x1b[31m13.2"),
    "aspect": (("list", "--aspect", "\x1b[31m二"), "\\x1b[31m二"),
    "kind": (("list", "--kind", "\x1b[31m立行"), "\\x1b[31m立行"),
    "due-before": (("list", "--due-before", "\x1b[2J2022"), "\\x1b[2J2022"),
    "format": (("list", "--format", "\x1b[31mxml"), "\\x1b[31mxml"),
    "option": (("list", "--\x1b[31mopen"), "\\x1b[31mopen"),
    "command": (("\x1b[31mlist",), "\\x1b[31mlist"),
    "on": (("close", "13.2", "--on", "\x1b[31m2022"), "\\x1b[31m2022"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_messages_show_arguments_inert(ledger, name):
    args, visible = ERRORS[name]
    before = snapshot(ledger)
    out = run(ledger, *args, env=TERMINAL)
    assert out.code in (1, 2), out.stderr
    assert out.stdout == ""
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert out.stderr.startswith("rectify: ")
    assert raw_controls(out.stderr) == []
    assert visible in out.stderr
    assert snapshot(ledger) == before


def test_unknown_ledger_path_is_shown_inert(tmp_path):
    out = invoke("--ledger", str(tmp_path / "无\x1b[31m台账\u202e"), "list")
    assert out.code == 1
    assert raw_controls(out.stderr) == []
    assert "无\\x1b[31m台账\\u202e" in out.stderr


# --- edits: hostile text goes in exactly and comes out inert --------------------------------

STORED = [
    pytest.param(ESC_RED + CLEAR, id="escape"),
    pytest.param(OSC8, id="osc8"),
    pytest.param(BIDI, id="bidi"),
    pytest.param("\x07\x08\r\x01\x0b", id="c0"),
    pytest.param(MARKUP, id="markup"),
    pytest.param("甲\u2028乙", id="line-separator"),
    pytest.param("甲\u200b\ufeff乙", id="zero-width"),
    pytest.param("甲\x7f乙", id="del"),
    pytest.param("甲\x9b乙", id="c1-csi"),
    pytest.param("甲\x85乙", id="c1-nel"),
    pytest.param("甲\ufffe乙", id="nonchar"),
]


@pytest.mark.parametrize("text", STORED)
def test_note_stores_hostile_text_exactly_and_prints_it_inert(ledger, text):
    out = run(ledger, "note", "13.2", text, "--by", "记录人" + text, env=TERMINAL)
    assert out.code == 0, out.stderr
    assert raw_controls(out.stdout) == []
    data = yaml.safe_load((ledger / "issues" / "13.yaml").read_text(encoding="utf-8"))
    event = data["items"][1]["history"][-1]
    assert (event["note"], event["by"]) == (text, "记录人" + text)
    assert run(ledger, "check").code == 0
    shown_out = run(ledger, "show", "13.2", "-f", "tsv")
    assert raw_controls(shown_out.stdout) == []


def test_close_with_hostile_outcome_and_closer_prints_inert(ledger):
    out = run(ledger, "close", "13.2", "--by", "经办" + ESC_RED, "--outcome", "成效" + TYPED, "--note", OSC8,
              env=TERMINAL)
    assert out.code == 0, out.stderr
    assert raw_controls(out.stdout) == []
    assert "经办:经办" + ESC_SHOWN in out.stdout
    data = yaml.safe_load((ledger / "issues" / "13.yaml").read_text(encoding="utf-8"))
    assert data["items"][1]["outcome"] == "成效" + TYPED
    shown_out = run(ledger, "show", "13.2", "-f", "table", env=TERMINAL)
    assert "\x1b[31m红" not in shown_out.stdout
    assert raw_controls(without_rich_colours(shown_out.stdout)) == []
    assert "成效" + ESC_SHOWN in without_rich_colours(shown_out.stdout)


def test_dry_run_diff_and_undo_print_hostile_arguments_inert(ledger):
    before = snapshot(ledger)
    dry = run(ledger, "note", "13.2", "进展" + TYPED, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert raw_controls(dry.stdout) == []
    assert snapshot(ledger) == before
    assert run(ledger, "note", "13.2", "进展" + ESC_RED + BIDI).code == 0
    out = run(ledger, "undo", "--yes")
    assert out.code == 0, out.stderr
    assert raw_controls(out.stdout) == []
    assert ESC_SHOWN in out.stdout and "\\u202e反" in out.stdout
    assert snapshot(ledger) == before


# --- Unicode line and paragraph separators ---------------------------------------------------

@pytest.mark.parametrize("char", ["\u2028", "\u2029"], ids=["line", "paragraph"])
def test_unicode_line_separators_do_not_break_lines(ledger, char):
    issue = {"id": 18, "aspect": "二", "title": "标题", "items": [
        {"number": 1, "title": f"甲{char}乙", "departments": [f"部{char}门"], "status": "open"},
    ]}
    write_issue(ledger, "18.yaml", yaml.safe_dump(issue, allow_unicode=True, sort_keys=False))
    for args in (("list", "-f", "tsv"), ("summary", "--by", "dept", "-f", "tsv")):
        out = run(ledger, *args)
        assert out.code == 0, out.stderr
        assert len({row.count("\t") for row in out.stdout.splitlines()}) == 1, args
    refused = run(ledger, "show", f"20{char}")
    assert refused.code == 1
    assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert f"\\u{ord(char):04x}" in refused.stderr


# --- zero-width and other invisible characters ------------------------------------------


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\ufeff"], ids=["zwsp", "word-joiner", "bom"])
def test_zero_width_characters_are_shown(ledger, char):
    issue = {"id": 18, "aspect": "二", "title": "标题", "items": [
        {"number": 1, "title": f"事项{char}一", "departments": [f"环卫所{char}"], "status": "open"},
    ]}
    write_issue(ledger, "18.yaml", yaml.safe_dump(issue, allow_unicode=True, sort_keys=False))
    escaped = f"\\u{ord(char):04x}"
    for args in (("list", "-f", "table"), ("show", "18", "-f", "tsv"), ("summary", "--by", "dept", "-f", "tsv")):
        out = run(ledger, *args, env=TERMINAL)
        assert out.code == 0, out.stderr
        assert char not in out.stdout, args
        assert escaped in out.stdout, args
