"""`rectify summary`: the official sentence, tallies by dimension, closures over time."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from .conftest import add_to_open_items, replace_once

TODAY = ("--today", "2022-03-01")
SENTENCE = "巡察反馈问题34个,已完成整改28个,正在整改6个,整改完成率82.4%"
ASPECT_ONE = "(一)贯彻落实党的路线方针政策和党中央决策部署方面"
ASPECT_TWO = "(二)群众身边腐败问题和不正之风方面"
ASPECT_THREE = "(三)基层党组织软弱涣散、组织力欠缺方面"
PLANNED = {
    # file: lines added after the open item's `status: open` (the idea of test_list's fixture)
    "08.yaml": "    deadline: 2022-03-31\n    lead: 张局长\n    departments: [办公室]\n",
    "11.yaml": "    deadline: 2022-01-31\n    lead: 李副局长\n",
    "13.yaml": "    deadline: 2022-06-30\n    lead: 李副局长\n",
    "16.yaml": "    deadline: 2021-12-31\n    kind: 长期坚持\n",
}


@pytest.fixture
def planned(ledger):
    """The shipped ledger with deadlines (11.3 and 16 overdue on 2022-03-01), leads and a kind."""
    return add_to_open_items(ledger, PLANNED)


@pytest.fixture
def stated_35(ledger):
    """ledger.yaml says 35 items were raised; the ledger holds 34."""
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 35\n")
    return ledger


def summary_json(rectify, *args: str) -> dict:
    out = rectify(*TODAY, "summary", *args, "--format", "json")
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["schema_version"] == 1
    return data


def table_rows(data: dict) -> list[tuple]:
    return [(r["label"], r["total"], r["closed"], r["open"], r["overdue"]) for r in data["rows"]]


def summary_text(rectify, *args: str) -> str:
    out = rectify(*TODAY, "summary", *args)
    assert out.code == 0, out.stderr
    return out.stdout


# --- the official sentence ----------------------------------------------------------


def test_official_sentence_is_computed_from_the_ledger(rectify):
    data = summary_json(rectify)
    assert data["summary"] == {
        "stated": 34, "found": 34, "closed": 28, "open": 6, "overdue": 0, "rate": 82.4, "count_by": "item",
        "sentence": SENTENCE,
    }


def test_table_has_sentence_progress_bar_and_overdue_count(planned, rectify):
    lines = summary_text(rectify, "--format", "table").splitlines()
    assert lines[0] == SENTENCE
    assert lines[1] == "█" * 25 + "░" * 5 + " 82.4%"  # 82.4% of a 30-cell bar
    assert "逾期未销号 2 项" in lines[2:4]
    assert not any(line.startswith("注意") for line in lines)


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_stated_count_is_used_and_the_difference_flagged(stated_35, rectify, fmt):
    text = summary_text(rectify, "--format", fmt)
    assert "巡察反馈问题35个,已完成整改28个,正在整改7个,整改完成率80.0%" in text
    notes = [line.lstrip("> ") for line in text.splitlines() if "注意" in line]
    assert len(notes) == 1
    assert notes[0].startswith("注意") and "35" in notes[0] and "34" in notes[0]


def test_progress_bar_keeps_its_width_when_stated_count_is_low(ledger, rectify):
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 20\n")
    bar_line = summary_text(rectify, "--format", "table").splitlines()[1]
    cells = bar_line.split(" ")[0]
    assert set(cells) <= {"█", "░"}
    assert len(cells) == 30


def test_stated_count_in_json(stated_35, rectify):
    figures = summary_json(rectify)["summary"]
    assert (figures["stated"], figures["found"], figures["closed"], figures["open"]) == (35, 34, 28, 7)
    assert figures["rate"] == 80.0
    assert figures["sentence"].startswith("巡察反馈问题35个")


def test_a_filtered_view_counts_what_it_selects(stated_35, rectify):
    """The stated count speaks for the whole ledger only; a narrowed view is not flagged."""
    data = summary_json(rectify, "--aspect", "二")
    assert (data["summary"]["stated"], data["summary"]["found"], data["summary"]["closed"]) == (16, 16, 13)
    # a selection is not the ledger: not the official sentence, which describes the whole
    assert data["summary"]["sentence"] == "筛选范围内 16 项:已销号 13 项,未销号 3 项,完成率 81.3%"
    assert "注意" not in summary_text(rectify, "--aspect", "二", "--format", "table")


# --- tallies by dimension ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("aspect", [(ASPECT_ONE, 14, 14, 0, 0), (ASPECT_TWO, 16, 13, 3, 1), (ASPECT_THREE, 4, 1, 3, 1)]),
        ("lead", [("李副局长", 2, 0, 2, 1), ("张局长", 1, 0, 1, 0), ("(未指定)", 31, 28, 3, 1)]),
        ("kind", [("立行立改", 2, 2, 0, 0), ("长期坚持", 1, 0, 1, 1), ("(未指定)", 31, 26, 5, 1)]),
        ("dept", [
            ("执法大队", 3, 2, 1, 1), ("环卫所", 2, 1, 1, 1), ("办公室", 1, 0, 1, 0),
            ("政策法规股", 1, 1, 0, 0), ("政策法规部门", 1, 1, 0, 0), ("法治部门", 1, 1, 0, 0),
            ("监督管理部门", 1, 1, 0, 0), ("(未指定)", 27, 23, 4, 1),
        ]),
    ],
)
def test_tally_by_dimension(planned, rectify, by, expected):
    assert table_rows(summary_json(rectify, "--by", by)) == expected


def test_default_dimension_is_aspect(rectify):
    data = summary_json(rectify)
    assert data["by"] == "方面"
    assert [row["label"] for row in data["rows"]] == [ASPECT_ONE, ASPECT_TWO, ASPECT_THREE]


def test_tally_by_problem_has_a_row_per_problem_in_order(rectify):
    rows = table_rows(summary_json(rectify, "--by", "problem"))
    assert [int(label.split(".")[0]) for label, *_ in rows] == list(range(1, 18))
    assert ("13. 资产管理不规范", 2, 1, 1, 0) in rows
    assert ("16. 人事管理较为混乱", 1, 0, 1, 0) in rows
    assert sum(total for _, total, *_ in rows) == 34


def test_rates_are_closed_over_total(planned, rectify):
    for by in ("aspect", "problem", "dept", "lead", "kind"):
        for row in summary_json(rectify, "--by", by)["rows"]:
            assert row["open"] == row["total"] - row["closed"]
            assert row["rate"] == pytest.approx(row["closed"] / row["total"] * 100, abs=0.05)


def test_an_item_with_two_departments_counts_under_each(rectify):
    rows = {label: (total, closed) for label, total, closed, *_ in table_rows(summary_json(rectify, "--by", "dept"))}
    assert rows["环卫所"] == (2, 1)  # 3.2 and 11.3, both also 执法大队's
    assert rows["执法大队"] == (3, 2)
    assert rows["(未指定)"] == (28, 23)
    assert list(rows)[-1] == "(未指定)"
    assert sum(total for total, _ in rows.values()) == 34 + 3  # 3.2, 7.4 and 11.3 name two each


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "total", "closed", "overdue"),
    [
        (["--aspect", "二"], 16, 13, 1),
        (["--open"], 6, 0, 2),
        (["--closed"], 28, 28, 0),
        (["--overdue"], 2, 0, 2),
        (["--dept", "环卫所"], 2, 1, 1),
        (["--lead", "李"], 2, 0, 1),
        (["--kind", "立行立改"], 2, 2, 0),
        (["--due-before", "2022-04-01"], 3, 0, 2),
        (["--search", "电表"], 1, 1, 0),
        (["--open", "--aspect", "三"], 3, 0, 1),
    ],
)
def test_filters_narrow_what_is_counted(planned, rectify, args, total, closed, overdue):
    data = summary_json(rectify, *args)
    figures = data["summary"]
    assert (figures["stated"], figures["found"], figures["closed"], figures["overdue"]) == (total, total, closed, overdue)
    assert sum(row["total"] for row in data["rows"]) == total
    assert sum(row["closed"] for row in data["rows"]) == closed


def test_aspect_filter_leaves_one_aspect_row(rectify):
    assert table_rows(summary_json(rectify, "--aspect", "二")) == [(ASPECT_TWO, 16, 13, 3, 0)]


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "label"), [("aspect", "方面"), ("problem", "问题"), ("dept", "责任部门"), ("lead", "责任领导"), ("kind", "整改类型")]
)
def test_tsv_has_a_header_row(rectify, by, label):
    header, *rows = summary_text(rectify, "--by", by, "--format", "tsv").splitlines()
    assert header.split("\t") == [label, "总数", "已销号", "未销号", "逾期", "完成率"]
    assert rows and all(len(row.split("\t")) == 6 for row in rows)
    assert sum(int(row.split("\t")[1]) for row in rows) >= 34


def test_tsv_rows_match_json_and_end_with_the_total(planned, rectify):
    rows = [line.split("\t") for line in summary_text(rectify, "--by", "kind", "--format", "tsv").splitlines()[1:]]
    assert [[label, int(t), int(c), int(o), int(d)] for label, t, c, o, d, _ in rows[:-1]] == [
        list(row) for row in table_rows(summary_json(rectify, "--by", "kind"))
    ]
    assert rows[-1] == ["合计", "34", "28", "6", "2", "82.4%"]  # every item once, not a column sum


def test_summary_into_a_file_is_the_table_people_read(rectify, tmp_path):
    """Not a terminal: the headline, the overdue line and the table, without colour; md ends in 合计."""
    text = summary_text(rectify)
    assert text.splitlines()[0] == SENTENCE and "逾期未销号 0 项" in text and "\x1b[" not in text
    assert "┃ 方面" in text and "│ 合计" in text
    assert summary_text(rectify, "--format", "md").splitlines()[-3] == "| 合计 | 34 | 28 | 6 | 0 | 82.4% |"


def test_markdown_has_sentence_and_a_table(rectify):
    lines = summary_text(rectify, "--format", "md").splitlines()
    assert lines[0] == SENTENCE + "。"
    header = lines.index("| 方面 | 总数 | 已销号 | 未销号 | 逾期 | 完成率 |")
    assert lines[header + 1] == "|---|---|---|---|---|---|"
    assert lines[header + 2 : header + 5] == [
        f"| {ASPECT_ONE} | 14 | 14 | 0 | 0 | 100.0% |",
        f"| {ASPECT_TWO} | 16 | 13 | 3 | 0 | 81.3% |",
        f"| {ASPECT_THREE} | 4 | 1 | 3 | 0 | 25.0% |",
    ]


def test_markdown_escapes_a_pipe_in_a_label(ledger, rectify):
    replace_once(ledger / "issues" / "16.yaml", "title: 人事管理较为混乱\n", "title: 人事|管理\n")
    rows = [line for line in summary_text(rectify, "--by", "problem", "--format", "md").splitlines() if "人事" in line]
    assert rows == ["| 16. 人事\\|管理 | 1 | 0 | 1 | 0 | 0.0% |"]
    assert len(re.split(r"(?<!\\)\|", rows[0])) == 8  # six cells between the outer bars


def test_table_has_a_bar_per_row(rectify):
    text = summary_text(rectify, "--format", "table")
    assert "█" * 12 in text  # (一) at 100%
    assert "███" + "░" * 9 in text  # (三) at 25%


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "size"], "--by"),
        (["--trend", "year"], "--trend"),
        (["--format", "xml"], "--format"),
        (["--open", "--closed"], "--open 与 --closed 不能同时使用"),
        (["--kind", "马上改"], "--kind 的值"),
    ],
)
def test_bad_requests(rectify, args, message):
    out = rectify("summary", *args)
    assert out.code == 2
    assert message in out.stderr
    assert out.stdout == ""


# --- trend ----------------------------------------------------------------------------------

EDITS = [
    ("close", "13.2", "--on", "2022-03-10"),
    ("close", "8.2", "--on", "2022-03-16"),
    ("reopen", "13.1", "--reason", "x", "--on", "2022-04-02"),
    ("reopen", "13.2", "--reason", "回头看发现资产未处置完", "--on", "2022-04-05"),
    ("close", "13.2", "--on", "2022-04-06"),
    ("close", "17", "--on", "2022-04-20"),
]
WEEKS = [  # period, closures, closed at its end (the shipped 28 were closed on 2022-02-23, in W08)
    ("2022-W08", 28, 28), ("2022-W09", 0, 28), ("2022-W10", 1, 29), ("2022-W11", 1, 30),
    ("2022-W12", 0, 30), ("2022-W13", 0, 29), ("2022-W14", 1, 29), ("2022-W15", 0, 29),
    ("2022-W16", 1, 30),
]


@pytest.fixture
def history(ledger, rectify):
    """Closures and reopenings made with the real commands on various dates."""
    for command, *args in EDITS:
        out = rectify("--today", "2022-04-30", command, *args, "--by", "王")
        assert out.code == 0, out.stderr
    return ledger


def trend_json(rectify, period: str, *args: str) -> list[tuple]:
    out = rectify("--today", "2022-04-30", "summary", "--trend", period, *args, "--format", "json")
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["schema_version"] == 1
    return [(r["period"], r["closures"], r["closed"], r["total"], r["rate"]) for r in data["trend"]]


def test_trend_by_month(history, rectify):
    assert trend_json(rectify, "month") == [
        ("2022-02", 28, 28, 34, 82.4),
        ("2022-03", 2, 30, 34, 88.2),
        ("2022-04", 2, 29 + 1, 34, 88.2),  # 13.1 reopened, 13.2 reopened and closed again, 17 closed
    ]


def test_trend_reopenings_have_their_own_column_and_the_cumulative_adds_up(history, rectify):
    out = rectify("--today", "2022-04-30", "summary", "--trend", "month", "--format", "json")
    rows = [(r["closures"], r["reopenings"], r["closed"]) for r in json.loads(out.stdout)["trend"]]
    assert rows == [(28, 0, 28), (2, 0, 30), (2, 2, 30)]  # April: 13.1 and 13.2 reopened; 13.2 and 17 closed
    for (_, _, before), (closures, reopenings, after) in itertools.pairwise(rows):
        assert after == before + closures - reopenings
    table = rectify("--today", "2022-04-30", "summary", "--trend", "month", "--format", "tsv").stdout.splitlines()
    assert table[0].split("\t") == ["时段", "销号", "重新整改", "累计已销号", "累计完成率"]
    assert table[3].split("\t") == ["2022-04", "2", "2", "30/34", "88.2%"]


def test_trend_by_week(history, rectify):
    rows = trend_json(rectify, "week")
    assert [(period, closures, closed) for period, closures, closed, _, _ in rows] == WEEKS
    assert all(total == 34 for *_, total, _ in rows)
    assert [rate for *_, rate in rows] == [round(closed / 34 * 100, 1) for _, _, closed in WEEKS]


def test_trend_of_the_shipped_ledger(rectify):
    assert trend_json(rectify, "month") == [("2022-02", 28, 28, 34, 82.4)]


def test_trend_follows_filters(history, rectify):
    assert trend_json(rectify, "month", "--aspect", "二") == [
        ("2022-02", 13, 13, 16, 81.3),
        ("2022-03", 2, 15, 16, 93.8),
        ("2022-04", 1, 14, 16, 87.5),
    ]


def test_trend_with_nothing_closed_is_empty(rectify):
    assert trend_json(rectify, "month", "--open") == []


def test_trend_table_draws_bars(history, rectify):
    out = rectify("--today", "2022-04-30", "summary", "--trend", "week", "--format", "table")
    assert out.code == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [period for period, _, _ in WEEKS]
    assert "▇" * 12 in lines[0]  # the busiest week fills the closures bar
    for line, (_, _, closed) in zip(lines, WEEKS, strict=True):
        assert f"{closed}/34" in line
        cumulative = re.search(r"[█░]{12}$", line)
        assert cumulative, line
        assert cumulative.group().count("█") == round(closed / 34 * 12)


def test_trend_tsv_and_md(history, rectify):
    tsv = rectify("--today", "2022-04-30", "summary", "--trend", "month", "--format", "tsv").stdout.splitlines()
    assert tsv == ["时段\t销号\t重新整改\t累计已销号\t累计完成率", "2022-02\t28\t0\t28/34\t82.4%",
                   "2022-03\t2\t0\t30/34\t88.2%", "2022-04\t2\t2\t30/34\t88.2%"]
    md = rectify("--today", "2022-04-30", "summary", "--trend", "month", "--format", "md").stdout.splitlines()
    assert md[:2] == ["| 时段 | 销号 | 重新整改 | 累计已销号 | 累计完成率 |", "|---|---|---|---|---|"]
    assert md[2:] == ["| 2022-02 | 28 | 0 | 28/34 | 82.4% |", "| 2022-03 | 2 | 0 | 30/34 | 88.2% |",
                      "| 2022-04 | 2 | 2 | 30/34 | 88.2% |"]


def test_trend_rate_agrees_with_the_official_rate(stated_35, rectify):
    official = summary_json(rectify)["summary"]
    last = trend_json(rectify, "month")[-1]
    assert (last[2], last[3], last[4]) == (official["closed"], official["stated"], official["rate"])  # (28, 35, 80.0)


def test_trend_bar_is_visible_for_every_period_with_closures(history, rectify):
    out = rectify("--today", "2022-04-30", "summary", "--trend", "week", "--format", "table")
    for line, (period, closures, _) in zip(out.stdout.splitlines(), WEEKS, strict=True):
        assert ("▇" in line) == (closures > 0), period


def test_fewer_stated_than_found_falls_back_to_the_items_found(ledger, rectify):
    """A stated count below the ledger's own would give a rate over 100%: the items found count."""
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", "stated_items: 20\n")
    figures = summary_json(rectify)["summary"]
    assert figures["sentence"] == "巡察反馈问题34个,已完成整改28个,正在整改6个,整改完成率82.4%"
    assert (figures["stated"], figures["found"]) == (34, 34)
    notes = summary_text(rectify, "--format", "table").splitlines()
    assert any(line.startswith("注意:ledger.yaml 写明反馈问题 20 个,台账中实有 34 项") for line in notes)
