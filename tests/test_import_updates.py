"""`rectify import updates`: a department's filled 填报表 back into a copy of the shipped ledger,
through the real CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from rectify_cli import forms

from .conftest import replace_once, snapshot
from .form_support import fill, make_form

TODAY = {"RECTIFY_TODAY": "2022-03-10"}
ITEMS = ["8.2", "11.3", "13.2", "15.1", "16", "17"]  # the shipped ledger's open items
FILLER = ("环卫所", "王五", "2022.3.1")
BY = "环卫所(王五)"


def item(ledger: Path, item_id: str) -> dict:
    problem, _, number = item_id.partition(".")
    data = yaml.safe_load((ledger / "issues" / f"{int(problem):02d}.yaml").read_text(encoding="utf-8"))
    return data["items"][int(number or 1) - 1]


@pytest.fixture
def form(live_ledger, tmp_path) -> tuple[Path, dict[str, int]]:
    """A form of the open items, filled the way a department fills it."""
    path = tmp_path / "环卫所.xlsx"
    rows = make_form(path, live_ledger, ITEMS)
    fill(path, FILLER, {
        (rows["8.2"], forms.PROGRESS): "已召开专题会议",  # typed text
        (rows["8.2"], forms.DONE): "已完成",  # the drop-down's value
        (rows["8.2"], forms.DONE_ON): dt.datetime(2022, 2, 27),  # a date cell
        (rows["11.3"], forms.PROGRESS): "中转站已完成改造",
        (rows["11.3"], forms.EVIDENCE): "《改造验收单》、现场照片",
        (rows["13.2"], forms.PROGRESS): "资产已报财政局",
        (rows["13.2"], forms.DONE): "已完成",
        (rows["13.2"], forms.DONE_ON): "2022.3.1",  # a date typed as text
        (rows["15.1"], forms.ITEM.title.label): "改掉的具体问题",  # an edit in a locked column
        (rows["15.1"], forms.PROGRESS): "不应导入",
        # 16 and 17 stay empty
    })
    return path, rows


def test_import_updates_writes_notes_closes_and_evidence(live_ledger, rectify, form):
    path, rows = form
    before = snapshot(live_ledger)
    out = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert out.code == 1, out.stderr  # the locked-column edit is refused, the rest applied
    assert f"第 {rows['15.1']} 行(15.1):只读列“具体问题”被改动" in out.stdout
    assert "已导入进展 3 条,销号 2 项,跳过 1 行" in out.stdout
    closed = item(live_ledger, "8.2")
    assert (closed["status"], closed["closed_on"], closed["closed_by"]) == ("closed", dt.date(2022, 2, 27), BY)
    note, close = closed["history"]
    assert note == {"date": dt.date(2022, 3, 1), "action": "progress", "by": BY, "note": "已召开专题会议",
                    "source": f"F-test/{rows['8.2']}"}
    assert (close["action"], close["date"], close["source"]) == ("close", dt.date(2022, 2, 27), f"F-test/{rows['8.2']}")
    assert item(live_ledger, "13.2")["closed_on"] == dt.date(2022, 3, 1)
    shared = item(live_ledger, "11.3")
    assert [e["name"] for e in shared["evidence"]] == ["《改造验收单》", "现场照片"]
    assert shared["status"] == "open" and shared["history"][-1]["note"] == "中转站已完成改造"
    for untouched in ("15.1", "16", "17"):
        assert "history" not in item(live_ledger, untouched), untouched
    assert rectify("undo", "--yes").code == 0  # one step reverts the whole import
    assert snapshot(live_ledger) == before


def test_import_updates_twice_changes_nothing(live_ledger, rectify, form):
    path, rows = form
    fill(path, None, {(rows["15.1"], forms.ITEM.title.label): item(live_ledger, "15.1")["title"]})
    assert rectify("import", "updates", str(path), "--yes", env=TODAY).code == 0
    after = snapshot(live_ledger)
    again = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert again.code == 0, again.stderr
    assert "都已导入过" in again.stdout and "已导入过" in again.stdout
    assert snapshot(live_ledger) == after


def test_import_updates_by_overrides_the_filler(live_ledger, rectify, form):
    path, rows = form
    assert rectify("import", "updates", str(path), "--yes", "--by", "张三", env=TODAY).code == 1
    assert item(live_ledger, "8.2")["closed_by"] == "张三"


def test_import_updates_dry_run_writes_nothing(live_ledger, rectify, form):
    path, _rows = form
    before = snapshot(live_ledger)
    out = rectify("import", "updates", str(path), "--dry-run", env=TODAY)
    assert "将导入进展 3 条,销号 2 项" in out.stdout and "试运行" in out.stdout
    assert "已召开专题会议" in out.stdout  # the preview shows the change
    assert snapshot(live_ledger) == before


def test_import_updates_asks_unless_yes(live_ledger, rectify, form):
    path, _rows = form
    before = snapshot(live_ledger)
    out = rectify("import", "updates", str(path), env=TODAY)
    assert out.code == 1 and "--yes" in out.stderr
    assert snapshot(live_ledger) == before


def test_import_updates_refuses_a_form_of_another_ledger(live_ledger, rectify, tmp_path):
    path = tmp_path / "别的台账.xlsx"
    rows = make_form(path, live_ledger, ["8.2"], meta={"ledger": "0000000000000000"})
    fill(path, FILLER, {(rows["8.2"], forms.PROGRESS): "进展"})
    before = snapshot(live_ledger)
    out = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert out.code == 1
    assert f"{path}: 未导入:这份填报表不是由本台账" in out.stdout
    assert snapshot(live_ledger) == before


def test_import_updates_refuses_an_unknown_id_and_a_future_date(live_ledger, rectify, tmp_path):
    path = tmp_path / "form.xlsx"
    rows = make_form(path, live_ledger, ["8.2", "16"])
    meta_rows = [[rows["8.2"], "99.1", "x"], [rows["16"], "16", forms.item_fingerprint(_entry(live_ledger, "16"))]]
    make_form(path, live_ledger, ["8.2", "16"], meta={"rows": meta_rows})
    fill(path, FILLER, {(rows["8.2"], forms.PROGRESS): "进展", (rows["16"], forms.DONE): "已完成",
                        (rows["16"], forms.DONE_ON): "2022年4月1日"})
    before = snapshot(live_ledger)
    out = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert out.code == 1
    assert f"第 {rows['8.2']} 行(99.1):台账中没有序号为 99.1 的事项" in out.stdout
    assert f"第 {rows['16']} 行(16):完成日期 2022-04-01 晚于今天" in out.stdout
    assert snapshot(live_ledger) == before


def test_import_updates_applies_a_changed_item_only_with_force(live_ledger, rectify, tmp_path):
    path = tmp_path / "form.xlsx"
    rows = make_form(path, live_ledger, ["16"])
    fill(path, FILLER, {(rows["16"], forms.PROGRESS): "已核对"})
    replace_once(live_ledger / "issues" / "16.yaml", "    status: open\n", "    status: open\n    deadline: 2022-06-30\n")
    out = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert out.code == 1 and "已改动" in out.stdout and "--force" in out.stdout
    assert "history" not in item(live_ledger, "16")
    forced = rectify("import", "updates", str(path), "--yes", "--force", env=TODAY)
    assert forced.code == 0, forced.stderr
    assert "填报表生成后台账已改动(--force)" in forced.stdout
    assert item(live_ledger, "16")["history"][-1]["note"] == "已核对"


def test_import_updates_notes_but_does_not_close_a_closed_item(live_ledger, rectify, tmp_path):
    path = tmp_path / "form.xlsx"
    rows = make_form(path, live_ledger, ["16"])
    fill(path, FILLER, {(rows["16"], forms.PROGRESS): "已核对", (rows["16"], forms.DONE): "已完成"})
    assert rectify("close", "16", "--on", "2022-03-02", "--by", "李四", env=TODAY).code == 0
    out = rectify("import", "updates", str(path), "--yes", "--force", env=TODAY)
    assert out.code == 0, out.stderr
    assert "已销号,只记进展,不再销号" in out.stdout
    done = item(live_ledger, "16")
    assert done["closed_by"] == "李四" and done["history"][-1]["note"] == "已核对"


def _entry(ledger: Path, item_id: str):
    from rectify_cli import loading

    return next(entry for entry in loading.load_valid(ledger).entries() if entry.id == item_id)


def test_an_exported_form_filled_by_a_department_comes_back(live_ledger, rectify, tmp_path):
    """The whole round trip: the real export's form, filled in its unlocked cells, imported."""
    path = tmp_path / "环卫所.xlsx"
    made = rectify("export", "-f", "xlsx", "--form", "--dept", "环卫所", "-o", str(path), env=TODAY)
    assert made.code == 0, made.stderr
    rows = {row.id: row.row for row in forms.read_meta(openpyxl.load_workbook(path)).rows}
    assert list(rows) == ["11.3"]  # 环卫所's open item
    fill(path, ("环卫所", "王五", "2022年3月1日"), {(rows["11.3"], forms.PROGRESS): "中转站已完成改造",
                                                   (rows["11.3"], forms.DONE): "已完成",
                                                   (rows["11.3"], forms.DONE_ON): dt.datetime(2022, 3, 2)})
    out = rectify("import", "updates", str(path), "--yes", env=TODAY)
    assert out.code == 0, out.stdout + out.stderr
    closed = item(live_ledger, "11.3")
    assert (closed["status"], closed["closed_on"], closed["closed_by"]) == ("closed", dt.date(2022, 3, 2), BY)
    assert closed["history"][0]["note"] == "中转站已完成改造"
