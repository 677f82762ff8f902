"""`rectify import text` on documents as they arrive: hard-wrapped, GBK, web pages, PDF, old Word."""

from __future__ import annotations

import re
from pathlib import Path

from rectify_cli import loading
from rectify_cli.importers.textprep import prepare

from .conftest import REFERENCE
from .test_import import import_text, init

REFERENCE_TEXT = REFERENCE.read_text(encoding="utf-8")


def imported_tree(folder: Path, document: Path) -> tuple[list, str]:
    """A fresh ledger with `document` imported: its tree (titles, outcomes, status) and the stderr."""
    init(folder)
    outcome = import_text(folder, document)
    assert outcome.code == 0, outcome.stderr
    ledger = loading.load_valid(folder)
    tree = [(p.id, p.aspect, p.title, [(i.number, i.title, i.outcome, i.status, i.closed_on) for i in p.items])
            for p in ledger.problems]
    return tree, outcome.stderr


def reference_tree(tmp_path: Path) -> list:
    tree, _ = imported_tree(tmp_path / "plain", REFERENCE)
    assert len(tree) == 17  # the reference's problems, so a comparison below compares something
    return tree


def hard_wrapped(text: str, width: int) -> str:
    """Each paragraph cut into lines of `width` characters, as text pasted from a PDF."""
    return "\n".join("\n".join(line[i:i + width] for i in range(0, len(line), width)) or line
                     for line in text.splitlines())


def spaced_digits(text: str) -> str:
    """Spaces between digits and Chinese, as PDF extraction leaves them: 2021 年 8 月."""
    text = re.sub(r"(\d)(?=[\u4e00-\u9fff])", r"\1 ", text)
    return re.sub(r"(?<=[\u4e00-\u9fff])(\d)", r" \1", text)


def test_hard_wrapped_text_with_spaced_digits_imports_as_the_original(tmp_path):
    document = tmp_path / "wrapped.txt"
    document.write_text(spaced_digits(hard_wrapped(REFERENCE_TEXT, 30)), encoding="utf-8")
    assert "2021 年 8 月 30 日" in document.read_text(encoding="utf-8")
    tree, _ = imported_tree(tmp_path / "wrapped", document)
    assert tree == reference_tree(tmp_path)


def test_short_unpunctuated_lines_are_not_joined(tmp_path):
    """A heading followed by an unnumbered item line stays two paragraphs when nothing is wrapped."""
    text = "二、问题整改落实情况\n(一)关于学习的问题\n学习不系统\n整改情况:已完成。\n"
    assert prepare(text) == text
