"""One tally and one rate in every output, and one set of filter options for list, summary, export."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import typer

from rectify_cli.cli import FILTER_OPTIONS, app
from rectify_cli.stats import completion_rate

from .conftest import replace_once, write_issue

TODAY = ("--today", "2022-03-01")
SENTENCE = "巡察反馈问题16个,已完成整改1个,正在整改15个,整改完成率6.3%"  # 6.25 rounded half-up
FILTERED_COMMANDS = ("list", "summary", "export")


@pytest.mark.parametrize(("closed", "denominator", "rate"), [
    (1, 16, "6.3"), (13, 16, "81.3"), (3, 16, "18.8"), (1, 3, "33.3"), (2, 3, "66.7"), (16, 16, "100.0"), (0, 0, "0.0"),
])
def test_rate_rounds_half_up_to_one_decimal(closed, denominator, rate):
    assert completion_rate(closed, denominator) == Decimal(rate)
    assert str(completion_rate(closed, denominator)) == rate


def one_closed_ledger(ledger, rectify, found: int, stated: int | None):
    """`found` open items in one problem, `stated_items` as given; then 1.1 closed by the CLI."""
    for path in (ledger / "issues").glob("*.yaml"):
        path.unlink()
    items = "".join(f"  - number: {n}\n    title: 事项{n}\n    status: open\n" for n in range(1, found + 1))
    write_issue(ledger, "01.yaml", f"id: 1\naspect: 一\ntitle: 测试问题\nitems:\n{items}")
    stated_line = f"stated_items: {stated}\n" if stated is not None else ""
    replace_once(ledger / "ledger.yaml", "stated_items: 34\n", stated_line)
    return rectify(*TODAY, "close", "1.1", "--by", "张三")


# 16 found and none stated, or 12 found of 16 stated: either way the rate is 1/16 (not 1/12, 8.3%).
@pytest.fixture(params=[(16, None), (12, 16)], ids=["found-16", "stated-16-found-12"])
def one_of_sixteen(request, ledger, rectify):
    closing = one_closed_ledger(ledger, rectify, *request.param)
    assert closing.code == 0, closing.stderr
    return closing


def test_close_line_shows_one_of_sixteen(one_of_sixteen):
    assert one_of_sixteen.stdout.splitlines()[-1] == "整改完成率 1/16 = 6.3%"


def test_reopen_line_shows_the_same_denominator(one_of_sixteen, rectify):
    out = rectify(*TODAY, "reopen", "1.1", "--reason", "回头看", "--by", "张三")
    assert out.code == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "整改完成率 0/16 = 0.0%"


def test_list_footer_shows_one_of_sixteen(one_of_sixteen, rectify):
    out = rectify(*TODAY, "list", "--format", "table")
    assert out.code == 0, out.stderr
    assert out.stdout.rstrip().splitlines()[-2].endswith(";整改完成率 1/16 = 6.3%")


def test_summary_table_and_json_show_one_of_sixteen(one_of_sixteen, rectify):
    lines = rectify(*TODAY, "summary", "--format", "table").stdout.splitlines()
    assert lines[0] == SENTENCE
    assert lines[1].endswith(" 6.3%")
    figures = json.loads(rectify(*TODAY, "summary", "--format", "json").stdout)["summary"]
    assert (figures["closed"], figures["stated"], figures["rate"], figures["sentence"]) == (1, 16, 6.3, SENTENCE)
    last = json.loads(rectify(*TODAY, "summary", "--trend", "month", "--format", "json").stdout)["trend"][-1]
    assert (last["closed"], last["total"], last["rate"]) == (1, 16, 6.3)


def test_exports_and_report_show_one_of_sixteen(one_of_sixteen, rectify):
    for fmt in ("md", "html"):
        out = rectify(*TODAY, "export", "--format", fmt)
        assert out.code == 0, out.stderr
        assert SENTENCE in out.stdout, fmt
    report = rectify(*TODAY, "report", "--format", "txt").stdout
    assert "已完成整改1个，正在整改15个，整改完成率6.3%。" in report


def test_html_bar_of_a_group_counts_the_group(ledger, rectify):
    """An aspect's bar is out of the items it holds: 1/16, shown half-up as elsewhere."""
    assert one_closed_ledger(ledger, rectify, 16, None).code == 0
    page = rectify(*TODAY, "export", "--format", "html").stdout
    assert re.search(r'style="width:6\.3%".*?<span class="figure">1/16 6\.3%</span>', page)


# --- the filter options -------------------------------------------------------------------


def filter_params(name: str) -> list[tuple]:
    command = typer.main.get_command(app).commands[name]
    wanted = {option for option, _, _ in FILTER_OPTIONS}
    return [(p.name, tuple(sorted(p.opts, key=len, reverse=True)), p.help, p.metavar, p.default)
            for p in command.params if p.name in wanted]


def test_list_summary_and_export_share_the_nine_filter_options():
    shared = filter_params("list")
    assert len(shared) == len(FILTER_OPTIONS) == 9
    assert [p[1][0] for p in shared] == ["--open", "--closed", "--overdue", "--aspect", "--dept", "--lead",
                                          "--kind", "--due-before", "--search"]
    assert filter_params("summary") == shared
    assert filter_params("export") == shared


@pytest.mark.parametrize("command", FILTERED_COMMANDS)
def test_help_shows_every_filter_option_in_chinese(rectify, command):
    out = rectify(command, "--help")
    assert out.code == 0
    for name, opts, help_text, _, _ in filter_params(command):
        line = next((line for line in out.stdout.splitlines() if f"{opts[0]} " in line), None)
        assert line is not None and help_text[:6] in line, name
    assert "只要未销号的" in out.stdout and "在标题、措施、成效、进展中查找文字" in out.stdout


def test_the_filters_select_the_same_items_everywhere(rectify):
    args = ("--aspect", "二", "--closed", "--search", "制度")
    listed = [line.split("\t")[0] for line in rectify(*TODAY, "list", *args, "--format", "tsv").stdout.splitlines()[1:]]
    exported = [item["id"] for item in json.loads(rectify(*TODAY, "export", *args, "--format", "json").stdout)["items"]]
    found = json.loads(rectify(*TODAY, "summary", *args, "--format", "json").stdout)["summary"]["found"]
    assert listed and listed == exported and found == len(listed)


@pytest.mark.parametrize("command", FILTERED_COMMANDS)
def test_open_and_closed_together_is_a_usage_error(rectify, command):
    out = rectify(command, "--open", "--closed")
    assert out.code == 2
    assert "--open 与 --closed 不能同时使用" in out.stderr
