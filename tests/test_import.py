"""`rectify init`, `rectify import text` and `rectify import xlsx`: the real CLI on real files."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml
from openpyxl import Workbook, load_workbook

from rectify_cli import loading
from rectify_cli.export import tabular
from rectify_cli.records import as_data

from .conftest import DATA, REFERENCE, invoke, snapshot, xlsx_rows

# --- helpers ---------------------------------------------------------------------------


def init(folder: Path, *options: str) -> Path:
    outcome = invoke("init", str(folder), *options)
    assert outcome.code == 0, outcome.stderr
    return folder


def write_doc(tmp_path: Path, text: str, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_text(folder: Path, document: Path, *options: str):
    return invoke("--ledger", str(folder), "import", "text", str(document), *options)


def import_xlsx(folder: Path, book: Path, *options: str):
    return invoke("--ledger", str(folder), "import", "xlsx", str(book), *options)


def imported(tmp_path: Path, text: str) -> Path:
    """A fresh ledger with `text` imported, and `rectify check` passing on the result."""
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, text))
    assert outcome.code == 0, outcome.stderr
    assert_checks(folder)
    return folder


def assert_checks(folder: Path) -> None:
    outcome = invoke("--ledger", str(folder), "check")
    assert outcome.code == 0, outcome.stderr


def ledger_data(folder: Path) -> dict:
    return yaml.safe_load((folder / "ledger.yaml").read_text(encoding="utf-8"))


def issues(folder: Path) -> dict[int, dict]:
    found = {}
    for path in sorted((folder / "issues").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.name == f"{data['id']:02d}.yaml"
        found[data["id"]] = data
    return found


def outline(folder: Path) -> list[tuple]:
    """(id, aspect, title, [(item title, outcome)…]) per issue file, in id order."""
    return [
        (pid, data["aspect"], data["title"], [(i.get("title"), i.get("outcome")) for i in data["items"]])
        for pid, data in issues(folder).items()
    ]


def issue_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "issues").glob("*.yaml"))}


def schema_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    return path.parent / first.split("$schema=", 1)[1]


def save_book(path: Path, rows: list[list], merges: tuple[str, ...] = (), title: str = "整改台账") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def reference_docx(path: Path) -> Path:
    document = docx.Document()
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


# --- init ------------------------------------------------------------------------------


def test_init_makes_an_empty_ledger_with_marked_blanks(tmp_path):
    folder = init(tmp_path / "new")
    data = ledger_data(folder)
    assert {data[key] for key in ("title", "unit", "inspector")} == {"(待填写)"}
    assert "inspection" not in data and "stated_items" not in data
    assert (folder / "issues").is_dir()
    assert list((folder / "issues").glob("*.yaml")) == []


def test_init_writes_gitignore_for_the_cache(tmp_path):
    folder = init(tmp_path / "new")
    assert ".rectify/" in (folder / ".gitignore").read_text(encoding="utf-8").split()


def test_init_schema_line_resolves_to_its_own_copy(tmp_path):
    folder = init(tmp_path / "new")
    target = schema_target(folder / "ledger.yaml")
    assert target.is_file()
    assert target.resolve().is_relative_to(folder.resolve())


def test_init_blank_ledger_passes_check_with_warnings(tmp_path):
    folder = init(tmp_path / "new")
    outcome = invoke("--ledger", str(folder), "check")
    assert outcome.code == 0
    assert "警告" in outcome.stderr and "错误" not in outcome.stderr


def test_init_takes_every_option(tmp_path):
    folder = init(
        tmp_path / "new", "--unit", "泾县城管执法局", "--inspector", "县委第二巡察组",
        "--title", "整改台账", "--start", "2021-08-30", "--end", "2021-09-18",
        "--feedback", "2021-10-29", "--stated", "34",
        "--aspect", "一=党的建设方面", "--aspect", "二=作风建设方面",
    )
    assert ledger_data(folder) == {
        "title": "整改台账", "unit": "泾县城管执法局", "inspector": "县委第二巡察组",
        "inspection": {"start": dt.date(2021, 8, 30), "end": dt.date(2021, 9, 18)},
        "feedback_date": dt.date(2021, 10, 29), "stated_items": 34,
        "aspects": {"一": "党的建设方面", "二": "作风建设方面"},
    }
    assert_checks(folder)


def test_init_names_the_ledger_after_the_unit(tmp_path):
    folder = init(tmp_path / "new", "--unit", "县财政局")
    assert ledger_data(folder)["title"] == "县财政局巡察整改台账"


@pytest.mark.parametrize("make", ["init", "shipped"])
def test_init_refuses_a_folder_that_holds_a_ledger(tmp_path, ledger, make):
    folder = init(tmp_path / "new") if make == "init" else ledger
    before = snapshot(folder)
    outcome = invoke("init", str(folder), "--unit", "别的单位")
    assert outcome.code == 1
    assert "已经是台账" in outcome.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "options",
    [
        ["--start", "2021-13-01", "--end", "2021-09-18"],
        ["--start", "2021-08-30", "--end", "九月"],
        ["--feedback", "2021/02/30"],
        ["--aspect", "党的建设方面"],
        ["--aspect", "一="],
        ["--start", "2021-08-30"],
        ["--end", "2021-09-18"],
        ["--stated", "-1"],
        ["--stated", "许多"],
    ],
    ids=["bad-start", "bad-end", "bad-feedback", "aspect-no-equals", "aspect-no-title",
         "start-only", "end-only", "negative-stated", "word-stated"],
)
def test_init_rejects_bad_option_values(tmp_path, options):
    folder = tmp_path / "new"
    outcome = invoke("init", str(folder), *options)
    assert outcome.code == 2
    assert not (folder / "ledger.yaml").exists()


def test_new_files_get_the_same_permissions_as_their_siblings(tmp_path):
    previous = os.umask(0o022)
    try:
        folder = init(tmp_path / "new")
        assert import_text(folder, REFERENCE).code == 0
    finally:
        os.umask(previous)
    expected = (folder / "schemas" / "ledger.schema.json").stat().st_mode & 0o777
    assert (folder / "ledger.yaml").stat().st_mode & 0o777 == expected
    assert (folder / "issues" / "01.yaml").stat().st_mode & 0o777 == expected


# --- import text: the outline ----------------------------------------------------------

TEMPLATE = """二、反馈问题整改落实情况
{a1}党的建设方面
{p1}关于“理论学习不深入”的问题。
{s1}学习计划落实不到位。
{label}制定学习计划。
{s2}学习形式单一。
{label}开展专题学习。
继续开展学习。
{a2}作风建设方面
{p2}关于“文风会风不实”的问题。
{label}精简会议。
"""
TEMPLATE_OUTLINE = [
    (1, "一", "理论学习不深入", [("学习计划落实不到位", "制定学习计划。"), ("学习形式单一", "开展专题学习。\n继续开展学习。")]),
    (2, "二", "文风会风不实", [(None, "精简会议。")]),
]
FORMS = {
    "ascii": dict(a1="(一)", a2="(二)", p1="1.", p2="2.", s1="(1)", s2="(2)", label="整改成效:"),
    "fullwidth": dict(a1="（一）", a2="（二）", p1="1、", p2="2、", s1="（1）", s2="（2）", label="整改情况："),
    "circled": dict(a1="(一)", a2="（二）", p1="1．", p2="2．", s1="①", s2="②", label="整改进展:"),
    "mixed": dict(a1="（一）", a2="(二)", p1="1.", p2="2、", s1="(1)", s2="②", label="整改成效："),
}


@pytest.mark.parametrize("form", FORMS)
def test_outline_numbering_forms(tmp_path, form):
    folder = imported(tmp_path, TEMPLATE.format(**FORMS[form]))
    assert outline(folder) == TEMPLATE_OUTLINE
    assert ledger_data(folder)["aspects"] == {"一": "党的建设方面", "二": "作风建设方面"}


@pytest.mark.parametrize(
    "heading, title",
    [
        ("1.关于“理论学习不深入”的问题。", "理论学习不深入"),
        ("1.关于“理论学习不深入”的问题", "理论学习不深入"),
        ("1、关于“理论学习不深入”问题的整改", "理论学习不深入"),
        ("1.关于“理论学习不深入”问题的整改情况", "理论学习不深入"),
        ("1.关于“理论学习不深入”问题", "理论学习不深入"),
        ("1.在“意识形态工作”方面", "意识形态工作"),
        ("1．在“意识形态工作”方面的问题。", "意识形态工作"),
        ("1.理论学习不深入。", "理论学习不深入"),
    ],
)
def test_problem_title_forms(tmp_path, heading, title):
    folder = imported(tmp_path, f"(一)党的建设方面\n{heading}\n整改成效:开展学习。\n")
    assert outline(folder) == [(1, "一", title, [(None, "开展学习。")])]


@pytest.mark.parametrize("label", ["整改成效:", "整改成效：", "整改情况:", "整改情况：", "整改进展:", "整改进展："])
def test_outcome_labels(tmp_path, label):
    folder = imported(tmp_path, f"(一)党的建设方面\n1.关于“学习不深入”的问题\n{label}开展学习。\n")
    assert issues(folder)[1]["items"] == [{"number": 1, "status": "open", "outcome": "开展学习。"}]


UNNUMBERED = """二、反馈问题整改落实情况
(一)党的建设方面
1.关于“财务管理不规范”的问题
差旅费报销不规范。
整改成效:退还多报费用。
继续规范报销。
2.关于“意识形态工作”问题的整改
意识形态责任制落实不到位。
整改情况:压实责任。
"""


def test_unnumbered_specific_item_under_the_problem(tmp_path):
    folder = imported(tmp_path, UNNUMBERED)
    assert outline(folder) == [
        (1, "一", "财务管理不规范", [("差旅费报销不规范", "退还多报费用。\n继续规范报销。")]),
        (2, "一", "意识形态工作", [("意识形态责任制落实不到位", "压实责任。")]),
    ]


TWO_UNNUMBERED = """(一)党的建设方面
1.关于“财务管理不规范”的问题
差旅费报销不规范。
整改成效:退还多报费用。
公务接待超标准。
整改成效:严格执行接待标准。
"""


def test_several_unnumbered_items_under_one_problem(tmp_path):
    folder = imported(tmp_path, TWO_UNNUMBERED)
    assert outline(folder) == [
        (1, "一", "财务管理不规范", [("差旅费报销不规范", "退还多报费用。"), ("公务接待超标准", "严格执行接待标准。")]),
    ]


UNDER_PARTS = """一、党的建设方面
1.关于“理论学习不深入”的问题
整改成效:开展学习。
2.在“意识形态工作”方面
整改成效:压实责任。
二、作风建设方面
3.关于“公车管理不严”的问题
整改成效:加强管理。
"""


def test_problems_directly_under_the_parts(tmp_path):
    folder = imported(tmp_path, UNDER_PARTS)
    assert ledger_data(folder)["aspects"] == {"一": "党的建设方面", "二": "作风建设方面"}
    assert [(pid, aspect, title) for pid, aspect, title, _ in outline(folder)] == [
        (1, "一", "理论学习不深入"), (2, "一", "意识形态工作"), (3, "二", "公车管理不严"),
    ]


FRAMED = """2022年3月1日至2022年4月30日,市委第三巡察组对某某县财政局党组进行了常规巡察。
一、整改工作开展情况
局党组高度重视,召开专题会议研究部署。
(一)组织领导有力。成立领导小组。
二、反馈问题整改落实情况
(一)党的建设方面
1.关于“理论学习不深入”的问题
整改成效:制定学习计划。
三、下一步工作打算
(一)持续巩固成果。
局党组将持续抓好整改。
"""


def test_organisational_parts_are_not_problems(tmp_path):
    folder = imported(tmp_path, FRAMED)
    assert outline(folder) == [(1, "一", "理论学习不深入", [(None, "制定学习计划。")])]
    assert ledger_data(folder)["aspects"] == {"一": "党的建设方面"}


NUMBERED_BEFORE = """一、整改工作开展情况
1.加强组织领导。
局党组成立整改工作领导小组。
2.制定整改方案。
逐项明确整改措施。
3.强化督促检查。
定期调度整改进度。
二、反馈问题整改落实情况
(一)党的建设方面
1.关于“理论学习不深入”的问题
整改成效:制定学习计划。
2.关于“意识形态工作不到位”的问题
整改成效:压实责任。
"""
NUMBERED_AFTER = """二、反馈问题整改落实情况
(一)党的建设方面
1.关于“理论学习不深入”的问题
整改成效:制定学习计划。
2.关于“意识形态工作不到位”的问题
整改成效:压实责任。
三、下一步工作打算
1.持续巩固整改成果。
2.建立健全长效机制。
"""


@pytest.mark.parametrize("text", [NUMBERED_BEFORE, NUMBERED_AFTER], ids=["before", "after"])
def test_numbered_organisational_paragraphs_are_not_problems(tmp_path, text):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, text))
    assert outcome.code == 0, outcome.stderr
    assert "1 个方面,2 个问题,2 项具体问题" in outcome.stdout
    assert [(pid, title) for pid, _, title, _ in outline(folder)] == [(1, "理论学习不深入"), (2, "意识形态工作不到位")]
    assert ledger_data(folder)["aspects"] == {"一": "党的建设方面"}


RESTARTED = """(一)党的建设方面
1.关于“理论学习不深入”的问题
整改成效:制定学习计划。
2.关于“意识形态工作不到位”的问题
整改成效:压实责任。
(二)作风建设方面
1.关于“公车管理不严”的问题
整改成效:加强管理。
"""


def test_repeated_problem_numbers_never_lose_a_problem(tmp_path):
    folder = init(tmp_path / "ledger")
    before = snapshot(folder)
    outcome = import_text(folder, write_doc(tmp_path, RESTARTED))
    if outcome.code == 0:  # either every problem is kept (renumbered) …
        titles = {title for _, _, title, _ in outline(folder)}
        assert titles == {"理论学习不深入", "意识形态工作不到位", "公车管理不严"}
    else:  # … or the import refuses and writes nothing
        assert outcome.code == 1 and snapshot(folder) == before


def test_outcome_label_on_its_own_line(tmp_path):
    text = "(一)党建方面\n1.关于“学习不深入”的问题\n整改成效：\n一是开展学习。\n二是建立制度。\n"
    folder = imported(tmp_path, text)
    assert issues(folder)[1]["items"][0]["outcome"] == "一是开展学习。\n二是建立制度。"


# --- import text: the opening paragraph -------------------------------------------------

BODY = "二、反馈问题整改落实情况\n(一)党的建设方面\n1.关于“理论学习不深入”的问题\n整改成效:开展学习。\n"


@pytest.mark.parametrize(
    "opening, expected",
    [
        pytest.param(
            "2021年8月30日至2021年9月18日,县委第二巡察组对我局进行了巡察。10月29日上午,县委第二巡察组巡察"
            "县城管执法局党组情况反馈会召开,指出了贯彻落实党的路线方针政策和党中央决策部署方面等34个具体问题。",
            ("县城管执法局", "县委第二巡察组", (2021, 8, 30), (2021, 9, 18), (2021, 10, 29), 34),
            id="34个具体问题",
        ),
        pytest.param(
            "2022年3月1日至2022年4月30日,市委第三巡察组对某某县财政局党组进行了常规巡察。"
            "2022年6月10日,巡察组向县财政局党组反馈了巡察意见,反馈25个问题。",
            ("某某县财政局", "市委第三巡察组", (2022, 3, 1), (2022, 4, 30), (2022, 6, 10), ("problems", 25)),
            id="反馈25个问题",
        ),
        pytest.param(
            "根据县委统一安排,县委第一巡察组于2021年4月6日至5月20日对县文化旅游体育局开展了巡察,"
            "并于7月2日反馈了巡察意见,共反馈53条问题。",
            ("县文化旅游体育局", "县委第一巡察组", (2021, 4, 6), (2021, 5, 20), (2021, 7, 2), 53),
            id="53条问题",
        ),
        pytest.param(
            "2021年11月15日至1月10日,县委第一巡察组对县农业农村局党组进行了巡察。2月20日,县委第一巡察组"
            "向县农业农村局党组反馈了巡察意见,共反馈20个问题。",
            ("县农业农村局", "县委第一巡察组", (2021, 11, 15), (2022, 1, 10), (2022, 2, 20), ("problems", 20)),
            id="across-new-year",
        ),
    ],
)
def test_opening_paragraph_fills_the_blanks(tmp_path, opening, expected):
    unit, inspector, start, end, feedback, stated = expected
    data = ledger_data(imported(tmp_path, f"{opening}\n一、整改工作开展情况\n局党组高度重视。\n{BODY}"))
    assert (data["unit"], data["inspector"], data["title"]) == (unit, inspector, f"{unit}巡察整改台账")
    assert data["inspection"] == {"start": dt.date(*start), "end": dt.date(*end)}
    assert data["feedback_date"] == dt.date(*feedback)
    if isinstance(stated, tuple):  # 反馈25个问题 counts problems, not specific items
        assert (data.get("stated_items"), data["stated_problems"], data["count_by"]) == (None, stated[1], "problem")
    else:
        assert data["stated_items"] == stated


def test_facts_not_written_stay_blank(tmp_path):
    data = ledger_data(imported(tmp_path, BODY))
    assert (data["title"], data["unit"], data["inspector"]) == ("(待填写)",) * 3
    assert not {"inspection", "feedback_date", "stated_items"} & data.keys()


def test_values_set_by_init_are_kept(tmp_path):
    folder = init(
        tmp_path / "ledger", "--unit", "泾县城管执法局", "--inspector", "县委巡察组", "--stated", "30",
        "--start", "2021-08-01", "--end", "2021-09-01", "--feedback", "2021-11-01", "--aspect", "一=自定义方面",
    )
    assert import_text(folder, REFERENCE).code == 0
    data = ledger_data(folder)
    assert (data["unit"], data["inspector"], data["title"]) == ("泾县城管执法局", "县委巡察组", "泾县城管执法局巡察整改台账")
    assert (data["stated_items"], data["feedback_date"]) == (30, dt.date(2021, 11, 1))
    assert data["inspection"] == {"start": dt.date(2021, 8, 1), "end": dt.date(2021, 9, 1)}
    assert data["aspects"] == {"一": "自定义方面", "二": "群众身边腐败问题和不正之风方面",
                               "三": "基层党组织软弱涣散、组织力欠缺方面"}
    assert_checks(folder)


# --- import text: the reference document ------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return loading.load_valid(DATA)


@pytest.fixture
def reference_ledger(tmp_path) -> Path:
    folder = init(tmp_path / "reference")
    outcome = import_text(folder, REFERENCE)
    assert outcome.code == 0, outcome.stderr
    assert "无法归类" not in outcome.stderr
    assert "3 个方面,17 个问题,34 项具体问题" in outcome.stdout
    return folder


def test_reference_counts(reference_ledger):
    ledger = loading.load_valid(reference_ledger)
    assert (len(ledger.info.aspects), len(ledger.problems), len(ledger.entries())) == (3, 17, 34)


def problem_rows(ledger) -> list[tuple]:
    return [(p.id, p.aspect, p.title) for p in ledger.problems]


def test_reference_titles_and_outcomes_equal_the_shipped_ledger(reference_ledger, shipped):
    ledger = loading.load_valid(reference_ledger)
    assert ledger.info.aspects == shipped.info.aspects
    assert problem_rows(ledger) == problem_rows(shipped)
    assert [(e.id, e.item.title) for e in ledger.entries()] == [(e.id, e.item.title) for e in shipped.entries()]
    assert [e.item.outcome for e in ledger.entries()] == [e.item.outcome for e in shipped.entries()]


def test_reference_facts(reference_ledger):
    data = ledger_data(reference_ledger)
    assert data["stated_items"] == 34
    assert data["inspection"] == {"start": dt.date(2021, 8, 30), "end": dt.date(2021, 9, 18)}
    assert data["feedback_date"] == dt.date(2021, 10, 29)
    assert data["inspector"] == "县委第二巡察组"


def test_reference_result_checks_and_its_schema_lines_resolve(reference_ledger):
    assert_checks(reference_ledger)
    assert schema_target(reference_ledger / "issues" / "13.yaml").is_file()


def test_docx_gives_the_same_files_as_text(tmp_path, reference_ledger):
    folder = init(tmp_path / "word")
    outcome = import_text(folder, reference_docx(tmp_path / "进展情况.docx"))
    assert outcome.code == 0, outcome.stderr
    assert issue_bytes(folder) == issue_bytes(reference_ledger)
    assert (folder / "ledger.yaml").read_bytes() == (reference_ledger / "ledger.yaml").read_bytes()


def test_bom_and_crlf_text_gives_the_same_files(tmp_path, reference_ledger):
    crlf = REFERENCE.read_text(encoding="utf-8").replace("\n", "\r\n")
    document = tmp_path / "crlf.txt"
    document.write_bytes(b"\xef\xbb\xbf" + crlf.encode("utf-8"))
    folder = init(tmp_path / "crlf")
    assert import_text(folder, document).code == 0
    assert issue_bytes(folder) == issue_bytes(reference_ledger)


# --- import text: unplaced lines, dry run, force ---------------------------------------

STRAY = """2022年3月1日至2022年4月30日,市委第三巡察组对某某县财政局党组进行了常规巡察。
一、整改工作开展情况
局党组高度重视。
二、反馈问题整改落实情况
对照反馈意见,逐条整改如下:
(一)党的建设方面
本方面共2个问题。
1.关于“理论学习不深入”的问题
(1)学习计划落实不到位。
具体表现为计划未执行。
整改成效:制定学习计划。
"""


def test_every_unplaced_line_is_reported_with_its_number(tmp_path):
    document = write_doc(tmp_path, STRAY)
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, document)
    assert outcome.code == 0, outcome.stderr
    reported = [line for line in outcome.stderr.splitlines() if "无法归类的行" in line]
    assert [line.split(": 警告: ")[0] for line in reported] == [f"{document}:{n}:1" for n in (5, 7, 10)]
    written = "".join(p.read_text(encoding="utf-8") for p in (folder / "issues").glob("*.yaml"))
    assert "逐条整改" not in written and "具体表现为" not in written


def test_dry_run_prints_the_tree_and_writes_nothing(tmp_path):
    folder = init(tmp_path / "ledger")
    before = snapshot(folder)
    outcome = import_text(folder, REFERENCE, "--dry-run")
    assert outcome.code == 0, outcome.stderr
    assert snapshot(folder) == before
    for line in ("(一)贯彻落实党的路线方针政策和党中央决策部署方面  (第 9 行)", "  13. 资产管理不规范  (第 71 行)",
                 "    13.2 截止2021年8月底", "元,未及时处置,造成资产不实  (第 74 行)", "  16. 人事管理较为混乱  (第 87 行)",
                 "层级:一、=part,(一)=aspect,1.=problem,(1)=item(按文档推断", "试运行"):
        assert line in outcome.stdout
    diff = outcome.stdout[outcome.stdout.index("--- a/ledger.yaml"):]  # what ledger.yaml would get
    for line in ("+++ b/ledger.yaml", "-unit: (待填写)", "+as_of: 2022-02-23", "+report:", "+      problems: true"):
        assert line in diff


def test_import_over_existing_issues_needs_force(reference_ledger):
    before = snapshot(reference_ledger)
    outcome = import_text(reference_ledger, REFERENCE)
    assert outcome.code == 1
    assert "--force" in outcome.stderr
    assert snapshot(reference_ledger) == before


OTHER_ISSUE = "id: 99\naspect: 一\ntitle: 手工加入的问题\nitems:\n  - number: 1\n    status: open\n"


def test_force_replaces_its_own_files_and_keeps_the_others(reference_ledger):
    first = issue_bytes(reference_ledger)
    (reference_ledger / "issues" / "99.yaml").write_text(OTHER_ISSUE, encoding="utf-8")
    (reference_ledger / "issues" / "13.yaml").write_text("id: 13\n", encoding="utf-8")
    outcome = import_text(reference_ledger, REFERENCE, "--force")
    assert outcome.code == 0, outcome.stderr
    assert (reference_ledger / "issues" / "99.yaml").read_text(encoding="utf-8") == OTHER_ISSUE
    assert issue_bytes(reference_ledger) == {**first, "99.yaml": OTHER_ISSUE.encode("utf-8")}
    assert_checks(reference_ledger)


def test_import_into_a_ledger_with_other_issues_needs_force(tmp_path):
    folder = init(tmp_path / "ledger", "--aspect", "一=党的建设方面")
    (folder / "issues" / "99.yaml").write_text(OTHER_ISSUE, encoding="utf-8")
    before = snapshot(folder)
    outcome = import_text(folder, REFERENCE)
    assert outcome.code == 1
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "name, content",
    [("missing.txt", None), ("empty.txt", "整改工作情况报告\n没有任何编号的问题。\n"), ("bad.docx", "不是 Word 文件")],
)
def test_unreadable_or_empty_documents_change_nothing(tmp_path, name, content):
    folder = init(tmp_path / "ledger")
    document = tmp_path / name
    if content is not None:
        document.write_text(content, encoding="utf-8")
    before = snapshot(folder)
    outcome = import_text(folder, document)
    assert outcome.code == 1
    assert outcome.stderr.startswith("rectify: ")
    assert snapshot(folder) == before


# --- import xlsx -------------------------------------------------------------------------

HEADERS = ["序号", "问题类别", "问题", "问题内容", "整改措施", "牵头领导", "牵头部门", "完成时限", "整改状态", "销号时间"]
HAND_ROWS = [
    ["某县财政局巡察反馈问题整改台账"],
    HEADERS,
    [1, "(一)党的建设方面", "1.理论学习不深入", "学习计划落实不到位", "制定计划", "张三", "办公室",
     dt.datetime(2022, 3, 31), "已完成", dt.datetime(2022, 3, 20)],
    [None, None, None, "学习形式单一", "丰富形式", "张三", "办公室、人事股", "2022年6月30日", "正在整改", None],
    [2, None, "2.意识形态工作不到位", "责任制落实不到位", "压实责任", "李四", "宣传股", "2022-04-30", "已完成", "2022/4/15"],
    [3, "(二)作风建设方面", "3.公车管理不严", "公车私用", "加强管理", "王五", "办公室", None, "正在整改", None],
    [None, None, None, None, "备注:以上为全部问题", None, None, None, None, None],
]
HAND_MERGES = ("A1:J1", "A3:A4", "C3:C4", "B3:B5")


@pytest.fixture
def hand_book(tmp_path) -> Path:
    return save_book(tmp_path / "台账.xlsx", HAND_ROWS, HAND_MERGES)


def test_hand_made_workbook(tmp_path, hand_book):
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, hand_book)
    assert outcome.code == 0, outcome.stderr
    found = issues(folder)
    assert [(p["id"], p["aspect"], p["title"], len(p["items"])) for p in found.values()] == [
        (1, "一", "理论学习不深入", 2), (2, "一", "意识形态工作不到位", 1), (3, "二", "公车管理不严", 1),
    ]
    assert found[1]["items"][0] == {
        "number": 1, "title": "学习计划落实不到位", "measures": "制定计划", "lead": "张三",
        "departments": ["办公室"], "deadline": dt.date(2022, 3, 31),
        "status": "closed", "closed_on": dt.date(2022, 3, 20),
    }
    assert found[1]["items"][1]["departments"] == ["办公室", "人事股"]
    assert (found[1]["items"][1]["deadline"], found[1]["items"][1]["status"]) == (dt.date(2022, 6, 30), "open")
    second = found[2]["items"][0]
    assert (second["closed_on"], second["deadline"]) == (dt.date(2022, 4, 15), dt.date(2022, 4, 30))
    assert "closed_on" not in found[3]["items"][0] and found[3]["items"][0]["status"] == "open"
    assert_checks(folder)


def test_hand_made_workbook_fills_the_ledger(tmp_path, hand_book):
    folder = init(tmp_path / "ledger")
    assert import_xlsx(folder, hand_book).code == 0
    data = ledger_data(folder)
    assert data["title"] == "某县财政局巡察反馈问题整改台账"
    assert data["aspects"] == {"一": "党的建设方面", "二": "作风建设方面"}


def test_row_without_problem_text_is_reported(tmp_path, hand_book):
    folder = init(tmp_path / "ledger")
    outcome = import_xlsx(folder, hand_book)
    assert f"{hand_book}:7: 警告: 这一行没有问题内容" in outcome.stderr
    assert "备注" not in "".join(p.read_text(encoding="utf-8") for p in (folder / "issues").glob("*.yaml"))


SYNONYMS = {
    "title": ["具体问题", "问题表现", "问题内容"],
    "lead": ["责任领导", "牵头领导", "责任领导"],
    "departments": ["责任部门", "牵头部门", "责任单位"],
    "deadline": ["整改时限", "完成时限", "整改时限"],
    "status": ["完成情况", "整改状态", "完成情况"],
}


@pytest.mark.parametrize("variant", range(3))
def test_header_synonyms(tmp_path, variant):
    names = {field: words[variant] for field, words in SYNONYMS.items()}
    headers = ["问题", names["title"], "整改措施", names["lead"], names["departments"], names["deadline"], names["status"]]
    row = ["1.理论学习不深入", "学习计划落实不到位", "制定计划", "张三", "办公室", "2022-03-31", "正在整改"]
    folder = init(tmp_path / "ledger")
    assert import_xlsx(folder, save_book(tmp_path / "b.xlsx", [headers, row])).code == 0
    assert issues(folder)[1]["items"] == [{
        "number": 1, "title": "学习计划落实不到位", "measures": "制定计划", "lead": "张三",
        "departments": ["办公室"], "deadline": dt.date(2022, 3, 31), "status": "open",
    }]


def test_status_words_under_zhenggai_jinzhan(tmp_path):
    rows = [["序号", "问题", "整改措施", "责任部门", "整改进展", "销号时间"],
            ["1", "1.理论学习不深入", "制定计划", "办公室", "已完成", "2022-03-20"],
            ["2", "2.公车管理不严", "加强管理", "办公室", "正在整改", None]]
    folder = init(tmp_path / "ledger")
    assert import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows)).code == 0
    items = [p["items"][0] for p in issues(folder).values()]
    assert [(i["status"], i.get("outcome")) for i in items] == [("closed", None), ("open", None)]


def test_running_row_numbers_do_not_split_a_merged_problem(tmp_path):
    rows = [["序号", "问题类别", "问题", "问题表现", "责任部门", "完成情况"],
            [1, "党的建设方面", "理论学习不深入", "学习计划落实不到位", "办公室", "正在整改"],
            [2, None, None, "学习形式单一", "办公室", "正在整改"],
            [3, None, "意识形态工作不到位", "责任制落实不到位", "宣传股", "正在整改"]]
    folder = init(tmp_path / "ledger")
    assert import_xlsx(folder, save_book(tmp_path / "b.xlsx", rows, ("C2:C3", "B2:B4"))).code == 0
    assert [(p["title"], len(p["items"])) for p in issues(folder).values()] == [("理论学习不深入", 2), ("意识形态工作不到位", 1)]


def test_the_ledger_sheet_is_found_among_others(tmp_path):
    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表按问题逐项填写"])
    sheet = book.create_sheet("整改台账")
    sheet.append(["问题", "整改措施", "责任部门"])
    sheet.append(["1.公车管理不严", "加强管理", "办公室"])
    book.save(tmp_path / "b.xlsx")
    folder = init(tmp_path / "ledger")
    assert import_xlsx(folder, tmp_path / "b.xlsx").code == 0
    expected = {"number": 1, "measures": "加强管理", "departments": ["办公室"], "status": "open"}
    assert issues(folder)[1]["items"] == [expected]


def test_workbook_without_a_header_changes_nothing(tmp_path):
    folder = init(tmp_path / "ledger")
    book = save_book(tmp_path / "b.xlsx", [["姓名", "电话"], ["张三", "123"]])
    before = snapshot(folder)
    outcome = import_xlsx(folder, book)
    assert outcome.code == 1
    assert "表头" in outcome.stderr
    assert snapshot(folder) == before


def entry_fields(ledger) -> list[tuple]:
    return [(e.id, e.problem.aspect, e.problem.title, e.item.title, e.item.status, e.item.closed_on,
             e.item.departments, e.item.kind, e.item.outcome) for e in ledger.entries()]


def test_exported_workbook_imports_back(tmp_path, ledger, rectify):
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert entry_fields(loading.load_valid(folder)) == entry_fields(loading.load_valid(ledger))
    assert ledger_data(folder)["aspects"] == ledger_data(ledger)["aspects"]
    assert_checks(folder)


# --- both importers: deterministic, undoable -------------------------------------------


def source_document(tmp_path: Path, kind: str) -> tuple[Path, str]:
    if kind == "text":
        return REFERENCE, "text"
    return save_book(tmp_path / "台账.xlsx", HAND_ROWS, HAND_MERGES), "xlsx"


@pytest.mark.parametrize("kind", ["text", "xlsx"])
def test_two_fresh_ledgers_get_identical_files(tmp_path, kind):
    document, command = source_document(tmp_path, kind)
    first, second = init(tmp_path / "a"), init(tmp_path / "b")
    for folder in (first, second):
        assert invoke("--ledger", str(folder), "import", command, str(document)).code == 0
    assert issue_bytes(first) == issue_bytes(second)
    assert (first / "ledger.yaml").read_bytes() == (second / "ledger.yaml").read_bytes()


@pytest.mark.parametrize("kind", ["text", "xlsx"])
def test_reimport_with_force_is_byte_identical(tmp_path, kind):
    document, command = source_document(tmp_path, kind)
    folder = init(tmp_path / "ledger")
    assert invoke("--ledger", str(folder), "import", command, str(document)).code == 0
    before = snapshot(folder / "issues"), (folder / "ledger.yaml").read_bytes()
    assert invoke("--ledger", str(folder), "import", command, str(document), "--force").code == 0
    assert (snapshot(folder / "issues"), (folder / "ledger.yaml").read_bytes()) == before
    assert sorted(issue_bytes(folder)) == [f"{n:02d}.yaml" for n in sorted(issues(folder))]


@pytest.mark.parametrize("kind", ["text", "xlsx"])
def test_undo_removes_the_imported_files(tmp_path, kind):
    document, command = source_document(tmp_path, kind)
    folder = init(tmp_path / "ledger")
    ledger_before = (folder / "ledger.yaml").read_bytes()
    assert invoke("--ledger", str(folder), "import", command, str(document)).code == 0
    assert issue_bytes(folder)
    outcome = invoke("--ledger", str(folder), "undo", "--yes")
    assert outcome.code == 0, outcome.stderr
    assert issue_bytes(folder) == {}
    assert (folder / "ledger.yaml").read_bytes() == ledger_before


def test_undo_after_force_restores_the_replaced_file(reference_ledger):
    path = reference_ledger / "issues" / "13.yaml"
    edited = path.read_text(encoding="utf-8").replace("status: open", "status: open\n    lead: 张三", 1)
    path.write_text(edited, encoding="utf-8")
    assert import_text(reference_ledger, REFERENCE, "--force").code == 0
    assert "lead: 张三" not in path.read_text(encoding="utf-8")
    assert invoke("--ledger", str(reference_ledger), "undo", "--yes").code == 0
    assert path.read_text(encoding="utf-8") == edited


def _long_document(problems: int) -> str:
    lines = ["二、问题整改情况", "(一)党的建设方面"]
    for number in range(1, problems + 1):
        lines += [f"{number}.关于“第{number}个问题”的问题。", f"整改成效:第{number}项已整改。"]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_long_import_shows_a_progress_bar_in_a_terminal(tmp_path):
    folder = init(tmp_path / "ledger")
    document = write_doc(tmp_path, _long_document(150))
    main, secondary = os.openpty()
    env = {**os.environ, "COLUMNS": "100", "RECTIFY_LEDGER": str(folder)}
    done = subprocess.run([sys.executable, "-m", "rectify_cli", "import", "text", str(document)],
                          stdout=subprocess.PIPE, stderr=secondary, env=env, timeout=120)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert done.returncode == 0
    assert "校验" in shown.decode("utf-8", errors="replace")
    assert "150 个问题" in done.stdout.decode("utf-8")


def test_no_progress_bar_in_a_pipe(tmp_path):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, write_doc(tmp_path, _long_document(150)))
    assert outcome.code == 0
    assert "校验" not in outcome.stderr and "\x1b[" not in outcome.stderr


def worked_on(ledger: Path, rectify, tmp_path: Path) -> tuple[Path, str]:
    """The shipped ledger with a note by its author and a close with a file, exported: (workbook, the file's SHA-256)."""
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    assert rectify("--today", "2022-02-23", "note", "13.2", "已报财政局审核", "--on", "2022-02-20", "--by", "张三").code == 0
    outcome = rectify("--today", "2022-02-23", "close", "8.2", "--on", "2022-02-22", "--by", "李四",
                      "--evidence", str(photo), "--note", "已核实")
    assert outcome.code == 0, outcome.stderr
    book = tmp_path / "整改台账.xlsx"
    every = ",".join(tabular.HEADERS)  # the columns empty in every row too, for a clerk to fill in
    assert rectify("export", "--format", "xlsx", "-o", str(book), "--columns", every).code == 0
    return book, hashlib.sha256(photo.read_bytes()).hexdigest()


def without_evidence(data: dict) -> dict:
    data = {**data, "evidence": None}
    data["history"] = [{**event, "evidence": None} for event in data["history"]]
    return data


def test_exported_workbook_gives_back_every_field_and_fact(tmp_path, ledger, rectify):
    book, digest = worked_on(ledger, rectify, tmp_path)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "以表格中的为准" not in outcome.stderr
    before, after = loading.load_valid(ledger), loading.load_valid(folder)
    assert as_data(after.info) == as_data(before.info)  # stated_items, as_of, figures, inspection…
    pairs = list(zip(before.entries(), after.entries(), strict=True))
    assert all(without_evidence(as_data(a.item)) == without_evidence(as_data(b.item)) for a, b in pairs)
    closed = after.problem(8).items[1]
    assert (closed.closed_by, closed.history[-1].by, after.problem(13).items[1].history[0].by) == ("李四", "李四", "张三")
    original = before.problem(8).items[1].evidence[0]
    assert original.path and original.sha256 == digest
    assert [as_data(e) for e in closed.evidence] == [
        {"name": f"照片.jpg(原文件 SHA-256 {digest})", "path": None, "size": None, "sha256": None}]
    assert_checks(folder)


def cell_of(sheet, item_id: str, header: str):
    column = next(cell.column for cell in sheet[2] if cell.value == header)
    return sheet.cell(row=xlsx_rows(sheet.parent)[item_id], column=column)


def test_a_visible_cell_edited_after_export_wins_and_is_listed(tmp_path, ledger, rectify):
    book, _digest = worked_on(ledger, rectify, tmp_path)
    workbook = load_workbook(book)
    cell_of(workbook["整改台账"], "13.2", "整改时限").value = "2022-04-30"
    workbook.save(book)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "13.2 整改时限: (空) → 2022-04-30" in outcome.stderr
    item = issues(folder)[13]["items"][1]
    assert item["deadline"] == dt.date(2022, 4, 30)
    assert item["history"][0]["by"] == "张三"  # the rest still from the data sheet
    assert_checks(folder)


def edited_book(book: Path, edits: dict[tuple[str, str], str | None]) -> Path:
    """The exported workbook with visible cells changed as a clerk would: {(ID, header): value}."""
    workbook = load_workbook(book)
    for (item_id, header), value in edits.items():
        cell_of(workbook["整改台账"], item_id, header).value = value
    workbook.save(book)
    return book


def assert_the_rest_came_back(folder: Path, ledger: Path, edited: set[str]) -> None:
    """Every item not edited, and the ledger's facts but its aspects, as the data sheet recorded them."""
    before, after = loading.load_valid(ledger), loading.load_valid(folder)
    assert {**as_data(after.info), "aspects": None} == {**as_data(before.info), "aspects": None}
    pairs = [(a, b) for a, b in zip(before.entries(), after.entries(), strict=True) if a.id not in edited]
    assert all(without_evidence(as_data(a.item)) == without_evidence(as_data(b.item)) for a, b in pairs)
    assert_checks(folder)


def test_edited_status_cells_win_with_their_closing_dates(tmp_path, ledger, rectify):
    book, _digest = worked_on(ledger, rectify, tmp_path)
    edited_book(book, {("13.2", "完成情况"): "已完成", ("13.2", "销号日期"): "2022-02-21",
                       ("16", "完成情况"): "已销号", ("8.2", "完成情况"): "正在整改"})
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book, "--as-of", "2022-02-23")
    assert outcome.code == 0, outcome.stderr
    for listed in ("13.2 完成情况: 未销号 → 已完成", "13.2 销号日期: (空) → 2022-02-21",
                   "16 完成情况: 未销号 → 已销号", "8.2 完成情况: 已销号 → 正在整改"):
        assert listed in outcome.stderr
    after = {entry.id: entry.item for entry in loading.load_valid(folder).entries()}
    assert (after["13.2"].status, after["13.2"].closed_on) == ("closed", dt.date(2022, 2, 21))  # the cell's date
    assert (after["16"].status, after["16"].closed_on) == ("closed", dt.date(2022, 2, 23))  # --as-of
    reopened = after["8.2"]  # the 销号日期 cell left filled: ignored, with a warning
    assert (reopened.status, reopened.closed_on, reopened.closed_by) == ("open", None, None)
    assert "已忽略销号日期" in outcome.stderr
    assert [event.by for event in reopened.history] == ["李四"] and after["13.2"].history[0].by == "张三"
    assert_the_rest_came_back(folder, ledger, {"13.2", "16", "8.2"})


