"""`rectify check` on bad inputs: every error found, each at its file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from rectify_cli import yamlsource

from .conftest import DATA, write_issue
from .hostile.support import CLEAN as SHIPPED_CLEAN
from .hostile.support import without_blanks

ISSUE = "issues/13.yaml"
CLEAN = "检查通过:17 个问题,34 项具体问题"


@pytest.fixture(autouse=True)
def _inside_ledger(ledger, monkeypatch):
    """Diagnostic paths print relative to the working directory: issues/13.yaml:…"""
    monkeypatch.chdir(ledger)


def edit(ledger: Path, name: str, old: str, new: str) -> str:
    """Replace the first `old` in a real file of the copied ledger; return the new text."""
    path = ledger / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def where(text: str, line_part: str, column_part: str | None = None, name: str = ISSUE) -> str:
    """`name:LINE:COL:` of the only line holding line_part, at column_part (default line_part)."""
    found = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line_part in line]
    assert len(found) == 1, f"{line_part!r} on {len(found)} lines"
    number, line = found[0]
    return f"{name}:{number}:{line.index(column_part or line_part) + 1}:"


def assert_reported(out, prefix: str, *fragments: str, code: int = 1, label: str = "错误") -> None:
    """Exit code, no traceback, and one line at `prefix` saying every fragment."""
    assert out.code == code, out.stderr
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith(f"{prefix} {label}: ")]
    assert any(all(f in line for f in fragments) for line in lines), (
        f"{prefix} {fragments}:\n{out.stderr}"
    )


def assert_clean(out) -> None:
    assert "Traceback" not in out.stderr
    assert (out.code, out.stdout.startswith(CLEAN), without_blanks(out.stderr)) == (0, True, "")


def test_shipped_ledger_is_clean(rectify):
    out = rectify("check")
    assert_clean(out)
    assert out.stdout == SHIPPED_CLEAN


# --- Point 5: models --------------------------------------------------------

ITEM_STATUS = "    status: open"  # item 2 of 13.yaml
CLOSED_ON = "    closed_on: 2022-02-23"  # item 1 of 13.yaml


@pytest.mark.parametrize(
    ("old", "new", "at", "fragments"),
    [
        pytest.param(
            ITEM_STATUS,
            "    stauts: open",
            "stauts",
            ["未知字段 'stauts'", "是不是 status"],
            id="typo-key",
        ),
        pytest.param(
            ITEM_STATUS,
            "    状态: 已完成",
            "状态",
            ["未知字段 '状态'", "应写作 status"],
            id="chinese-key",
        ),
        pytest.param(
            CLOSED_ON, "    closed_on: 明天", "明天", ["closed_on", "应为日期"], id="date-word"
        ),
        pytest.param(
            CLOSED_ON,
            "    closed_on: 2022-02-30",
            "2022-02-30",
            ["'2022-02-30' 不是有效的日期"],
            id="no-such-day",
        ),
        pytest.param(
            CLOSED_ON,
            "    closed_on: 2022-02-23 10:00:00",
            "2022-02-23 10",
            ["closed_on", "不带时间"],
            id="datetime",
        ),
        pytest.param(
            "  - number: 1", '  - number: "1"', '"1"', ["number", "应为整数"], id="number-as-text"
        ),
        pytest.param("  - number: 1", "  - no: 1", "no: 1", ["键 'no'", "布尔值"], id="key-no"),
        pytest.param(
            ITEM_STATUS, f"{ITEM_STATUS}\n    yes: 是", "yes:", ["键 'yes'", "布尔值"], id="key-yes"
        ),
        pytest.param(
            ITEM_STATUS,
            "    status: &a open\n    lead: *a",
            "&a",
            ["锚点", "别名"],
            id="anchor-alias",
        ),
        pytest.param(
            ITEM_STATUS,
            "    status: 差不多",
            "差不多",
            ["status", "'差不多'", "可填", "closed", "已销号"],
            id="bad-enum",
        ),
    ],
)
def test_bad_value_or_key_in_an_item(rectify, ledger, old, new, at, fragments):
    text = edit(ledger, ISSUE, old, new)
    assert_reported(rectify("check"), where(text, at), *fragments)


@pytest.mark.parametrize(
    "new",
    [
        "    status: 已完成\n    closed_on: 2022-02-23",
        "    kind: 立行立改\n    departments: 环卫所、执法大队\n    status: open",
    ],
    ids=["status-synonym", "kind-synonym-and-department-text"],
)
def test_chinese_words_for_values_are_accepted(rectify, ledger, new):
    edit(ledger, ISSUE, ITEM_STATUS, new)
    assert_clean(rectify("check"))


def test_unknown_key_in_ledger_yaml(rectify, ledger):
    text = edit(ledger, "ledger.yaml", "\ntitle:", "\ntitel:")
    out = rectify("check")
    assert_reported(
        out, where(text, "titel", name="ledger.yaml"), "未知字段 'titel'", "是不是 title"
    )
    assert "缺少必填字段 title" in out.stderr


def test_duplicate_key_points_at_the_second_and_names_the_first(rectify, ledger):
    text = edit(ledger, ISSUE, ITEM_STATUS, f"{ITEM_STATUS}\n    status: closed")
    first = text.splitlines().index(ITEM_STATUS) + 1
    prefix = f"{ISSUE}:{first + 1}:5:"
    assert_reported(rectify("check"), prefix, "重复的键 'status'", f"第 {first} 行")


def test_missing_required_field(rectify, ledger):
    text = edit(ledger, ISSUE, "title: 资产管理不规范\n", "")
    assert_reported(rectify("check"), where(text, "id: 13", "id"), "缺少必填字段 title")


TAGGED = {
    "scalar": '!!python/object/apply:os.system "touch {target}"',
    "sequence": '!!python/object/apply:os.system ["touch {target}"]',
    "mapping": '!!python/object/apply:os.system {{args: ["touch {target}"]}}',
}


@pytest.mark.parametrize("form", list(TAGGED))
def test_python_tag_never_runs(rectify, ledger, tmp_path, form):
    target = tmp_path / "ran"
    edit(ledger, ISSUE, ITEM_STATUS, "    status: " + TAGGED[form].format(target=target))
    out = rectify("check")
    assert out.code == 1 and "Traceback" not in out.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    "form",
    [
        "scalar",
        "sequence",
        "mapping",
    ],
)
def test_python_tag_is_refused_by_name(rectify, ledger, tmp_path, form):
    text = edit(
        ledger, ISSUE, ITEM_STATUS, "    status: " + TAGGED[form].format(target=tmp_path / "ran")
    )
    assert_reported(rectify("check"), where(text, "!!python"), "YAML 标签", "python/object/apply")


def test_python_tag_on_a_whole_item_is_refused(rectify, ledger):
    text = edit(ledger, ISSUE, "  - number: 2\n", "  - !!python/object:os.Thing\n    number: 2\n")
    assert_reported(rectify("check"), where(text, "!!python"), "YAML 标签")


# --- Point 7: ledger rules across files -------------------------------------


def issue_13(ledger: Path) -> str:
    return (ledger / ISSUE).read_text(encoding="utf-8")


def test_duplicate_id_in_a_misnamed_file(rectify, ledger):
    text = issue_13(ledger)
    write_issue(ledger, "14b.yaml", text)
    out = rectify("check")
    prefix = where(text, "id: 13", "13", name="issues/14b.yaml")
    assert_reported(out, prefix, "问题编号 id: 13 与 13.yaml 重复")
    assert "文件名 14b.yaml 与问题编号 id: 13 不一致,应命名为 13.yaml" in out.stderr
    assert len([line for line in out.stderr.splitlines() if line.startswith(prefix)]) == 2


@pytest.mark.parametrize("name", ["12.yaml", "18.yaml"])
def test_file_name_must_match_id(rectify, ledger, name):
    text = issue_13(ledger)
    (ledger / ISSUE).unlink()
    write_issue(ledger, name, text)
    prefix = where(text, "id: 13", "13", name=f"issues/{name}")
    assert_reported(rectify("check"), prefix, f"文件名 {name} 与问题编号 id: 13 不一致", "13.yaml")


@pytest.mark.parametrize(
    ("old", "new", "at", "fragments"),
    [
        pytest.param(
            "aspect: 二",
            "aspect: 四",
            ("aspect: 四", "四"),
            ["方面 '四'", "未在 ledger.yaml"],
            id="aspect",
        ),
        pytest.param(
            "  - number: 2",
            "  - number: 3",
            ("number: 3", "3"),
            ["number(序号)应为 2", "这里是 3"],
            id="numbering",
        ),
        pytest.param(
            f"{CLOSED_ON}\n",
            "",
            ("status: closed", "closed"),
            ["已销号", "须有 closed_on"],
            id="closed-no-date",
        ),
        pytest.param(
            ITEM_STATUS,
            f"{ITEM_STATUS}\n    closed_on: 2022-02-24",
            ("2022-02-24", None),
            ["未销号", "不应有 closed_on"],
            id="open-with-date",
        ),
        pytest.param(
            CLOSED_ON,
            "    closed_on: 2021-08-01",
            ("2021-08-01", None),
            ["closed_on", "早于巡察开始日期 2021-08-30"],
            id="before-inspection",
        ),
        pytest.param(
            "    title: 截止2021年8月底",
            "    description: 截止2021年8月底",
            ("number: 2", "2"),
            ["多项具体问题", "title"],
            id="item-without-title",
        ),
    ],
)
def test_ledger_rule_in_one_file(rectify, ledger, old, new, at, fragments):
    text = edit(ledger, ISSUE, old, new)
    assert_reported(rectify("check"), where(text, *at), *fragments)


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--today", "2022-01-01", "check"), None), (("check",), {"RECTIFY_TODAY": "2022-01-01"})],
    ids=["option", "environment"],
)
def test_closed_on_after_today(rectify, ledger, args, env):
    prefix = where(issue_13(ledger), CLOSED_ON, "2022-02-23")
    assert_reported(rectify(*args, env=env), prefix, "closed_on", "2022-02-23 晚于今天 2022-01-01")


def test_stated_items_mismatch_is_only_a_warning(rectify, ledger):
    text = edit(ledger, "ledger.yaml", "stated_items: 34", "stated_items: 35")
    out = rectify("check")
    prefix = where(text, "stated_items", "35", name="ledger.yaml")
    assert_reported(out, prefix, "stated_items", "为 35", "实有 34 项", code=0, label="警告")
    assert out.stdout == CLEAN + ",5 处警告\n"


# --- Every error, not only the first ----------------------------------------

SCENARIOS = {
    "models": [
        (
            "issues/13.yaml",
            "    status: closed",
            "    stauts: closed",
            "stauts",
            "未知字段 'stauts'",
        ),
        ("issues/13.yaml", "  - number: 2", '  - number: "2"', '"2"', "应为整数"),
        ("issues/02.yaml", "    status: closed", "    状态: closed", "状态", "未知字段 '状态'"),
    ],
    "rules": [
        (
            "issues/13.yaml",
            CLOSED_ON,
            "    closed_on: 2021-08-01",
            "2021-08-01",
            "早于巡察开始日期",
        ),
        (
            "issues/13.yaml",
            ITEM_STATUS,
            f"{ITEM_STATUS}\n    closed_on: 2022-02-24",
            "2022-02-24",
            "不应有 closed_on",
        ),
        ("issues/02.yaml", "aspect: 一", "aspect: 四", "四", "方面 '四'"),
    ],
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_error_is_listed(rectify, ledger, scenario):
    for name, old, new, _, _ in SCENARIOS[scenario]:
        edit(ledger, name, old, new)
    out = rectify("check")
    errors = [line for line in out.stderr.splitlines() if ": 错误: " in line]
    assert len(errors) == len(SCENARIOS[scenario]), out.stderr
    for name, _, new, at, fragment in SCENARIOS[scenario]:
        text = (ledger / name).read_text(encoding="utf-8")
        assert_reported(out, where(text, new.splitlines()[-1], at, name=name), fragment)
    assert out.stderr.splitlines()[-1].startswith(f"检查未通过:{len(errors)} 处错误")


# --- Point 8: files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "fragment"),
    [
        pytest.param(
            "title: 资产管理不规范",
            'title: "资产\\q管理"',
            ('"资产', "\\q"),
            "无效的转义字符",
            id="bad-escape",
        ),
        pytest.param(
            ITEM_STATUS, "    status: *zz", ("*zz", None), "未定义的别名", id="undefined-alias"
        ),
        pytest.param(
            ITEM_STATUS,
            "    status open",
            ("status open", None),
            "缺少冒号",
            id="missing-colon",
        ),
        pytest.param(
            "title: 资产管理不规范",
            'title: "资产管理不规范',
            ('"资产', None),
            "引号",
            id="unclosed-quote",
        ),
        pytest.param(
            "title: 资产管理不规范",
            "title: [",
            ("[", None),
            "方括号",
            id="unclosed-bracket",
        ),
    ],
)
def test_yaml_syntax_error(rectify, ledger, old, new, at, fragment):
    text = edit(ledger, ISSUE, old, new)
    assert_reported(rectify("check"), where(text, *at), "YAML 语法错误", fragment)




@pytest.mark.parametrize(
    ("old", "new", "at", "fragment"),
    [
        pytest.param(
            "title: 资产管理不规范",
            "title: 资产: 管理",
            ("资产: 管理", ": 管理"),
            "冒号",
            id="colon-in-value",
        ),
        pytest.param(
            ITEM_STATUS, "   status: open", ("   status: open", "status"), "缩进", id="dedented-key"
        ),
        pytest.param(
            ITEM_STATUS,
            "    status: &a open\n    lead: &a x",
            ("lead: &a", "&a"),
            "锚点重复",
            id="duplicate-anchor",
        ),
    ],
)
def test_yaml_syntax_error_is_explained_in_chinese(rectify, ledger, old, new, at, fragment):
    text = edit(ledger, ISSUE, old, new)
    assert_reported(rectify("check"), where(text, *at), "YAML 语法错误", fragment)


def test_tab_indentation(rectify, ledger):
    text = edit(ledger, ISSUE, ITEM_STATUS, "\tstatus: open")
    assert_reported(rectify("check"), where(text, "\tstatus"), "制表符", "Tab")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "文件是空的"),
        ("# 只有注释\n", "文件是空的"),
        ("- id: 13\n- aspect: 二\n", "这里却是一个列表"),
    ],
    ids=["empty", "comment-only", "top-level-list"],
)
def test_issue_file_without_a_mapping(rectify, ledger, content, fragment):
    write_issue(ledger, "13.yaml", content)
    assert_reported(rectify("check"), f"{ISSUE}:1:1:", fragment)


def test_gbk_file_is_named_with_the_first_bad_line(rectify, ledger):
    text = issue_13(ledger)
    (ledger / ISSUE).write_bytes(text.encode("gbk"))
    number, line = next(
        (n, line) for n, line in enumerate(text.splitlines(), 1) if not line.isascii()
    )
    column = next(i for i, char in enumerate(line, 1) if not char.isascii())
    assert_reported(rectify("check"), f"{ISSUE}:{number}:{column}:", "GBK", "不是 UTF-8")


def test_utf16_file_is_named(rectify, ledger):
    (ledger / ISSUE).write_bytes(issue_13(ledger).encode("utf-16"))
    assert_reported(rectify("check"), f"{ISSUE}:1:1:", "UTF-16")


def all_yaml_files(ledger: Path) -> list[Path]:
    return [ledger / "ledger.yaml", *sorted((ledger / "issues").glob("*.yaml"))]


@pytest.mark.parametrize(
    "convert",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: text.replace("\n", "\r\n").encode(),
    ],
    ids=["utf8-bom", "crlf"],
)
def test_bom_and_crlf_are_accepted_in_every_file(rectify, ledger, convert):
    for path in all_yaml_files(ledger):
        path.write_bytes(convert(path.read_text(encoding="utf-8")))
    assert_clean(rectify("check"))


def test_empty_ledger_yaml(rectify, ledger):
    (ledger / "ledger.yaml").write_text("", encoding="utf-8")
    assert_reported(rectify("check"), "ledger.yaml:1:1:", "文件是空的")


def test_missing_ledger_yaml_is_one_line(rectify, ledger):
    (ledger / "ledger.yaml").unlink()
    out = rectify("check")
    assert out.code == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("rectify: ") and out.stderr.count("\n") == 1
    assert "不是台账" in out.stderr and "ledger.yaml" in out.stderr


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("  end: 2021-09-18", "  end: 2021-08-18", "巡察结束日期 2021-08-18 早于巡察开始日期"),
        ("feedback_date: 2021-10-29", "feedback_date: 2021-07-29", "反馈日期 2021-07-29 早于巡察开始日期"),
    ],
)
def test_inspection_dates_in_order(rectify, ledger, old, new, fragment):
    text = edit(ledger, "ledger.yaml", old, new)
    assert_reported(rectify("check"), where(text, new.strip(), new.split(": ")[1], name="ledger.yaml"), fragment)


# --- Big files: past the depth pre-check, through the iterative composer ----------------

def many_items(count: int) -> str:
    """issues/13.yaml with `count` items: more than 1,000 YAML indicators in one file."""
    items = "".join(
        f"  - number: {number}\n    title: 第{number}项:资产清理\n    status: closed\n"
        f"    closed_on: 2022-02-23\n    departments: [办公室]\n"
        for number in range(3, count + 1)
    )
    return (DATA / "issues" / "13.yaml").read_text(encoding="utf-8") + items


def test_iterative_composer_builds_what_pyyaml_builds():
    texts = [path.read_text(encoding="utf-8") for path in sorted(DATA.rglob("*.yaml"))]
    for text in [*texts, many_items(150), "a: {b: [1, 2.5, ~, yes, '', !!str 3]}\n? c\n: - d\n"]:
        assert describe(yamlsource.compose_flat(yamlsource.Loader(text))) == describe(
            yamlsource.Loader(text).get_single_node())


def describe(node) -> tuple:
    """Everything of a node the reader uses: class, tag, marks, style and children."""
    if isinstance(node.value, str):
        children = node.value
    else:
        children = tuple(describe(part) if not isinstance(part, tuple) else tuple(map(describe, part))
                         for part in node.value)
    return (type(node).__name__, node.tag, node.start_mark.index, node.end_mark.index,
            getattr(node, "style", None), getattr(node, "flow_style", None), children)


def test_problem_with_many_items_reads_and_edits(rectify, ledger):
    path = ledger / "issues" / "13.yaml"
    path.write_text(many_items(150), encoding="utf-8")
    out = rectify("check")
    assert out.code == 0, out.stderr
    assert "检查通过:17 个问题,182 项具体问题" in out.stdout
    assert "13.150" in rectify("list", "--format", "tsv").stdout
    before = path.read_text(encoding="utf-8")
    assert rectify("--today", "2022-03-01", "close", "13.2", "--by", "张三").code == 0
    after = path.read_text(encoding="utf-8")
    rest = "  - number: 3\n"  # the 148 items after 13.2 stay byte for byte
    assert after[after.index(rest):] == before[before.index(rest):]
    item_2 = after[after.index("  - number: 2\n"):after.index(rest)]
    assert "    status: closed\n    closed_on: 2022-03-01\n    closed_by: 张三\n" in item_2
