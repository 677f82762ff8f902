"""`rectify list`: filters that combine with AND, numeric order, every output format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from .conftest import add_to_open_items, invoke

TODAY = ("--today", "2022-03-01")
PLANNED = {
    # file: lines added after the open item's `status: open`
    "08.yaml": "    deadline: 2022-03-31\n    lead: 张局长\n    departments: [办公室]\n",
    "11.yaml": "    deadline: 2022-01-31\n    lead: 李副局长\n",
    "13.yaml": "    deadline: 2022-06-30\n    lead: 李副局长\n"
    "    history:\n      - date: 2022-02-20\n        action: progress\n        note: 已联系财政局评估报废车辆\n",
    "16.yaml": "    deadline: 2021-12-31\n    kind: 长期坚持\n",
}


@pytest.fixture
def planned(ledger):
    """The shipped ledger with deadlines, leads and a note on four open items."""
    return add_to_open_items(ledger, PLANNED)


def listed(ledger, *args: str) -> list[str]:
    out = invoke("--ledger", str(ledger), *TODAY, "list", *args, "--format", "tsv")
    assert out.code == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header == "编号\t问题\t方面\t责任部门\t整改时限\t状态"
    return [row.split("\t")[0] for row in rows]


def test_lists_all_34_in_numeric_order(ledger):
    ids = listed(ledger)
    assert len(ids) == 34
    assert ids[:6] == ["1.1", "1.2", "2", "3.1", "3.2", "4"]
    assert ids.index("9") < ids.index("10.1") < ids.index("13.2") < ids.index("17")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--open"], ["8.2", "11.3", "13.2", "15.1", "16", "17"]),
        (["--overdue"], ["11.3", "16"]),
        (["--open", "--aspect", "三"], ["15.1", "16", "17"]),
        (["--open", "--aspect", "三", "--overdue"], ["16"]),
        (["--aspect", "(三)"], ["15.1", "15.2", "16", "17"]),
        (["--aspect", "３"], ["15.1", "15.2", "16", "17"]),
        (["--aspect", "基层党组织"], ["15.1", "15.2", "16", "17"]),
        (["--dept", "环卫所"], ["3.2", "11.3"]),
        (["--dept", "办公室", "--open"], ["8.2"]),
        (["--lead", "李"], ["11.3", "13.2"]),
        (["--kind", "立行立改"], ["12.1", "13.1"]),
        (["--kind", "immediate", "--aspect", "二"], ["12.1", "13.1"]),
        (["--kind", "long_term"], ["16"]),
        (["--due-before", "2022-03-31"], ["11.3", "16"]),
        (["--due-before", "2022-04-01"], ["8.2", "11.3", "16"]),
        (["--search", "电表"], ["13.1"]),
        (["--search", "财政局"], ["13.2"]),
        (["--search", "报废车辆"], ["13.2"]),
        (["--search", "资产管理不规范"], ["13.1", "13.2"]),
        (["--search", "没有这段文字"], []),
    ],
)
def test_filters_combine_with_and(planned, args, expected):
    assert listed(planned, *args) == expected


def test_aspect_counts(planned):
    assert len(listed(planned, "--aspect", "二")) == 16
    assert len(listed(planned, "--closed")) == 28


def test_sort_by_deadline_puts_undated_last(planned):
    ids = listed(planned, "--open", "--sort", "deadline")
    assert ids == ["16", "11.3", "8.2", "13.2", "15.1", "17"]


def test_sort_by_status_puts_overdue_first(planned):
    ids = listed(planned, "--sort", "status")
    assert ids[:6] == ["11.3", "16", "8.2", "13.2", "15.1", "17"]
    assert ids[6] == "1.1"


def test_overdue_shows_in_status_column(planned):
    out = invoke("--ledger", str(planned), *TODAY, "list", "--open")
    rows = dict(line.split("\t")[0::5] for line in out.stdout.splitlines()[1:])
    assert rows == {"8.2": "未销号", "11.3": "逾期", "13.2": "未销号", "15.1": "未销号", "16": "逾期", "17": "未销号"}


def test_today_from_environment(planned):
    out = invoke("--ledger", str(planned), "list", "--overdue", env={"RECTIFY_TODAY": "2022-01-15"})
    assert out.code == 0
    assert [line.split("\t")[0] for line in out.stdout.splitlines()[1:]] == ["16"]


def test_json_has_schema_version_and_full_items(planned):
    out = invoke("--ledger", str(planned), *TODAY, "list", "--overdue", "--format", "json")
    data = json.loads(out.stdout)
    assert data["schema_version"] == 1
    assert data["today"] == "2022-03-01"
    assert [item["id"] for item in data["items"]] == ["11.3", "16"]
    first = data["items"][0]
    assert first["overdue"] is True and first["status"] == "open"
    assert first["deadline"] == "2022-01-31"
    assert first["departments"] == ["环卫所", "执法大队"]
    assert first["problem_title"] == "形式主义仍然存在"
    assert data["items"][1]["kind"] == "long_term"


def test_csv_is_parseable(planned):
    out = invoke("--ledger", str(planned), *TODAY, "list", "--open", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["编号", "问题", "方面", "责任部门", "整改时限", "状态"]
    assert rows[2] == ["11.3", "没有发挥示范表率作用", "二", "环卫所、执法大队", "2022-01-31", "逾期"]


def test_pipe_default_is_tsv_without_footer(ledger):
    out = invoke("--ledger", str(ledger), "list", "--open")
    assert out.stdout.splitlines()[0] == "编号\t问题\t方面\t责任部门\t整改时限\t状态"
    assert "共 " not in out.stdout and "\x1b[" not in out.stdout


def test_table_has_footer(ledger):
    out = invoke("--ledger", str(ledger), "list", "--format", "table")
    assert out.code == 0
    assert "编号" in out.stdout and "责任部门" in out.stdout
    # the shipped ledger is a snapshot: its date goes under the footer
    assert out.stdout.rstrip().endswith("共 34 项,已销号 28 项,未销号 6 项;整改完成率 28/34 = 82.4%\n数据截至 2022-02-23")


def test_table_marks_overdue_in_red(planned):
    out = invoke("--ledger", str(planned), *TODAY, "list", "--open", "--format", "table", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31m逾期" in out.stdout
    assert "其中逾期 2 项" in out.stdout


def test_no_color_is_honoured(planned):
    env = {"FORCE_COLOR": "1", "NO_COLOR": "1"}
    out = invoke("--ledger", str(planned), *TODAY, "list", "--open", "--format", "table", env=env)
    assert "逾期" in out.stdout
    assert "31m" not in out.stdout and "33m" not in out.stdout


def test_terminal_default_is_a_table(ledger):
    """A real pseudo-terminal: no --format, and the table with its footer appears."""
    main, secondary = os.openpty()
    env = {**os.environ, "COLUMNS": "160", "RECTIFY_LEDGER": str(ledger)}
    process = subprocess.run(
        [sys.executable, "-m", "rectify_cli", "list", "--open"],
        stdout=secondary, stderr=subprocess.PIPE, env=env, timeout=60,
    )
    os.close(secondary)
    output = _drain(main)
    assert process.returncode == 0, process.stderr
    assert "┃" in output or "|" in output
    assert "共 6 项,已销号 0 项,未销号 6 项" in output


def _drain(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--open", "--closed"], 2, "--open 与 --closed 不能同时使用"),
        (["--due-before", "2022-02-30"], 2, "--due-before 的日期"),
        (["--due-before", "明天"], 2, "--due-before 的日期"),
        (["--kind", "马上改"], 2, "--kind 的值"),
        (["--sort", "size"], 2, "--sort"),
        (["--format", "xml"], 2, "--format"),
        (["--aspect", "四"], 1, "没有这个方面"),
        (["--frobnicate"], 2, "没有这个选项"),
    ],
)
def test_bad_requests(ledger, args, code, message):
    out = invoke("--ledger", str(ledger), "list", *args)
    assert out.code == code
    assert message in out.stderr
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_malformed_today_is_a_usage_error(ledger):
    out = invoke("--ledger", str(ledger), "--today", "2022-13-01", "list")
    assert out.code == 2
    assert "--today 的日期" in out.stderr