def test_a_row_closed_in_excel_without_a_date_is_refused_by_row(tmp_path, ledger, rectify):
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    edited_book(book, {("16", "完成情况"): "已完成"})
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 1
    row = cell_of(load_workbook(book)["整改台账"], "16", "完成情况").row
    assert f"第 {row} 行已完成却没有销号日期" in outcome.stderr and "--as-of" in outcome.stderr
    assert not list((folder / "issues").glob("*.yaml"))


def test_edited_text_cells_win(tmp_path, ledger, rectify):
    book, _digest = worked_on(ledger, rectify, tmp_path)
    note = "2022-02-20 已报财政局审核"  # the progress note the outcome cell shows under the outcome
    edited_book(book, {("13.2", "整改进展及成效"): f"报废资产已全部处置\n{note}", ("11.3", "具体问题"): "内部环境脏乱",
                       ("13.1", "问题"): "13.资产管理混乱", ("1.1", "问题类别"): "作风建设方面"})
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    for listed in ("13.2 整改进展及成效: ", "→ 报废资产已全部处置 2022-02-20 已报财政局审核(以表格中的为准)",
                   "11.3 具体问题: ", "→ 内部环境脏乱", "13.1 问题: 13.资产管理不规范 → 13.资产管理混乱",
                   "1.1 问题类别: 贯彻落实党的路线方针政策和党中央决策部署方面 → 作风建设方面"):
        assert listed in outcome.stderr
    after = loading.load_valid(folder)
    assert after.problem(13).items[1].outcome == "报废资产已全部处置"
    assert [(event.by, event.note) for event in after.problem(13).items[1].history] == [("张三", "已报财政局审核")]
    assert after.problem(11).items[2].title == "内部环境脏乱"
    assert after.problem(13).title == "资产管理混乱"
    assert after.aspect_title(after.problem(1).aspect) == "作风建设方面"
    assert after.aspect_title(after.problem(2).aspect) == "贯彻落实党的路线方针政策和党中央决策部署方面"
    assert after.problem(8).items[1].closed_by == "李四"
    assert_the_rest_came_back(folder, ledger, {"13.2", "11.3", "13.1", "1.1", "1.2"})


