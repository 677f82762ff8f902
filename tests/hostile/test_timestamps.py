"""Coarse timestamps and other programs' writes: what reads and edits see (issue 10, points 6, 7, 12).

Some tests run on an ext2 file system with one-second timestamps (128-byte inodes), mounted
from an image in tmp_path with `strictatime`, so that a read of a file shows in its atime.
That is a loop mount, which needs root: elsewhere those tests skip and say why; as root, an
image that cannot be made or mounted fails the test.
"""

from __future__ import annotations

import json
import mmap
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rectify_cli import cache

from ..conftest import invoke
from .test_faults import (
    BY,
    TODAY,
    check_passes,
    copy_ledger,
    finish,
    issue_13,
    mount,
    one_line,
    run,
    unmount,
)

IMAGE_BYTES = 8 << 20
PAUSE = 2.5  # longer than the cache's racy window (2 s) is wide


@pytest.fixture
def ext2(tmp_path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("an ext2 file system with one-second timestamps is a loop mount, which needs root")
    image, folder = tmp_path / "ext2.img", tmp_path / "ext2"
    folder.mkdir()
    with image.open("wb") as handle:
        handle.truncate(IMAGE_BYTES)
    made = subprocess.run(["mkfs.ext2", "-q", "-F", "-I", "128", str(image)], capture_output=True, text=True)
    assert made.returncode == 0, f"mkfs.ext2 failed: {made.stderr}"
    mounted = mount("-o", "loop,strictatime", str(image), str(folder))
    assert mounted.returncode == 0, f"cannot mount the ext2 image: {mounted.stderr}"
    try:
        yield folder
    finally:
        unmount(folder)


def variants(path: Path, old: str, *new: str) -> list[bytes]:
    """The file's bytes with `old` replaced by each of `new`, all of the file's size."""
    raw = path.read_bytes()
    assert raw.count(old.encode()) == 1
    found = [raw.replace(old.encode(), text.encode()) for text in new]
    assert {len(data) for data in found} == {len(raw)}
    return found


def overwrite(path: Path, data: bytes) -> None:
    """Write in place, the way an editor that keeps the inode does: same file, same size."""
    with path.open("r+b") as handle:
        handle.write(data)


def next_second() -> None:
    """Just after the clock's next whole second: then a few writes fit in one second."""
    time.sleep(1.02 - time.time() % 1)


def problem_title(root: Path, item_id: str) -> str:
    out = run(root, "show", item_id, "--format", "json")
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)["items"][0]["problem_title"]


# --- point 6: a slow edit keeps the racy window -------------------------------------------------

# A rectify command that has done its imports and stops itself: continued, it reads the ledger at once.
STOPPED_COMMAND = """
import os, runpy, signal
import rectify_cli.cli, rectify_cli.edit, rectify_cli.loading, rectify_cli.model
os.kill(os.getpid(), signal.SIGSTOP)
runpy.run_module("rectify_cli", run_name="__main__", alter_sys=True)
"""


