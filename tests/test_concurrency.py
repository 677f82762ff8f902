"""Writers in real processes: serialised by the lock, atomic under SIGKILL, never lost.

Tests whose names contain `slow` start many Python processes (each ~0.3 s); they take a
few seconds each. Skip them with `pytest -k "not slow"`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from rectify_cli import writing

from .conftest import written_earlier
from .hostile.support import without_blanks

TODAY = "2022-03-01"
DAY = dt.date(2022, 3, 1)
BY = "张三"
ITEMS = range(1, 11)
SHIPPED_ITEMS = 34
HEADER = "# 并发测试用的问题:十项都未销号\n"
FOOTER = "# 文件结尾的注释\n"
KILL_ROUNDS = 30


@pytest.fixture
def ledger(live_ledger):
    """These cases edit the shipped ledger after its snapshot's as_of: use it live."""
    return live_ledger


def status_line(number: int) -> str:
    return f"    status: open  # 第 {number} 项待核实"


def many_items() -> str:
    """18.yaml with ten open items, each status line unique (with a comment)."""
    parts = [HEADER, "id: 18\naspect: 三\ntitle: 党员教育管理不严格\nitems:\n"]
    for number in ITEMS:
        parts.append(f"  - number: {number}\n    title: 第 {number} 项具体问题\n{status_line(number)}\n\n")
    return "".join(parts) + FOOTER


@pytest.fixture
def many(ledger) -> Path:
    """The copied ledger with 18.yaml holding ten open items; stated_items matches."""
    info = ledger / "ledger.yaml"
    total = SHIPPED_ITEMS + len(ITEMS)
    info.write_text(re.sub(r"stated_items: \d+", f"stated_items: {total}",
                           info.read_text(encoding="utf-8")), encoding="utf-8")
    (ledger / "issues" / "18.yaml").write_text(many_items(), encoding="utf-8")
    return ledger


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


def command(ledger: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "rectify_cli", "--ledger", str(ledger), "--today", TODAY, *args]


