"""Benchmark rectify on a large synthetic ledger: whole-process timings and peak memory.

    python bench/run.py --items 10000            # prints a table, writes its part of bench/RESULTS.md
    python bench/run.py --items 100000 --runs 3  # the linear-growth check

The ledger is deterministic: 20 items per problem file, 20% open, outcome
texts cut from the reference report (same lengths), deadlines spread over
eight months. Each command runs once to warm the page cache, then --runs
times; the median, min and max wall time and the peak RSS are reported.
If Taskwarrior (`task`) is installed, the same workload is timed there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "tests" / "fixtures" / "jingxian-chengguan-2022-progress-report.txt"
ITEMS_PER_FILE = 20
OPEN_SHARE = 0.2
TODAY = "2022-06-15"
ASPECTS = {
    "一": "贯彻落实党的路线方针政策和党中央决策部署方面",
    "二": "群众身边腐败问题和不正之风方面",
    "三": "基层党组织软弱涣散、组织力欠缺方面",
}
DEPARTMENTS = ["办公室", "执法大队", "环卫所", "政策法规股", "财务股", "市容管理股"]
LEADS = ["张局长", "李副局长", "王副局长", "赵主任"]
CHANGED_FILES = 10  # the files a pull changes in the `list after … changed` case


def reference_texts() -> tuple[list[str], list[str]]:
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    outcomes = [line.removeprefix("整改成效:") for line in lines if line.startswith("整改成效:")]
    titles = [line[3:].rstrip("。") for line in lines if line[:1] == "(" and line[1:2].isdigit()]
    return outcomes, titles


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def build_ledger(folder: Path, items: int, seed: int = 20220223, per_file: int = ITEMS_PER_FILE) -> list[str]:
    """Write the synthetic ledger, `per_file` items to a problem; return the ids of its open items."""
    rng = random.Random(seed)
    outcomes, titles = reference_texts()
    (folder / "issues").mkdir(parents=True)
    (folder / "ledger.yaml").write_text(
        "title: 基准测试台账\nunit: 某县城管执法局\ninspector: 县委第二巡察组\n"
        "inspection:\n  start: 2021-08-30\n  end: 2021-09-18\nfeedback_date: 2021-10-29\n"
        f"stated_items: {items}\naspects:\n" + "".join(f"  {k}: {v}\n" for k, v in ASPECTS.items()),
        encoding="utf-8",
    )
    open_ids = []
    problems = (items + per_file - 1) // per_file
    first_deadline = dt.date(2021, 11, 1)
    for problem in range(1, problems + 1):
        count = min(per_file, items - (problem - 1) * per_file)
        lines = [f"id: {problem}", f"aspect: {list(ASPECTS)[problem % 3]}", f"title: {quoted(rng.choice(titles))}", "items:"]
        for number in range(1, count + 1):
            is_open = rng.random() < OPEN_SHARE
            deadline = first_deadline + dt.timedelta(days=rng.randrange(240))
            lines += [
                f"  - number: {number}",
                f"    title: {quoted(rng.choice(titles))}",
                f"    lead: {rng.choice(LEADS)}",
                f"    departments: [{rng.choice(DEPARTMENTS)}]",
                f"    deadline: {deadline.isoformat()}",
                f"    status: {'open' if is_open else 'closed'}",
            ]
            if not is_open:
                lines.append(f"    closed_on: {min(deadline, dt.date(2022, 6, 1)).isoformat()}")
            lines.append(f"    outcome: {quoted(rng.choice(outcomes))}")
            if is_open:
                open_ids.append(f"{problem}.{number}" if count > 1 else str(problem))
        (folder / "issues" / f"{problem:04d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return open_ids


def settle(ledger: Path, env: dict) -> None:
    """Build the cache, and let the files age past the cache's racy window, as a used ledger's have."""
    old = time.time_ns() - 3_600_000_000_000
    for path in [ledger / "ledger.yaml", *(ledger / "issues").iterdir()]:
        os.utime(path, ns=(old, old))
    subprocess.run([sys.executable, "-m", "rectify_cli", "--ledger", str(ledger), "list"], env=env,
                   stdout=subprocess.DEVNULL, check=True)


def run_once(argv: list[str], env: dict, cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB, exit code of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    while process.stdout.read(1 << 16):  # stdout to a pipe, as when a clerk pipes it on: read it all
        pass
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    return elapsed, usage.ru_maxrss // 1024, process.returncode


def measure(argv: list[str], runs: int, env: dict, cwd: Path, prepare=None) -> dict:
    if prepare:
        prepare()
    run_once(argv, env, cwd)  # warm-up
    times, peaks, codes = [], [], set()
    for _ in range(runs):
        if prepare:
            prepare()
        elapsed, peak, code = run_once(argv, env, cwd)
        times.append(elapsed)
        peaks.append(peak)
        codes.add(code)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "peak_mb": max(peaks),
            "exit": sorted(codes)}


def rectify_cases(ledger: Path, open_ids: list[str], work: Path) -> list[tuple[str, list[str], object]]:
    rectify = [sys.executable, "-m", "rectify_cli", "--ledger", str(ledger), "--today", TODAY]
    target = open_ids[len(open_ids) // 2]
    copy = work / "copy"

    def fresh_copy():  # the ledger as a clerk has it, its cache included (new inodes: files are re-hashed)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ledger, copy, ignore=shutil.ignore_patterns("journal", "lock"))

    closing = [sys.executable, "-m", "rectify_cli", "--ledger", str(copy), "--today", TODAY, "close", target, "--by", "基准"]

    def pulled_copy():  # a fresh copy in which a pull changed CHANGED_FILES issue files
        fresh_copy()
        files = sorted((copy / "issues").iterdir())
        for path in files[:: max(1, len(files) // CHANGED_FILES)][:CHANGED_FILES]:  # spread over the ledger
            path.write_text(path.read_text(encoding="utf-8") + "# 拉取后的改动\n", encoding="utf-8")

    listing = [sys.executable, "-m", "rectify_cli", "--ledger", str(copy), "--today", TODAY, "list", "--open", "--format", "tsv"]
    return [
        ("rectify --help", [sys.executable, "-m", "rectify_cli", "--help"], None),
        ("rectify list --open --format tsv", [*rectify, "list", "--open", "--format", "tsv"], None),
        ("rectify summary", [*rectify, "summary"], None),
        ("rectify show ID", [*rectify, "show", target], None),
        ("rectify close ID (fresh copy)", closing, fresh_copy),
        ("rectify check", [*rectify, "check"], None),
        (f"rectify list after {CHANGED_FILES} files changed (fresh copy)", listing, pulled_copy),
    ]


def taskwarrior_cases(items: int, work: Path) -> list[tuple[str, list[str], object]]:
    task = shutil.which("task")
    if not task:
        return []
    data = work / "task"
    data.mkdir()
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\n", encoding="utf-8")
    tasks = [{"description": f"任务 {n}", "status": "pending" if n % 5 == 0 else "completed", "entry": "20220101T000000Z",
              "end": "20220201T000000Z"} for n in range(items)]
    for t in tasks:
        if t["status"] == "pending":
            del t["end"]
    env = {**os.environ, "TASKRC": str(rc)}
    subprocess.run([task, "import", "-"], input=json.dumps(tasks), text=True, env=env, capture_output=True, check=True)
    backup = work / "task-backup"
    shutil.copytree(data, backup)

    def restore():
        shutil.rmtree(data)
        shutil.copytree(backup, data)

    return [
        ("task status:pending list", [task, f"rc:{rc}", "status:pending", "list"], None),
        ("task 1 done (fresh copy)", [task, f"rc:{rc}", "1", "done"], restore),
    ]


def write_section(path: Path, script: str, report: str) -> None:
    """Put a script's report in its own marked part of the results file, keeping the others':
    the ledger benchmark and the workspace benchmark share bench/RESULTS.md."""
    begin, end = f"<!-- {script} -->\n", f"<!-- end {script} -->\n"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    section = begin + report + end
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text + ("\n" if text else "") + section
    path.write_text(text, encoding="utf-8")


def clerk_env() -> dict:
    """The environment a clerk's shell gives rectify: no ledger preset, no colour (a pipe), and
    none of this sandbox's Python settings: an installed package runs from compiled bytecode,
    and its output is buffered."""
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("RECTIFY_LEDGER", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
        env.pop(name, None)
    return env


def speed() -> str:
    """How quick this machine is today, to set figures of different days side by side: a bare
    interpreter's start and a fixed loop, best of five."""
    def best(code: str) -> float:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-S", "-c", code], check=True)
            runs.append(time.perf_counter() - started)
        return min(runs)

    start, loop = best("pass"), best("sum(range(10**7))")
    return f"`python -S -c pass` {start:.3f} s; `sum(range(10**7))` {loop - start:.3f} s"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[10000], help="ledger sizes, e.g. 10000 100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="Markdown file to write ('-' for none)")
    args = parser.parse_args()
    sections = [bench_size(items, args.runs) for items in args.items]
    report = render(args, sections)
    print(report)
    if str(args.results) != "-":
        write_section(args.results, "bench/run.py", report)