def delete_row(sheet, item_id: str) -> None:
    """Delete an item's row as Excel would; the problem cells merged over it are unmerged first
    (openpyxl moves no merged range: delete from the bottom up)."""
    row = xlsx_rows(sheet.parent)[item_id]
    for merged in [m for m in sheet.merged_cells.ranges if m.min_row <= row <= m.max_row]:
        sheet.unmerge_cells(str(merged))
    sheet.delete_rows(row)


def test_rows_deleted_in_excel_are_not_imported(tmp_path, ledger, rectify):
    book, _digest = worked_on(ledger, rectify, tmp_path)
    workbook = load_workbook(book)
    for item_id in ("17", "16", "15.2"):
        delete_row(workbook["整改台账"], item_id)
    workbook.save(book)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "导出时的 34 项中,表格里已删除 3 项:15.2、16、17;未导入。问题 16、17 已没有具体问题,也未导入" in outcome.stderr
    assert outcome.stderr.count("已删除") == 1
    after = loading.load_valid(folder)
    assert [entry.id for entry in after.entries()][-3:] == ["14.1", "14.2", "15"]
    assert after.problem(15).items[0].title == loading.load_valid(ledger).problem(15).items[0].title
    assert after.problem(13).items[1].history[0].by == "张三"
    assert_checks(folder)


