"""Hostile environments, for real: a full disk, a read-only ledger, many writers, SIGKILL.

Everything runs `python -m rectify_cli` in real processes. The full-disk and read-only
tests mount a small tmpfs / a read-only bind mount, so they need root (CAP_SYS_ADMIN);
without it they skip and say why. The 200-kill test takes about 35 s on two cores:
deselect it (and the other slow ones) with `-k "not slow"`.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from rectify_cli import checks
from rectify_cli.model import Problem
from rectify_cli.yamlsource import parse

from ..conftest import DATA, REFERENCE, make_live, snapshot
from .support import dead_pid, lock_is_free, without_blanks

TODAY = "2022-03-01"
DAY = dt.date(2022, 3, 1)
BY = "张三"
PAGE = 4096
SHIPPED_ITEMS = 34
DISK_FULL = re.compile(r"磁盘空间不足|磁盘已满|磁盘空间已满")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- running the real command -----------------------------------------------------------------


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


def command(ledger: Path, *args: str, today: bool = True) -> list[str]:
    dated = ["--today", TODAY] if today else []
    return [sys.executable, "-m", "rectify_cli", "--ledger", str(ledger), *dated, *args]


def run(ledger: Path, *args: str, env: dict | None = None, timeout: float = 60) -> Finished:
    done = subprocess.run(command(ledger, *args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    return Finished(done.returncode, done.stdout, done.stderr)


def spawn(ledger: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(command(ledger, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> Finished:
    stdout, stderr = process.communicate(timeout=90)
    return Finished(process.returncode, stdout, stderr)


def no_cache_env(tmp_path: Path) -> dict:
    """No cache key can be made (its folder would be under a regular file): the cache is off."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    return {"XDG_CACHE_HOME": str(blocker)}


def one_line(out: Finished) -> str:
    """The command failed cleanly: exactly one `rectify: …` line, no traceback."""
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("rectify: "), lines[0]
    return lines[0]


def assert_clear_chinese(line: str) -> None:
    """Not a crash report: Chinese words saying what failed, no raw OSError text."""
    assert "内部错误" not in line, line
    assert "Errno" not in line and "OSError" not in line, line
    assert CJK.search(line.removeprefix("rectify: ")), line


def temp_files(root: Path, *, private: bool = True) -> list[str]:
    """Left-over temporary files (`.13.yaml.x1y2.tmp`, `.cache.123.tmp`), optionally outside .rectify/ only."""
    found = []
    for path in root.rglob("*.tmp"):
        relative = path.relative_to(root)
        if private or ".rectify" not in relative.parts:
            found.append(relative.as_posix())
    return sorted(found)


def check_passes(ledger: Path, *, warnings: bool = True) -> Finished:
    """`rectify check` exits 0; with warnings=False it prints nothing on stderr but the shipped
    ledger's completeness warnings."""
    out = run(ledger, "check")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("检查通过"), out.stdout
    assert all(": 警告: " in line for line in out.stderr.splitlines()), out.stderr
    if not warnings:
        assert without_blanks(out.stderr) == "", out.stderr
    return out


def copy_ledger(target: Path) -> Path:
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".rectify"))
    return make_live(target)


