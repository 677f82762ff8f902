"""Benchmark a workspace of many small ledgers: the inspection office's roll-up (issue 16).

    python bench/workspace.py                       # 100 and 1,000 ledgers; writes its part of bench/RESULTS.md
    python bench/workspace.py --ledgers 100 --runs 3 --results -

Each ledger holds 30 items, two to a problem file as in the shipped ledger (15 files), built
as bench/run.py builds its ledgers, under its own unit name; the members are spread over
three rounds and three levels. Warm runs read every member's cache; cold runs delete every
`.rectify/` first. `sync` is timed on 100 `git:` members whose local bare remotes are up to date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import TODAY, build_ledger, clerk_env, growth, machine, measure, speed, write_section

HERE = Path(__file__).resolve().parent
ITEMS = 30
PER_FILE = 2  # the shipped ledger: 34 items in 17 problem files
ROUNDS = ["四届第七轮", "四届第八轮", "五届第一轮"]
LEVELS = ["县直单位", "乡镇", "村"]
SYNCED = 100
TARGETS = {  # seconds, from the issue
    "summary --by unit (warm)": 1.0,
    "list --overdue (warm)": 1.5,
    "summary --by unit (cold)": 15.0,
    f"sync, {SYNCED} up-to-date remotes": 10.0,
}
PEAK_MB = 300


def unit_name(index: int) -> str:
    return f"单位{index:04d}"


def build_workspace(root: Path, ledgers: int) -> None:
    """`ledgers` path: members under root/units, each a 30-item ledger of its own unit."""
    entries = ["title: 基准测试 巡察整改汇总", "ledgers:"]
    for index in range(ledgers):
        folder = root / "units" / f"u{index:04d}"
        build_ledger(folder, ITEMS, seed=index, per_file=PER_FILE)
        _rename_unit(folder, unit_name(index))
        entries += [f"  - path: units/u{index:04d}", f"    round: {ROUNDS[index % 3]}",
                    f"    level: {LEVELS[index // 3 % 3]}"]
    (root / "workspace.yaml").write_text("\n".join(entries) + "\n", encoding="utf-8")


def _rename_unit(folder: Path, unit: str) -> None:
    info = folder / "ledger.yaml"
    info.write_text(info.read_text(encoding="utf-8").replace("unit: 某县城管执法局", f"unit: {unit}"), encoding="utf-8")


def age(root: Path) -> None:
    """Date every ledger file an hour back: a used ledger's files are older than its cache's racy window."""
    old = time.time_ns() - 3_600_000_000_000
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".yaml"):
                os.utime(os.path.join(folder, name), ns=(old, old))


def drop_caches(root: Path) -> None:
    for state in root.glob("units/*/.rectify"):
        shutil.rmtree(state)


def build_remotes(root: Path, count: int, env: dict) -> Path:
    """`count` bare repositories, each holding a ledger, and a workspace of git: members cloned from them."""
    space = root / "synced"
    entries = ["title: 同步基准", "ledgers:"]
    for index in range(count):
        source = root / "sources" / f"u{index:04d}"
        build_ledger(source, ITEMS, seed=index, per_file=PER_FILE)
        _rename_unit(source, unit_name(index))
        bare = root / "remotes" / f"u{index:04d}.git"
        _git(["init", "--quiet", "-b", "main"], source, env)
        _git(["add", "."], source, env)
        _git(["commit", "--quiet", "-m", "台账"], source, env)
        _git(["clone", "--quiet", "--bare", str(source), str(bare)], root, env)
        entries += [f"  - git: {bare.as_uri()}", f"    name: {unit_name(index)}"]
    space.mkdir()
    (space / "workspace.yaml").write_text("\n".join(entries) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "rectify_cli", "--ledger", str(space), "sync"], env=env,
                   stdout=subprocess.DEVNULL, check=True)
    return space


def _git(args: list[str], cwd: Path, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True)


def bench_size(ledgers: int, runs: int, env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="rectify-ws-bench-") as temp:
        root = Path(temp)
        started = time.perf_counter()
        build_workspace(root, ledgers)
        built = time.perf_counter() - started
        age(root)
        rectify = [sys.executable, "-m", "rectify_cli", "--ledger", str(root), "--today", TODAY]
        by_unit = [*rectify, "summary", "--by", "unit"]
        rows = [
            ("summary --by unit (cold)", measure(by_unit, runs, env, root, prepare=lambda: drop_caches(root))),
            ("summary --by unit (warm)", measure(by_unit, runs, env, root)),
            ("list --overdue (warm)", measure([*rectify, "list", "--overdue", "--format", "tsv"], runs, env, root)),
            ("summary --by aspect (warm)", measure([*rectify, "summary", "--by", "aspect"], runs, env, root)),
            ("check (every ledger, no cache)", measure([*rectify, "check"], runs, env, root)),
        ]
    return {"ledgers": ledgers, "built": built, "rows": rows}


def bench_sync(runs: int, env: dict) -> tuple[str, dict]:
    with tempfile.TemporaryDirectory(prefix="rectify-sync-bench-") as temp:
        space = build_remotes(Path(temp), SYNCED, env)
        argv = [sys.executable, "-m", "rectify_cli", "--ledger", str(space), "sync"]
        return f"sync, {SYNCED} up-to-date remotes", measure(argv, runs, env, space)


def cpu_seconds_of_cold(ledgers: int, env: dict) -> tuple[float, float]:
    """(wall, CPU of the process and its children) of one cold `summary --by unit`: CPU above wall
    shows both cores at work."""
    with tempfile.TemporaryDirectory(prefix="rectify-ws-cores-") as temp:
        root = Path(temp)
        build_workspace(root, ledgers)
        age(root)
        argv = [sys.executable, "-m", "rectify_cli", "--ledger", str(root), "--today", TODAY, "summary", "--by", "unit"]
        before = os.times()
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - started
        after = os.times()
        return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledgers", type=int, nargs="+", default=[100, 1000], help="workspace sizes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md",
                        help="Markdown file to write ('-' for none)")
    args = parser.parse_args()
    env = {**clerk_env(), "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.cn",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.cn"}
    sections = [bench_size(ledgers, args.runs, env) for ledgers in args.ledgers]
    synced = bench_sync(args.runs, env)
    cores = cpu_seconds_of_cold(max(args.ledgers), env)
    report = render(args, sections, synced, cores)
    print(report)
    if str(args.results) != "-":
        write_section(args.results, "bench/workspace.py", report)


def render(args, sections: list[dict], synced: tuple[str, dict], cores: tuple[float, float]) -> str:
    lines = [
        "# rectify workspace benchmark",
        "",
        f"- machine: {machine()}",
        f"- speed: {speed()}",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- members: {ITEMS} items each, {PER_FILE} to a problem file; {args.runs} runs after a warm-up; "
        "stdout to a pipe, read to the end",
        "- warm: every member's cache built; cold: every `.rectify/` deleted before each run",
        f"- reproduce: `python bench/workspace.py --ledgers {' '.join(map(str, args.ledgers))}`",
    ]
    for section in sections:
        lines += _table(f"{section['ledgers']} ledgers, {section['ledgers'] * ITEMS} items "
                        f"(built in {section['built']:.1f} s)", section["rows"])
    lines += _table("sync", [synced])
    wall, cpu = cores
    lines += ["", f"Cold `summary --by unit` of {max(args.ledgers)} ledgers: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({cpu / wall:.1f} cores busy on average)."]
    if len(sections) > 1:
        lines += growth(sections, "ledgers", shown=lambda name: name)
    return "\n".join(lines) + "\n"


def _table(heading: str, rows: list[tuple[str, dict]]) -> list[str]:
    lines = ["", f"## {heading}", "", "| command | median s | min s | max s | peak MB | target | exit |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for name, figures in rows:
        target = TARGETS.get(name)
        verdict = "—" if target is None else f"≤ {target:g} s " + ("met" if figures["median"] <= target else "MISSED")
        if figures["peak_mb"] > PEAK_MB:
            verdict += f"; peak over {PEAK_MB} MB"
        lines.append(f"| `{name}` | {figures['median']:.3f} | {figures['min']:.3f} | {figures['max']:.3f} | "
                     f"{figures['peak_mb']} | {verdict} | {','.join(map(str, figures['exit']))} |")
    return lines


if __name__ == "__main__":
    main()
