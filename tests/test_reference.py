"""The shipped ledger in data/ against the reference document it was transcribed from."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rectify_cli import loading
from rectify_cli.model import Kind, Status

from .conftest import DATA, REFERENCE

ASPECT_RE = re.compile(r"^\((一|二|三)\)(.+方面)。?$")
PROBLEM_RE = re.compile(r"^(\d+)[.、]关于“(.+)”的问题。$")
SUB_ITEM_RE = re.compile(r"^\((\d+)\)(.+?)。?$")
OPEN_IDS = {"8.2", "11.3", "13.2", "15.1", "16", "17"}


def reference_outline():
    """Aspects, problems and sub-items as the document's part 二 states them."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("三、"))
    aspects, problems, outcomes = {}, {}, []
    aspect = problem = None
    for line in lines[start + 1 : end]:
        if match := ASPECT_RE.match(line):
            aspect = match[1]
            aspects[aspect] = match[2]
        elif match := PROBLEM_RE.match(line):
            problem = int(match[1])
            problems[problem] = {"aspect": aspect, "title": match[2], "items": []}
        elif match := SUB_ITEM_RE.match(line):
            problems[problem]["items"].append(match[2])
        elif line.startswith("整改成效:"):
            outcomes.append(line.removeprefix("整改成效:"))
    return aspects, problems, outcomes


@pytest.fixture(scope="module")
def shipped():
    return loading.load_valid(DATA)


def test_counts_match_the_document(shipped):
    aspects, problems, outcomes = reference_outline()
    entries = shipped.entries()
    assert (len(aspects), len(problems), len(outcomes)) == (3, 17, 34)
    assert len(shipped.info.aspects) == 3
    assert len(shipped.problems) == 17
    assert len(entries) == 34 == shipped.info.stated_items
    assert "34个具体问题" in REFERENCE.read_text(encoding="utf-8")


def test_aspects_match(shipped):
    aspects, _, _ = reference_outline()
    assert shipped.info.aspects == aspects


def test_every_problem_title_and_aspect_matches(shipped):
    _, problems, _ = reference_outline()
    for problem in shipped.problems:
        expected = problems[problem.id]
        assert problem.title == expected["title"], problem.id
        assert problem.aspect == expected["aspect"], problem.id


def test_every_sub_item_title_matches(shipped):
    _, problems, _ = reference_outline()
    for problem in shipped.problems:
        expected = problems[problem.id]["items"]
        titles = [item.title for item in problem.items]
        if expected:
            assert titles == expected, problem.id
        else:  # a problem without sub-items is one item with no title of its own
            assert titles == [None], problem.id


def test_outcomes_are_the_documents_text_in_order(shipped):
    _, _, outcomes = reference_outline()
    assert [entry.item.outcome for entry in shipped.entries()] == outcomes


def test_problem_17_keeps_its_nested_quotes(shipped):
    title = shipped.problem(17).title
    assert title.startswith("上一轮巡察指出的“混编混岗问题突出”以及“")
    assert title.endswith("”问题整改不到位")


def test_single_item_problems(shipped):
    singles = sorted(e.id for e in shipped.entries() if e.single)
    assert singles == ["16", "17", "2", "4", "6", "9"]


def test_open_and_closed_items(shipped):
    entries = shipped.entries()
    assert {e.id for e in entries if e.item.status is Status.OPEN} == OPEN_IDS
    closed = [e for e in entries if e.item.status is Status.CLOSED]
    assert len(closed) == 28
    assert {e.item.closed_on for e in closed} == {dt.date(2022, 2, 23)}
    assert all(e.item.closed_on is None for e in entries if e.id in OPEN_IDS)


def test_only_the_two_immediate_fixes_have_a_kind(shipped):
    kinds = {e.id: e.item.kind for e in shipped.entries() if e.item.kind}
    assert kinds == {"12.1": Kind.IMMEDIATE, "13.1": Kind.IMMEDIATE}


def test_nothing_invented(shipped):
    for entry in shipped.entries():
        item = entry.item
        assert (item.lead, item.owner, item.deadline, item.closed_by) == (None, None, None, None), entry.id
        assert item.history == [] and item.evidence == [], entry.id


def test_departments_are_named_in_the_outcome_text(shipped):
    with_departments = {e.id: e.item.departments for e in shipped.entries() if e.item.departments}
    assert with_departments["10.1"] == ["政策法规股"]
    assert set(with_departments["11.3"]) == {"环卫所", "执法大队"}
    for entry in shipped.entries():
        for department in entry.item.departments:
            assert department in entry.item.outcome, (entry.id, department)


def test_dates_of_the_inspection(shipped):
    info = shipped.info
    assert info.inspection.start == dt.date(2021, 8, 30)
    assert info.inspection.end == dt.date(2021, 9, 18)
    assert info.feedback_date == dt.date(2021, 10, 29)
    text = REFERENCE.read_text(encoding="utf-8")
    assert "2021年8月30日至2021年9月18日" in text and "10月29日上午" in text