def random_file(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


# --- mounts ------------------------------------------------------------------------------------


def mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def need_mount(done: subprocess.CompletedProcess, what: str) -> None:
    if done.returncode != 0:
        pytest.skip(f"cannot {what} (needs root with CAP_SYS_ADMIN): {done.stderr.strip() or done.returncode}")


class Disk:
    """A small tmpfs, to be filled up."""

    def __init__(self, mountpoint: Path):
        self.path = mountpoint
        self.filler = mountpoint / "filler.bin"

    def free(self) -> int:
        info = os.statvfs(self.path)
        return info.f_bavail * info.f_frsize

    def fill(self, leave: int) -> None:
        """Leave exactly `leave` bytes (a multiple of the page size) free."""
        assert leave % PAGE == 0
        with self.filler.open("ab") as handle:
            handle.write(b"\0" * (self.free() - leave))
        assert self.free() == leave, (self.free(), leave)

    def release(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    need_mount(mount("-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mountpoint)), "mount a tmpfs")
    try:
        yield Disk(mountpoint)
    finally:
        unmount(mountpoint)


@pytest.fixture
def on_disk(disk) -> Path:
    """The shipped ledger on the small disk, its .rectify/ (lock, cache) already made."""
    root = copy_ledger(disk.path / "ledger")
    out = run(root, "list")
    assert out.code == 0, out.stderr
    return root


def issue_13(root: Path) -> Path:
    return root / "issues" / "13.yaml"


# --- 1. a full disk --------------------------------------------------------------------------

# Both commands fail while writing: the evidence (300 KB, 8 KB free) or the issue file's
# temporary copy (a note of ~18 KB, one page free).
FULL_DISK_CASES = {
    "close-with-evidence": (2 * PAGE, ("close", "13.2", "--by", BY, "--evidence", "{evidence}")),
    "long-note": (PAGE, ("note", "13.2", "进展" * 3000, "--by", BY)),
}


def run_on_full_disk(case: str, disk: Disk, root: Path, tmp_path: Path) -> Finished:
    leave, args = FULL_DISK_CASES[case]
    evidence = random_file(tmp_path / "佐证" / "整改照片.jpg", 300_000)
    disk.fill(leave)
    return run(root, *(arg.format(evidence=evidence) for arg in args))


@pytest.mark.slow
@pytest.mark.parametrize("case", list(FULL_DISK_CASES))
def test_full_disk_leaves_the_issue_file_intact(case, disk, on_disk, tmp_path):
    before = snapshot(on_disk)
    out = run_on_full_disk(case, disk, on_disk, tmp_path)
    assert out.code != 0, out.stdout
    one_line(out)
    assert issue_13(on_disk).read_bytes() == before["issues/13.yaml"]
    assert {k: v for k, v in snapshot(on_disk).items() if not k.startswith("evidence/")} == before
    assert list((on_disk / "issues").glob(".13.yaml.*")) == []
    assert temp_files(on_disk, private=False) == []
    assert not (on_disk / ".rectify" / "journal").exists() or not any((on_disk / ".rectify" / "journal").iterdir())
    disk.release()
    check_passes(on_disk)


@pytest.mark.parametrize("case", list(FULL_DISK_CASES))
def test_full_disk_says_so_in_one_chinese_line(case, disk, on_disk, tmp_path):
    out = run_on_full_disk(case, disk, on_disk, tmp_path)
    line = one_line(out)
    assert out.code == 1, line
    assert_clear_chinese(line)
    assert DISK_FULL.search(line), line


def test_full_disk_leaves_no_partial_evidence(disk, on_disk, tmp_path):
    out = run_on_full_disk("close-with-evidence", disk, on_disk, tmp_path)
    assert out.code != 0
    leftover = sorted(p.relative_to(on_disk).as_posix() for p in (on_disk / "evidence").rglob("*")) \
        if (on_disk / "evidence").exists() else []
    assert leftover == []
    disk.release()
    check_passes(on_disk, warnings=False)


def test_a_read_on_a_full_disk_leaves_no_temporary_cache_file(disk, on_disk):
    (on_disk / ".rectify" / "cache").unlink()  # the next read rebuilds the cache (~25 KB)
    disk.fill(2 * PAGE)
    out = run(on_disk, "list")
    assert (out.code, out.stderr) == (0, "")
    assert temp_files(on_disk) == []


@pytest.mark.slow
def test_a_full_disk_does_not_leave_the_private_folder_unignored(disk):
    root = copy_ledger(disk.path / "ledger")
    disk.fill(0)
    assert run(root, "list").code == 0
    disk.release()
    assert run(root, "list").code == 0
    assert (root / ".rectify" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_full_disk_when_only_the_undo_record_does_not_fit(disk, on_disk, tmp_path):
    """The issue file (one page) fits; its undo record (base64 of the old file, two pages) does not."""
    path = issue_13(on_disk)
    padded = path.read_bytes() + ("# " + "备注" * 340 + "\n").encode("utf-8")
    path.write_bytes(padded)
    assert len(padded) + 200 < PAGE < len(base64.b64encode(padded))
    before = snapshot(on_disk)
    disk.fill(PAGE)
    out = run(on_disk, "note", "13.2", "短进展", "--by", BY, env=no_cache_env(tmp_path))
    line = one_line(out)
    assert path.read_bytes() == padded, f"the note landed although the command failed: {out.code} {line}"
    assert snapshot(on_disk) == before
    assert out.code == 1, line
    assert_clear_chinese(line)
    assert DISK_FULL.search(line), line
    assert temp_files(on_disk) == []


@pytest.mark.slow
def test_full_disk_during_an_import_writes_all_or_nothing(disk, tmp_path):
    root = disk.path / "new"
    out = subprocess.run([sys.executable, "-m", "rectify_cli", "init", str(root), "--title", "测试台账"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert run(root, "list").code == 0
    before = snapshot(root)
    disk.fill(5 * PAGE)  # room for a few of the 17 issue files
    out = run(root, "import", "text", str(REFERENCE), env=no_cache_env(tmp_path))
    line = one_line(out)
    assert snapshot(root) == before, sorted(set(snapshot(root)) ^ set(before))
    assert out.code == 1, line
    assert_clear_chinese(line)
    assert DISK_FULL.search(line), line
    assert temp_files(root) == []


# --- 2. a read-only ledger -----------------------------------------------------------------


@pytest.fixture(params=["used", "no-cache", "never-used"])
def readonly(request, tmp_path):
    """The ledger through a read-only bind mount (binds root too).

    `used`: it has a .rectify/ with a cache and one undo record; `no-cache`: the same without
    the cache, so a read tries to write one; `never-used`: no .rectify/ at all.
    """
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    source = copy_ledger(tmp_path / "ledger")
    if request.param != "never-used":
        assert run(source, "note", "13.2", "只读前的进展", "--by", BY).code == 0
        assert run(source, "list").code == 0
    if request.param == "no-cache":
        (source / ".rectify" / "cache").unlink()
    view = tmp_path / "readonly"
    view.mkdir()
    need_mount(mount("--bind", str(source), str(view)), "bind-mount the ledger")
    try:
        done = mount("-o", "remount,ro,bind", str(view))
        need_mount(done, "remount the bind mount read-only")
        probe = view / "probe"
        with pytest.raises(OSError) as caught:
            probe.write_text("", encoding="utf-8")
        assert caught.value.errno == errno.EROFS
        yield view
    finally:
        unmount(view)


READS = {"list": ("list",), "show": ("show", "13.2"), "summary": ("summary",), "check": ("check",)}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(READS))
def test_reads_work_on_a_read_only_ledger(name, readonly):
    before = snapshot(readonly)
    out = run(readonly, *READS[name])
    assert (out.code, without_blanks(out.stderr)) == (0, ""), out.stderr
    assert out.stdout.strip()
    assert snapshot(readonly) == before


WRITES = {
    "close": ("close", "13.2", "--by", BY),
    "note": ("note", "13.2", "进展", "--by", BY),
    "reopen": ("reopen", "13.1", "--reason", "回头看发现问题", "--by", BY),
    "undo": ("undo", "--yes"),
    "import": ("import", "text", "--force", str(REFERENCE)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WRITES))
def test_writes_refuse_on_a_read_only_ledger(name, readonly):
    before = snapshot(readonly)
    private = snapshot(readonly / ".rectify")
    out = run(readonly, *WRITES[name])
    line = one_line(out)
    assert out.code == 1, line
    assert_clear_chinese(line)
    assert re.search(r"无法.*写入|只读|没有.*权限|没有可撤销", line), line
    assert snapshot(readonly) == before
    assert snapshot(readonly / ".rectify") == private


# --- ledgers with ten items in three files -----------------------------------------------------

SPREAD = {18: (1, 2, 3, 4), 19: (1, 2, 3), 20: (1, 2, 3)}
ITEM_IDS = [f"{problem}.{number}" for problem, numbers in SPREAD.items() for number in numbers]
INITIALLY_CLOSED = {"18.2", "18.4", "19.2", "20.1", "20.3"}
EARLIER = dt.date(2022, 2, 20)
EARLIER_BY = "李四"


def spread_issue(problem: int, numbers, closed: set[str]) -> str:
    parts = [f"# 故障测试用的问题 {problem}\nid: {problem}\naspect: 三\ntitle: 第 {problem} 个测试问题\nitems:\n"]
    for number in numbers:
        parts.append(f"  - number: {number}\n    title: 第 {problem}.{number} 项具体问题\n")
        if f"{problem}.{number}" in closed:
            parts.append(f"    status: closed\n    closed_on: {EARLIER}\n    closed_by: {EARLIER_BY}\n")
        else:
            parts.append("    status: open  # 待核实\n")
    return "".join(parts) + "# 文件结尾的注释\n"


@pytest.fixture
def spread(ledger) -> Path:
    """The copied ledger, live, plus 18.yaml–20.yaml: ten items, five of them closed; stated_items matches."""
    info = ledger / "ledger.yaml"
    total = SHIPPED_ITEMS + len(ITEM_IDS)
    info.write_text(re.sub(r"stated_items: \d+", f"stated_items: {total}", info.read_text(encoding="utf-8")),
                    encoding="utf-8")
    for problem, numbers in SPREAD.items():
        (ledger / "issues" / f"{problem}.yaml").write_text(spread_issue(problem, numbers, INITIALLY_CLOSED),
                                                           encoding="utf-8")
    return ledger


def issue_path(root: Path, item_id: str) -> Path:
    return root / "issues" / f"{int(item_id.split('.')[0]):02d}.yaml"


def item_of(root: Path, item_id: str) -> dict:
    number = int(item_id.split(".")[1])
    items = yaml.safe_load(issue_path(root, item_id).read_text(encoding="utf-8"))["items"]
    return next(item for item in items if item["number"] == number)


def journal_records(root: Path) -> list[Path]:
    return sorted((root / ".rectify" / "journal").glob("*.json"))


def test_spread_ledger_is_valid(spread):
    check_passes(spread, warnings=False)


# --- 3. fifty writers at once ------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_concurrent_edits_across_ten_items_all_land(spread):
    """Five open items closed twice each (one wins, one is told it is closed), five closed
    items reopened, 35 notes spread over all ten: 45 successes, 5 deterministic refusals."""
    to_close = [item_id for item_id in ITEM_IDS if item_id not in INITIALLY_CLOSED]
    commands: list[tuple[str, ...]] = []
    for item_id in to_close:
        commands += [("close", item_id, "--by", f"甲{item_id}"), ("close", item_id, "--by", f"乙{item_id}")]
    commands += [("reopen", item_id, "--reason", f"回头看 {item_id}", "--by", BY) for item_id in INITIALLY_CLOSED]
    notes = {f"进展 {n:02d}": ITEM_IDS[n % len(ITEM_IDS)] for n in range(35)}
    commands += [("note", item_id, text, "--by", BY) for text, item_id in notes.items()]
    assert len(commands) == 50
    random.Random(50).shuffle(commands)
    started = time.monotonic()
    results = [finish(p) for p in [spawn(spread, *args) for args in commands]]
    elapsed = time.monotonic() - started
    outcomes = dict(zip(commands, results, strict=True))

    refusals = {args: out for args, out in outcomes.items() if out.code != 0}
    assert all(args[0] == "close" for args in refusals), {a: o.stderr for a, o in refusals.items()}
    assert sorted(args[1] for args in refusals) == sorted(to_close)
    for args, out in refusals.items():
        line = one_line(out)
        assert out.code == 1, line
        winner = item_of(spread, args[1])["closed_by"]
        assert winner != args[3] and winner.endswith(args[1])
        assert f"{args[1]} 已于 {TODAY} 销号(经办:{winner})" in line, line
    for item_id in ITEM_IDS:
        item = item_of(spread, item_id)
        history = item.get("history", [])
        actions = Counter(entry["action"] for entry in history)
        noted = sorted(entry["note"] for entry in history if entry["action"] == "progress")
        assert noted == sorted(text for text, target in notes.items() if target == item_id), item_id
        if item_id in INITIALLY_CLOSED:
            assert item["status"] == "open" and "closed_on" not in item, item
            assert actions == Counter(progress=len(noted), reopen=1), item
            [reopen] = [entry for entry in history if entry["action"] == "reopen"]
            assert (reopen["closed_on"], reopen["closed_by"]) == (EARLIER, EARLIER_BY)
        else:
            assert (item["status"], item["closed_on"]) == ("closed", DAY), item
            assert actions == Counter(progress=len(noted), close=1), item
    for problem in SPREAD:
        text = (spread / "issues" / f"{problem}.yaml").read_text(encoding="utf-8")
        assert text.startswith(f"# 故障测试用的问题 {problem}\n") and text.endswith("# 文件结尾的注释\n")
    assert temp_files(spread) == []
    assert len(journal_records(spread)) == 45
    check_passes(spread, warnings=False)
    assert elapsed < 60, f"50 commands took {elapsed:.1f} s"


# --- 4. SIGKILL at 200 random moments ----------------------------------------------------------

KILLS = 200
CHECK_EVERY = 20


def typical_run_seconds(root: Path) -> float:
    durations = []
    for n in range(3):
        started = time.monotonic()
        assert run(root, "note", "20.2", f"计时 {n}", "--by", BY).code == 0
        durations.append(time.monotonic() - started)
    return statistics.median(durations)


def validated(path: Path, data: bytes) -> dict:
    """The file parses, validates as a Problem, and its data (as PyYAML reads it)."""
    source = parse(path, data.decode("utf-8"))
    problem, found = checks.validate(source, Problem)
    assert problem is not None and not [d for d in found if d.is_error], found
    return yaml.safe_load(data)


def without(item: dict, *keys: str) -> dict:
    return {key: value for key, value in item.items() if key not in keys}


def unfinished_records(root: Path) -> list[Path]:
    return sorted((root / ".rectify" / "journal").glob("*.pending.json"))


def roll_back_by_check(root: Path, target: Path, before: bytes) -> dict:
    """`check` puts back what a command killed half-way had replaced: the file as before it."""
    out = run(root, "check")
    assert out.code == 0 and "上次命令中断,已回滚 1 个文件" in out.stderr, out.stderr
    assert target.read_bytes() == before and unfinished_records(root) == []
    return validated(target, before)


def assert_before_or_after(root: Path, action: str, item_id: str, text: str, old: dict, new: dict) -> str:
    """The edited file holds either exactly the old item or the whole edit; nothing else changed."""
    number = int(item_id.split(".")[1])
    others_old = [item for item in old["items"] if item["number"] != number]
    others_new = [item for item in new["items"] if item["number"] != number]
    assert others_new == others_old and without(new, "items") == without(old, "items")
    before = next(item for item in old["items"] if item["number"] == number)
    after = next(item for item in new["items"] if item["number"] == number)
    if after == before:
        return "before"
    history = after.get("history", [])
    assert history[:-1] == before.get("history", []), after
    event = history[-1]
    assert (event["date"], event["action"]) == (DAY, {"note": "progress"}.get(action, action)), event
    if action == "note":
        assert event["note"] == text and without(after, "history") == without(before, "history")
    elif action == "close":
        assert (after["status"], after["closed_on"], after["closed_by"]) == ("closed", DAY, BY), after
        records = after.get("evidence", [])[len(before.get("evidence", [])):]
        assert records == event.get("evidence", [])
        for record in records:
            assert (root / record["path"]).stat().st_size == record["size"], record
        kept = ("status", "closed_on", "closed_by", "evidence", "history")
        assert without(after, *kept) == without(before, *kept)
    else:
        assert after["status"] == "open" and "closed_on" not in after and "closed_by" not in after, after
        assert (event["note"], event["closed_on"]) == (text, before["closed_on"])
        kept = ("status", "closed_on", "closed_by", "history")
        assert without(after, *kept) == without(before, *kept)
    return "after"


@pytest.mark.slow
def test_sigkill_at_200_random_moments_leaves_every_file_valid(spread, tmp_path):
    issue_files = sorted((spread / "issues").glob("*.yaml"))
    sources = [random_file(tmp_path / "佐证" / f"照片{n}.jpg", size, seed=n)
               for n, size in enumerate((200_000, 300_000, 400_000))]
    typical = typical_run_seconds(spread)
    rng = random.Random(2022)
    status = {item_id: item_of(spread, item_id)["status"] for item_id in ITEM_IDS}
    tally: Counter = Counter()
    started = time.monotonic()
    for round_number in range(KILLS):
        wanted = ("close", "note", "reopen")[round_number % 3]
        allowed = {"close": "open", "reopen": "closed"}.get(wanted)
        candidates = [item_id for item_id in ITEM_IDS if allowed is None or status[item_id] == allowed]
        action = wanted if candidates else "note"
        item_id = rng.choice(candidates or ITEM_IDS)
        text = f"第 {round_number} 轮"
        args = {"note": ("note", item_id, text), "reopen": ("reopen", item_id, "--reason", text),
                "close": ("close", item_id)}[action] + ("--by", BY)
        if action == "close" and round_number % 2:
            args += ("--evidence", str(rng.choice(sources)))
        before = {path: path.read_bytes() for path in issue_files}
        process = subprocess.Popen(command(spread, *args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # mostly mid-run; every tenth round after a whole run, so that finished runs are checked too
        time.sleep(1.5 * typical if round_number % 10 == 9 else rng.uniform(0, typical))
        ended = process.poll() is not None
        process.kill()
        _, stderr = process.communicate(timeout=60)
        code = process.returncode
        assert code == 0 if ended else code in (0, -signal.SIGKILL), (round_number, args, code, stderr)

        target = issue_path(spread, item_id)
        after = {path: path.read_bytes() for path in issue_files}
        assert {p: b for p, b in after.items() if p != target} == {p: b for p, b in before.items() if p != target}
        new = validated(target, after[target])
        state = assert_before_or_after(spread, action, item_id, text, yaml.safe_load(before[target]), new)
        assert state == "after" or code != 0, (round_number, args, "exit 0 but nothing written")
        if unfinished_records(spread):  # killed between its rename and its record marked applied
            assert code != 0, (round_number, args)
            state, new = "rolled back", roll_back_by_check(spread, target, before[target])
        status[item_id] = next(i for i in new["items"] if i["number"] == int(item_id.split(".")[1]))["status"]
        tally["finished" if code == 0 else f"killed, {state}"] += 1
        if (round_number + 1) % CHECK_EVERY == 0:
            check_passes(spread)
    elapsed = time.monotonic() - started
    summary = f"{dict(tally)} in {elapsed:.1f} s (one run {typical:.2f} s)"
    print(summary)
    assert tally["killed, before"] > 0 and tally["killed, after"] + tally["finished"] > 0, summary
    check_passes(spread)
    out = run(spread, "note", "18.1", "清理前的进展", "--by", BY, timeout=20)  # a writer sweeps what kills left
    assert out.code == 0, out.stderr
    assert temp_files(spread) == [], summary
    out = run(spread, "note", "18.1", "最后一条进展", "--by", BY, timeout=20)
    assert out.code == 0, out.stderr
    assert item_of(spread, "18.1")["history"][-1]["note"] == "最后一条进展"


@pytest.mark.slow
def test_files_left_half_written_by_dead_commands_are_swept_by_the_next_writer(spread):
    gone = dead_pid()
    leftovers = [spread / "issues" / f".18.yaml.{gone}.0a1b2c3d.tmp", spread / f".ledger.yaml.{gone}.9e8f7a6b.tmp",
                 spread / ".rectify" / f".evidence.{gone}.deadbeef.tmp", spread / ".rectify" / f".cache.{gone}.5c4d3e2f.tmp",
                 spread / ".rectify" / "journal" / f".000001.json.{gone}.01234567.tmp"]
    live = spread / "issues" / f".19.yaml.{os.getpid()}.0a1b2c3d.tmp"  # a writer still at work keeps its file
    strangers = [spread / "issues" / ".notes.tmp", spread / "issues" / "18.yaml.bak"]  # not the tool's own
    assert run(spread, "list").code == 0  # makes .rectify/
    (spread / ".rectify" / "journal").mkdir()
    for path in [*leftovers, live, *strangers]:
        path.write_bytes(b"half")
    assert run(spread, "list").code == 0  # a read does not sweep (it holds no lock)
    assert all(path.exists() for path in leftovers)
    out = run(spread, "note", "18.1", "进展", "--by", BY)
    assert out.code == 0, out.stderr
    assert [path.exists() for path in leftovers] == [False] * 5
    assert live.exists() and all(path.exists() for path in strangers)


# --- 5. a lock left behind by a killed command ---------------------------------------------------


@pytest.mark.slow
def test_a_lock_held_by_a_killed_command_does_not_block_the_next(spread, tmp_path):
    video = tmp_path / "现场录像.bin"
    with video.open("wb") as handle:
        handle.truncate(256 << 20)  # long to copy: the close holds the lock meanwhile
    assert run(spread, "list").code == 0  # .rectify/lock exists from here on
    before = item_of(spread, "18.1")
    process = spawn(spread, "close", "18.1", "--by", BY, "--evidence", str(video))
    try:
        deadline = time.monotonic() + 30
        while lock_is_free(spread):
            assert process.poll() is None, finish(process).stderr
            assert time.monotonic() < deadline, "the close never took the lock"
            time.sleep(0.001)
        process.send_signal(signal.SIGSTOP)
        assert not lock_is_free(spread), "the close let go of the lock before it was stopped"
        waiting = spawn(spread, "note", "18.2", "等锁的进展", "--by", BY)
        time.sleep(0.8)
        assert waiting.poll() is None, "a writer did not wait for the lock"
    finally:
        process.kill()  # SIGKILL works on a stopped process
        process.wait(timeout=30)
    assert (spread / ".rectify" / "lock").exists()
    started = time.monotonic()
    waited = finish(waiting)
    assert waited.code == 0, waited.stderr
    out = run(spread, "note", "18.3", "锁释放后的进展", "--by", BY)
    assert out.code == 0, out.stderr
    assert time.monotonic() - started < 10, "the lock stayed taken after its holder died"
    assert lock_is_free(spread)
    assert item_of(spread, "18.1") == before
    assert [e["note"] for e in item_of(spread, "18.2")["history"]] == ["等锁的进展"]
    assert [e["note"] for e in item_of(spread, "18.3")["history"]] == ["锁释放后的进展"]
    assert temp_files(spread) == []  # the half-made copy, under .rectify/, swept by the next writer
    assert not (spread / "evidence").exists()  # the copy never reached the ledger's evidence
    check_passes(spread, warnings=False)
