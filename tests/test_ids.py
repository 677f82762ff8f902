"""Item IDs as a clerk types them (DESIGN §5), through `rectify show`."""

from __future__ import annotations

import pytest

from rectify_cli.ids import ItemRef, parse_id, sort_key

FORMS_OF_13_2 = ["13.2", "13-2", "13(2)", "13.(2)", "13（2）", "１３．２", "13．2", "13-(2)", " 13.2 ", "13②", "13、2"]


@pytest.mark.parametrize("text", FORMS_OF_13_2)
def test_every_form_parses_to_13_2(text):
    assert parse_id(text) == ItemRef(13, 2)


@pytest.mark.parametrize("text", ["13", "１３", "13."])
def test_bare_problem(text):
    assert parse_id(text) == ItemRef(13, None)


@pytest.mark.parametrize("text", ["", "abc", "13.2.1", "0", "13.0", "-1", "13..2", "1e3"])
def test_not_an_id(text):
    assert parse_id(text) is None


def test_numeric_sort():
    ids = ["13.10", "2", "13.2", "10", "1.1"]
    assert sorted(ids, key=sort_key) == ["1.1", "2", "10", "13.2", "13.10"]


@pytest.mark.parametrize("text", FORMS_OF_13_2)
def test_show_accepts_every_form(rectify, text):
    out = rectify("show", text, "--format", "tsv")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("编号:13.2\n")
    assert "截止2021年8月底" in out.stdout


@pytest.mark.parametrize("text", ["2", "2.1", "2-1", "２", "2(1)"])
def test_single_item_problem_answers_to_2_and_2_1(rectify, text):
    out = rectify("show", text, "--format", "tsv")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("编号:2\n")
    assert "具体问题:" not in out.stdout  # no title of its own: not shown (show --all-fields shows —)
    assert "问题:2. 党史学习教育抓得不实" in out.stdout


def test_bare_problem_shows_all_its_items(rectify):
    out = rectify("show", "13", "--format", "tsv")
    assert out.code == 0
    shown = [line for line in out.stdout.splitlines() if line.startswith("编号:")]
    assert shown == ["编号:13.1", "编号:13.2"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [("2.2", "问题 2 下有:2"), ("13.5", "问题 13 下有:13.1、13.2"), ("99", "相近的有:16、17"), ("0.1", "不是有效的编号")],
)
def test_unknown_id_names_the_nearest(rectify, text, hint):
    out = rectify("show", text)
    assert out.code == 1
    assert out.stdout == ""
    assert hint in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
