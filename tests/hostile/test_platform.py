"""Clerks' machines: no POSIX-only module needed, no login name needed, evidence that is odd or
moving, names Windows refuses, and temporary files that only look like the tool's own.

The no-POSIX environment is made for real: a sitecustomize.py first on PYTHONPATH sets
sys.modules['fcntl'] = sys.modules['pwd'] = None in the child, so importing either fails there as
it does on Windows, and USER and LOGNAME are unset.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from .support import BLANK_LINES, CLEAN, dead_pid, expect, lock_is_free, tree
from .support import run_child as run

TODAY = "2022-03-01"
ISSUE = "issues/13.yaml"
SRC = Path(__file__).resolve().parents[2] / "src"
NO_POSIX = "import sys\nsys.modules['fcntl'] = sys.modules['pwd'] = None\n"


@pytest.fixture
def windowsish(tmp_path) -> dict:
    """The environment of a child that can import neither fcntl nor pwd and has no login name."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_POSIX, encoding="utf-8")
    env = {name: value for name, value in os.environ.items()
           if name not in ("USER", "LOGNAME", "LNAME", "USERNAME", "RECTIFY_USER")}
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(SRC), os.environ.get("PYTHONPATH", "")])
    return env


def item(ledger: Path, item_id: str) -> dict:
    problem, number = item_id.split(".")
    data = yaml.safe_load((ledger / "issues" / f"{problem}.yaml").read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["number"] == int(number))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- point 11: no fcntl, no pwd, no login name ------------------------------------------------------


def test_the_environment_really_lacks_fcntl_and_pwd(windowsish, tmp_path):
    probe = "import importlib\nfor name in ('fcntl', 'pwd'):\n    try:\n        importlib.import_module(name)\n" \
            "        print(name, 'present')\n    except ImportError:\n        print(name, 'missing')\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=windowsish, timeout=10)
    assert done.stdout.split("\n")[:2] == ["fcntl missing", "pwd missing"], done.stdout + done.stderr


@pytest.mark.slow
def test_every_command_runs_without_fcntl_pwd_or_a_login_name(ledger, windowsish, tmp_path):
    pdf = tmp_path / "整改报告.pdf"
    pdf.write_bytes(b"%PDF-1.4 report\n")
    named = {**windowsish, "RECTIFY_USER": "李四"}
    runs = [
        (windowsish, ("list",)),
        (windowsish, ("show", "13.2")),
        (windowsish, ("--today", TODAY, "close", "13.2", "--evidence", str(pdf))),
        (named, ("--today", TODAY, "note", "13.1", "已约谈外包单位")),
        (named, ("--today", TODAY, "note", "13.1", "第二次进展")),
        (windowsish, ("undo", "--yes")),
        (windowsish, ("summary",)),
        (windowsish, ("export",)),
    ]
    for env, args in runs:
        out = run(ledger, *args, env=env)
        assert (out.code, out.stderr) == (0, ""), (args, out.code, out.stderr[-2000:])
        assert out.stdout, args
    rows = {row[0]: row for row in csv.reader(io.StringIO(out.stdout.removeprefix("\ufeff")))}  # the export
    cells = dict(zip(rows["序号"], rows["13.2"], strict=True))
    assert len(rows) == 35 and (cells["完成情况"], cells["销号日期"], cells["佐证材料"]) == (
        "已销号", TODAY, "evidence/13.2/整改报告.pdf")
    closed = item(ledger, "13.2")
    assert closed["closed_by"] == f"uid {os.getuid()}"  # neither RECTIFY_USER nor a login name
    assert closed["evidence"][0] == {"path": "evidence/13.2/整改报告.pdf", "size": 16, "sha256": sha(pdf.read_bytes())}
    assert [(h["by"], h["note"]) for h in item(ledger, "13.1")["history"]] == [("李四", "已约谈外包单位")]  # one undone


