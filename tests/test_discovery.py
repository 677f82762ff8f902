"""Finding the ledger (DESIGN §7) and running as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import DATA, invoke


@pytest.fixture
def repository(tmp_path):
    """A folder shaped like this repository: the ledger under data/."""
    shutil.copytree(DATA, tmp_path / "repo" / "data", ignore=shutil.ignore_patterns(".rectify"))
    (tmp_path / "repo" / "src" / "deep").mkdir(parents=True)
    return tmp_path / "repo"


def open_count(out) -> int:
    assert out.code == 0, out.stderr
    return len(out.stdout.splitlines()) - 1


def test_found_from_a_subfolder_of_the_repository(repository, monkeypatch):
    monkeypatch.chdir(repository / "src" / "deep")
    assert open_count(invoke("list", "--open")) == 6


def test_found_inside_the_ledger_folder(repository, monkeypatch):
    monkeypatch.chdir(repository / "data" / "issues")
    assert open_count(invoke("list", "--open")) == 6


def test_environment_variable(repository, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert open_count(invoke("list", "--open", env={"RECTIFY_LEDGER": str(repository / "data")})) == 6


def test_option_wins_over_environment(repository, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = invoke("--ledger", str(repository), "list", "--open", env={"RECTIFY_LEDGER": str(tmp_path)})
    assert open_count(out) == 6


def test_ledger_yaml_itself_may_be_named(repository):
    assert open_count(invoke("--ledger", str(repository / "data" / "ledger.yaml"), "list", "--open")) == 6


def test_empty_variable_counts_as_unset(repository, monkeypatch):
    monkeypatch.chdir(repository / "src")
    assert open_count(invoke("list", "--open", env={"RECTIFY_LEDGER": ""})) == 6


def test_outside_any_ledger_says_how_to_point_at_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = invoke("list")
    assert out.code == 1
    assert "--ledger" in out.stderr and "RECTIFY_LEDGER" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_folder_that_is_not_a_ledger(tmp_path):
    out = invoke("--ledger", str(tmp_path), "check")
    assert out.code == 1
    assert str(tmp_path) in out.stderr and "ledger.yaml" in out.stderr


def test_global_options_go_before_the_command(repository):
    out = invoke("list", "--ledger", str(repository))
    assert out.code == 2
    assert "--ledger 是全局选项,须写在命令之前" in out.stderr


def test_python_dash_m_runs_the_tool(repository):
    env = {**os.environ, "RECTIFY_LEDGER": str(repository)}
    done = subprocess.run(
        [sys.executable, "-m", "rectify_cli", "list", "--open"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("8.2\t")


def test_help_is_chinese():
    out = invoke("--help")
    assert out.code == 0
    assert "巡察整改台账" in out.stdout
    assert "列出整改事项" in out.stdout


def test_no_arguments_shows_help():
    out = invoke()
    assert out.code in (0, 2)
    assert "巡察整改台账" in out.stdout + out.stderr
