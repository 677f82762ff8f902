"""JSON Schemas: in step with the models, referenced by every file, accepting what the tool accepts."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from rectify_cli import schemas

from .conftest import DATA, REPO, invoke, write_issue
from .hostile.support import without_blanks

SCHEMA_DIR = REPO / "schemas"
DATA_FILES = [DATA / "ledger.yaml", *sorted((DATA / "issues").glob("*.yaml"))]

SYNONYM_ISSUE = """\
id: 18
aspect: 三
title: 用中文词填写的问题
items:
  - number: 1
    title: 状态和类型用中文
    status: 已完成
    kind: 立行立改
    closed_on: 2022年2月1日
    departments: 环卫所、执法大队
    evidence: [《环卫市场化考核细则》]
    history:
      - date: 2022/1/20
        action: 整改进展
        note: 已起草
  - number: 2
    title: 长期坚持的事项
    status: 整改中
    kind: 长期坚持
    deadline: 2022.12.31
"""


def test_committed_schemas_match_the_models():
    for name, document in schemas.documents().items():
        committed = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert committed == document, f"schemas/{name} 已过时:运行 rectify schema 重新生成"


def test_schema_command_writes_the_same_files(tmp_path):
    out = invoke("schema", "--out", str(tmp_path), "--readme", str(tmp_path / "none.md"))
    assert out.code == 0
    for name in schemas.documents():
        assert (tmp_path / name).read_bytes() == (SCHEMA_DIR / name).read_bytes()
    assert "字段表" not in out.stdout  # no README there: nothing said about one


def test_readme_field_table_is_the_generated_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    between = readme.split(schemas.TABLE_START + "\n")[1].split(schemas.TABLE_END)[0]
    assert between == schemas.field_table(), "README 的字段表已过时:运行 rectify schema 重新生成"
    assert "| `closed_on` | 销号日期 | 日期 |" in between


def test_schema_command_rewrites_a_stale_readme_table_only_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# 我的台账\n\n{schemas.TABLE_START}\n旧表\n{schemas.TABLE_END}\n\n结尾\n", encoding="utf-8")
    out = invoke("schema", "--out", str(tmp_path / "schemas"), "--readme", str(readme))
    assert out.code == 0 and f"已更新 {readme} 的字段表" in out.stdout
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# 我的台账\n\n") and text.endswith(f"{schemas.TABLE_END}\n\n结尾\n")
    assert "旧表" not in text and "| `deadline` | 整改时限 | 日期 |" in text


def test_schemas_carry_chinese_titles():
    issue = json.loads((SCHEMA_DIR / "issue.schema.json").read_text(encoding="utf-8"))
    item = issue["$defs"]["Item"]["properties"]
    assert item["status"]["title"] == "状态"
    assert item["closed_on"]["title"] == "销号日期"
    assert "已完成" in item["status"]["enum"]


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_data_file_starts_with_its_schema_line(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    schema = "ledger.schema.json" if path.name == "ledger.yaml" else "issue.schema.json"
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (SCHEMA_DIR / schema).resolve()


def as_editor_reads(text: str):
    """YAML as an editor's language server sees it: dates stay strings."""
    return _dates_to_text(yaml.safe_load(text))


def _dates_to_text(value):
    if isinstance(value, dict):
        return {key: _dates_to_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_for(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_schema_accepts_the_shipped_files(path):
    name = "ledger.schema.json" if path.name == "ledger.yaml" else "issue.schema.json"
    jsonschema.validate(as_editor_reads(path.read_text(encoding="utf-8")), schema_for(name))


def test_tool_and_schema_both_accept_chinese_synonyms(ledger, rectify):
    write_issue(ledger, "18.yaml", SYNONYM_ISSUE)
    (ledger / "ledger.yaml").write_text(
        (ledger / "ledger.yaml").read_text(encoding="utf-8").replace("stated_items: 34", "stated_items: 36"),
        encoding="utf-8",
    )
    out = rectify("check")
    assert out.code == 0, out.stderr
    assert without_blanks(out.stderr) == ""
    jsonschema.validate(as_editor_reads(SYNONYM_ISSUE), schema_for("issue.schema.json"))
    shown = json.loads(rectify("show", "18.1", "--format", "json").stdout)["items"][0]
    assert (shown["status"], shown["kind"], shown["closed_on"]) == ("closed", "immediate", "2022-02-01")
    assert shown["departments"] == ["环卫所", "执法大队"]
    assert shown["evidence"][0]["name"] == "《环卫市场化考核细则》"
    assert shown["history"][0]["action"] == "progress"


@pytest.mark.parametrize(
    "change",
    [("status: 已完成", "stauts: 已完成"), ("status: 已完成", "status: 差不多"), ("number: 2", 'number: "2"')],
)
def test_schema_refuses_what_the_tool_refuses(ledger, rectify, change):
    text = SYNONYM_ISSUE.replace(*change)
    write_issue(ledger, "18.yaml", text)
    assert rectify("check").code == 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(as_editor_reads(text), schema_for("issue.schema.json"))
