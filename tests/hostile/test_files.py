"""Hostile files: what rectify makes of ledger files that no careful editor would produce.

Alias bombs, a 50 MB file, 10,000 levels of nesting, foreign encodings, NUL bytes, a
folder, a FIFO or a device where a file should be, links in issues/, odd names, empty
and multi-document files. Each case runs the real CLI on a copy of the shipped ledger,
mostly `rectify check`, and asserts the exact outcome: the exit code, every line on
stderr (the one naming file and line where a line exists), no traceback, and that no
file of the ledger changed.

The in-process runs go through Typer's CliRunner (fixture `rectify`); a case that could
block or eat memory runs `python -m rectify_cli` in a child process with a timeout (and a
memory ceiling), so a regression fails the test instead of hanging the suite.

"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import DATA
from .support import BLANK_LINES, CLEAN, MODULE, Finished, at, expect, tree
from .support import run_child as run

TODAY = "2022-03-01"
CLOSE = ("--today", TODAY, "close", "13.2", "--by", "张三")
ISSUE = "issues/13.yaml"
FAILED_ONE = "检查未通过:1 处错误,0 处警告"
REFUSED_ONE = "rectify: 台账有 1 处错误,请先修正(运行 rectify check 查看全部)"
NO_ITEMS = "ledger.yaml:10:15: 警告: stated_items(反馈问题数)为 34,台账中实有 0 项"
STATE_DIR = ".rectify"
MB = 1024 * 1024
BOM = b"\xef\xbb\xbf"

# "Billion laughs": nine lists of nine references to the list before, 9**9 "lol"s if expanded.
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ALIAS_LINE = f"{ISSUE}:1:4: 错误: 不支持 YAML 锚点和别名(& 与 *),请把内容直接写出"

# A command that hangs (a FIFO without a writer, /dev/zero, an alias bomb expanded) never ends;
# one that finishes did not. The limit leaves room for a busy machine's slow start (2 s was
# crossed with both cores loaded); the speeds themselves are measured in bench/.
FIFO_PATIENCE = 10.0


@pytest.fixture(autouse=True)
def _inside_ledger(ledger, monkeypatch, tmp_path_factory):
    """Diagnostics print relative to the working folder (issues/13.yaml:…); the cache's
    signing key lives under XDG_CACHE_HOME, kept out of the real home."""
    monkeypatch.chdir(ledger)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


# --- helpers ------------------------------------------------------------------------------




def issue(ledger: Path, name: str = "13.yaml") -> Path:
    return ledger / "issues" / name


def shipped(name: str = "13.yaml") -> str:
    return (DATA / "issues" / name).read_text(encoding="utf-8")


# PyYAML built from source without libyaml: only its pure-Python parser and composer exist.
WITHOUT_LIBYAML = ("-c", """
import runpy, yaml
yaml.__dict__.pop("CSafeLoader", None)
runpy.run_module("rectify_cli", run_name="__main__", alter_sys=True)
""")


# The child's own peak resident size, read from /proc at exit. Not ru_maxrss: a child
# started with vfork (subprocess's default) inherits the pytest process's peak there.
PEAK_PROBE = """
import atexit, runpy, sys
report = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(report, "w") as out:
        out.write(peak)
atexit.register(write_peak)
runpy.run_module("rectify_cli", run_name="__main__", alter_sys=True)
"""


def run_measured(ledger: Path, report: Path, *args: str) -> tuple[Finished, int]:
    """As run(), and the child's peak resident memory in bytes."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, str(report), "--ledger", str(ledger), *args],
        capture_output=True, text=True, timeout=30, cwd=ledger,
    )
    finished = Finished(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)
    return finished, int(report.read_text()) * 1024


