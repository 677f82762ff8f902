"""Property tests: the ID parser, the loader and the CLI on arbitrary input (hypothesis).

1. `parse_id` on any text never raises and gives None or a positive ItemRef; what it
   parses reads back the same from its display; `rectify show <any text>` ends 0, 1 or 2
   with one line, never a traceback.
2. The loader on any bytes, on mutations of a real issue file, and on issue files built
   from the schema with wrong types, odd strings, huge numbers and impossible dates:
   `check` ends 0 or 1, every line names its file, nothing in the ledger changes; `list`
   ends 0 or 1 too, and never refuses what `check` passes.
3. The CLI on random argument lists from a vocabulary of real commands, options and values
   mixed with junk: exit 0, 1 or 2, no traceback; a refused command changes no file, a
   read never changes a file, and after a successful edit the ledger still checks.

Examples and deadlines are kept modest so that the file runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path

import pydantic
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rectify_cli import model, records, yamlsource
from rectify_cli.ids import ItemRef, display_id, parse_id

from ..conftest import DATA, invoke, snapshot, write_issue

TODAY = "2022-03-01"
ISSUE = "issues/13.yaml"
ORIGINAL = (DATA / ISSUE).read_bytes()



def quick(examples: int, **extra) -> settings:
    """Few examples, no deadline, and no example database written into the repository."""
    return settings(max_examples=examples, deadline=None, database=None, **extra)


def with_fixture(examples: int) -> settings:
    """The same, for a test that also takes a (function-scoped) fixture it may reuse between examples."""
    return quick(examples, suppress_health_check=[HealthCheck.function_scoped_fixture])


def no_crash(out) -> None:
    for stream in (out.stdout, out.stderr):
        assert "Traceback" not in stream
        assert "内部错误" not in stream


def one_line_refusal(out) -> None:
    assert out.stdout == ""
    lines = out.stderr.rstrip("\n").split("\n")  # U+2028/U+2029 left raw: see test_text.py
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("rectify: ")


# --- 1. IDs ------------------------------------------------------------------------------

ID_LIKE = st.from_regex(r"\A[0-9０-９①-⑳⑴-⒇.\-_/、。()（）\s]{0,10}\Z").filter(bool)
ANY_TEXT = st.one_of(st.text(max_size=20), ID_LIKE)


@quick(400)
@given(ANY_TEXT)
@example("13.2")
@example("１３．２")
@example("13(2)")
@example("⑬")
@example("13⑵")
@example("0.1")
@example("999999.999999")
@example("\x1b[31m13")
@example("13\n")
@pytest.mark.slow
def test_parse_id_never_raises_and_gives_positive_refs(text):
    ref = parse_id(text)
    assert ref is None or isinstance(ref, ItemRef)
    if ref is not None:
        assert isinstance(ref.problem, int) and ref.problem >= 1
        assert ref.number is None or (isinstance(ref.number, int) and ref.number >= 1)


@quick(300)
@given(ANY_TEXT)
@pytest.mark.slow
def test_every_parsed_id_reads_back_from_its_display(text):
    ref = parse_id(text)
    if ref is not None:
        assert parse_id(str(ref)) == ref
        assert parse_id(display_id(ref.problem, ref.number or 1, single=ref.number is None)) == ref


@quick(300)
@given(st.integers(1, 999_999), st.integers(1, 999_999), st.sampled_from([".", "-", "、", "_", "/", " . "]))
def test_displayed_and_typed_ids_round_trip(problem, number, separator):
    assert parse_id(display_id(problem, number, single=False)) == ItemRef(problem, number)
    assert parse_id(display_id(problem, number, single=True)) == ItemRef(problem)
    assert parse_id(f"{problem}{separator}{number}") == ItemRef(problem, number)
    assert parse_id(f"{problem}({number})") == ItemRef(problem, number)
    fullwidth = str.maketrans("0123456789.", "０１２３４５６７８９．")
    assert parse_id(f"{problem}.{number}".translate(fullwidth)) == ItemRef(problem, number)


@quick(50)
@given(st.integers(1_000_000, 10**12))
def test_a_bare_number_is_a_problem_or_no_id(number):
    assert parse_id(str(number)) in (None, ItemRef(number))


@pytest.mark.slow
@with_fixture(150)
@given(ANY_TEXT)
@example("13.2")
@example("--help")
@example("-f")
@example("")
@example("\x1b[31m13")
@example("13.99")
@example("999999")
def test_show_on_any_text_exits_cleanly(ledger, text):
    out = invoke("--ledger", str(ledger), "--today", TODAY, "show", text)
    assert out.code in (0, 1, 2), out.stderr
    no_crash(out)
    if out.code:
        one_line_refusal(out)
    else:
        assert out.stdout


# --- 2. the loader ---------------------------------------------------------------------------

_CHUNKS = [b":", b": ", b"-", b"- ", b"\n", b"  ", b"\t", b"[", b"]", b"{", b"}", b"'", b'"', b"&a ", b"*a",
           b"!!", b"!!str ", b"#", b"|", b">", b"\xff", b"\x00", b"\xe4\xba", b"---\n", b"...\n", b"%YAML 1.1\n",
           b"? ", b"@", b"`", b"\xef\xbb\xbf", b"\r", b"\\", b"<<: ", b"~", b"0x", b"2022-02-30"]


@st.composite
def mutated_issue(draw) -> bytes:
    """The real issues/13.yaml with a few bytes inserted, deleted or overwritten."""
    data = bytearray(ORIGINAL)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        chunk = draw(st.one_of(st.sampled_from(_CHUNKS), st.binary(min_size=1, max_size=4)))
        operation = draw(st.sampled_from(["insert", "delete", "overwrite"]))
        if operation == "insert":
            data[position:position] = chunk
        elif operation == "delete":
            del data[position:position + len(chunk)]
        else:
            data[position:position + len(chunk)] = chunk
    return bytes(data)


ANY_BYTES = st.one_of(st.binary(max_size=400), mutated_issue())
_DIAGNOSTIC = re.compile(r"^(?:.*/)?(?:issues/[^/]+|ledger\.yaml)(?::\d+(?::\d+)?)?: (?:错误|警告): ")


def assert_check_outcome(out, ledger: Path) -> None:
    """check: 0 or 1; each line a diagnostic naming its file, then the verdict; an error in 13.yaml."""
    assert out.code in (0, 1), out.stderr
    no_crash(out)
    lines = out.stderr.rstrip("\n").split("\n") if out.stderr else []
    if out.code == 0:
        assert out.stdout.startswith("检查通过")
    else:
        assert lines and lines[-1].startswith("检查未通过"), out.stderr
        lines = lines[:-1]
        assert any("13.yaml" in line and ": 错误: " in line for line in lines), out.stderr
    for line in lines:
        assert _DIAGNOSTIC.match(line), line
        assert line.startswith((str(ledger), "issues/", "ledger.yaml")), line


def check_and_list(ledger: Path, content: bytes) -> None:
    (ledger / ISSUE).write_bytes(content)
    before = snapshot(ledger)
    checked = invoke("--ledger", str(ledger), "--today", TODAY, "check")
    assert_check_outcome(checked, ledger)
    listed = invoke("--ledger", str(ledger), "--today", TODAY, "list", "--format", "json")
    assert listed.code in (0, 1), listed.stderr
    no_crash(listed)
    if listed.code == 0:
        json.loads(listed.stdout)
    else:
        assert listed.stderr.rstrip("\n").split("\n")[-1].startswith("rectify: ")
    if checked.code == 0:
        assert listed.code == 0, listed.stderr  # what check passes, list reads
    assert snapshot(ledger) == before


@pytest.mark.slow
@with_fixture(120)  # each example validates a whole ledger in-process: the suite's time budget
@given(ANY_BYTES)
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"\xff\xfe" + "id: 13".encode("utf-16-le"))
@example("id: 13\n".encode("gbk") + "标题".encode("gbk"))
@example(b"id: 13\x00")
@example(b"- a\n- b\n")
@example(b"13")
@example(b"a: &x 1\nb: *x\n")
@example(b"[" * 2000)
@example(ORIGINAL.replace(b"id: 13", b"id: 1"))
@example(ORIGINAL.replace(b"number: 2", b"number: 1"))
@example(ORIGINAL.replace(b"2022-02-23", b"2022-02-30"))
@example(ORIGINAL.replace(b"status: closed", b"status: !!str closed"))
def test_check_on_any_bytes_names_the_file_and_changes_nothing(ledger, content):
    check_and_list(ledger, content)


# Issue files built from the schema, some values replaced by junk.

_ODD = ["", " ", "~", "null", "yes", "2022-02-30", "0000-01-01", "9999-12-31", "10000-01-01", "2022年2月30日",
        "2022/13/01", "1e309", "0x10", "-1", "１３", "\x1b[31m", "\u202e", "[bold]", "<b>", "'", '"', ": ", "- x",
        "#", "\t", "\n\n", "a" * 300, "立行立改", "已销号", "closed", "open", "progress", "13.2", "\ufeff"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**18, max_value=10**40),
    st.integers(max_value=0), st.floats(), TEXT, st.sampled_from(_ODD),
    st.dates(), st.datetimes(), st.binary(max_size=4),
    st.lists(st.one_of(st.integers(), TEXT, st.none()), max_size=3),
    st.dictionaries(st.one_of(TEXT, st.integers()), st.integers(), max_size=2),
)
DAY = st.one_of(st.dates(dt.date(2021, 1, 1), dt.date(2023, 1, 1)), st.dates(),
                st.sampled_from(["2022-02-23", "2022/2/23", "2022年2月23日", "2022-02-30", "0000-01-01"]))


def mostly(good):
    return st.one_of(good, good, good, JUNK)


def issue_documents(mostly):
    """Issue files shaped by the schema; `mostly` decides how often a value is junk instead."""
    history = st.fixed_dictionaries(
        {"date": mostly(DAY), "action": mostly(st.sampled_from(["progress", "close", "reopen", "进展", "回头看"]))},
        optional={"by": mostly(TEXT), "note": mostly(TEXT), "closed_on": mostly(DAY),
                  "evidence": mostly(st.lists(TEXT, max_size=2))},
    )
    evidence = st.one_of(TEXT, st.fixed_dictionaries({}, optional={
        "name": mostly(TEXT), "path": mostly(st.sampled_from(["evidence/13.2/a.pdf", "../x", "/etc/passwd", ".", ISSUE])),
        "size": mostly(st.integers(0, 10**6)), "sha256": mostly(st.sampled_from(["0" * 64, "xyz"]))}))
    item = st.fixed_dictionaries(
        {"number": mostly(st.integers(1, 3))},
        optional={
            "title": mostly(TEXT), "description": mostly(TEXT), "measures": mostly(TEXT), "lead": mostly(TEXT),
            "owner": mostly(TEXT), "outcome": mostly(TEXT), "closed_by": mostly(TEXT),
            "kind": mostly(st.sampled_from(["immediate", "time_bound", "long_term", "立行立改", "长期坚持"])),
            "status": mostly(st.sampled_from(["open", "closed", "已销号", "未销号", "整改中"])),
            "departments": mostly(st.one_of(st.lists(TEXT, max_size=3), st.just("环卫所、执法大队"))),
            "deadline": mostly(DAY), "closed_on": mostly(DAY),
            "evidence": mostly(st.lists(evidence, max_size=2)),
            "institutions": mostly(st.lists(TEXT, max_size=2)),
            "history": mostly(st.lists(history, max_size=2)),
        },
    )
    return st.fixed_dictionaries(
        {"id": mostly(st.sampled_from([13, 13, 1, 18, 10**30])), "aspect": mostly(st.sampled_from(["一", "二", "三"])),
         "title": mostly(TEXT), "items": mostly(st.lists(item, min_size=1, max_size=3))},
        optional={"extra": JUNK} if mostly is not as_is else {},
    )


def as_is(good):
    return good


ISSUE_DOC = issue_documents(mostly)
DOCUMENT = st.one_of(ISSUE_DOC, ISSUE_DOC, ISSUE_DOC, JUNK)


@pytest.mark.slow
@with_fixture(120)
@given(DOCUMENT)
@example({"id": 13, "aspect": "二", "title": "t", "items": [{"number": 1, "closed_on": dt.date.max,
                                                              "status": "closed", "deadline": dt.date.min}]})
@example({"id": 10**30, "aspect": "二", "title": "t", "items": [{"number": 10**30}]})
@example({"id": 13, "aspect": "二", "title": "t", "items": [{"number": 1, "history": [{"date": 1, "action": 1}]}]})
@example({"id": 13, "aspect": "二", "title": "t", "items": [{"number": 1, 7: "x"}]})
@example({"id": 13, "aspect": "二", "title": "t", "items": [{"number": 1, "deadline": dt.datetime(2022, 1, 1, 10)}]})
@example({"id": 13, "aspect": "二", "title": "t", "items": [{"number": 1, "departments": [[["x"]]]}]})
def test_check_and_list_on_schema_shaped_junk(ledger, document):
    check_and_list(ledger, yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8"))


@quick(300)
@given(issue_documents(as_is))
@pytest.mark.slow
def test_records_built_without_pydantic_match_the_validated_model(document):
    # an edit checks the file it wrote through records.from_data instead of the models
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    try:
        data = yamlsource.parse(Path(ISSUE), text).data
        validated = model.Problem.model_validate(data)
    except (yamlsource.SourceError, pydantic.ValidationError):
        return
    assert records.from_data(records.Problem, data) == model.to_record(validated)


PLAIN_SCALAR = st.one_of(
    st.from_regex(r"\A[0-9+_-]{1,12}\Z"), st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( [0-9:]{1,8})?\Z"),
    st.sampled_from(["0", "012", "0o17", "0x1F", "1_000", "+5", "-0", "2022-02-23", "2022-2-3", "2022-02-30",
                     "0000-01-01", "9999-12-31", "yes", "~", "1.5", "１２"]),
)


@quick(400)
@given(st.lists(PLAIN_SCALAR, min_size=1, max_size=4))
@pytest.mark.slow
def test_the_loader_reads_plain_scalars_as_pyyaml_does(values):
    # yamlsource reads common numbers and dates itself, and remembers the resolver's tags
    text = "".join(f"k{index}: {value}\n" for index, value in enumerate(values))
    try:
        expected = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError):
        with pytest.raises(yamlsource.SourceError):
            yamlsource.parse(Path(ISSUE), text)
        return
    got = yamlsource.parse(Path(ISSUE), text).data
    assert got == expected and [type(v) for v in got.values()] == [type(v) for v in expected.values()]


# Cases the properties above led to; each crashed the loader with an internal error.

TAGS = {  # the file's text, and the line the message must point at
    "bool-value": ("a: !!bool x\n", 1),
    "bool-in-a-list": ("id: 13\nitems: [!!bool maybe]\n", 2),
    "empty-bool": ("a: !!bool\n", 1),
    "empty-int": ("a: !!int ''\n", 1),
    "empty-float": ("a: !!float ''\n", 1),
    "timestamp-value": ("a: !!timestamp x\n", 1),
    "timestamp-with-hour-25": ("a: !!timestamp 2022-01-01 25:00\n", 1),
    "int-key": ("!!int x: 1\n", 1),
    "float-key": ("!!float x: 1\n", 1),
    "timestamp-key": ("!!timestamp 2022-02-30: 1\n", 1),
}


@pytest.mark.parametrize("name", TAGS)
def test_explicit_tags_on_bad_scalars_are_reported_at_their_line(rectify, ledger, name):
    text, line = TAGS[name]
    write_issue(ledger, "13.yaml", text)
    before = snapshot(ledger)
    for args in (("--today", TODAY, "check"), ("list",)):
        out = rectify(*args)
        assert out.code == 1, out.stderr
        no_crash(out)
        assert f"13.yaml:{line}:" in out.stderr
    assert snapshot(ledger) == before


@pytest.mark.parametrize("opening", ["[", "{a: "], ids=["lists", "mappings"])
def test_nesting_below_the_parser_limit_is_reported(rectify, ledger, opening):
    closing = "]" if opening == "[" else "}"
    write_issue(ledger, "13.yaml", "a: " + opening * 900 + closing * 900 + "\n")
    out = rectify("--today", TODAY, "check")
    assert out.code == 1, out.stderr
    no_crash(out)
    assert "13.yaml:1:" in out.stderr


@pytest.mark.parametrize(("key", "names"), [("1", ["1"]), ("null", ["null", "None", "~"]),
                                             ("2022-01-01", ["2022-01-01"])], ids=["int", "null", "date"])
def test_a_key_that_is_not_text_is_named_in_chinese(rectify, ledger, key, names):
    write_issue(ledger, "13.yaml", ORIGINAL.decode("utf-8") + f"{key}: x\n")
    out = rectify("--today", TODAY, "check")
    assert out.code == 1
    no_crash(out)
    line = next(line for line in out.stderr.splitlines() if "13.yaml" in line)
    assert "Keys should be strings" not in line
    message = line.split(": 错误: ", 1)[1]
    assert any(name in message for name in names), line


# --- 3. the CLI on random argument lists ------------------------------------------------------

VOCABULARY = [
    "list", "show", "close", "reopen", "note", "undo", "summary", "check", "export", "report",
    "--open", "--closed", "--overdue", "--format", "-f", "xml", "json", "csv", "table", "tsv", "md", "html",
    "xlsx", "docx", "txt", "--on", "2022-02-30", "2022-02-28", "2022-03-01", "2021-01-01", "2099-01-01",
    "13.2", "13.1", "13", "2", "5.2", "99", "0", "-1", "--yes", "-y", "--dry-run", "-n", "--by", "张三",
    "--reason", "回头看发现问题", "--note", "--outcome", "成效", "--all", "--aspect", "二", "--dept", "--lead",
    "--kind", "立行立改", "--sort", "deadline", "--due-before", "--search", "--trend", "week", "--evidence-note",
    "《制度》", "--help", "-h", "--", "-", "", " ", "\x1b[31m",
]
# Never drawn: they write where they are told (init, schema, -o) or into the user's shell set-up.
EXCLUDED = {"init", "schema", "import", "-o", "--output", "--out", "--evidence", "--install-completion",
            "--show-completion", "--ledger", "-L"}
READS = {"list", "show", "summary", "check", "export", "report"}
TOKEN = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY), st.text(max_size=8)).filter(
    lambda token: token not in EXCLUDED)
COMMAND = st.lists(TOKEN, max_size=7)


@contextlib.contextmanager
def fresh_ledger():
    """A copy of the shipped ledger, with the working folder inside the same temporary folder."""
    with tempfile.TemporaryDirectory(prefix="rectify-props-") as folder:
        root = Path(folder) / "ledger"
        shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".rectify"))
        with contextlib.chdir(folder):
            yield Path(folder), root


@pytest.mark.slow
@quick(100)
@given(st.lists(COMMAND, min_size=1, max_size=3))
@example([["close", "13.2", "--on", "2022-02-28"], ["undo", "--yes"], ["undo", "--yes"]])
@example([["close", "13.2", "--on", "2022-02-30"]])
@example([["note", "13.2", "进展", "--dry-run"], ["reopen", "5.2", "--reason", "回头看"], ["undo"]])
@example([["close", "13", "--all", "--outcome", "成效", "--yes"]])
@example([["list", "--open", "--closed"]])
@example([["show", "--format", "xml", "13.2"]])
@example([["export", "-f", "docx"]])
def test_random_commands_exit_cleanly_and_refusals_change_nothing(commands):
    with fresh_ledger() as (folder, root):
        for args in commands:
            before = snapshot(folder)
            out = invoke("--ledger", str(root), "--today", TODAY, *args)
            assert out.code in (0, 1, 2), (args, out.stderr)
            no_crash(out)
            after = snapshot(folder)
            if out.code != 0:
                assert after == before, args
                assert out.stderr.strip(), args
            if args and args[0] in READS:
                assert after == before, args
            if out.code == 0 and after != before:
                checked = invoke("--ledger", str(root), "--today", TODAY, "check")
                assert checked.code == 0, (args, checked.stderr)
