"""Hostile paths: evidence paths that lead out of the ledger, and links that would make the
tool write outside it.

Two promises are tested. An evidence path recorded in an issue file that points outside
the ledger (../, an absolute path, a link in evidence/ that leads out) or into the tool's
private .rectify/ is reported by `rectify check` at its file:line:column and never read,
hashed or copied; a FIFO as the target proves "never read", since reading one would block.
And no command writes outside the ledger through a link inside it: evidence/13.2,
evidence/, issues/13.yaml, .rectify/ or parts of it, or paths in the undo journal. An
export target given on the command line is the user's own choice and stays allowed.

Every case asserts the exit code, every line on stderr, no traceback, and that nothing
changed, in the ledger and outside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from rectify_cli.evidence import shown_path

from .support import BLANK_LINES, CLEAN, at, expect, tree, without_blanks
from .support import run_child as run

TODAY = "2022-03-01"
CLOSE = ("--today", TODAY, "close", "13.2", "--by", "张三")
ISSUE = "issues/13.yaml"
PATH_AT = f"{ISSUE}:12:15: 错误: "  # where the recorded evidence path stands
FAILED_ONE = "检查未通过:1 处错误,0 处警告"
STATE_DIR = ".rectify"


@pytest.fixture(autouse=True)
def _inside_ledger(ledger, monkeypatch, tmp_path_factory):
    """Diagnostics print relative to the working folder (issues/13.yaml:…); the cache's
    signing key lives under XDG_CACHE_HOME, kept out of the real home."""
    monkeypatch.chdir(ledger)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the ledger, with a secret file and a FIFO in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("机密\n", encoding="utf-8")
    os.mkfifo(folder / "fifo")
    return folder


@pytest.fixture
def pdf(tmp_path) -> Path:
    """An evidence file to hand to close --evidence, outside the ledger."""
    path = tmp_path / "f.pdf"
    path.write_bytes(b"%PDF-1.4 rectification evidence\n")
    return path


# --- helpers ------------------------------------------------------------------------------




LINKED_OUT = re.compile(re.escape(ISSUE) + r": 错误: 这是指向台账目录之外的符号链接(.*),rectify 只读台账内的文件")
REFUSED_ONE = "rectify: 台账有 1 处错误,请先修正(运行 rectify check 查看全部)"


def out_of_ledger(recorded: str) -> str:
    """The message, quoting the path as messages do (a long temporary path is cut)."""
    return f"{PATH_AT}佐证材料路径 {shown_path(recorded)} 指向台账目录之外;只能引用台账内的文件"


def record_evidence(ledger: Path, written: str, sha256: str | None = None) -> None:
    """Give item 13.1 one evidence entry; `written` is the YAML of its path, at line 12, column 15."""
    path = ledger / ISSUE
    text = path.read_text(encoding="utf-8")
    anchor = "    closed_on: 2022-02-23\n"
    assert text.splitlines().index(anchor.rstrip("\n")) == 9  # line 10
    entry = f"    evidence:\n      - path: {written}\n"
    if sha256:
        entry += f"        sha256: {sha256}\n"
    path.write_text(text.replace(anchor, anchor + entry, 1), encoding="utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


ANY_SHA = "ab" * 32


# --- evidence paths recorded in a file: reported, never read ----------------------------------------


@pytest.mark.parametrize(
    "recorded",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../outside/secret.txt",
        "evidence/13.1/../../../outside/secret.txt",  # through a real folder
        "evidence/../../outside/secret.txt",
    ],
)
def test_evidence_path_out_of_the_ledger_is_reported(rectify, ledger, outside, recorded):
    (ledger / "evidence" / "13.1").mkdir(parents=True)
    record_evidence(ledger, recorded, ANY_SHA)
    before, elsewhere = tree(ledger), tree(outside)
    expect(rectify("check"), 1, out_of_ledger(recorded), FAILED_ONE)
    assert (tree(ledger), tree(outside)) == (before, elsewhere)


def test_evidence_path_to_an_absolute_fifo_is_never_opened(ledger, outside):
    record_evidence(ledger, str(outside / "fifo"), ANY_SHA)
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, "check")
    assert out.code is not None, f"check blocked on the FIFO for {out.seconds:.0f} s"
    expect(out, 1, out_of_ledger(str(outside / "fifo")), FAILED_ONE)
    assert tree(ledger) == before


def test_evidence_path_climbing_to_a_fifo_is_never_opened(ledger, outside):
    record_evidence(ledger, "../outside/fifo", ANY_SHA)
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, "check")
    assert out.code is not None, f"check blocked on the FIFO for {out.seconds:.0f} s"
    expect(out, 1, out_of_ledger("../outside/fifo"), FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize(
    ("name", "target"),
    [("secret.pdf", "secret.txt"), ("fifo.pdf", "fifo"), ("folder", ".")],
    ids=["to-a-file", "to-a-fifo", "to-a-folder"],
)
def test_link_in_evidence_leading_out_is_reported_and_not_followed(ledger, outside, name, target):
    folder = ledger / "evidence" / "13.1"
    folder.mkdir(parents=True)
    (folder / name).symlink_to(outside / target)
    recorded = f"evidence/13.1/{name}"
    record_evidence(ledger, recorded, sha("机密\n".encode()))  # the secret's real hash
    before, elsewhere = tree(ledger), tree(outside)
    out = run(ledger, "--today", TODAY, "check")
    assert out.code is not None, f"check blocked for {out.seconds:.0f} s"
    expect(out, 1, out_of_ledger(recorded), FAILED_ONE)
    assert (tree(ledger), tree(outside)) == (before, elsewhere)


@pytest.mark.parametrize("recorded", [".rectify/notes.txt", "evidence/../.rectify/notes.txt"])
def test_evidence_path_into_the_private_folder_is_reported(rectify, ledger, recorded):
    (ledger / STATE_DIR).mkdir()
    (ledger / STATE_DIR / "notes.txt").write_bytes(b"private\n")
    record_evidence(ledger, recorded, sha(b"private\n"))
    before = tree(ledger)
    out = rectify("check")
    expect(out, 1, at(PATH_AT, f"佐证材料路径 {re.escape(recorded)} .+"), FAILED_ONE)
    assert tree(ledger) == before


def test_evidence_path_to_a_file_inside_is_checked(rectify, ledger):
    """The control case: a path inside evidence/ is read and its hash compared."""
    folder = ledger / "evidence" / "13.1"
    folder.mkdir(parents=True)
    (folder / "照片.jpg").write_bytes(b"jpeg")
    record_evidence(ledger, "evidence/13.1/照片.jpg", sha(b"jpeg"))
    expect(rectify("check"), 0, *BLANK_LINES, stdout=CLEAN)
    (folder / "照片.jpg").write_bytes(b"jpeg, retouched")
    line = f"{PATH_AT}佐证材料 evidence/13.1/照片.jpg 的内容与记录的 SHA-256 不符(文件被改动过?)"
    expect(rectify("check"), 1, line, FAILED_ONE)


def test_evidence_path_with_a_nul_is_reported(rectify, ledger):
    record_evidence(ledger, '"evidence/13.1/\\0.pdf"', ANY_SHA)
    before = tree(ledger)
    expect(rectify("check"), 1, at(PATH_AT, ".+"), FAILED_ONE)
    assert tree(ledger) == before


def test_evidence_path_too_long_is_reported(rectify, ledger):
    record_evidence(ledger, "evidence/" + "长" * 3000 + ".pdf", ANY_SHA)
    before = tree(ledger)
    expect(rectify("check"), 1, at(PATH_AT, ".+"), FAILED_ONE)
    assert tree(ledger) == before


def test_evidence_link_loop_is_reported(rectify, ledger):
    folder = ledger / "evidence" / "13.1"
    folder.mkdir(parents=True)
    (folder / "a.pdf").symlink_to("b.pdf")
    (folder / "b.pdf").symlink_to("a.pdf")
    record_evidence(ledger, "evidence/13.1/a.pdf", ANY_SHA)
    before = tree(ledger)
    expect(rectify("check"), 1, at(PATH_AT, ".*evidence/13\\.1/a\\.pdf.*"), FAILED_ONE)
    assert tree(ledger) == before


# --- never writing through a link that leads out ------------------------------------------------


@pytest.mark.parametrize("linked", ["evidence/13.2", "evidence"])
def test_close_refuses_to_copy_evidence_through_a_link_out(rectify, ledger, outside, pdf, linked):
    link = ledger / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    before, elsewhere = tree(ledger), tree(outside)
    out = rectify(*CLOSE, "--evidence", str(pdf))
    expect(out, 1, at("rectify: ", ".*(符号链接|台账目录之外).*"))
    assert (tree(ledger), tree(outside)) == (before, elsewhere)


def _dangling_evidence_link(ledger: Path, outside: Path) -> Path:
    folder = ledger / "evidence" / "13.2"
    folder.mkdir(parents=True)
    (folder / "f.pdf").symlink_to(outside / "new.pdf")
    return folder


def test_close_never_writes_through_a_dangling_evidence_link(rectify, ledger, outside, pdf):
    """evidence/13.2/f.pdf already exists as a link to a missing file outside. Either the copy
    takes another name (f-1.pdf) or the command is refused; the link is never written through."""
    folder = _dangling_evidence_link(ledger, outside)
    before, elsewhere = tree(ledger), tree(outside)
    out = rectify(*CLOSE, "--evidence", str(pdf))
    assert "Traceback" not in out.stdout + out.stderr
    assert tree(outside) == elsewhere
    assert (folder / "f.pdf").is_symlink() and os.readlink(folder / "f.pdf") == str(outside / "new.pdf")
    if out.code == 0:
        assert (folder / "f-1.pdf").read_bytes() == pdf.read_bytes()
    else:
        assert out.code == 1
        assert tree(ledger) == before


def test_close_beside_a_dangling_evidence_link_says_why(rectify, ledger, outside, pdf):
    _dangling_evidence_link(ledger, outside)
    out = rectify(*CLOSE, "--evidence", str(pdf))
    if out.code == 0:  # took another name: fine
        expect(out, 0, stdout=None)
    else:
        expect(out, 1, at("rectify: ", ".*evidence/13\\.2/f\\.pdf.*"))


@pytest.mark.parametrize(
    "args",
    [CLOSE, ("--today", TODAY, "note", "13.2", "已召开专题会", "--by", "张三"),
     ("--today", TODAY, "reopen", "13.1", "--reason", "回头看", "--by", "张三")],
    ids=["close", "note", "reopen"],
)
def test_edit_refuses_an_issue_file_linked_out(rectify, ledger, outside, args):
    target = outside / "13.yaml"
    (ledger / ISSUE).rename(target)
    (ledger / ISSUE).symlink_to(target)
    before, elsewhere = tree(ledger), tree(outside)
    expect(rectify(*args), 1, LINKED_OUT, REFUSED_ONE)
    assert (tree(ledger), tree(outside)) == (before, elsewhere)


def test_edit_refused_for_a_link_copies_no_evidence(rectify, ledger, outside, pdf):
    target = outside / "13.yaml"
    (ledger / ISSUE).rename(target)
    (ledger / ISSUE).symlink_to(target)
    before, elsewhere = tree(ledger), tree(outside)
    out = rectify(*CLOSE, "--evidence", str(pdf))
    assert tree(outside) == elsewhere
    expect(out, 1, LINKED_OUT, REFUSED_ONE)
    assert tree(ledger) == before


def _link_state(ledger: Path, outside: Path, part: str) -> None:
    """Make .rectify, or a part of it, a link into the folder outside."""
    if part == STATE_DIR:
        (ledger / STATE_DIR).symlink_to(outside, target_is_directory=True)
        return
    (ledger / STATE_DIR).mkdir()
    (ledger / STATE_DIR / part).symlink_to(outside / part, target_is_directory=part == "journal")
    if part == "journal":
        (outside / part).mkdir()


STATE_PARTS = [".rectify", "journal", "lock"]


@pytest.mark.parametrize("part", STATE_PARTS)
def test_edit_refuses_a_private_folder_linked_out(rectify, ledger, outside, part):
    _link_state(ledger, outside, part)
    before, elsewhere = tree(ledger), tree(outside)
    out = rectify(*CLOSE)
    assert tree(outside) == elsewhere
    expect(out, 1, at("rectify: ", ".*\\.rectify.*符号链接.*"))
    assert tree(ledger) == before


@pytest.mark.parametrize("command", ["check", "list"])
def test_read_writes_nothing_through_a_private_folder_linked_out(ledger, outside, command):
    _link_state(ledger, outside, STATE_DIR)
    before, elsewhere = tree(ledger), tree(outside)
    out = run(ledger, "--today", TODAY, *([command, "--format", "tsv"] if command == "list" else [command]))
    assert "Traceback" not in out.stdout + out.stderr
    assert out.code == 0, out.stderr
    assert (out.stdout == CLEAN) if command == "check" else out.stdout.startswith("编号\t")
    assert all(".rectify" in line for line in without_blanks(out.stderr).splitlines()), out.stderr  # a warning at most
    assert (tree(ledger), tree(outside)) == (before, elsewhere)


def test_undo_never_touches_files_outside(rectify, ledger, tmp_path):
    victim, spared = tmp_path / "victim.txt", tmp_path / "spared.txt"
    victim.write_bytes(b"original\n")
    spared.write_bytes(b"keep me\n")
    journal = ledger / STATE_DIR / "journal"
    journal.mkdir(parents=True)
    record = {
        "version": 1,
        "command": "rectify note 13.2 进展",
        "at": "2022-03-01T09:00:00",
        "files": [{"path": "../victim.txt", "before": base64.b64encode(b"pwned\n").decode(),
                   "after_sha256": sha(b"original\n")}],
        "created": [{"path": "../spared.txt", "sha256": sha(b"keep me\n")}],
    }
    (journal / "000001.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    before = tree(ledger)
    out = rectify("undo", "--yes")
    assert (victim.read_bytes(), spared.exists()) == (b"original\n", True)
    expect(out, 1, at("rectify: ", ".*(台账目录之外|\\.\\./victim\\.txt).*"), stdout=None)
    assert tree(ledger) == before


def test_export_to_a_file_outside_the_ledger_is_allowed(rectify, ledger, tmp_path):
    """The target named with -o is the user's own choice: written, wherever it is."""
    target = tmp_path / "x.csv"
    before = tree(ledger)
    out = rectify("--today", TODAY, "export", "-o", str(target))
    expect(out, 0, f"已写入 {target}")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,")  # BOM, 序号,
    assert data.decode("utf-8-sig").count("\n") >= 35  # a header and 34 items
    assert tree(ledger) == before
