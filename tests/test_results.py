"""What rectification produced: remarks, accountability, funds recovered, rules made or revised,
and the sentence of results in `summary` and `report` (issue 11, points 4–8 and 10)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rectify_cli import loading
from rectify_cli.vocab import parse_amount, wan_text, yuan_text

from .conftest import invoke, write_issue
from .test_import import import_xlsx, init

ISSUE_13 = "issues/13.yaml"
SECOND_ITEM = "  - number: 2\n"


def with_fields(ledger: Path, text: str) -> Path:
    """Issue 13 with `text` (item fields, indented by four) added to its item 13.2."""
    path = ledger / ISSUE_13
    source = path.read_text(encoding="utf-8")
    assert SECOND_ITEM in source
    return write_issue(ledger, "13.yaml", source.replace(SECOND_ITEM, SECOND_ITEM + text))


def check_errors(rectify) -> list[str]:
    outcome = rectify("check")
    assert outcome.code == 1, outcome.stdout
    return [line for line in outcome.stderr.splitlines() if ": 错误: " in line]


def show(rectify, item: str = "13.2") -> str:
    outcome = rectify("show", item, "--format", "tsv")
    assert outcome.code == 0, outcome.stderr
    return outcome.stdout


def csv_rows(rectify, tmp_path: Path) -> list[dict]:
    out = tmp_path / "台账.csv"
    assert rectify("export", "--format", "csv", "-o", str(out)).code == 0
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def round_trip(rectify, tmp_path: Path):
    """The ledger exported to xlsx and imported into a fresh one: its item 13.2."""
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert invoke("--ledger", str(folder), "check").code == 0
    return next(e.item for e in loading.load_valid(folder).entries() if e.id == "13.2")


# --- 4. remarks -------------------------------------------------------------------------


def test_remarks_shown_exported_and_imported_back(ledger, rectify, tmp_path):
    with_fields(ledger, "    remarks: 需财政局审核后处置\n")
    assert rectify("check").code == 0
    assert "备注:需财政局审核后处置" in show(rectify)
    row = next(r for r in csv_rows(rectify, tmp_path) if r["序号"] == "13.2")
    assert row["备注"] == "需财政局审核后处置"
    assert round_trip(rectify, tmp_path).remarks == "需财政局审核后处置"


def test_remarks_must_be_text(ledger, rectify):
    with_fields(ledger, "    remarks: [a, b]\n")
    errors = check_errors(rectify)
    assert any("13.yaml:14:14" in line and "remarks(备注) 应为文字" in line for line in errors), errors


# --- 7. institutions: a name, or {name, action, date} ---------------------------------

RULES = """\
    institutions:
      - 《泾县城管执法局国有资产管理制度》
      - name: 《固定资产处置办法》
        action: 修订
        date: 2022-01-05
"""


def test_institutions_plain_and_revised_shown_exported_and_imported_back(ledger, rectify, tmp_path):
    with_fields(ledger, RULES)
    assert rectify("check").code == 0
    text = show(rectify)
    assert "建章立制:《泾县城管执法局国有资产管理制度》(制定)" in text
    assert "《固定资产处置办法》(修订,2022-01-05)" in text
    row = next(r for r in csv_rows(rectify, tmp_path) if r["序号"] == "13.2")
    assert row["建章立制"] == "《泾县城管执法局国有资产管理制度》(制定)\n《固定资产处置办法》(修订,2022-01-05)"
    data = json.loads(rectify("show", "13.2", "--format", "json").stdout)["items"][0]
    assert data["institutions"][1] == {"name": "《固定资产处置办法》", "action": "revised", "date": "2022-01-05"}
    rules = round_trip(rectify, tmp_path).institutions
    assert [(r.name, r.action.value, str(r.date)) for r in rules] == [
        ("《泾县城管执法局国有资产管理制度》", "new", "None"), ("《固定资产处置办法》", "revised", "2022-01-05")]


def test_institution_action_must_be_a_known_word(ledger, rectify):
    with_fields(ledger, "    institutions:\n      - name: 某制度\n        action: 废止\n")
    errors = check_errors(rectify)
    assert len(errors) == 1, errors
    assert "13.yaml:16:17:" in errors[0]
    assert "action(制定或修订) 的值 '废止' 无效,可填:new、revised、制定" in errors[0]


# --- 5. accountability ------------------------------------------------------------------

ACCOUNTABILITY = """\
    accountability:
      - kind: 诫勉
        people: 1
      - kind: [责令检查, 批评教育, 谈话提醒]
        people: 15