def test_a_sheet_without_its_id_column_still_imports_every_recorded_item(tmp_path, ledger, rectify):
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    workbook = load_workbook(book)
    workbook["整改台账"].delete_cols(1)  # no 序号: no row can be matched, so none counts as deleted
    workbook.save(book)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "已删除" not in outcome.stderr
    assert entry_fields(loading.load_valid(folder)) == entry_fields(loading.load_valid(ledger))


def test_a_workbook_without_its_data_sheet_imports_from_the_cells(tmp_path, ledger, rectify):
    book, _digest = worked_on(ledger, rectify, tmp_path)
    workbook = load_workbook(book)
    del workbook["data"]
    workbook.save(book)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    cells = [fields[:-1] for fields in entry_fields(loading.load_valid(folder))]  # outcome: notes folded in
    assert cells == [fields[:-1] for fields in entry_fields(loading.load_valid(ledger))]
    assert "2022-02-22 已核实" in issues(folder)[8]["items"][1]["outcome"]
    assert "closed_by" not in issues(folder)[8]["items"][1]
    assert "stated_items" not in ledger_data(folder)


def test_a_data_sheet_altered_by_hand_falls_back_to_the_cells(tmp_path, ledger, rectify):
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    workbook = load_workbook(book)
    workbook["data"]["A1"].value = '{"format": 1, "entries": [[1]]}'
    workbook.save(book)
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "数据表 data 无法读取" in outcome.stderr
    assert entry_fields(loading.load_valid(folder)) == entry_fields(loading.load_valid(ledger))


