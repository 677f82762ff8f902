"""Shared test helpers: copies of the real shipped ledger, and the real CLI."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rectify_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = FIXTURES / "jingxian-chengguan-2022-progress-report.txt"


def pytest_report_header(config):
    """Which YAML parser this run has: builds differ in speed and in their nesting limits."""
    import yaml

    libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "pure Python, no libyaml"
    return f"PyYAML {yaml.__version__} ({libyaml})"


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """Tests see neither the developer's ledger nor a fixed date unless they set one."""
    for name in ("RECTIFY_LEDGER", "RECTIFY_TODAY", "RECTIFY_DEBUG", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def ledger(tmp_path) -> Path:
    """A fresh copy of the shipped ledger in tmp_path."""
    target = tmp_path / "ledger"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".rectify"))
    return target


AS_OF_LINE = "as_of: 2022-02-23\n"


def make_live(root: Path) -> Path:
    """The shipped ledger without its as_of: for cases that edit it after its snapshot's date."""
    info = root / "ledger.yaml"
    text = info.read_text(encoding="utf-8")
    assert text.count(AS_OF_LINE) == 1
    info.write_text(text.replace(AS_OF_LINE, ""), encoding="utf-8")
    return root


@pytest.fixture
def live_ledger(ledger) -> Path:
    """A fresh copy of the shipped ledger made live (no as_of)."""
    return make_live(ledger)


def invoke(*args: str, env: dict | None = None) -> Outcome:
    result = CliRunner().invoke(app, list(args), env=env)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def rectify(ledger):
    """Run `rectify --ledger <copy> ARGS…` and return code, stdout, stderr."""

    def run(*args: str, env: dict | None = None) -> Outcome:
        return invoke("--ledger", str(ledger), *args, env=env)

    return run


def written_earlier(path: Path) -> Path:
    """Date a file the test prepared a minute back, as a clerk's earlier edit would be: an edit
    waits for a file written under a second ago, which another program may still be writing."""
    earlier = time.time() - 60
    os.utime(path, (earlier, earlier))
    return path


def write_issue(ledger: Path, name: str, text: str) -> Path:
    path = ledger / "issues" / name
    path.write_text(text, encoding="utf-8")
    return written_earlier(path)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (path → bytes), except the tool's private, git-ignored .rectify/."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".rectify" not in path.relative_to(folder).parts
    }


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a real file of a copied ledger, where `old` stands exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    written_earlier(path)


def add_to_open_items(ledger: Path, extras: dict[str, str]) -> Path:
    """Lines added after the one `status: open` of each named issue file (deadlines, leads …)."""
    for name, extra in extras.items():
        replace_once(ledger / "issues" / name, "    status: open\n", "    status: open\n" + extra)
    return ledger


def xlsx_rows(book) -> dict[str, int]:
    """Each item's row in an exported 整改台账 sheet, by its ID (the visible 序号 is 1…n): the hidden
    data sheet lists the items in row order. For an export of whole problems."""
    from collections import Counter

    from rectify_cli import datasheet
    from rectify_cli.export.xlsx import FIRST_ROW
    from rectify_cli.ids import display_id

    entries = datasheet.read(book)[datasheet.ENTRIES]
    counts = Counter(head["id"] for _shown, head, _item in entries)
    return {display_id(head["id"], item["number"], counts[head["id"]] == 1): FIRST_ROW + offset
            for offset, (_shown, head, item) in enumerate(entries)}