"""


def test_accountability_shown_exported_and_imported_back(ledger, rectify, tmp_path):
    with_fields(ledger, ACCOUNTABILITY)
    assert rectify("check").code == 0
    assert "问责:诫勉1人\n    责令检查、批评教育、提醒谈话等15人\n" in show(rectify)
    row = next(r for r in csv_rows(rectify, tmp_path) if r["序号"] == "13.2")
    assert row["问责情况"] == "诫勉1人\n责令检查、批评教育、提醒谈话等15人"
    data = json.loads(rectify("show", "13.2", "--format", "json").stdout)["items"][0]
    assert data["accountability"] == [{"kind": ["admonition"], "people": 1},
                                      {"kind": ["ordered_review", "criticism", "reminder_talk"], "people": 15}]
    entries = round_trip(rectify, tmp_path).accountability
    assert [([k.value for k in e.kind], e.people) for e in entries] == [
        (["admonition"], 1), (["ordered_review", "criticism", "reminder_talk"], 15)]


@pytest.mark.parametrize(("entry", "where", "message"), [
    ("      - kind: 警告\n        people: 1\n", "15:15", "kind(问责方式) 的值 '警告' 无效,可填:party_discipline"),
    ("      - kind: [诫勉, 罚款]\n        people: 1\n", "15:20", "kind(问责方式) 的值 '罚款' 无效,可填:"),
    ("      - kind: 诫勉\n        people: -1\n", "16:17", "people(人数) 应不小于 0"),
    ("      - kind: 诫勉\n", "15:9", "缺少必填字段 people(人数)"),
])
def test_accountability_errors_point_at_the_value(ledger, rectify, entry, where, message):
    with_fields(ledger, "    accountability:\n" + entry)
    errors = check_errors(rectify)
    assert len(errors) == 1, errors
    assert f"13.yaml:{where}:" in errors[0] and message in errors[0], errors
    if "无效" in message:
        assert all(word in errors[0] for word in ("党纪处分", "诫勉", "提醒谈话", "谈话提醒", "交由纪委调查"))


# --- 6. funds recovered ------------------------------------------------------------------


@pytest.mark.parametrize(("written", "yuan", "wan"), [
    (34600, "34600", "3.46万元"),
    (34600.0, "34600", "3.46万元"),
    ("34600.00", "34600", "3.46万元"),
    ("3.46万元", "34600", "3.46万元"),
    ("3.46万", "34600", "3.46万元"),
    ("34600元", "34600", "3.46万元"),
    (34600.5, "34600.50", "3.4601万元"),
    ("1.2345万", "12345", "1.2345万元"),
    ("3.456789万", "34567.89", "3.4568万元"),
    (0, "0", "0万元"),
])
def test_amounts_accepted(written, yuan, wan):
    amount = parse_amount(written)
    assert (yuan_text(amount), wan_text(amount)) == (yuan, wan)


@pytest.mark.parametrize("written", [34600.123, "34600.001", -1, "-1", True, "3.4.5", "abc", "万元", [1], "9" * 40])
def test_amounts_refused(written):
    with pytest.raises(ValueError, match="至多两位小数"):
        parse_amount(written)


def test_funds_shown_exported_and_imported_back(ledger, rectify, tmp_path):
    with_fields(ledger, "    funds_recovered: 3.46万元\n")
    assert rectify("check").code == 0
    assert "追缴资金:34600元" in show(rectify)
    row = next(r for r in csv_rows(rectify, tmp_path) if r["序号"] == "13.2")
    assert row["追缴资金"] == "34600"
    data = json.loads(rectify("show", "13.2", "--format", "json").stdout)["items"][0]
    assert data["funds_recovered"] == 34600
    assert str(round_trip(rectify, tmp_path).funds_recovered) == "34600.00"


def test_funds_with_fen_survive_the_cache(ledger, rectify):
    with_fields(ledger, "    funds_recovered: 1234.56\n")
    for _ in range(2):  # the second run reads the cache
        data = json.loads(rectify("show", "13.2", "--format", "json").stdout)["items"][0]
        assert data["funds_recovered"] == 1234.56


def test_bad_amount_says_what_is_accepted(ledger, rectify):
    with_fields(ledger, "    funds_recovered: 3.4万美元\n")
    errors = check_errors(rectify)
    assert len(errors) == 1 and "13.yaml:14:22:" in errors[0], errors
    assert "funds_recovered(追缴资金) 应为金额(元,至多两位小数),如 34600、34600.00、3.46万元" in errors[0]


# --- 8. figures ledger.yaml states ---------------------------------------------------------

SHIPPED_RESULTS = "在巡察整改工作中,制定及修改完善制度16项(新建13项、修订3项)。"


def with_figures(ledger: Path, text: str) -> None:
    """ledger.yaml with its figures replaced by `text` (YAML under `figures:`, indented by two)."""
    path = ledger / "ledger.yaml"
    source = path.read_text(encoding="utf-8")
    head = source[:source.index("figures:\n")]
    path.write_text(head + "figures:\n" + text, encoding="utf-8")


def test_shipped_ledger_states_its_rules(rectify):
    assert rectify("check").code == 0
    data = json.loads(rectify("summary", "--format", "json").stdout)["results"]
    assert data["institutions"] == {"new": 13, "revised": 3, "total": 16}


@pytest.mark.parametrize(("figures", "where", "message"), [  # where: lines after `figures:`, column
    ("  institutions: {new: -1}\n", (1, 23), "new(新建制度数) 应不小于 0"),
    ("  funds_recovered: 三万元\n", (1, 20), "funds_recovered(追缴资金) 应为金额"),
    ("  accountability:\n    - kind: 记过\n      people: 1\n", (2, 13), "kind(问责方式) 的值 '记过' 无效"),
    ("  fund_recovered: 1\n", (1, 3), "未知字段 'fund_recovered',是不是 funds_recovered(追缴资金)?"),
])
def test_bad_figures_point_at_ledger_yaml(ledger, rectify, figures, where, message):
    with_figures(ledger, figures)
    lines = (ledger / "ledger.yaml").read_text(encoding="utf-8").splitlines()
    where = f"{lines.index('figures:') + 1 + where[0]}:{where[1]}"
    errors = check_errors(rectify)
    assert len(errors) == 1 and f"ledger.yaml:{where}:" in errors[0] and message in errors[0], errors


# --- 10. the sentence of results ------------------------------------------------------------


def test_summary_and_report_print_the_shipped_results(rectify):
    for fmt in ("table", "md"):
        outcome = rectify("summary", "--format", fmt)
        assert outcome.code == 0 and outcome.stderr == ""
        assert SHIPPED_RESULTS in outcome.stdout.splitlines()
    report = rectify("report", "--format", "txt")
    assert report.stderr == ""
    paragraphs = report.stdout.splitlines()
    # after the opening paragraph and where the work stands; the report's punctuation is full-width
    assert paragraphs[3] == "在巡察整改工作中，制定及修改完善制度16项（新建13项、修订3项）。"


OTHER_ITEM = """\
    accountability:
      - kind: 批评教育
        people: 2
      - kind: 组织处理
        people: 0
    institutions: [《资产处置办法》]
    funds_recovered: 1000