LONG = "".join(f"第{n}条:对照问题清单逐项整改,完善制度并落实到人。" for n in range(1, 61))  # ~1,500 characters


def test_a_text_too_long_for_a_row_continues_in_the_appendix_and_comes_back_whole(tmp_path, ledger, rectify):
    from rectify_cli.export.xlsx import MAX_HEIGHT

    assert rectify("--today", "2022-02-23", "close", "13.2", "--by", "王", "--outcome", LONG).code == 0
    book = tmp_path / "整改台账.xlsx"
    assert rectify("export", "--format", "xlsx", "-o", str(book)).code == 0
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["整改台账", "统计", "附表", "data"]
    sheet = workbook["整改台账"]
    cut = cell_of(sheet, "13.2", "整改进展及成效")
    assert cut.value.endswith("(续见附表)") and LONG.startswith(cut.value.removesuffix("(续见附表)"))
    assert len(cut.value) > 500 and sheet.row_dimensions[cut.row].height <= MAX_HEIGHT  # as much as fits
    appendix = list(workbook["附表"].iter_rows(values_only=True))
    assert appendix[0] == ("序号", "编号", "列", "全文")
    assert {row[:3] for row in appendix[1:]} == {(cut.row - 2, "13.2", "整改进展及成效")}
    assert "".join(row[3] for row in appendix[1:]) == LONG
    assert all(workbook["附表"].row_dimensions[row].height <= MAX_HEIGHT for row in range(2, len(appendix) + 1))
    folder = init(tmp_path / "new")
    outcome = import_xlsx(folder, book)
    assert outcome.code == 0, outcome.stderr
    assert "以表格中的为准" not in outcome.stderr
    assert issues(folder)[13]["items"][1]["outcome"] == LONG
    del workbook["data"]  # from the cells alone: the 附表 still gives the whole text
    workbook.save(book)
    cells_only = init(tmp_path / "cells")
    assert import_xlsx(cells_only, book).code == 0
    assert issues(cells_only)[13]["items"][1]["outcome"] == LONG
