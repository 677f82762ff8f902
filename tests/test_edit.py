"""The edit commands (close, reopen, note, undo) on real copies of the shipped ledger."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from rectify_cli.cli import app

from .conftest import snapshot

TODAY = "2022-03-01"
DATED = {"RECTIFY_TODAY": TODAY}
OPEN_IDS = ["8.2", "11.3", "13.2", "15.1", "16", "17"]


# --- helpers ----------------------------------------------------------------------------


def assert_refused(out, fragment: str, ledger: Path, before: dict[str, bytes], code: int = 1) -> None:
    assert out.code == code, (out.code, out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert fragment in lines[0]
    assert "Traceback" not in out.stderr + out.stdout
    assert snapshot(ledger) == before


def load_item(ledger: Path, item_id: str) -> dict:
    problem, _, number = item_id.partition(".")
    data = yaml.safe_load((ledger / "issues" / f"{int(problem):02d}.yaml").read_text(encoding="utf-8"))
    return data["items"][int(number or 1) - 1]


def shown(rectify, item_id: str) -> dict:
    out = rectify("show", item_id, "--format", "json")
    assert out.code == 0, out.stderr
    (item,) = json.loads(out.stdout)["items"]
    return item


def evidence_file(tmp_path: Path, name: str = "处置报告.pdf", content: bytes = b"%PDF-1.4 report\n") -> Path:
    folder = tmp_path / f"src-{hashlib.sha256(content).hexdigest()[:8]}"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def close(rectify, *args: str, by: str = "张三"):
    return rectify("--today", TODAY, "close", *args, "--by", by)


# --- close ------------------------------------------------------------------------------


def test_close_prints_new_state_and_progress(rectify):
    out = close(rectify, "13.2")
    assert out.code == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("已销号 13.2 截止2021年8月底")
    assert lines[0].endswith("(2022-03-01,经办:张三)")
    assert lines[-1] == "整改完成率 29/34 = 85.3%"


def test_close_records_fields_on_disk_and_in_show(ledger, rectify):
    original = load_item(ledger, "13.2")["outcome"]
    out = close(rectify, "13.2", "--on", "2022-02-27", "--outcome", "已全部处置", "--note", "财政局已审核")
    assert out.code == 0, out.stderr
    item = load_item(ledger, "13.2")
    assert item["status"] == "closed"
    assert str(item["closed_on"]) == "2022-02-27"
    assert item["closed_by"] == "张三"
    assert item["outcome"] == "已全部处置"
    (event,) = item["history"]
    assert {k: str(v) for k, v in event.items()} == {
        "date": "2022-02-27", "action": "close", "by": "张三", "note": "财政局已审核", "previous_outcome": original,
    }
    data = shown(rectify, "13.2")
    assert (data["status"], data["closed_on"], data["closed_by"]) == ("closed", "2022-02-27", "张三")
    assert data["history"][0]["previous_outcome"] == original


def test_close_defaults_to_today_and_rectify_user(ledger, rectify):
    out = rectify("close", "13.2", env={**DATED, "RECTIFY_USER": "王五"})
    assert out.code == 0, out.stderr
    item = load_item(ledger, "13.2")
    assert (str(item["closed_on"]), item["closed_by"]) == (TODAY, "王五")
    assert "outcome" in item and "previous_outcome" not in item["history"][0]


def test_ledger_checks_clean_after_close(rectify):
    assert close(rectify, "13.2", "--outcome", "已处置").code == 0
    out = rectify("--today", TODAY, "check")
    assert out.code == 0, out.stderr
    assert "检查通过" in out.stdout


def test_close_changes_only_the_lines_of_that_item(ledger, rectify):
    before = snapshot(ledger)
    assert close(rectify, "13.2").code == 0
    after = snapshot(ledger)
    assert {name for name in before if before[name] != after[name]} == {"issues/13.yaml"}
    old = before["issues/13.yaml"].decode().splitlines()
    new = after["issues/13.yaml"].decode().splitlines()
    start = old.index("  - number: 2")
    changed = [op for op in difflib.SequenceMatcher(None, old, new).get_opcodes() if op[0] != "equal"]
    assert changed and all(i1 > start for _, i1, _, _, _ in changed)


def test_close_of_a_middle_item_leaves_its_neighbours_alone(ledger, rectify):
    before = (ledger / "issues" / "08.yaml").read_text(encoding="utf-8").splitlines()
    assert close(rectify, "8.2").code == 0
    after = (ledger / "issues" / "08.yaml").read_text(encoding="utf-8").splitlines()
    start, end = before.index("  - number: 2"), before.index("  - number: 3")
    changed = [op for op in difflib.SequenceMatcher(None, before, after).get_opcodes() if op[0] != "equal"]
    assert changed and all(start < i1 and i2 <= end for _, i1, i2, _, _ in changed)


@pytest.mark.parametrize(
    ("problem", "closes", "untouched"),
    [("13", "13.2", ["13.1"]), ("11", "11.3", ["11.1", "11.2"]), ("8", "8.2", ["8.1", "8.3"])],
)
def test_close_all_closes_only_the_open_items(ledger, rectify, problem, closes, untouched):
    kept = {item_id: load_item(ledger, item_id) for item_id in untouched}
    out = close(rectify, problem, "--all")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith(f"已销号 {closes} ")
    assert load_item(ledger, closes)["status"] == "closed"
    assert {item_id: load_item(ledger, item_id) for item_id in untouched} == kept


def test_close_all_after_reopen_closes_both(ledger, rectify):
    assert rectify("--today", TODAY, "reopen", "13.1", "--reason", "回头看:仍在充电").code == 0
    out = close(rectify, "13", "--all")
    assert out.code == 0, out.stderr
    assert [line.split()[1] for line in out.stdout.splitlines()[:2]] == ["13.1", "13.2"]
    assert out.stdout.splitlines()[-1] == "整改完成率 29/34 = 85.3%"
    assert all(load_item(ledger, i)["status"] == "closed" for i in ("13.1", "13.2"))


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["close", "13.3"], "问题 13 下有:13.1、13.2"),
        (["close", "99"], "没有编号为 99 的问题;相近的有"),
        (["close", "13.1"], "13.1 已于 2022-02-23 销号"),
        (["close", "13.2", "--on", "2022-03-02"], "晚于今天"),
        (["close", "13.2", "--on", "2021-08-29"], "早于巡察开始日期 2021-08-30"),
        (["close", "13.2", "--evidence", "没有这个文件.pdf"], "佐证材料文件不存在"),
        (["close", "13"], "问题 13 下有多项:13.1、13.2"),
        (["close", "13.1", "--dry-run"], "13.1 已于 2022-02-23 销号"),
        (["reopen", "13.2", "--reason", "回头看"], "尚未销号"),
        (["reopen", "13.1", "--reason", "回头看", "--on", "2022-03-02"], "晚于今天"),
        (["note", "13.2", "进展", "--on", "2021-08-01"], "早于巡察开始日期"),
        (["note", "13.2", "   "], "进展内容不能为空"),
        (["note", "99", "进展"], "没有编号为 99"),
    ],
)
def test_refusals_change_nothing(ledger, rectify, args, fragment):
    before = snapshot(ledger)
    out = rectify("--today", TODAY, *args)
    assert_refused(out, fragment, ledger, before)
    assert not (ledger / "evidence").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["close", "13.2", "--on", "2022-13-01"], "--on"),
        (["note", "13.2", "进展", "--on", "昨天"], "--on"),
        (["reopen", "13.1", "--on", "2022-02-30", "--reason", "回头看"], "--on"),
        (["reopen", "13.1"], "--reason"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(ledger, rectify, args, fragment):
    before = snapshot(ledger)
    assert_refused(rectify("--today", TODAY, *args), fragment, ledger, before, code=2)


def test_second_close_says_when_and_by_whom(ledger, rectify):
    assert close(rectify, "13.2").code == 0
    before = snapshot(ledger)
    out = close(rectify, "13.2", by="李四")
    assert_refused(out, "13.2 已于 2022-03-01 销号(经办:张三)", ledger, before)
    assert "rectify reopen" in out.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["13.1"], "13.1 已于 2022-02-23 销号"), (["13.2", "--on", "2022-03-02"], "晚于今天"), (["13"], "下有多项")],
)
def test_refused_close_copies_no_evidence(ledger, rectify, tmp_path, args, fragment):
    before = snapshot(ledger)
    out = close(rectify, *args, "--evidence", str(evidence_file(tmp_path)))
    assert_refused(out, fragment, ledger, before)
    assert not (ledger / "evidence").exists()


def test_a_bad_evidence_among_good_ones_copies_nothing(ledger, rectify, tmp_path):
    good = evidence_file(tmp_path)
    before = snapshot(ledger)
    out = close(rectify, "13.2", "--evidence", str(good), "--evidence", str(tmp_path / "missing.pdf"))
    assert_refused(out, "missing.pdf", ledger, before)


@pytest.mark.parametrize("args", [["reopen", "13", "--reason", "回头看"], ["note", "13", "进展"]])
def test_several_items_refusal_suggests_only_existing_options(ledger, rectify, args):
    before = snapshot(ledger)
    out = rectify("--today", TODAY, *args)
    assert_refused(out, "13.1、13.2", ledger, before)
    assert "--all" not in out.stderr


def test_reopen_before_the_close_date_is_refused(ledger, rectify):
    before = snapshot(ledger)
    out = rectify("--today", TODAY, "reopen", "13.1", "--reason", "回头看", "--on", "2022-02-01")
    assert_refused(out, "2022-02-23", ledger, before)


# --- reopen -----------------------------------------------------------------------------


def test_reopen_records_the_undone_close(ledger, rectify, tmp_path):
    source = evidence_file(tmp_path)
    assert close(rectify, "13.2", "--outcome", "已处置", "--evidence", str(source)).code == 0
    out = rectify("--today", TODAY, "reopen", "13.2", "--reason", "回头看:仍有未处置资产", "--by", "李四")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("已重新打开 13.2 ")
    assert out.stdout.splitlines()[-1] == "整改完成率 28/34 = 82.4%"
    item = load_item(ledger, "13.2")
    assert item["status"] == "open" and "closed_on" not in item and "closed_by" not in item
    assert item["outcome"] == "已处置" and len(item["evidence"]) == 1
    event = item["history"][-1]
    assert {k: str(v) for k, v in event.items()} == {
        "date": TODAY, "action": "reopen", "by": "李四", "note": "回头看:仍有未处置资产",
        "closed_on": TODAY, "closed_by": "张三",
    }


def test_reopen_an_item_closed_before_history_was_kept(ledger, rectify):
    outcome = load_item(ledger, "13.1")["outcome"]
    out = rectify("reopen", "13.1", "--reason", "回头看:外包车辆仍在院内充电", env={**DATED, "RECTIFY_USER": "王五"})
    assert out.code == 0, out.stderr
    data = shown(rectify, "13.1")
    assert (data["status"], data["closed_on"], data["closed_by"], data["outcome"]) == ("open", None, None, outcome)
    (event,) = data["history"]
    assert (event["action"], event["by"], event["closed_on"], event["closed_by"]) == ("reopen", "王五", "2022-02-23", None)
    assert rectify("--today", TODAY, "check").code == 0


# --- note -------------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", ["13.2", "13.1"])
def test_note_appends_a_dated_entry_to_open_or_closed_items(ledger, rectify, item_id):
    status = load_item(ledger, item_id)["status"]
    out = rectify("--today", TODAY, "note", item_id, "已报财政局审核", "--on", "2022-02-25", "--by", "赵六")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith(f"已记录进展 {item_id} ")
    item = load_item(ledger, item_id)
    assert item["status"] == status
    assert {k: str(v) for k, v in item["history"][-1].items()} == {
        "date": "2022-02-25", "action": "progress", "by": "赵六", "note": "已报财政局审核",
    }


def test_show_lists_notes_in_date_order(rectify):
    assert rectify("--today", TODAY, "note", "13.2", "第二次进展", "--on", "2022-02-20", "--by", "甲").code == 0
    assert rectify("--today", TODAY, "note", "13.2", "第一次进展", "--on", "2022-01-05", "--by", "乙").code == 0
    out = rectify("show", "13.2", "--format", "tsv")
    assert out.code == 0
    section = out.stdout[out.stdout.index("整改进展:"):]
    assert section.index("2022-01-05 进展 乙:第一次进展") < section.index("2022-02-20 进展 甲:第二次进展")


# --- evidence ---------------------------------------------------------------------------


def test_evidence_is_copied_and_recorded_with_size_and_hash(ledger, rectify, tmp_path):
    content = b"%PDF-1.4\n\xe8\xb5\x84\xe4\xba\xa7\xe5\xa4\x84\xe7\xbd\xae\n"
    source = evidence_file(tmp_path, content=content)
    out = close(rectify, "13.2", "--evidence", str(source), "--evidence-note", "《泾县城管执法局国有资产管理制度》")
    assert out.code == 0, out.stderr
    copied = ledger / "evidence" / "13.2" / "处置报告.pdf"
    assert copied.read_bytes() == content and source.read_bytes() == content
    item = load_item(ledger, "13.2")
    expected = [
        {"path": "evidence/13.2/处置报告.pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest()},
        {"name": "《泾县城管执法局国有资产管理制度》"},
    ]
    assert item["evidence"] == expected
    assert item["history"][-1]["evidence"] == expected
    assert rectify("--today", TODAY, "check").code == 0


def test_evidence_never_overwrites_an_existing_file(ledger, rectify, tmp_path):
    existing = ledger / "evidence" / "13.2" / "x.pdf"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"old")
    assert close(rectify, "13.2", "--evidence", str(evidence_file(tmp_path, "x.pdf", b"new"))).code == 0
    assert existing.read_bytes() == b"old"
    assert (ledger / "evidence" / "13.2" / "x-1.pdf").read_bytes() == b"new"
    assert load_item(ledger, "13.2")["evidence"][0]["path"] == "evidence/13.2/x-1.pdf"


def test_a_second_close_with_a_same_named_file_gets_another_name(ledger, rectify, tmp_path):
    assert close(rectify, "13.2", "--evidence", str(evidence_file(tmp_path, "x.pdf", b"first"))).code == 0
    assert rectify("--today", TODAY, "reopen", "13.2", "--reason", "回头看").code == 0
    assert close(rectify, "13.2", "--evidence", str(evidence_file(tmp_path, "x.pdf", b"second"))).code == 0
    folder = ledger / "evidence" / "13.2"
    assert (folder / "x.pdf").read_bytes() == b"first"
    assert (folder / "x-1.pdf").read_bytes() == b"second"
    assert [e["path"] for e in load_item(ledger, "13.2")["evidence"]] == ["evidence/13.2/x.pdf", "evidence/13.2/x-1.pdf"]
    assert rectify("--today", TODAY, "check").code == 0


def test_two_same_named_files_in_one_close(ledger, rectify, tmp_path):
    first = evidence_file(tmp_path, "x.pdf", b"first")
    second = evidence_file(tmp_path, "x.pdf", b"second")
    out = close(rectify, "13.2", "--evidence", str(first), "--evidence", str(second))
    assert out.code == 0, out.stderr
    folder = ledger / "evidence" / "13.2"
    assert sorted(p.name for p in folder.iterdir()) == ["x-1.pdf", "x.pdf"]
    assert {e["sha256"] for e in load_item(ledger, "13.2")["evidence"]} == {
        hashlib.sha256(b"first").hexdigest(), hashlib.sha256(b"second").hexdigest(),
    }


def test_evidence_for_items_of_several_problems_is_filed_under_each(ledger, rectify, tmp_path):
    assert close(rectify, "13.2", "8.2", "--evidence", str(evidence_file(tmp_path))).code == 0
    (record,) = load_item(ledger, "8.2")["evidence"]
    assert record["path"].startswith("evidence/8")


def _closed_with_evidence(ledger, rectify, tmp_path) -> tuple[Path, int]:
    assert close(rectify, "13.2", "--evidence", str(evidence_file(tmp_path, "x.pdf"))).code == 0
    lines = (ledger / "issues" / "13.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "path: evidence/13.2/x.pdf" in text)
    return ledger / "evidence" / "13.2" / "x.pdf", line


def test_check_reports_a_missing_evidence_file(ledger, rectify, tmp_path):
    copied, line = _closed_with_evidence(ledger, rectify, tmp_path)
    copied.unlink()
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    assert f"13.yaml:{line}:" in out.stderr
    assert "佐证材料文件不存在:evidence/13.2/x.pdf" in out.stderr


def test_check_reports_a_changed_evidence_file(ledger, rectify, tmp_path):
    copied, line = _closed_with_evidence(ledger, rectify, tmp_path)
    with copied.open("ab") as handle:
        handle.write(b"\0")
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    assert f"13.yaml:{line}:" in out.stderr and "evidence/13.2/x.pdf" in out.stderr
    assert "SHA-256 不符" in out.stderr


def test_check_only_warns_about_an_unreferenced_evidence_file(ledger, rectify):
    stray = ledger / "evidence" / "13.2" / "stray.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"jpg")
    out = rectify("--today", TODAY, "check")
    assert out.code == 0, out.stderr
    assert "stray.jpg" in out.stderr and "警告" in out.stderr and "没有被任何事项引用" in out.stderr
    assert "5 处警告" in out.stdout  # and the four blanks of the 五个一


# --- dry run ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "added"),
    [
        (["close", "13.2", "--by", "张三"], "+    status: closed"),
        (["reopen", "13.1", "--reason", "回头看"], "+    status: open"),
        (["note", "13.2", "已报审", "--by", "张三"], "+        action: progress"),
    ],
)
def test_dry_run_prints_a_diff_and_writes_nothing(ledger, rectify, tmp_path, args, added):
    extra = ["--evidence", str(evidence_file(tmp_path))] if args[0] == "close" else []
    before = snapshot(ledger)
    out = rectify("--today", TODAY, *args, *extra, "--dry-run")
    assert out.code == 0, out.stderr
    assert "--- a/issues/13.yaml\n+++ b/issues/13.yaml\n" in out.stdout
    assert added in out.stdout.splitlines()
    assert "(试运行:未写入任何文件)" in out.stdout
    assert snapshot(ledger) == before
    assert not (ledger / "evidence").exists()
    assert_refused(rectify("undo", "--yes"), "没有可撤销的编辑命令", ledger, before)


# --- undo -------------------------------------------------------------------------------


def run_undo(ledger: Path, answer: str):
    return CliRunner().invoke(app, ["--ledger", str(ledger), "undo"], input=answer)


def test_undo_asks_and_no_keeps_everything(ledger, rectify):
    assert close(rectify, "13.2").code == 0
    before = snapshot(ledger)
    result = run_undo(ledger, "n\n")
    assert result.exit_code == 1
    assert "将撤销" in result.stdout and "-    status: closed" in result.stdout
    assert "未撤销" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(ledger) == before


def test_undo_asks_and_yes_reverts(ledger, rectify):
    original = snapshot(ledger)
    assert close(rectify, "13.2").code == 0
    result = run_undo(ledger, "y\n")
    assert result.exit_code == 0, result.stderr
    assert "+    status: open" in result.stdout and "已撤销" in result.stdout
    assert snapshot(ledger) == original


def test_undo_steps_back_one_command_at_a_time(ledger, rectify, tmp_path):
    original = snapshot(ledger)
    assert close(rectify, "13.2", "--evidence", str(evidence_file(tmp_path, "x.pdf"))).code == 0
    after_close = snapshot(ledger)
    assert rectify("--today", TODAY, "note", "8.2", "已召开中层干部会议", "--by", "张三").code == 0
    first = rectify("undo", "--yes")
    assert first.code == 0, first.stderr
    assert "issues/08.yaml" in first.stdout
    assert snapshot(ledger) == after_close
    second = rectify("undo", "--yes")
    assert second.code == 0, second.stderr
    assert "将删除 evidence/13.2/x.pdf" in second.stdout
    assert snapshot(ledger) == original
    assert_refused(rectify("undo", "--yes"), "没有可撤销的编辑命令", ledger, original)


def test_undo_refuses_when_the_file_changed_since(ledger, rectify):
    assert close(rectify, "13.2").code == 0
    path = ledger / "issues" / "13.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 手工修改\n", encoding="utf-8")
    before = snapshot(ledger)
    assert_refused(rectify("undo", "--yes"), "issues/13.yaml", ledger, before)
    assert "又被修改过" in rectify("undo", "--yes").stderr


def test_undo_with_nothing_to_undo(ledger, rectify):
    before = snapshot(ledger)
    assert_refused(rectify("undo", "--yes"), "没有可撤销的编辑命令", ledger, before)


def test_undo_names_the_command_it_reverts_in_process(rectify):
    assert close(rectify, "13.2").code == 0
    out = rectify("undo", "--yes")
    assert out.code == 0
    assert "close 13.2" in out.stdout.splitlines()[0]


def run_program(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rectify_cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60, check=False)


def test_undo_names_the_command_it_reverts(ledger):
    assert run_program("--ledger", str(ledger), "--today", TODAY, "close", "13.2", "--by", "张三").returncode == 0
    done = run_program("--ledger", str(ledger), "undo", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"将撤销:rectify --ledger {ledger} --today {TODAY} close 13.2 --by 张三(")


def test_journal_is_ignored_by_git(ledger, rectify):
    if shutil.which("git") is None:
        pytest.skip("git not available")
    assert close(rectify, "13.2").code == 0
    assert (ledger / ".rectify" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert any((ledger / ".rectify").rglob("*.json"))
    subprocess.run(["git", "init", "-q", str(ledger)], check=True)
    status = subprocess.run(["git", "-C", str(ledger), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert "issues/13.yaml" in status
    assert ".rectify" not in status


# --- shell completion --------------------------------------------------------------------


def complete(ledger: Path, words: str) -> list[str]:
    env = {"_RECTIFY_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split(" ")) - 1), "RECTIFY_LEDGER": str(ledger)}
    done = run_program(env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.split()


def test_close_completes_the_open_items(ledger):
    assert complete(ledger, "rectify close ") == OPEN_IDS


def test_close_completion_filters_by_prefix(ledger):
    assert complete(ledger, "rectify close 1") == ["11.3", "13.2", "15.1", "16", "17"]


def test_reopen_completes_the_closed_items(ledger):
    offered = complete(ledger, "rectify reopen ")
    assert "13.1" in offered and "13.2" not in offered
    assert not set(offered) & set(OPEN_IDS)
    assert len(offered) == 34 - len(OPEN_IDS)


def test_completion_follows_the_ledger(ledger, rectify):
    assert close(rectify, "13.2").code == 0
    assert "13.2" not in complete(ledger, "rectify close ")
    assert "13.2" in complete(ledger, "rectify reopen ")

