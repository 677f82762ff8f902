"""`rectify import text` on the documents of tests/fixtures/import/: one per numbering family and
input kind, each imported into a new ledger through the real CLI and its whole tree compared
(issue 12, point 12). cases.yaml lists them; redress.py writes the reference's re-dressed forms."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rectify_cli import loading
from rectify_cli.records import Ledger

from .conftest import DATA, FIXTURES
from .test_import import import_text, init
from .test_import_text import pdf_with_text

FOLDER = FIXTURES / "import"
CASES = yaml.safe_load((FOLDER / "cases.yaml").read_text(encoding="utf-8"))
PDF_PREFIX = "pdf:"  # `pdf:NAME`: a PDF the test makes from the lines of the stored text NAME


def document(case: dict, tmp_path: Path) -> Path:
    name = case["file"]
    if not name.startswith(PDF_PREFIX):
        return FOLDER / name
    lines = (FOLDER / name.removeprefix(PDF_PREFIX)).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_with_text(lines))
    return path


def imported_tree(ledger: Ledger, with_aspects: bool, with_measures: bool) -> list[tuple]:
    """(problem id, aspect title, problem title, item number, item title, outcome, [measures,]
    status, closed_on) of every item; the aspect None where the document has no aspect level."""
    return [(e.problem.id, ledger.aspect_title(e.problem.aspect) if with_aspects else None, e.problem.title,
             e.item.number, e.item.title, e.item.outcome, *([e.item.measures] if with_measures else []),
             e.item.status.value, e.item.closed_on)
            for e in ledger.entries()]


def expected_tree(expected: dict, with_aspects: bool, with_measures: bool) -> list[tuple]:
    """The same tuples from a NAME.expected.yaml: closed items are closed on its `as_of`."""
    return [(problem["id"], problem["aspect"] if with_aspects else None, problem["title"],
             number, item["title"], item["outcome"], *([item.get("measures")] if with_measures else []),
             item["status"], expected["as_of"] if item["status"] == "closed" else None)
            for problem in expected["problems"]
            for number, item in enumerate(problem["items"], start=1)]


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_document_imports_to_its_expected_tree(tmp_path, case):
    folder = init(tmp_path / "ledger")
    outcome = import_text(folder, document(case, tmp_path), *map(str, case.get("args", [])))
    assert outcome.code == 0, outcome.stderr
    assert "无法归类的行" not in outcome.stderr, outcome.stderr
    for note in case.get("says", []):
        assert note in outcome.stderr
    got = loading.load_valid(folder)
    with_aspects = case.get("aspects") != "default"
    if not with_aspects:
        assert len(got.info.aspects) == 1, got.info.aspects
    with_measures = False
    if case["expected"] == "data":
        want = imported_tree(loading.load_valid(DATA), with_aspects, False)
    else:
        expected = yaml.safe_load((FOLDER / case["expected"]).read_text(encoding="utf-8"))
        with_measures = any("measures" in i for p in expected["problems"] for i in p["items"])
        want = expected_tree(expected, with_aspects, with_measures)
        assert got.info.as_of == expected["as_of"]
    assert imported_tree(got, with_aspects, with_measures) == want