def bench_size(items: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="rectify-bench-") as temp:
        work = Path(temp)
        started = time.perf_counter()
        open_ids = build_ledger(work / "ledger", items)
        built = time.perf_counter() - started
        env = clerk_env()
        settle(work / "ledger", env)
        rows = [(name, measure(argv, runs, env, work, prepare))
                for name, argv, prepare in rectify_cases(work / "ledger", open_ids, work)]
        theirs = [(name, measure(argv, runs, env, work, prepare))
                  for name, argv, prepare in taskwarrior_cases(items, work)]
    return {"items": items, "built": built, "rows": rows, "theirs": theirs}


def render(args, sections: list[dict]) -> str:
    lines = [
        "# rectify benchmark",
        "",
        f"- machine: {machine()}",
        f"- speed: {speed()}",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- ledgers: {ITEMS_PER_FILE} items per file, {int(OPEN_SHARE * 100)}% open; {args.runs} runs after a "
        "warm-up; stdout to a pipe, read to the end",
        "- the cache in .rectify/ is built first (reads use it; `check` never does); `close` runs on a fresh "
        "copy of the folder, cache included (new inodes: every file is re-hashed)",
        "- reproduce: `python bench/run.py --items 10000 100000`",
    ]
    for section in sections:
        lines += _table(section)
    if len(sections) > 1:
        lines += growth(sections)
    return "\n".join(lines) + "\n"


