"""What scripts and careful clerks rely on: no file overwritten by surprise, the completeness
warnings of `check`, `list --overdue` without deadlines, and JSON with schema_version."""

from __future__ import annotations

import os

import pytest

from tests.hostile.support import run_child

FAULT = {**os.environ, "RECTIFY_FAULT": "before-replace:1"}


# --- export / report -o: an existing file only with --force -------------------------


@pytest.mark.parametrize("command", [["export", "-f", "csv"], ["report", "-f", "md"]])
def test_output_refuses_an_existing_file(rectify, tmp_path, command):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old")
    out = rectify(*command, "-o", str(target))
    assert out.code == 1
    assert out.stderr == f"rectify: 已存在:{target};加 --force 覆盖\n"
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name != "ledger"] == ["台账.xlsx"]


def test_output_refuses_a_dangling_link(rectify, tmp_path):
    target = tmp_path / "out.csv"
    target.symlink_to(tmp_path / "nowhere")
    out = rectify("export", "-o", str(target))
    assert out.code == 1 and "已存在" in out.stderr
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("command", [["export", "-f", "xlsx"], ["report", "-f", "docx"]])
def test_force_replaces_the_file_by_rename(rectify, tmp_path, command):
    target = tmp_path / "old.bin"
    target.write_bytes(b"old")
    before = target.stat().st_ino
    with target.open("rb") as reader:  # a rename leaves the old file whole for whoever holds it
        out = rectify(*command, "-o", str(target), "--force")
        assert out.code == 0, out.stderr
        assert reader.read() == b"old"
    assert target.stat().st_ino != before
    assert target.read_bytes().startswith(b"PK")  # a zip: xlsx, docx
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger", "old.bin"]  # no temporary file left


def test_new_file_needs_no_force(rectify, tmp_path):
    target = tmp_path / "新.md"
    out = rectify("report", "-o", str(target))
    assert out.code == 0 and out.stderr == f"已写入 {target}\n"
    assert target.read_text(encoding="utf-8").strip()


def test_killed_before_the_rename_leaves_the_old_file(ledger, tmp_path):
    target = tmp_path / "台账.csv"
    target.write_bytes(b"old")
    done = run_child(ledger, "export", "-o", str(target), "--force", env=FAULT)
    assert done.code not in (0, 1), done.stderr  # killed
    assert target.read_bytes() == b"old"
