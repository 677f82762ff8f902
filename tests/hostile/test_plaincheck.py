"""A pull's plainly valid issue files are read without pydantic (issue 16, point 7).

plaincheck.plainly_valid passes only data the Problem model certainly accepts, in the forms
the tool writes; then records.from_data gives the record the model would. Everything else
is "in doubt" and goes through pydantic as before.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from rectify_cli import model, records, yamlsource
from rectify_cli.fields import PROBLEM
from rectify_cli.plaincheck import plainly_valid
from rectify_cli.vocab import Penalty

from ..conftest import DATA
from .support import load_bench, run_child
from .test_properties import ISSUE, JUNK, as_is, issue_documents, mostly, quick

WORDS = st.text(st.characters(whitelist_categories=("L", "N", "P", "S")), min_size=1, max_size=8)
DAYS = st.dates(dt.date(2021, 1, 1), dt.date(2023, 1, 1))


def canonical_documents(mostly):
    """Issue files in the forms the tool writes, every field of the schema used; `mostly` decides
    how often a value is junk instead."""
    evidence = st.fixed_dictionaries({}, optional={
        "name": mostly(WORDS), "path": mostly(st.just("evidence/13.2/a.pdf")), "size": mostly(st.integers(0, 10**6)),
        "sha256": mostly(st.sampled_from(["0" * 64, "ab" * 32]))})
    history = st.fixed_dictionaries(
        {"date": mostly(DAYS), "action": mostly(st.sampled_from(["progress", "close", "reopen"]))},
        optional={"by": mostly(WORDS), "note": mostly(WORDS), "evidence": mostly(st.lists(evidence, max_size=2)),
                  "closed_on": mostly(DAYS), "closed_by": mostly(WORDS), "previous_outcome": mostly(WORDS),
                  "source": mostly(WORDS)})
    institution = st.fixed_dictionaries({"name": mostly(WORDS)}, optional={
        "action": mostly(st.sampled_from(["new", "revised"])), "date": mostly(DAYS)})
    accountability = st.fixed_dictionaries({
        "kind": mostly(st.lists(st.sampled_from([p.value for p in Penalty]), min_size=1, max_size=3)),
        "people": mostly(st.integers(0, 50))})
    item = st.fixed_dictionaries({"number": mostly(st.integers(1, 3))}, optional={
        **{key: mostly(WORDS) for key in ("title", "description", "measures", "lead", "owner", "closed_by",
                                          "outcome", "remarks")},
        "departments": mostly(st.lists(WORDS, max_size=3)), "deadline": mostly(DAYS), "closed_on": mostly(DAYS),
        "kind": mostly(st.sampled_from(["immediate", "time_bound", "long_term"])),
        "status": mostly(st.sampled_from(["open", "closed"])),
        "evidence": mostly(st.lists(evidence, max_size=2)), "institutions": mostly(st.lists(institution, max_size=2)),
        "accountability": mostly(st.lists(accountability, max_size=2)),
        "funds_recovered": mostly(st.integers(0, 10**9)), "history": mostly(st.lists(history, max_size=2))})
    return st.fixed_dictionaries({"id": mostly(st.integers(1, 99)), "aspect": mostly(WORDS), "title": mostly(WORDS),
                                  "items": mostly(st.lists(item, min_size=1, max_size=3))})


NEAR = [True, False, 0, -1, 1.0, 10**30, "", " ", "2022-02-23", "2022/2/23", "2022-13-01", dt.datetime(2022, 2, 23, 10),
        None, "已销号", "立行立改", "诫勉", "CLOSED", "3.46万元", "34600", "环卫所、执法大队", [], {}, ["x"], [""], [1],
        "0" * 64 + "\n", "\ud800"]


def _places(value):
    """(container, key) of every value in a document, nested ones too."""
    pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in list(pairs):
        yield value, key
        yield from _places(inner)


@st.composite
def one_value_changed(draw):
    """A document the tool wrote with one value replaced, one key dropped, or one key added."""
    document = draw(canonical_documents(as_is))
    container, key = draw(st.sampled_from(list(_places(document))))
    how = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
    if how == "drop" and isinstance(container, dict):
        del container[key]
    elif how == "add" and isinstance(container, dict):
        container[draw(st.sampled_from(["stauts", "备注", "Title", 7]))] = "x"
    else:
        container[key] = draw(st.one_of(st.sampled_from(NEAR), JUNK))
    return document


def parsed(document) -> object:
    """The document as the loader reads it from a file the tool or a clerk wrote."""
    return yamlsource.parse(Path(ISSUE), yaml.safe_dump(document, allow_unicode=True, sort_keys=False)).data


def assert_the_model_agrees(data) -> None:
    """Plainly valid data is what pydantic accepts, and from_data builds the record the model gives."""
    validated = model.Problem.model_validate(data)
    assert records.from_data(records.Problem, data) == model.to_record(validated)


@quick(300)
@given(st.one_of(one_value_changed(), one_value_changed(), issue_documents(mostly), issue_documents(as_is)))
@pytest.mark.slow
def test_plainly_valid_data_is_what_the_model_accepts_slow(document):
    try:
        data = parsed(document)
    except yamlsource.SourceError:
        return
    if plainly_valid(PROBLEM, data):
        assert_the_model_agrees(data)


@quick(60)
@given(canonical_documents(as_is))
@example({"id": 1, "aspect": "一", "title": "t", "items": [{"number": 1, "title": None, "closed_on": None}]})
def test_the_forms_the_tool_writes_are_plainly_valid(document):
    data = parsed(document)
    assert plainly_valid(PROBLEM, data)
    assert_the_model_agrees(data)


FULL = {  # every field of an issue file, in the forms the tool writes
    "id": 13, "aspect": "二", "title": "问题", "items": [{
        "number": 1, "title": "具体问题", "description": "描述", "measures": "措施", "lead": "张三",
        "departments": ["环卫所", "执法大队"], "owner": "李四", "deadline": dt.date(2022, 3, 1), "kind": "time_bound",
        "status": "closed", "closed_on": dt.date(2022, 2, 23), "closed_by": "王五", "outcome": "成效",
        "evidence": [{"name": "照片", "path": "evidence/13.1/a.jpg", "size": 12, "sha256": "0" * 64}],
        "institutions": [{"name": "《制度》", "action": "revised", "date": dt.date(2022, 1, 5)}],
        "accountability": [{"kind": ["admonition", "criticism"], "people": 2}], "funds_recovered": 34600,
        "remarks": "备注", "history": [{"date": dt.date(2022, 2, 23), "action": "close", "by": "王五", "note": "说明",
                                      "evidence": [{"name": "照片"}], "closed_on": dt.date(2022, 2, 1),
                                      "closed_by": "赵六", "previous_outcome": "原成效", "source": "表1/3"}]}]}


DROP, ADD = object(), object()


def test_every_value_of_a_full_file_changed_to_a_near_miss():
    # each value in turn (nested ones too) replaced by each near miss, its key dropped, or a key added
    assert plainly_valid(PROBLEM, FULL)
    assert_the_model_agrees(FULL)
    passed = 0
    for index, _place in enumerate(_places(FULL)):
        for change in [*NEAR, DROP, ADD]:
            document = copy.deepcopy(FULL)
            container, key = list(_places(document))[index]
            if change in (DROP, ADD):
                if not isinstance(container, dict):
                    continue
                if change is DROP:
                    del container[key]
                else:
                    container["stauts"] = container[key]
            else:
                container[key] = copy.deepcopy(change)
            if plainly_valid(PROBLEM, document):
                assert_the_model_agrees(document)
                passed += 1
    assert passed > 50  # optional keys dropped, texts replaced: still plainly valid


def _thirteen() -> dict:
    data = yamlsource.parse(DATA / ISSUE, (DATA / ISSUE).read_text(encoding="utf-8")).data
    assert plainly_valid(PROBLEM, data)
    return data


def _set(path: tuple, value):
    def change(data):
        *parents, last = path
        for part in parents:
            data = data[part]
        data[last] = value
    return change


def _drop(path: tuple):
    def change(data):
        *parents, last = path
        for part in parents:
            data = data[part]
        del data[last]
    return change


NEAR_MISSES = {  # valid or not to pydantic, each is in doubt here
    "a bool as id": _set(("id",), True),
    "a bool as number": _set(("items", 0, "number"), True),
    "a float as number": _set(("items", 0, "number"), 1.0),
    "a number below its minimum": _set(("items", 0, "number"), 0),
    "an impossible date as text": _set(("items", 0, "closed_on"), "2022-13-01"),
    "a good date as text": _set(("items", 0, "closed_on"), "2022-02-23"),
    "a date with a time": _set(("items", 0, "closed_on"), dt.datetime(2022, 2, 23, 10)),
    "an unknown key": _set(("stauts",), "closed"),
    "an unknown key in an item": _set(("items", 0, "stauts"), "closed"),
    "a key that is a number": _set(("items", 0, 7), "x"),
    "an empty title": _set(("title",), ""),
    "an empty item title": _set(("items", 0, "title"), ""),
    "a missing title": _drop(("title",)),
    "a missing number": _drop(("items", 0, "number")),
    "no items": _set(("items",), []),
    "None for a required field": _set(("aspect",), None),
    "None for a field with a default": _set(("items", 0, "status"), None),
    "None for a list": _set(("items", 0, "departments"), None),
    "a status word, not its token": _set(("items", 0, "status"), "已销号"),
    "a kind word, not its token": _set(("items", 0, "kind"), "立行立改"),
    "a status in capitals": _set(("items", 0, "status"), "CLOSED"),
    "departments as one string": _set(("items", 0, "departments"), "环卫所、执法大队"),
    "a department that is a number": _set(("items", 0, "departments"), ["环卫所", 3]),
    "an amount as text": _set(("items", 0, "funds_recovered"), "3.46万元"),
    "an amount as a float": _set(("items", 0, "funds_recovered"), 34600.5),
    "a negative amount": _set(("items", 0, "funds_recovered"), -1),
    "an evidence shorthand": _set(("items", 0, "evidence"), ["照片"]),
    "an institution shorthand": _set(("items", 0, "institutions"), ["《学习制度》"]),
    "a penalty as one word": _set(("items", 0, "accountability"), [{"kind": "admonition", "people": 1}]),
    "a penalty word, not its token": _set(("items", 0, "accountability"), [{"kind": ["诫勉"], "people": 1}]),
    "no penalty": _set(("items", 0, "accountability"), [{"kind": [], "people": 1}]),
    "a checksum ending in a newline": _set(("items", 0, "evidence"), [{"name": "a", "sha256": "0" * 64 + "\n"}]),
    "a checksum of the wrong form": _set(("items", 0, "evidence"), [{"name": "a", "sha256": "xyz"}]),
    "a lone surrogate": _set(("items", 0, "title"), "\ud800"),
    "an item that is a list": _set(("items", 0), ["number", 1]),
    "an empty mapping": lambda data: data.clear(),  # every required key missing
}


@pytest.mark.parametrize("miss", list(NEAR_MISSES))
def test_a_near_miss_is_in_doubt(miss):
    data = _thirteen()
    NEAR_MISSES[miss](data)
    assert not plainly_valid(PROBLEM, data)
    assert not plainly_valid(PROBLEM, [data]) and not plainly_valid(PROBLEM, None)


def _all_plainly_valid(folder: Path) -> int:
    paths = sorted((folder / "issues").glob("*.yaml"))
    for path in paths:
        data = yamlsource.parse(path, path.read_text(encoding="utf-8")).data
        assert plainly_valid(PROBLEM, data), path.name
        assert_the_model_agrees(copy.deepcopy(data))
    return len(paths)


def test_every_shipped_and_benchmark_issue_file_is_plainly_valid(tmp_path):
    assert _all_plainly_valid(DATA) == 17
    load_bench().build_ledger(tmp_path / "bench", 300)
    assert _all_plainly_valid(tmp_path / "bench") >= 10


# --- Through the CLI: a pull of plainly valid files imports no pydantic -------------------------


def _listed(ledger: Path) -> tuple[str, str]:
    """(list --format json, the imports' trace) of a child process."""
    done = run_child(ledger, "list", "--format", "json", python=("-X", "importtime", "-m", "rectify_cli"))
    assert done.code == 0, done.stderr
    return done.stdout, done.stderr


def _fresh(ledger: Path) -> str:
    shutil.rmtree(ledger / ".rectify", ignore_errors=True)
    done = run_child(ledger, "list", "--format", "json")
    assert done.code == 0, done.stderr
    return done.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _status(listed: str, item_id: str) -> str:
    return next(item["status"] for item in json.loads(listed)["items"] if item["id"] == item_id)


@pytest.mark.slow
def test_a_pull_of_plainly_valid_files_imports_no_pydantic(ledger):
    _listed(ledger)  # the cache, warm
    _edit(ledger / "issues" / "16.yaml", "    status: open\n", "    status: closed\n    closed_on: 2022-03-01\n")
    _edit(ledger / "issues" / "01.yaml", "一是党的重大理论学习成效显著。", "一是党的重大理论学习成效显著(拉取后的改动)。")
    listed, imports = _listed(ledger)
    assert "rectify_cli.plaincheck" in imports  # the changed files were checked, the fast way
    assert "pydantic" not in imports
    assert _status(listed, "16") == "closed"
    assert listed == _fresh(ledger)


@pytest.mark.slow
def test_a_changed_file_in_doubt_is_validated_and_reads_right(ledger):
    _listed(ledger)
    _edit(ledger / "issues" / "16.yaml", "    status: open\n", "    status: closed\n    closed_on: '2022-03-01'\n")
    listed, imports = _listed(ledger)
    assert "pydantic" in imports  # a date written as text: the validator reads it
    assert _status(listed, "16") == "closed"
    assert listed == _fresh(ledger)