def _table(section: dict) -> list[str]:
    lines = [
        "",
        f"## {section['items']} items (built in {section['built']:.1f} s)",
        "",
        "| command | median s | min s | max s | peak MB | exit |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, figures in [*section["rows"], *section["theirs"]]:
        lines.append(f"| `{name}` | {figures['median']:.3f} | {figures['min']:.3f} | {figures['max']:.3f} | "
                     f"{figures['peak_mb']} | {','.join(map(str, figures['exit']))} |")
    if section["theirs"]:
        ours, theirs = section["rows"], section["theirs"]
        lines += ["", f"Ratio to Taskwarrior (median): list {ours[1][1]['median'] / theirs[0][1]['median']:.1f}x, "
                  f"close {ours[4][1]['median'] / theirs[1][1]['median']:.1f}x"]
    else:
        lines += ["", "Taskwarrior (`task`) is not installed here: no side-by-side figures."]
    return lines


def growth(sections: list[dict], size: str = "items", shown=lambda name: name.split(" (")[0]) -> list[str]:
    """Time from the smallest size to each larger one: under the size ratio is sub-linear."""
    first = sections[0]
    lines = ["", f"## Growth against {first[size]} {size}", "",
             "| command | " + " | ".join(f"{s[size]} / {first[size]}" for s in sections[1:]) + " |",
             "| --- | " + " | ".join("---:" for _ in sections[1:]) + " |"]
    for index, (name, figures) in enumerate(first["rows"]):
        ratios = [f"{s['rows'][index][1]['median'] / figures['median']:.1f}x time for "
                  f"{s[size] / first[size]:.0f}x {size}" for s in sections[1:]]
        lines.append(f"| `{shown(name)}` | " + " | ".join(ratios) + " |")
    return lines


if __name__ == "__main__":
    main()