def stopped_command(root: Path, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", STOPPED_COMMAND, "--ledger", str(root), "--today", TODAY, *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), status
    return process


def hand_edit_during_a_slow_edit(root: Path) -> tuple[bytes, bytes] | None:
    """rectify notes 1.1 (01.yaml holds A); in the same second a close of 13.2 starts and reads
    01.yaml, and a hand edit of 01.yaml (B, same size) follows, still in that second. The close
    is then held up for longer than the racy window, as a big evidence copy or a busy machine
    would. Returns (A, B), or None when B fell into the next second (its stat then differs)."""
    other = root / "issues" / "01.yaml"
    assert invoke("--ledger", str(root), "list").code == 0  # in-process: imports done, cache made
    close = stopped_command(root, "close", "13.2", "--by", BY)
    try:
        next_second()
        assert invoke("--ledger", str(root), "--today", TODAY, "note", "1.1", "学习进展", "--by", BY).code == 0
        first = other.read_bytes()
        (second,) = variants(other, "不够深入", "不够透彻")
        os.utime(other, ns=(0, other.stat().st_mtime_ns))  # atime 0, so the close's read shows
        stamped = cache.file_state(other)
        close.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 30
        while os.stat(other).st_atime_ns == 0:
            assert close.poll() is None, finish(close).stderr
            assert time.monotonic() < deadline, "the close never read 01.yaml"
            time.sleep(0.001)
        close.send_signal(signal.SIGSTOP)
        overwrite(other, second)
        same_stat = cache.file_state(other) == stamped
        time.sleep(PAUSE)
    finally:
        close.send_signal(signal.SIGCONT)
    out = finish(close)
    assert out.code == 0, out.stderr
    return (first, second) if same_stat else None


@pytest.mark.slow
def test_slow_edit_a_same_size_hand_edit_in_the_same_second_is_seen_by_the_next_list(ext2):
    for attempt in range(3):
        root = copy_ledger(ext2 / f"ledger-{attempt}")
        written = hand_edit_during_a_slow_edit(root)
        if written:
            break
    else:
        pytest.fail("three times the hand edit did not fit in the second of rectify's own write")
    first, second = written
    recorded = cache.read(root / ".rectify")["files"]["issues/01.yaml"]
    assert recorded[:2] == (cache.file_state(root / "issues" / "01.yaml"), cache.digest(first))  # the close read A
    assert problem_title(root, "1.1").endswith("不够透彻")
    rows = [line for line in run(root, "list").stdout.splitlines() if line.startswith("13.2\t")]
    assert rows[0].endswith("已销号")


# --- point 7: a change the stat does not show -----------------------------------------------------


@pytest.mark.slow
def test_slow_two_same_size_writes_in_one_second_on_ext2_are_read_and_edited_on_top_of(ext2):
    root = copy_ledger(ext2 / "ledger")
    path = issue_13(root)
    first, second = variants(path, "不规范", "不规矩", "不严格")
    assert invoke("--ledger", str(root), "list").code == 0  # in-process from here: quick enough for one second
    for _attempt in range(5):
        next_second()
        overwrite(path, first)
        stamped = cache.file_state(path)
        assert json.loads(invoke("--ledger", str(root), "show", "13.1", "--format", "json").stdout)[
            "items"][0]["problem_title"] == "资产管理不规矩"
        overwrite(path, second)
        if cache.file_state(path) == stamped:
            break
    else:
        pytest.fail("five times the two writes did not fit in one second")
    assert problem_title(root, "13.1") == "资产管理不严格"
    out = run(root, "note", "13.2", "两次写入之后的进展", "--by", BY)
    assert out.code == 0, out.stderr
    text = path.read_text(encoding="utf-8")
    assert "title: 资产管理不严格" in text and "两次写入之后的进展" in text
    check_passes(root, warnings=False)


@pytest.mark.slow
def test_slow_a_write_through_mmap_is_seen_by_check_and_an_edit_lands_on_it(tmp_path):
    root = copy_ledger(tmp_path / "ledger")
    path = issue_13(root)
    recorded, broken, changed = variants(path, "title: 资产管理不规范", "title: 资产管理不规矩", "tilte: 资产管理不规矩",
                                         "title: 资产管理不严格")
    with path.open("r+b") as handle, mmap.mmap(handle.fileno(), 0) as mapped:
        mapped[:] = recorded  # the first write to the page stamps the file; later ones do not
        time.sleep(PAUSE)
        assert run(root, "list").code == 0  # the cache records it, out of the racy window
        stamped = cache.file_state(path)
        mapped[:] = broken
        assert cache.file_state(path) == stamped, "the page was written back meanwhile: try again"
        out = run(root, "check")
        assert out.code == 1
        assert "13.yaml" in out.stderr and "检查未通过" in out.stderr
        mapped[:] = changed
        assert cache.file_state(path) == stamped
        out = run(root, "note", "13.2", "映射写入之后的进展", "--by", BY)
    assert out.code == 0, out.stderr
    assert "反复" not in out.stderr
    text = path.read_text(encoding="utf-8")
    assert "title: 资产管理不严格" in text and "映射写入之后的进展" in text
    assert problem_title(root, "13.1") == "资产管理不严格"
    check_passes(root, warnings=False)


# --- point 12: another program writing slowly ----------------------------------------------------

SLOW_WRITER = """
import sys, time
path, content, cut, pause = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3]), float(sys.argv[4])
with open(path, "wb") as handle:
    handle.write(content[:cut])
    handle.flush()
    print("half", flush=True)
    time.sleep(pause)
    handle.write(content[cut:])
"""

RESTLESS_WRITER = """
import sys, time
path, versions = sys.argv[1], [open(name, "rb").read() for name in sys.argv[2:]]
print("writing", flush=True)
for n in range(1000):
    with open(path, "wb") as handle:
        handle.write(versions[n % 2])
    time.sleep(0.1)
"""


def writer(script: str, *args) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() in ("half\n", "writing\n")
    return process


@pytest.mark.slow
def test_slow_a_file_written_slowly_by_another_program_is_edited_whole(tmp_path):
    root = copy_ledger(tmp_path / "ledger")
    path = issue_13(root)
    assert run(root, "list").code == 0
    raw = path.read_bytes()
    content = raw.replace("未及时处置".encode(), "仍未处置完毕".encode())
    new = tmp_path / "13.yaml"
    new.write_bytes(content)
    cut = content.index(b"  - number: 2")  # the first half alone is a valid file of one item
    note = stopped_command(root, "note", "13.1", "慢写入期间的进展", "--by", BY)
    slow = writer(SLOW_WRITER, path, new, cut, 1.0)
    note.send_signal(signal.SIGCONT)  # it reads the ledger during the writer's pause
    out = finish(note)
    assert slow.wait(timeout=30) == 0
    assert out.code == 0, out.stderr
    text = path.read_text(encoding="utf-8")
    assert "仍未处置完毕" in text and "慢写入期间的进展" in text  # the second half, and the note
    assert text.count("  - number: ") == 2
    check_passes(root, warnings=False)


@pytest.mark.slow
def test_slow_a_file_that_keeps_changing_is_given_up_after_five_seconds(tmp_path):
    root = copy_ledger(tmp_path / "ledger")
    path = issue_13(root)
    versions = []
    for n, data in enumerate(variants(path, "不规范", "不规矩", "不严格")):
        versions.append(tmp_path / f"version-{n}.yaml")
        versions[-1].write_bytes(data)
    restless = writer(RESTLESS_WRITER, path, *versions)
    try:
        started = time.monotonic()
        out = run(root, "note", "13.1", "不该写入的进展", "--by", BY)
        waited = time.monotonic() - started
    finally:
        restless.kill()
        restless.wait()
    line = one_line(out)
    assert out.code == 1
    assert "issues/13.yaml" in line and "5 秒" in line, line
    assert 5 <= waited < 15
    assert "不该写入的进展" not in path.read_text(encoding="utf-8")


def timed_note(root: Path, item_id: str, text: str) -> float:
    started = time.monotonic()
    out = invoke("--ledger", str(root), "--today", TODAY, "note", item_id, text, "--by", BY)
    assert out.code == 0, out.stderr
    return time.monotonic() - started


def listed_copy(target: Path) -> Path:
    root = copy_ledger(target)
    assert invoke("--ledger", str(root), "list").code == 0
    return root


@pytest.mark.slow
def test_slow_successive_edits_of_one_file_never_wait_on_themselves(tmp_path):
    # typical: one note on each of three copies, none of them just written
    typical = statistics.median(timed_note(listed_copy(tmp_path / f"copy-{n}"), "13.2", "计时") for n in range(3))
    root = listed_copy(tmp_path / "ledger")
    total = sum(timed_note(root, "13.2", f"第 {n} 次进展") for n in range(20))
    assert total < 20 * (typical + 0.2), (total, typical)
    history = [line for line in issue_13(root).read_text(encoding="utf-8").splitlines() if "次进展" in line]
    assert len(history) == 20
