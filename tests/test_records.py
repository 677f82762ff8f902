"""The plain records mirror the pydantic models field for field, and pack losslessly."""

from __future__ import annotations

import pytest

from rectify_cli import loading, model, records

from .conftest import DATA

PAIRS = [(model.Evidence, records.Evidence), (model.HistoryEntry, records.HistoryEntry),
         (model.Item, records.Item), (model.Problem, records.Problem),
         (model.Inspection, records.Inspection), (model.LedgerInfo, records.LedgerInfo)]


@pytest.mark.parametrize(("validated", "plain"), PAIRS, ids=lambda c: c.__name__)
def test_fields_in_step(validated, plain):
    assert list(validated.model_fields) == list(plain.__slots__)


def test_pack_and_unpack_round_trip():
    ledger = loading.load_valid(DATA)
    for problem in ledger.problems:
        assert records.unpack(records.Problem, records.pack(problem)) == problem
    assert records.unpack(records.LedgerInfo, records.pack(ledger.info)) == ledger.info


def test_pack_keeps_history_and_evidence():
    item = records.Item(
        number=1, title="标题", status=model.Status.CLOSED,
        closed_on=model.parse_date("2022-02-23"),
        evidence=[records.Evidence(name="《制度》"), records.Evidence(path="evidence/1/a.pdf", size=3, sha256="0" * 64)],
        history=[records.HistoryEntry(date=model.parse_date("2022-01-01"), action=model.Action.REOPEN,
                                      closed_on=model.parse_date("2021-12-01"), note="原因")],
    )
    assert records.unpack(records.Item, records.pack(item)) == item


def test_cache_splits_every_item_field_into_core_or_text():
    from rectify_cli import cache

    assert sorted(cache.ITEM_CORE + cache.ITEM_TEXT) == sorted(records.Item.__slots__)


def test_cached_problems_round_trip_with_and_without_texts():
    from rectify_cli import cache

    for problem in loading.load_valid(DATA).problems:
        packed = cache.pack_problem(problem)
        assert cache.problem_from(packed, full=True) == problem
        light = cache.problem_from(packed, full=False)
        assert [(i.number, i.title, i.status, i.deadline, i.departments) for i in light.items] == [
            (i.number, i.title, i.status, i.deadline, i.departments) for i in problem.items
        ]


def test_from_data_equals_the_validated_model_on_every_shipped_file():
    from rectify_cli import yamlsource

    for path in sorted(DATA.rglob("*.yaml")):
        data = yamlsource.parse(path, path.read_text(encoding="utf-8")).data
        validated = model.LedgerInfo if path.name == "ledger.yaml" else model.Problem
        plain = getattr(records, validated.__name__)
        assert records.from_data(plain, data) == model.to_record(validated.model_validate(data)), path.name


def test_from_data_parses_what_the_models_parse():
    data = {"id": 2, "aspect": "一", "title": "t", "items": [{
        "number": 1, "status": "已销号", "kind": "立行立改", "closed_on": "2022年2月23日",
        "departments": "环卫所、执法大队", "evidence": ["《制度》", {"path": "evidence/2/a.pdf", "size": 3}],
        "history": [{"date": "2022/2/1", "action": "回头看", "evidence": ["《通知》"]}],
    }]}
    plain = records.from_data(records.Problem, data)
    assert plain == model.to_record(model.Problem.model_validate(data))
    assert plain.items[0].departments == ["环卫所", "执法大队"]
    assert plain.items[0].history[0].action is model.Action.REOPEN