def spawn(ledger: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(command(ledger, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen) -> Finished:
    stdout, stderr = process.communicate(timeout=60)
    return Finished(process.returncode, stdout, stderr)


def issue(ledger: Path) -> Path:
    return ledger / "issues" / "18.yaml"


def items_of(ledger: Path) -> list[dict]:
    return yaml.safe_load(issue(ledger).read_text(encoding="utf-8"))["items"]


def leftovers(ledger: Path) -> list[str]:
    """Temporary files the atomic writes left behind, anywhere in the ledger."""
    return sorted(p.relative_to(ledger).as_posix() for p in ledger.rglob("*.tmp"))


def journal_records(ledger: Path) -> int:
    return len(list((ledger / ".rectify" / "journal").glob("*.json")))


def check_errors(rectify) -> list[str]:
    """`rectify check`: the error lines (warnings allowed); fails if the exit code disagrees."""
    out = rectify("--today", TODAY, "check")
    errors = [line for line in out.stderr.splitlines() if "错误" in line]
    assert (out.code == 0) == (not errors), out.stderr
    return errors


def assert_check_clean(rectify) -> None:
    out = rectify("--today", TODAY, "check")
    assert (out.code, without_blanks(out.stderr)) == (0, ""), out.stderr


def write_atomically(path: Path, text: str) -> None:
    """How an editor saves: a whole new file renamed over the old one."""
    temp = path.with_name(path.name + ".editor")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


# --- many writers at once --------------------------------------------------------------------


def test_slow_twenty_concurrent_notes_and_closes_all_land(many, rectify):
    commands = [("note", f"18.{n}", f"进展 {n}", "--by", BY) for n in ITEMS]
    commands += [("close", f"18.{n}", "--by", BY) for n in ITEMS]
    random.Random(20).shuffle(commands)
    results = [finish(p) for p in [spawn(many, *args) for args in commands]]
    assert [r.code for r in results] == [0] * len(commands), [r.stderr for r in results if r.code]
    for item in items_of(many):
        number = item["number"]
        assert (item["status"], item["closed_on"], item["closed_by"]) == ("closed", DAY, BY)
        events = sorted((entry["action"], entry.get("note")) for entry in item["history"])
        assert events == [("close", None), ("progress", f"进展 {number}")], item
    text = issue(many).read_text(encoding="utf-8")
    assert text.startswith(HEADER) and text.endswith(FOOTER)
    assert leftovers(many) == []
    assert journal_records(many) == len(commands)
    assert_check_clean(rectify)


def test_slow_concurrent_closes_each_see_the_one_before(many):
    """Serialised: the ten closes report ten consecutive completion counts, none twice."""
    results = [finish(p) for p in [spawn(many, "close", f"18.{n}", "--by", BY) for n in ITEMS]]
    assert [r.code for r in results] == [0] * len(ITEMS), [r.stderr for r in results if r.code]
    total = SHIPPED_ITEMS + len(ITEMS)
    counts = sorted(int(re.search(rf"整改完成率 (\d+)/{total} ", r.stdout).group(1)) for r in results)
    assert counts == list(range(counts[0], counts[0] + len(ITEMS))), counts


# --- SIGKILL at random moments ---------------------------------------------------------------


def closed_or_untouched(new: bytes, base: str, number: int, evidence: bytes, ledger: Path) -> str:
    """'before' if the file is exactly as it was, 'after' if item `number` is fully closed."""
    if new == base.encode("utf-8"):
        return "before"
    text = new.decode("utf-8")
    head, tail = base.split(status_line(number))
    assert text.startswith(head) and text.endswith(tail), f"18.{number}: lines outside the item changed"
    old_items = yaml.safe_load(base)["items"]
    items = yaml.safe_load(text)["items"]
    others = [entry for entry in items if entry["number"] != number]
    assert others == [entry for entry in old_items if entry["number"] != number]
    item = items[number - 1]
    assert (item["status"], item["closed_on"], item["closed_by"]) == ("closed", DAY, BY), item
    [record] = item["evidence"]
    assert record["path"].startswith(f"evidence/18.{number}/")
    assert (ledger / record["path"]).read_bytes() == evidence
    assert [entry["action"] for entry in item["history"]] == ["close"]
    return "after"


def uncut_close_seconds(ledger: Path, evidence: Path, base: str) -> float:
    """How long one close runs on this machine: the median of three."""
    durations = []
    for _ in range(3):
        issue(ledger).write_text(base, encoding="utf-8")
        written_earlier(issue(ledger))  # prepared by the test, not being written
        start = time.monotonic()
        assert finish(spawn(ledger, "close", "18.1", "--by", BY, "--evidence", str(evidence))).code == 0
        durations.append(time.monotonic() - start)
    return statistics.median(durations)


def kill_delays(seconds: float) -> list[float]:
    """Stratified over 0 … 1.6 × a full run, seeded: many kills mid-run, several after it ends."""
    rng = random.Random(2022)
    span = 1.6 * seconds
    delays = [span * (k + rng.random()) / KILL_ROUNDS for k in range(KILL_ROUNDS)]
    rng.shuffle(delays)
    return delays


def kill_after(ledger: Path, delay: float, number: int, evidence: Path) -> bool:
    """Start a close, SIGKILL it after `delay`; True if it had already finished by then."""
    process = subprocess.Popen(command(ledger, "close", f"18.{number}", "--by", BY, "--evidence", str(evidence)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = process.poll() is not None
    process.kill()
    code = process.wait(timeout=30)
    assert code == 0 if finished else code in (0, -9), code
    return finished


def test_slow_sigkill_leaves_every_file_before_or_after(many, rectify, tmp_path):
    evidence = tmp_path / "整改照片.jpg"
    evidence.write_bytes(b"\xff\xd8 jpeg bytes " * 64)
    base = many_items()
    untouched = {p: p.read_bytes() for p in (many / "issues").glob("*.yaml") if p.name != "18.yaml"}
    tally: Counter = Counter()
    for round_number, delay in enumerate(kill_delays(uncut_close_seconds(many, evidence, base))):
        number = round_number % len(ITEMS) + 1
        issue(many).write_text(base, encoding="utf-8")
        written_earlier(issue(many))  # prepared by the test, not being written
        finished = kill_after(many, delay, number, evidence)
        state = closed_or_untouched(issue(many).read_bytes(), base, number, evidence.read_bytes(), many)
        tally["finished" if finished else f"killed, {state}"] += 1
        assert check_errors(rectify) == [], f"round {round_number}, 18.{number}"
        assert {p: p.read_bytes() for p in untouched} == untouched
    summary = f"{dict(tally)}, temporary files left: {leftovers(many)}"
    assert tally["finished"] > 0 and tally["killed, before"] + tally["killed, after"] > 0, summary
    issue(many).write_text(base, encoding="utf-8")
    assert finish(spawn(many, "close", "18.1", "--by", BY)).code == 0, "the lock stayed taken"


# --- someone else's change is never overwritten ----------------------------------------------


def test_a_hand_edit_made_before_the_command_survives(many, rectify):
    path = issue(many)
    path.write_text(path.read_text(encoding="utf-8") + "# 人工补充的注释\n", encoding="utf-8")
    out = rectify("--today", TODAY, "close", "18.3", "--by", BY)
    assert out.code == 0, out.stderr
    assert path.read_text(encoding="utf-8").endswith(FOOTER + "# 人工补充的注释\n")
    assert items_of(many)[2]["status"] == "closed"


@contextlib.contextmanager
def holding_the_lock(ledger: Path):
    with open(writing.state_dir(ledger) / "lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def test_slow_commands_wait_for_the_lock_then_read_the_file_afresh(many, rectify):
    path = issue(many)
    with holding_the_lock(many):
        processes = [spawn(many, "close", "18.1", "--by", BY), spawn(many, "note", "18.2", "进展", "--by", BY)]
        time.sleep(1.0)
        assert [p.poll() for p in processes] == [None, None], "a writer did not wait for the lock"
        assert path.read_text(encoding="utf-8") == many_items()
        edited = many_items().replace("title: 第 3 项具体问题", "title: 第 3 项具体问题(人工修改)")
        write_atomically(path, edited + "# 人工补充的注释\n")
    results = [finish(p) for p in processes]
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    items = items_of(many)
    assert items[0]["status"] == "closed"
    assert [entry["note"] for entry in items[1]["history"]] == ["进展"]
    assert items[2]["title"] == "第 3 项具体问题(人工修改)"
    assert path.read_text(encoding="utf-8").endswith("# 人工补充的注释\n")
    assert_check_clean(rectify)


def wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.0005)


def test_slow_a_change_between_read_and_rename_is_not_overwritten(many, rectify, tmp_path):
    """The evidence copy runs after the file is read and before it is replaced: a hand edit
    saved while the copy runs must survive (the command re-reads and re-applies, or refuses)."""
    video = tmp_path / "现场录像.bin"
    with video.open("wb") as handle:
        handle.truncate(64 << 20)
    path = issue(many)
    process = spawn(many, "close", "18.1", "--by", BY, "--evidence", str(video))
    wait_for(many / "evidence" / "18.1" / video.name)
    seen = path.read_text(encoding="utf-8")
    write_atomically(path, seen + "# 复核人加的注释\n")
    result = finish(process)
    assert status_line(1) in seen, "the hand edit came after the command's write; cannot test the window"
    assert path.read_text(encoding="utf-8").endswith("# 复核人加的注释\n")
    item = items_of(many)[0]
    if result.code == 0:
        assert item["status"] == "closed"
        assert journal_records(many) == 1
        assert sorted(p.name for p in (many / "evidence" / "18.1").iterdir()) == [video.name]
        assert_check_clean(rectify)
    else:
        assert item["status"] == "open", result.stderr
    assert leftovers(many) == []