# --- alias bombs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "last"),
    [(("check",), FAILED_ONE), (("list",), REFUSED_ONE), (CLOSE, REFUSED_ONE)],
    ids=["check", "list", "close"],
)
def test_alias_bomb_is_refused_within_a_second(rectify, ledger, args, last):
    issue(ledger).write_text(LAUGHS, encoding="utf-8")
    before = tree(ledger)
    started = time.perf_counter()
    out = rectify(*args)
    seconds = time.perf_counter() - started
    expect(out, 1, ALIAS_LINE, last)
    assert seconds < 1.0
    assert tree(ledger) == before


def test_alias_bomb_in_ledger_yaml_is_refused(rectify, ledger):
    (ledger / "ledger.yaml").write_text(LAUGHS, encoding="utf-8")
    before = tree(ledger)
    expect(rectify("check"), 1, ALIAS_LINE.replace(ISSUE, "ledger.yaml"), FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_alias_bomb_takes_little_memory(ledger, tmp_path):
    issue(ledger).write_text(LAUGHS, encoding="utf-8")
    before = tree(ledger)
    out, peak = run_measured(ledger, tmp_path / "peak", "--today", TODAY, "check")
    expect(out, 1, ALIAS_LINE, FAILED_ONE)
    assert peak < 150 * MB, f"peak resident memory {peak / MB:.0f} MB"
    assert out.seconds < FIFO_PATIENCE  # expanding the aliases would take minutes, not seconds
    assert tree(ledger) == before


# --- giants: size, depth, line length ---------------------------------------------------------


def test_fifty_megabyte_issue_file_is_refused(rectify, ledger):
    line = "      " + "整改" * 15 + "\n"  # 97 bytes
    pasted = line * (52 * MB // len(line))
    text = shipped().replace("    outcome: |-\n      一是及时开展", f"    outcome: |-\n{pasted}      一是及时开展")
    issue(ledger).write_text(text, encoding="utf-8")
    assert issue(ledger).stat().st_size > 50 * MB
    before = tree(ledger)
    started = time.perf_counter()
    out = rectify("check")
    seconds = time.perf_counter() - started
    expect(out, 1, at(ISSUE, r"(:1:1)?: 错误: .*(过大|太大|超过).*"), FAILED_ONE)
    assert seconds < 5.0
    assert tree(ledger) == before


DEEP = 10_000
REFUSED_DEEP = at(ISSUE, r"(:\d+:\d+)?: 错误: .+")


@pytest.mark.parametrize("command", ["check", "list"])
def test_ten_thousand_nested_flow_lists_are_refused(rectify, ledger, command):
    issue(ledger).write_text("x: " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    before = tree(ledger)
    started = time.perf_counter()
    out = rectify(command)
    seconds = time.perf_counter() - started
    expect(out, 1, REFUSED_DEEP, FAILED_ONE if command == "check" else REFUSED_ONE)
    assert "RecursionError" not in out.stderr
    assert seconds < 3.0
    assert tree(ledger) == before


def test_ten_thousand_nested_block_mappings_are_refused(rectify, ledger):
    # one more space of indentation per level: 10,000 levels make a 50 MB file
    text = "".join(f"{' ' * level}k{level}:\n" for level in range(DEEP)) + " " * DEEP + "end\n"
    issue(ledger).write_text(text, encoding="utf-8")
    before = tree(ledger)
    started = time.perf_counter()
    out = rectify("check")
    seconds = time.perf_counter() - started
    expect(out, 1, REFUSED_DEEP, FAILED_ONE)
    assert "RecursionError" not in out.stderr
    assert seconds < 5.0
    assert tree(ledger) == before


def test_nesting_limit_is_explained_in_chinese(rectify, ledger):
    issue(ledger).write_text("x: " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    out = rectify("check")
    expect(out, 1, at(ISSUE, r":1:\d+: 错误: YAML 语法错误:[^A-Za-z]*嵌套[^A-Za-z]*"), FAILED_ONE)


NESTINGS = {
    "flow lists": lambda levels: "x: " + "[" * levels + "]" * levels + "\n",
    "flow mappings": lambda levels: "x: " + "{a: " * levels + "b" + "}" * levels + "\n",
    "block lists": lambda levels: "x:\n" + "- " * levels + "b\n",
}


@pytest.mark.parametrize("python", [MODULE, WITHOUT_LIBYAML], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("levels", [1_001, pytest.param(1_000_000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("shape", NESTINGS)
def test_deep_nesting_never_crashes_the_process(ledger, shape, levels, python):
    # Some PyYAML builds set no depth limit and overflow the C stack (a segfault, exit -11)
    # on a million levels; the pure-Python composer ran out of recursion.
    issue(ledger).write_text(NESTINGS[shape](levels), encoding="utf-8")
    before = tree(ledger)
    done = run(ledger, "--today", TODAY, "check", python=python)
    expect(done, 1, at(ISSUE, r":\d+:\d+: 错误: YAML 语法错误:[^A-Za-z]*嵌套[^A-Za-z]*"), FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize("shape", NESTINGS)
def test_a_thousand_levels_are_read_and_the_key_refused(rectify, ledger, shape):
    # the limit is libyaml's own: 999 levels under x parse, and the checker names the key
    issue(ledger).write_text(NESTINGS[shape](999), encoding="utf-8")
    out = rectify("check")
    missing = [f"{ISSUE}:1:1: 错误: 缺少必填字段 {field}" for field in ("id(问题编号)", "aspect(方面)", "title(问题)", "items(具体问题)")]
    unknown = f"{ISSUE}:1:1: 错误: 未知字段 'x';可用的字段:id, aspect, title, items"
    expect(out, 1, *missing, unknown, "检查未通过:5 处错误,0 处警告")


@pytest.mark.parametrize("python", [MODULE, WITHOUT_LIBYAML], ids=["libyaml", "pure-python"])
def test_a_raw_control_character_is_named_at_its_place(ledger, python):
    issue(ledger).write_text(shipped().replace("title: 资产管理不规范", "title: 资产管理\x07不规范"), encoding="utf-8")
    before = tree(ledger)
    done = run(ledger, "--today", TODAY, "check", python=python)
    expect(done, 1, f"{ISSUE}:4:12: 错误: YAML 语法错误:这里有不允许的控制字符 U+0007;请删去它", FAILED_ONE)
    assert tree(ledger) == before


def test_shipped_ledger_is_clean_without_libyaml(ledger):
    done = run(ledger, "--today", TODAY, "check", python=WITHOUT_LIBYAML)
    expect(done, 0, *BLANK_LINES, stdout=CLEAN)


def test_huge_single_line_value_is_read(rectify, ledger):
    one_line = "整改" * (5 * MB // 6)  # 5 MB of UTF-8 on one line
    text = shipped().replace("      一是及时开展了资产处置工作。", f"      {one_line}一是及时开展了资产处置工作。")
    issue(ledger).write_text(text, encoding="utf-8")
    before = tree(ledger)
    started = time.perf_counter()
    out = rectify("check")
    seconds = time.perf_counter() - started
    expect(out, 0, *BLANK_LINES, stdout=CLEAN)
    assert seconds < 3.0
    assert tree(ledger) == before


def test_huge_single_line_wrong_value_gives_a_short_message(rectify, ledger):
    text = shipped().replace("    status: open", "    status: " + "x" * (5 * MB))
    issue(ledger).write_text(text, encoding="utf-8")
    before = tree(ledger)
    out = rectify("check")
    expect(out, 1, at(f"{ISSUE}:15:13: 错误: status(状态) 的值 ", ".+"), FAILED_ONE)
    assert len(out.stderr.splitlines()[0]) < 1000
    assert tree(ledger) == before


# --- encodings and bytes ------------------------------------------------------------------------


GBK_LINE = f"{ISSUE}:3:9: 错误: 文件是 GBK 编码,不是 UTF-8;请在编辑器中另存为 UTF-8"
UTF16_LINE = f"{ISSUE}:1:1: 错误: 文件是 UTF-16 编码,请另存为 UTF-8"


@pytest.mark.parametrize(
    ("args", "last"), [(("check",), FAILED_ONE), (CLOSE, REFUSED_ONE)], ids=["check", "close"]
)
def test_gbk_issue_file_is_named(rectify, ledger, args, last):
    issue(ledger).write_bytes(shipped().encode("gbk"))
    before = tree(ledger)
    expect(rectify(*args), 1, GBK_LINE, last)
    assert tree(ledger) == before


def test_gbk_ledger_yaml_is_named(rectify, ledger):
    (ledger / "ledger.yaml").write_bytes((DATA / "ledger.yaml").read_text(encoding="utf-8").encode("gbk"))
    before = tree(ledger)
    line = "ledger.yaml:2:3: 错误: 文件是 GBK 编码,不是 UTF-8;请在编辑器中另存为 UTF-8"
    expect(rectify("check"), 1, line, FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xfe" + shipped().encode("utf-16-le"), id="le-bom"),
        pytest.param(b"\xfe\xff" + shipped().encode("utf-16-be"), id="be-bom"),
    ],
)
def test_utf16_with_bom_is_named(rectify, ledger, data):
    issue(ledger).write_bytes(data)
    before = tree(ledger)
    expect(rectify("check"), 1, UTF16_LINE, FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_named(rectify, ledger, encoding):
    issue(ledger).write_bytes(shipped().encode(encoding))
    before = tree(ledger)
    expect(rectify("check"), 1, UTF16_LINE, FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(shipped().encode("utf-32"), id="le-bom"),
        pytest.param(b"\x00\x00\xfe\xff" + shipped().encode("utf-32-be"), id="be-bom"),
    ],
)
def test_utf32_is_named(rectify, ledger, data):
    issue(ledger).write_bytes(data)
    expect(rectify("check"), 1, at(ISSUE, r":1:1: 错误: [^,;]*UTF-32.*"), FAILED_ONE)


@pytest.mark.parametrize(
    ("args", "last"), [(("check",), FAILED_ONE), (CLOSE, REFUSED_ONE)], ids=["check", "close"]
)
def test_nul_byte_is_refused_at_its_place(rectify, ledger, args, last):
    issue(ledger).write_text(shipped().replace("资产管理", "资产\x00管理"), encoding="utf-8")
    before = tree(ledger)
    line = f"{ISSUE}:4:10: 错误: 文件含有 NUL 字节,不是文本文件;请检查文件是否损坏"
    expect(rectify(*args), 1, line, last)
    assert tree(ledger) == before


def test_crlf_with_bom_reads_and_edits_keeping_both(rectify, ledger):
    issue(ledger).write_bytes(BOM + shipped().replace("\n", "\r\n").encode("utf-8"))
    expect(rectify("check"), 0, *BLANK_LINES, stdout=CLEAN)
    out = rectify(*CLOSE)
    expect(out, 0, stdout=None)
    assert out.stdout.startswith("已销号 13.2 ")
    written = issue(ledger).read_bytes()
    assert written.startswith(BOM) and not written.startswith(BOM * 2)
    assert written.count(b"\n") == written.count(b"\r\n") > shipped().count("\n")
    expect(rectify("--today", TODAY, "check"), 0, *BLANK_LINES, stdout=CLEAN)


# --- empty, comments, documents -----------------------------------------------------------------


EMPTY_LINE = f"{ISSUE}:1:1: 错误: 文件是空的,没有任何内容"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="zero-bytes"),
        pytest.param(BOM, id="only-bom"),
        pytest.param("# 待填写\n# 第13号问题\n".encode(), id="only-comments"),
        pytest.param(BOM + b"# x\r\n\r\n", id="bom-comment-crlf"),
    ],
)
def test_file_without_content_is_called_empty(rectify, ledger, data):
    issue(ledger).write_bytes(data)
    before = tree(ledger)
    expect(rectify("check"), 1, EMPTY_LINE, FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize("data", [b"---\n", b"---\n...\n"], ids=["dashes", "dashes-dots"])
def test_only_document_markers_is_called_empty(rectify, ledger, data):
    issue(ledger).write_bytes(data)
    before = tree(ledger)
    expect(rectify("check"), 1, EMPTY_LINE, FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize("command", ["check", "list"])
def test_two_documents_in_one_file_are_refused_in_chinese(rectify, ledger, command):
    issue(ledger).write_text(shipped() + "---\n" + shipped(), encoding="utf-8")
    before = tree(ledger)
    out = rectify(command)
    wanted = at(ISSUE, r":18:1: 错误: YAML 语法错误:一个文件里只能有一个 YAML 文档;请删去多余的 ---")
    expect(out, 1, wanted, FAILED_ONE if command == "check" else REFUSED_ONE)
    assert tree(ledger) == before


def test_two_documents_in_one_file_are_refused_at_the_second(rectify, ledger):
    issue(ledger).write_text(shipped() + "---\n" + shipped(), encoding="utf-8")
    before = tree(ledger)
    expect(rectify(*CLOSE), 1, at(ISSUE, r":18:1: 错误: .+"), REFUSED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- 一\n- 二\n", "列表"), ("just words\n", "单个值")],
    ids=["list", "scalar"],
)
@pytest.mark.parametrize(
    ("args", "last"), [(("check",), FAILED_ONE), (("list",), REFUSED_ONE)], ids=["check", "list"]
)
def test_ledger_yaml_that_is_not_a_mapping(rectify, ledger, text, kind, args, last):
    (ledger / "ledger.yaml").write_text(text, encoding="utf-8")
    before = tree(ledger)
    line = f"ledger.yaml:1:1: 错误: 文件内容应为“字段: 值”的映射,这里却是一个{kind}"
    expect(rectify(*args), 1, line, last)
    assert tree(ledger) == before


# --- folders: empty, missing, the wrong kind ------------------------------------------------------


def _empty_issues(ledger: Path) -> None:
    for path in (ledger / "issues").iterdir():
        path.unlink()


def _no_issues(ledger: Path) -> None:
    _empty_issues(ledger)
    (ledger / "issues").rmdir()


@pytest.mark.parametrize("make", [_empty_issues, _no_issues], ids=["empty-folder", "no-folder"])
def test_ledger_without_issues_checks_with_a_warning(rectify, ledger, make):
    make(ledger)
    before = tree(ledger)
    expect(rectify("check"), 0, NO_ITEMS, stdout="检查通过:0 个问题,0 项具体问题,1 处警告\n")
    expect(rectify("list", "--format", "tsv"), 0, stdout="编号\t问题\t方面\t责任部门\t整改时限\t状态\n")
    assert tree(ledger) == before


def test_issues_as_a_file_is_refused(rectify, ledger):
    _no_issues(ledger)
    (ledger / "issues").write_text("13.yaml\n", encoding="utf-8")
    before = tree(ledger)
    expect(rectify("check"), 1, at("issues", r": 错误: .*目录.*"), FAILED_ONE)
    assert tree(ledger) == before


@pytest.mark.parametrize(
    ("args", "last"),
    [(("check",), FAILED_ONE), (("list",), REFUSED_ONE), (CLOSE, REFUSED_ONE)],
    ids=["check", "list", "close"],
)
def test_issue_file_that_is_a_folder(rectify, ledger, args, last):
    issue(ledger).unlink()
    issue(ledger).mkdir()
    (issue(ledger) / "13.yaml").write_text(shipped(), encoding="utf-8")
    before = tree(ledger)
    expect(rectify(*args), 1, f"{ISSUE}: 错误: 这里应是文件,却是一个目录", last)
    assert tree(ledger) == before


@pytest.mark.parametrize("command", ["check", "list"])
def test_ledger_yaml_that_is_a_folder(rectify, ledger, command):
    (ledger / "ledger.yaml").unlink()
    (ledger / "ledger.yaml").mkdir()
    before = tree(ledger)
    out = rectify(command)
    assert "Traceback" not in out.stdout + out.stderr
    assert out.code == 1
    assert any("ledger.yaml" in line and "目录" in line for line in out.stderr.splitlines()), out.stderr
    assert tree(ledger) == before


def _named_line(out, prefix: str) -> bool:
    return any(line.startswith(prefix) for line in out.stderr.splitlines())


@pytest.mark.parametrize("command", ["check", "list"])
def test_fifo_as_issue_file_is_refused_or_skipped_quickly(ledger, command):
    issue(ledger, "14.yaml").unlink()
    os.mkfifo(issue(ledger, "14.yaml"))
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, command, timeout=FIFO_PATIENCE)
    assert out.code is not None, f"still running after {out.seconds:.0f} s"
    assert "Traceback" not in out.stdout + out.stderr
    refused = out.code == 1 and _named_line(out, "issues/14.yaml: 错误: ")
    skipped = out.code == 0 and _named_line(out, "issues/14.yaml: 警告: ")
    assert refused or skipped, (out.code, out.stderr)
    assert tree(ledger) == before


def test_device_as_issue_file_is_refused(ledger):
    issue(ledger, "14.yaml").unlink()
    issue(ledger, "14.yaml").symlink_to("/dev/zero")
    before = tree(ledger)
    out = run(ledger, "--today", TODAY, "check", timeout=10.0, memory=1024 * MB)
    expect(out, 1, at("issues/14.yaml", r": 错误: .+"), FAILED_ONE)
    assert out.seconds < FIFO_PATIENCE  # reading /dev/zero to the end would never finish
    assert tree(ledger) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_unreadable_issue_file_by_permission(rectify, ledger):
    issue(ledger).chmod(0)
    try:
        expect(rectify("check"), 1, f"{ISSUE}: 错误: 没有读取这个文件的权限", FAILED_ONE)
    finally:
        issue(ledger).chmod(0o644)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs /proc/self/mem")
def test_issue_file_whose_read_fails(rectify, ledger):
    """Root reads anything, so the read error comes from a file that fails every read:
    /proc/self/mem at offset 0 gives EIO. (It is also a link out of the ledger, which may
    be what the message names: either way, one line naming the file.)"""
    issue(ledger, "18.yaml").symlink_to("/proc/self/mem")
    before = tree(ledger)
    expect(rectify("check"), 1, at("issues/18.yaml", r": 错误: .+"), FAILED_ONE)
    assert tree(ledger) == before


# --- links and names in issues/ ---------------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-link", "relative-link"])
def test_issue_link_out_of_the_ledger_is_reported(rectify, ledger, tmp_path, relative):
    outside = tmp_path / "elsewhere" / "14.yaml"
    outside.parent.mkdir()
    outside.write_text(shipped("14.yaml"), encoding="utf-8")
    issue(ledger, "14.yaml").unlink()
    target = os.path.relpath(outside, issue(ledger).parent) if relative else str(outside)
    issue(ledger, "14.yaml").symlink_to(target)
    before, elsewhere = tree(ledger), tree(outside.parent)
    out = rectify("check")
    expect(out, 1, at("issues/14.yaml", r"(:1:1)?: 错误: .*(符号链接|台账目录之外).*"), FAILED_ONE)
    assert (tree(ledger), tree(outside.parent)) == (before, elsewhere)


@pytest.mark.parametrize(
    ("args", "last"), [(("check",), FAILED_ONE), (("list",), REFUSED_ONE)], ids=["check", "list"]
)
def test_dangling_link_in_issues(rectify, ledger, tmp_path, args, last):
    issue(ledger, "18.yaml").symlink_to(tmp_path / "gone.yaml")
    before = tree(ledger)
    expect(rectify(*args), 1, "issues/18.yaml: 错误: 文件不存在(或是失效的符号链接)", last)
    assert tree(ledger) == before


def test_dangling_link_does_not_block_an_edit_elsewhere(rectify, ledger, tmp_path):
    """As designed (edit._refuse_if_invalid): an edit needs its own file and ledger.yaml valid."""
    issue(ledger, "18.yaml").symlink_to(tmp_path / "gone.yaml")
    before = tree(ledger)
    out = rectify(*CLOSE)
    expect(out, 0, stdout=None)
    assert out.stdout.endswith("整改完成率 29/34 = 85.3%\n")
    after = tree(ledger)
    assert after.pop(ISSUE) != before.pop(ISSUE)
    assert after == before


def test_link_to_another_issue_file_is_a_duplicate(rectify, ledger):
    """Decided: a link is read like a copy, so issues/18.yaml -> 13.yaml is problem 13 twice."""
    issue(ledger, "18.yaml").symlink_to("13.yaml")
    before = tree(ledger)
    expect(
        rectify("check"), 1,
        "issues/18.yaml:2:5: 错误: 文件名 18.yaml 与问题编号 id: 13 不一致,应命名为 13.yaml",
        "issues/18.yaml:2:5: 错误: 问题编号 id: 13 与 13.yaml 重复",
        "ledger.yaml:10:15: 警告: stated_items(反馈问题数)为 34,台账中实有 36 项",
        "检查未通过:2 处错误,1 处警告",
    )
    assert tree(ledger) == before


def test_edit_of_a_duplicated_problem_is_refused(rectify, ledger):
    issue(ledger, "18.yaml").symlink_to("13.yaml")
    before = tree(ledger)
    expect(
        rectify(*CLOSE), 1,
        "issues/18.yaml:2:5: 错误: 文件名 18.yaml 与问题编号 id: 13 不一致,应命名为 13.yaml",
        "issues/18.yaml:2:5: 错误: 问题编号 id: 13 与 13.yaml 重复",
        "rectify: 台账有 2 处错误,请先修正(运行 rectify check 查看全部)",
    )
    assert tree(ledger) == before


def test_link_to_an_issue_file_elsewhere_in_the_ledger(rectify, ledger):
    """Decided: reading through a link that stays inside the ledger is fine; writing through
    it is refused (the edit would replace the link with a file)."""
    archive = ledger / "archive"
    archive.mkdir()
    issue(ledger).rename(archive / "13.yaml")
    issue(ledger).symlink_to("../archive/13.yaml")
    before = tree(ledger)
    expect(rectify("check"), 0, *BLANK_LINES, stdout=CLEAN)
    expect(rectify(*CLOSE), 1, "rectify: 13.yaml 是符号链接,rectify 不通过链接写文件")
    assert tree(ledger) == before


@pytest.mark.parametrize("name", ["第13号.yaml", "13 号.yaml", "问题 十三.yml"])
def test_issue_file_named_in_chinese_or_with_spaces(rectify, ledger, name):
    issue(ledger).rename(issue(ledger, name))
    before = tree(ledger)
    line = f"issues/{name}:2:5: 错误: 文件名 {name} 与问题编号 id: 13 不一致,应命名为 13.yaml"
    expect(rectify("check"), 1, line, FAILED_ONE)
    assert tree(ledger) == before


def test_editor_lock_link_is_ignored(rectify, ledger):
    issue(ledger, ".#13.yaml").symlink_to("张三@host.12345:1645600000")
    before = tree(ledger)
    expect(rectify("check"), 0, *BLANK_LINES, stdout=CLEAN)
    assert tree(ledger) == before