"""


def with_results_on_items(ledger: Path) -> None:
    with_fields(ledger, ACCOUNTABILITY + RULES + "    funds_recovered: 3.46万元\n")
    source = (ledger / "issues" / "14.yaml").read_text(encoding="utf-8")
    write_issue(ledger, "14.yaml", source.replace(SECOND_ITEM, SECOND_ITEM + OTHER_ITEM, 1)
                if SECOND_ITEM in source else source.replace("    number: 1\n", "    number: 1\n" + OTHER_ITEM, 1))


def test_figures_from_items_in_the_reports_order(ledger, rectify):
    with_figures(ledger, "")  # the ledger states nothing: every figure comes from the items
    with_results_on_items(ledger)
    outcome = rectify("summary", "--format", "json")
    assert outcome.code == 0 and outcome.stderr == "", outcome.stderr
    results = json.loads(outcome.stdout)["results"]
    assert results["sentence"] == (
        "在巡察整改工作中,给予组织处理0人、诫勉1人、责令检查、批评教育、提醒谈话等15人、批评教育2人;"
        "制定及修改完善制度3项(新建2项、修订1项);追缴资金3.56万元。")
    assert results["accountability"][0] == {"kind": ["organisational"], "people": 0}
    assert results["institutions"] == {"new": 2, "revised": 1, "total": 3}
    assert results["funds_recovered"] == 35600


def test_stated_figures_win_and_the_difference_is_warned(ledger, rectify):
    with_figures(ledger, "  institutions: {new: 13, revised: 3}\n  funds_recovered: 3.56万\n"
                         "  accountability:\n    - {kind: 诫勉, people: 4}\n    - {kind: 政务处分, people: 0}\n")
    with_results_on_items(ledger)
    outcome = rectify("summary", "--format", "md")
    assert outcome.code == 0
    assert ("在巡察整改工作中,给予政务处分0人、诫勉4人;制定及修改完善制度16项(新建13项、修订3项);"
            "追缴资金3.56万元。") in outcome.stdout
    warnings = outcome.stderr.splitlines()
    assert len(warnings) == 2, warnings  # the funds agree
    assert "ledger.yaml 写明问责 政务处分0人、诫勉4人" in warnings[0]
    assert "各事项合计 组织处理0人、诫勉1人、责令检查、批评教育、提醒谈话等15人、批评教育2人" in warnings[0]
    assert "ledger.yaml 写明建章立制 新建13项、修订3项,各事项合计 新建2项、修订1项" in warnings[1]
    assert rectify("report", "--format", "txt").stderr.splitlines() == warnings


def test_a_ledger_without_results_has_no_sentence(ledger, rectify):
    with_figures(ledger, "")
    outcome = rectify("summary", "--format", "md")
    assert "在巡察整改工作中" not in outcome.stdout
    results = json.loads(rectify("summary", "--format", "json").stdout)["results"]
    assert results == {"accountability": None, "institutions": None, "funds_recovered": None, "sentence": None}
