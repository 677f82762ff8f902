"""One definition per field: fields.py is the only place a field is declared.

The drill adds a field to a copy of the source by appending one declaration
to fields.py, and checks that every part of the tool takes it from there.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from rectify_cli import fields

from .conftest import DATA, REPO

PACKAGE = REPO / "src" / "rectify_cli"
PROBE = '    Field("probe", "测试字段", TEXT, "演练用的字段", column=Column("测试字段", 12)),\n'
VALUE = "演练值甲乙丙"


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A copy of src/ whose fields.py declares one more item field, with its schemas and README
    regenerated, and a copy of data/ where 13.2 carries the field."""
    root = tmp_path_factory.mktemp("drill")
    shutil.copytree(PACKAGE, root / "src" / "rectify_cli", ignore=shutil.ignore_patterns("__pycache__"))
    declarations = root / "src" / "rectify_cli" / "fields.py"
    text = declarations.read_text(encoding="utf-8")
    anchor = '    Field("history", "整改进展", MANY'
    assert text.count(anchor) == 1
    declarations.write_text(text.replace(anchor, PROBE + anchor), encoding="utf-8")
    shutil.copy(REPO / "README.md", root / "README.md")
    ledger = root / "ledger"
    shutil.copytree(DATA, ledger, ignore=shutil.ignore_patterns(".rectify"))
    _put_on_13_2(ledger, f"probe: {VALUE}")
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "XDG_CACHE_HOME": str(root / "cache-home"),
           "RECTIFY_TODAY": "2022-02-25", "NO_COLOR": "1"}
    env.pop("RECTIFY_LEDGER", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the copy is compiled once, not by each of the runs below
    return root, ledger, env


def _put_on_13_2(ledger: Path, line: str) -> None:
    path = ledger / "issues" / "13.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  - number: 2\n"
    assert text.count(anchor) == 1
    path.write_text(text.replace(anchor, f"{anchor}    {line}\n"), encoding="utf-8")


def run(env, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rectify_cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_drill_runs_the_copy(drill):
    root, _ledger, env = drill
    found = subprocess.run([sys.executable, "-c", "import rectify_cli; print(rectify_cli.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert found.startswith(str(root / "src"))


def test_drill_schemas_and_readme_table_come_from_the_declaration(drill):
    root, _ledger, env = drill
    out = run(env, "schema", "--out", str(root / "schemas"), "--readme", str(root / "README.md"), cwd=root)
    assert out.returncode == 0, out.stderr
    issue = json.loads((root / "schemas" / "issue.schema.json").read_text(encoding="utf-8"))
    assert issue["$defs"]["Item"]["properties"]["probe"]["title"] == "测试字段"
    assert "| `probe` | 测试字段 | 文字 | 演练用的字段 |" in (root / "README.md").read_text(encoding="utf-8")


def test_drill_check_passes_and_a_typo_suggests_the_field(drill, tmp_path):
    _root, ledger, env = drill
    out = run(env, "--ledger", str(ledger), "check")
    assert out.returncode == 0, out.stdout + out.stderr
    typo = tmp_path / "typo"
    shutil.copytree(DATA, typo, ignore=shutil.ignore_patterns(".rectify"))
    _put_on_13_2(typo, "prob: 写错了键")
    out = run(env, "--ledger", str(typo), "check")
    assert out.returncode == 1
    assert "未知字段 'prob',是不是 probe(测试字段)?" in out.stdout + out.stderr


def test_drill_show_prints_the_label(drill):
    _root, ledger, env = drill
    out = run(env, "--ledger", str(ledger), "show", "13.2", "--format", "tsv")
    assert out.returncode == 0, out.stderr
    assert f"测试字段:{VALUE}" in out.stdout


@pytest.mark.slow
def test_drill_every_export_carries_the_value(drill, tmp_path):
    _root, ledger, env = drill
    for fmt in ("csv", "md", "json", "html", "xlsx"):
        target = tmp_path / f"export.{fmt}"
        out = run(env, "--ledger", str(ledger), "export", "--format", fmt, "-o", str(target))
        assert out.returncode == 0, out.stderr
        if fmt == "xlsx":
            sheet = load_workbook(target).worksheets[0]
            assert VALUE in [cell.value for row in sheet.iter_rows() for cell in row], fmt
        else:
            assert VALUE in target.read_text(encoding="utf-8-sig"), fmt
    items = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))["items"]
    assert next(item for item in items if item["id"] == "13.2")["probe"] == VALUE


@pytest.mark.slow
def test_drill_xlsx_export_imports_back(drill, tmp_path):
    _root, ledger, env = drill
    book = tmp_path / "台账.xlsx"
    assert run(env, "--ledger", str(ledger), "export", "--format", "xlsx", "-o", str(book)).returncode == 0
    assert run(env, "init", str(tmp_path / "new")).returncode == 0
    out = run(env, "--ledger", str(tmp_path / "new"), "import", "xlsx", str(book))
    assert out.returncode == 0, out.stderr
    problem = yaml.safe_load((tmp_path / "new" / "issues" / "13.yaml").read_text(encoding="utf-8"))
    assert problem["items"][1]["probe"] == VALUE


def test_drill_list_and_show_from_a_warm_cache(drill):
    _root, ledger, env = drill
    for _ in range(2):  # the first builds the cache, the second reads it
        out = run(env, "--ledger", str(ledger), "list", "--format", "json")
        assert out.returncode == 0, out.stderr
    assert (ledger / ".rectify" / "cache").is_file()
    listed = json.loads(out.stdout)["items"]
    assert len(listed) == 34
    out = run(env, "--ledger", str(ledger), "show", "13.2", "--format", "json")
    assert json.loads(out.stdout)["items"][0]["probe"] == VALUE


def test_every_group_is_declared_once_with_labels():
    for group in fields.GROUPS.values():
        assert group.fields and all(spec.label for spec in group), group.name
        assert len({spec.key for spec in group}) == len(group.fields)


# --- no second spelling ---------------------------------------------------------------

SPELLING_FREE = {"fields.py", "vocab.py"}  # the declarations; the enumerations' words
SHORT_LABEL = 4  # a label shorter than this (方面, 状态) is an ordinary word inside a sentence
OTHER_WORDS = ("整改进展情况",)  # the progress report's name: it holds a label but is no field


def _declared_names() -> tuple[set[str], set[str]]:
    keys, labels = set(), set()
    for group in (fields.ITEM, fields.LEDGER):
        keys |= {spec.key for spec in group}
        labels |= {spec.label for spec in group}
    return keys, labels


def _string_literals(path: Path):
    """(line, text) of every string constant but docstrings, f-strings' literal parts included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _spelled(text: str, keys: set[str], labels: set[str]) -> str | None:
    if text in keys or text in labels:
        return text
    for word in OTHER_WORDS:
        text = text.replace(word, "")
    return next((label for label in labels if len(label) >= SHORT_LABEL and label in text), None)


def test_no_module_spells_a_field_key_or_label():
    keys, labels = _declared_names()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in SPELLING_FREE:
            continue
        for line, text in _string_literals(path):
            name = _spelled(text, keys, labels)
            if name:
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {name!r} in {text[:40]!r}")
    assert not found, "take these from fields.py:\n" + "\n".join(found)


def test_the_spelling_check_finds_a_second_spelling(tmp_path):
    keys, labels = _declared_names()
    module = tmp_path / "module.py"
    module.write_text('"""Docstrings may say 整改时限."""\nHEADER = "责任部门"\nKEY = "closed_on"\n'
                      'MESSAGE = f"{x}的整改时限已过"\nWORD = "方面"\nPROSE = "分管的方面"\n'
                      'REPORT = "整改进展情况的通报"\n', encoding="utf-8")
    spelled = [(line, _spelled(text, keys, labels)) for line, text in _string_literals(module)]
    assert sorted((line, name) for line, name in spelled if name) == [
        (2, "责任部门"), (3, "closed_on"), (4, "整改时限"), (5, "方面")]
