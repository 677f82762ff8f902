"""Ledger text is printed literally: no rich markup, no terminal control sequences."""

from __future__ import annotations

import pytest

from .conftest import write_issue

HOSTILE = """\
id: 18
aspect: 三
title: "[bold]关于[2021]12号文件[/bold]"
items:
  - number: 1
    title: "标题带转义\\e[31m红字\\e[0m与\\u202e反向"
    outcome: "[red]成效[/red]\\nfoo\\ttab"
    status: open
"""


@pytest.fixture
def hostile(ledger):
    write_issue(ledger, "18.yaml", HOSTILE)
    return ledger


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv"])
def test_list_prints_markup_and_escapes_as_text(hostile, rectify, fmt):
    out = rectify("list", "--aspect", "三", "--format", fmt, env={"FORCE_COLOR": "1"})
    assert out.code == 0, out.stderr
    assert "\\x1b[31m红字\\x1b[0m" in out.stdout
    assert "\\u202e反向" in out.stdout
    assert "\x1b[31m红字" not in out.stdout
    assert "\u202e" not in out.stdout


def test_show_prints_markup_literally(hostile, rectify):
    out = rectify("show", "18", "--format", "table", env={"FORCE_COLOR": "1"})
    assert out.code == 0, out.stderr
    assert "[bold]关于[2021]12号文件[/bold]" in out.stdout
    assert "[red]成效[/red]" in out.stdout
    assert "\\x1b[31m" in out.stdout and "\x1b[31m红字" not in out.stdout


def test_plain_show_keeps_brackets(hostile, rectify):
    out = rectify("show", "18", "--format", "tsv")
    assert "问题:18. [bold]关于[2021]12号文件[/bold]" in out.stdout
    assert "\\ttab" in out.stdout


def test_tsv_cells_never_break_rows(hostile, rectify):
    out = rectify("list", "--aspect", "三", "--format", "tsv")
    rows = out.stdout.splitlines()
    assert all(row.count("\t") == 5 for row in rows)
