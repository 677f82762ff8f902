"""A workspace of many ledgers read quickly and rightly (issue 16, point 8): the members' unit
names read from their own line, workspace.yaml validated again only when it changed, and a first
roll-up's ledgers parsed in worker processes giving what one process gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from rectify_cli import rollup

from .conftest import DATA, invoke

TODAY = "2022-02-23"


def _unit(root, folder: str, unit_line: str | None = None):
    target = root / folder
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".rectify"))
    if unit_line is not None:
        info = target / "ledger.yaml"
        text = info.read_text(encoding="utf-8")
        assert "unit: 泾县城管执法局\n" in text
        info.write_text(text.replace("unit: 泾县城管执法局\n", unit_line), encoding="utf-8")
    return target


def _workspace(root, folders: list[str]):
    root.mkdir(exist_ok=True)
    (root / "workspace.yaml").write_text("ledgers:\n" + "".join(f"  - path: {f}\n" for f in folders), encoding="utf-8")
    return root


def _units(root, *args: str) -> list[str]:
    out = invoke("--ledger", str(root), "--today", TODAY, "summary", "--by", "unit", "--format", "json", *args)
    assert out.code == 0, out.stderr
    return [row["label"] for row in json.loads(out.stdout)["rows"]]


@pytest.mark.parametrize(("unit_line", "name"), [
    ("unit: 泾县城管执法局  # 全称\n", "泾县城管执法局"),
    ('unit: "桃花潭镇 #1"\n', "桃花潭镇 #1"),
    ("unit: >-\n  泾县\n  财政局\n", "泾县 财政局"),
    ("unit:\n  泾县审计局\n", "泾县审计局"),
    ("unit: '单引号''镇'\n", "单引号'镇"),
])
def test_a_members_name_is_its_ledgers_unit_as_yaml_reads_it(tmp_path, unit_line, name):
    root = _workspace(tmp_path / "ws", ["a"])
    _unit(root, "a", unit_line)
    assert _units(root) == [name]


def test_workspace_yaml_is_validated_again_once_changed(tmp_path):
    root = _workspace(tmp_path / "ws", ["a", "b"])
    _unit(root, "a")
    _unit(root, "b", "unit: 桃花潭镇\n")
    assert _units(root) == ["泾县城管执法局", "桃花潭镇"]
    assert (root / ".rectify" / "workspace-cache").is_file()
    assert _units(root) == ["泾县城管执法局", "桃花潭镇"]  # from the cache: the same members
    (root / "workspace.yaml").write_text("ledgers:\n  - path: a\n  - pth: b\n", encoding="utf-8")
    out = invoke("--ledger", str(root), "summary")
    assert out.code == 1
    assert "workspace.yaml:3:" in out.stderr, out.stderr
    (root / "workspace.yaml").write_text("ledgers:\n  - path: a\n    round: 四届第七轮\n", encoding="utf-8")
    assert _units(root, "--round", "四届第七轮") == ["泾县城管执法局"]


def test_a_tampered_workspace_cache_is_ignored(tmp_path):
    root = _workspace(tmp_path / "ws", ["a"])
    _unit(root, "a")
    assert _units(root) == ["泾县城管执法局"]
    stored = root / ".rectify" / "workspace-cache"
    data = bytearray(stored.read_bytes())
    data[-5] ^= 0xFF
    stored.write_bytes(bytes(data))
    assert _units(root) == ["泾县城管执法局"]


@pytest.mark.slow
def test_a_first_rollup_of_many_ledgers_reads_them_in_workers_as_one_process_would(tmp_path):
    count = rollup.PARALLEL_FROM + 2
    folders = [f"u{index:02d}" for index in range(count)]
    root = _workspace(tmp_path / "ws", folders)
    for index, folder in enumerate(folders):
        _unit(root, folder, f"unit: 单位{index:02d}\n")
    with (root / "u03" / "issues" / "03.yaml").open("a", encoding="utf-8") as file:
        file.write("  - : 坏\n")
    argv = [sys.executable, "-m", "rectify_cli", "--ledger", str(root), "--today", TODAY, "summary", "--by", "unit",
            "--format", "json"]
    env = {key: value for key, value in os.environ.items() if key != "RECTIFY_LEDGER"}
    cold = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert cold.returncode == 1, cold.stderr
    assert "单位03" in cold.stderr and "issues/03.yaml:" in cold.stderr, cold.stderr
    assert "Traceback" not in cold.stderr
    cached = [folder for folder in folders if (root / folder / ".rectify" / "cache").is_file()]
    assert cached == [folder for folder in folders if folder != "u03"]
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    data = json.loads(cold.stdout)
    assert len(data["rows"]) == count - 1
    assert [gone["unit"] for gone in data["excluded"]] == ["单位03"]
