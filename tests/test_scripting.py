"""What scripts and careful clerks rely on: no file overwritten by surprise, the completeness
warnings of `check`, `list --overdue` without deadlines, and JSON with schema_version."""

from __future__ import annotations

import json
import os

import pytest

from .conftest import add_to_open_items, replace_once
from .hostile.support import SHIPPED_BLANKS, run_child

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


# --- check: the 五个一, one line per blank field -------------------------------------

def _lines(stderr: str, level: str) -> list[str]:
    """The messages of ledger.yaml's summary lines (no line number) at this level."""
    marker = f"ledger.yaml: {level}: "
    return [line.split(marker, 1)[1] for line in stderr.splitlines() if marker in line]


def _fill(ledger, name: str, after: str, lines: str) -> None:
    replace_once(ledger / "issues" / name, after, after + lines)


COMPLETE_ITEM = "    measures: 逐月学习\n    lead: 张局长\n    departments: [办公室]\n    deadline: 2022-06-30\n"


def test_shipped_ledger_passes_with_one_warning_per_blank_field(rectify):
    out = rectify("check")
    assert out.code == 0, out.stderr
    assert out.stdout == "检查通过:17 个问题,34 项具体问题,4 处警告\n"
    assert _lines(out.stderr, "警告") == list(SHIPPED_BLANKS)
    assert len(out.stderr.splitlines()) == 4


def test_a_filled_item_leaves_the_count_and_a_long_term_item_needs_no_deadline(rectify, ledger):
    _fill(ledger, "01.yaml", "    title: 学习不系统、不全面\n", COMPLETE_ITEM)
    _fill(ledger, "01.yaml", "    title: 学习成效不明显\n", "    kind: 长期坚持\n")
    out = rectify("check")
    assert out.code == 0, out.stderr
    assert _lines(out.stderr, "警告") == [
        "33 项未填写 整改措施(如 1.2、2、3.1…)",
        "33 项未填写 责任领导(如 1.2、2、3.1…)",
        "27 项未填写 责任部门(如 1.2、2、3.1…)",
        "32 项未填写 整改时限(如 2、3.1、3.2…)",
    ]


def test_strict_makes_only_the_completeness_warnings_errors(rectify, ledger):
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 35\n")
    out = rectify("check", "--strict")
    assert out.code == 1
    assert _lines(out.stderr, "错误") == list(SHIPPED_BLANKS)
    assert "ledger.yaml:10:15: 警告: stated_items(反馈问题数)为 35,台账中实有 34 项" in out.stderr
    assert out.stderr.endswith("检查未通过:4 处错误,1 处警告\n")
    assert out.stdout == ""


def test_strict_passes_a_complete_ledger(rectify, ledger):
    for path in (ledger / "issues").glob("*.yaml"):
        if path.name != "01.yaml":
            path.unlink()
    _fill(ledger, "01.yaml", "    title: 学习不系统、不全面\n", COMPLETE_ITEM)
    _fill(ledger, "01.yaml", "    title: 学习成效不明显\n", COMPLETE_ITEM.replace("    deadline: 2022-06-30\n", "")
          + "    kind: long_term\n")
    out = rectify("check", "--strict")
    assert out.code == 0, out.stderr
    assert out.stdout == "检查通过:1 个问题,2 项具体问题,1 处警告\n"
    assert "错误" not in out.stderr and "未填写" not in out.stderr  # only the stated count's warning


def test_check_json_lists_diagnostics_as_objects(rectify):
    out = rectify("check", "--format", "json")
    assert out.code == 0 and out.stderr == ""
    data = json.loads(out.stdout)
    assert data["schema_version"] == 1
    assert (data["ok"], data["errors"], data["warnings"], data["problems"], data["items"]) == (True, 0, 4, 17, 34)
    first = data["diagnostics"][0]
    assert list(first) == ["file", "line", "column", "level", "message"]
    assert first["file"].endswith("ledger.yaml") and first["line"] is None and first["level"] == "warning"
    assert [d["message"] for d in data["diagnostics"]] == list(SHIPPED_BLANKS)


def test_check_json_on_a_broken_file_fails_with_positions(rectify, ledger):
    replace_once(ledger / "issues" / "13.yaml", "    status: open\n", "    status: maybe\n")
    out = rectify("check", "-f", "json", "--strict")
    assert out.code == 1 and out.stderr == ""
    data = json.loads(out.stdout)
    assert data["ok"] is False and data["errors"] == 1 and data["warnings"] == 0  # blanks wait for the errors
    broken = data["diagnostics"]
    assert len(broken) == 1 and broken[0]["level"] == "error" and broken[0]["file"].endswith("13.yaml")
    assert isinstance(broken[0]["line"], int) and isinstance(broken[0]["column"], int)
    assert "maybe" in broken[0]["message"]


def test_check_rejects_an_unknown_format(rectify):
    out = rectify("check", "--format", "xml")
    assert out.code == 2 and out.stdout == ""


# --- list --overdue without deadlines --------------------------------------------------

NO_DEADLINES = "台账中没有填写整改时限的事项,无法判断逾期\n"


@pytest.mark.parametrize("fmt", ["table", "tsv"])
def test_overdue_without_any_deadline_says_so(rectify, fmt):
    out = rectify("list", "--overdue", "--format", fmt)
    assert out.code == 0
    assert out.stderr == NO_DEADLINES


def test_overdue_without_any_deadline_still_prints_the_json_envelope(rectify):
    out = rectify("list", "--overdue", "--format", "json")
    assert out.code == 0 and out.stderr == NO_DEADLINES
    data = json.loads(out.stdout)
    assert data["schema_version"] == 1 and data["items"] == []


def test_overdue_with_a_deadline_is_silent(rectify, ledger):
    add_to_open_items(ledger, {"13.yaml": "    deadline: 2022-01-31\n"})
    out = rectify("list", "--overdue", "--format", "tsv")
    assert out.code == 0 and out.stderr == ""
    assert out.stdout.splitlines()[1].startswith("13.2\t")


def test_without_overdue_nothing_is_said(rectify):
    out = rectify("list", "--open", "--format", "tsv")
    assert out.code == 0 and out.stderr == ""


# --- JSON for scripts -----------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["list"], ["list", "--open"], ["show", "13.2"], ["show", "13"], ["summary"], ["summary", "--by", "dept"],
    ["summary", "--trend", "month"], ["check"],
])
def test_every_reading_command_has_json_with_schema_version(rectify, command):
    out = rectify(*command, "--format", "json")
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert next(iter(data)) == "schema_version" and data["schema_version"] == 1


def test_json_of_an_unknown_id_is_an_error_not_a_document(rectify):
    out = rectify("show", "99.9", "--format", "json")
    assert out.code == 1 and out.stdout == ""
    assert out.stderr.startswith("rectify: 没有编号为 99.9 的问题")


def test_a_device_is_written_into_never_replaced(rectify):
    """`-o /dev/null` is no file to keep: written into with or without --force, and stays a device."""
    import stat

    for force in ([], ["--force"]):
        out = rectify("export", "-f", "csv", "-o", "/dev/null", *force)
        assert out.code == 0, out.stderr
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