@pytest.mark.slow
def test_a_lock_held_by_a_killed_command_without_fcntl_does_not_block_the_next(ledger, windowsish, tmp_path):
    """Without fcntl the lock is still the system's flock (this process sees it taken), and the
    system drops it when its holder is killed: the next writer goes on at once."""
    video = tmp_path / "现场录像.bin"
    with video.open("wb") as handle:
        handle.truncate(256 << 20)  # long to copy: the close holds the lock meanwhile
    assert run(ledger, "list", env=windowsish).code == 0  # .rectify/lock exists from here on
    args = ["--ledger", str(ledger), "--today", TODAY, "close", "13.2", "--by", "张三", "--evidence", str(video)]
    holder = subprocess.Popen([sys.executable, "-m", "rectify_cli", *args], env=windowsish,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while lock_is_free(ledger):
            assert holder.poll() is None, holder.communicate()[1]
            assert time.monotonic() < deadline, "the close never took the lock"
            time.sleep(0.001)
        holder.send_signal(signal.SIGKILL)
    finally:
        holder.kill()
        holder.wait()
    assert holder.returncode == -signal.SIGKILL, "the close ended before it was killed"
    out = run(ledger, "--today", TODAY, "note", "13.1", "锁已释放", "--by", "张三", env=windowsish, timeout=20)
    assert (out.code, out.stderr) == (0, "")
    assert out.seconds < 10, out.seconds  # the lock's wait runs to 30 s
    assert item(ledger, "13.2")["status"] == "open"
    assert sorted(p.name for p in (ledger / ".rectify").iterdir() if p.name.endswith(".tmp")) == []  # swept


# --- point 10 (part): a user id without a passwd entry ------------------------------------------


def test_closed_by_falls_back_to_the_uid_without_a_passwd_entry(ledger):
    """The child's real user id (what getpass and os.getuid see) is one with no account; its
    effective id stays root's, so it can still read the Python installed under /root."""
    if os.geteuid() != 0:
        pytest.skip("needs root to change the child's user id")
    pwd = pytest.importorskip("pwd")
    unused = 54321
    with pytest.raises(KeyError):
        pwd.getpwuid(unused)
    env = {name: value for name, value in os.environ.items() if name not in ("USER", "LOGNAME", "LNAME", "USERNAME")}
    out = run(ledger, "--today", TODAY, "close", "13.2", env=env, preexec=lambda: os.setresuid(unused, 0, 0))
    expect(out, 0, stdout=None)
    assert "经办:uid 54321" in out.stdout
    assert item(ledger, "13.2")["closed_by"] == "uid 54321"
    named = run(ledger, "--today", TODAY, "note", "13.1", "进展", env={**env, "RECTIFY_USER": "王五"},
                preexec=lambda: os.setresuid(unused, 0, 0))
    expect(named, 0, stdout=None)
    assert item(ledger, "13.1")["history"][-1]["by"] == "王五"


# --- point 4: the record is the copy's ---------------------------------------------------------------


@pytest.mark.slow
def test_slow_a_source_growing_during_the_copy_is_recorded_as_copied(ledger, tmp_path):
    source = tmp_path / "big.pdf"
    source.write_bytes(os.urandom(30 << 20))
    stop = threading.Event()

    def append():
        with source.open("ab") as handle:
            while not stop.is_set():
                handle.write(os.urandom(4096))
                handle.flush()
                time.sleep(0.001)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", "--evidence", str(source), timeout=60)
    finally:
        stop.set()
        writer.join()
    expect(out, 0, stdout=None)
    (record,) = item(ledger, "13.2")["evidence"]
    copied = (ledger / record["path"]).read_bytes()
    assert (record["size"], record["sha256"]) == (len(copied), sha(copied))
    assert len(copied) >= 30 << 20 and source.read_bytes().startswith(copied)
    expect(run(ledger, "--today", TODAY, "check", timeout=60), 0, *BLANK_LINES, stdout=CLEAN)


@pytest.mark.slow
def test_a_proc_file_is_recorded_with_the_bytes_copied(ledger):
    """/proc files say size 0 and hold more: the record says what was stored."""
    out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", "--evidence", "/proc/self/status")
    expect(out, 0, stdout=None)
    (record,) = item(ledger, "13.2")["evidence"]
    copied = (ledger / "evidence" / "13.2" / "status").read_bytes()
    assert record == {"path": "evidence/13.2/status", "size": len(copied), "sha256": sha(copied)}
    assert len(copied) > 0
    expect(run(ledger, "--today", TODAY, "check"), 0, *BLANK_LINES, stdout=CLEAN)


@pytest.mark.parametrize("kind", ["目录", "管道", "设备"])
def test_evidence_that_is_not_a_regular_file_is_refused_as_such(ledger, tmp_path, kind):
    if kind == "目录":
        source = tmp_path / "材料"
        source.mkdir()
    elif kind == "管道":
        source = tmp_path / "fifo.pdf"
        os.mkfifo(source)  # no writer: opening it to read would block
    else:
        source = Path("/dev/null")
        assert stat.S_ISCHR(source.stat().st_mode)
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", "--evidence", str(source))
    expect(out, 1, f"rectify: 佐证材料不是普通文件(是{kind}):{source}")
    assert tree(ledger) == before


def test_missing_evidence_is_called_missing(ledger, tmp_path):
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", "--evidence", str(tmp_path / "无.pdf"))
    expect(out, 1, f"rectify: 佐证材料文件不存在:{tmp_path / '无.pdf'}")
    assert tree(ledger) == before


# --- point 11: names Windows accepts ------------------------------------------------------------------


WINDOWS_INVALID = re.compile(r'[<>:"/\\|?*\x00-\x1f]|[. ]$|^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\.|$)', re.IGNORECASE)


@pytest.mark.slow
def test_evidence_names_are_stored_valid_on_windows_keeping_the_original(ledger, tmp_path):
    names = {"a:b?.pdf": "a_b_.pdf", "CON.pdf": "_CON.pdf", "报告. ": "报告", "nul.tar.gz": "_nul.tar.gz"}
    args = []
    for name in names:
        folder = tmp_path / f"来源{len(args)}"
        folder.mkdir()
        (folder / name).write_bytes(name.encode())
        args += ["--evidence", str(folder / name)]
    out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", *args)
    expect(out, 0, stdout=None)
    stored = sorted(p.name for p in (ledger / "evidence" / "13.2").iterdir())
    assert stored == sorted(names.values())
    assert not [name for name in stored if WINDOWS_INVALID.search(name)]
    records = item(ledger, "13.2")["evidence"]
    assert [(r["name"], r["path"]) for r in records] == [(n, f"evidence/13.2/{s}") for n, s in names.items()]
    assert all(r["sha256"] == sha(r["name"].encode()) for r in records)
    expect(run(ledger, "--today", TODAY, "check"), 0, *BLANK_LINES, stdout=CLEAN)


# --- point 5: the sweep takes only the tool's own leftovers ----------------------------------------


def test_files_that_only_look_temporary_survive_every_edit(ledger):
    gone = dead_pid()
    users = [ledger / ".备份.2022.tmp", ledger / ".notes.99999999999.tmp", ledger / "issues" / f".13.yaml.{gone}.tmp",
             ledger / "issues" / f".notes.{gone}.0a1b2c3d.tmp", ledger / ".rectify" / f".mine.{gone}.0a1b2c3d.tmp"]
    leftover = ledger / "issues" / f".13.yaml.{gone}.0a1b2c3d.tmp"  # the tool's own, its writer gone
    (ledger / ".rectify").mkdir()
    for path in [*users, leftover]:
        path.write_bytes("用户的文件".encode())
    for number in range(2):
        out = run(ledger, "--today", TODAY, "note", "13.1", f"第 {number + 1} 次进展", "--by", "张三")
        expect(out, 0, stdout=None)
    assert not leftover.exists()
    assert [path.read_bytes().decode() for path in users] == ["用户的文件"] * len(users)


def test_names_differing_only_in_case_get_two_files(ledger, tmp_path):
    """One close with A.pdf and a.pdf: on Windows and macOS they would be one file."""
    sources = [tmp_path / "一" / "A.pdf", tmp_path / "二" / "a.pdf"]
    for source in sources:
        source.parent.mkdir()
        source.write_bytes(source.parent.name.encode())
    out = run(ledger, "--today", TODAY, "close", "13.2", "--by", "张三", *(f"--evidence={s}" for s in sources))
    expect(out, 0, stdout=None)
    assert [r["path"] for r in item(ledger, "13.2")["evidence"]] == ["evidence/13.2/A.pdf", "evidence/13.2/a-1.pdf"]
