"""The parsed-ledger cache never shows stale data, and is never trusted blindly.

To see whether a command used the cache, a test forges one (with the real
per-user key) whose record says something the files do not: if the forged
title shows, the cache was used; if the file's own title shows, it was not.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil

import pytest

from rectify_cli import cache

from .conftest import invoke

FORGED = "伪造的标题"


@pytest.fixture(autouse=True)
def _own_cache_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def run(ledger, *args):
    out = invoke("--ledger", str(ledger), *args)
    assert out.code == 0, out.stderr
    return out


def title_of(ledger, item_id: str) -> str:
    data = json.loads(run(ledger, "show", item_id, "--format", "json").stdout)
    return data["items"][0]["display_title"]


def forge(ledger, relative: str = "issues/13.yaml", title: str = FORGED) -> None:
    """Rewrite the cache so that the record of `relative` carries another problem title."""
    state_dir = ledger / ".rectify"
    data = cache.read(state_dir)
    assert data is not None, "no trusted cache to forge"
    assert cache.fill_texts(state_dir, data)
    state, sha, packed, problem_id = data["files"][relative]
    problem = cache.problem_from(packed, full=True)
    problem.title = title
    data["files"][relative] = (state, sha, cache.pack_problem(problem), problem_id)
    cache.write(state_dir, data["files"], data["written_ns"])


@pytest.fixture
def cached(ledger):
    """A copy of the shipped ledger whose cache is built and settled (no racy files)."""
    old = 1_600_000_000_000_000_000  # 2020: far outside the racy window
    for path in [ledger / "ledger.yaml", *(ledger / "issues").glob("*.yaml")]:
        os.utime(path, ns=(old, old))
    run(ledger, "list")
    assert cache.read(ledger / ".rectify") is not None
    return ledger


def test_the_cache_is_used_when_nothing_changed(cached):
    forge(cached)
    assert title_of(cached, "13.1").startswith("市容管理")  # the item's own title
    assert json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]["problem_title"] == FORGED


def test_a_hand_edit_of_the_same_size_in_the_same_second_shows(cached):
    path = cached / "issues" / "13.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("资产管理不规范", "资产管理不规矩")
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime to the nanosecond
    out = run(cached, "show", "13.1", "--format", "json")
    assert json.loads(out.stdout)["items"][0]["problem_title"] == "资产管理不规矩"


def test_a_file_touched_but_unchanged_is_reused(cached):
    forge(cached)
    path = cached / "issues" / "13.yaml"
    path.write_bytes(path.read_bytes())  # new stat, same bytes: the hash vouches for it
    problem_title = json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]["problem_title"]
    assert problem_title == FORGED


def test_an_added_file_shows(cached):
    text = (cached / "issues" / "17.yaml").read_text(encoding="utf-8")
    (cached / "issues" / "18.yaml").write_text(text.replace("id: 17", "id: 18"), encoding="utf-8")
    ids = [line.split("\t")[0] for line in run(cached, "list").stdout.splitlines()[1:]]
    assert ids[-2:] == ["17", "18"]


def test_a_removed_file_is_gone(cached):
    (cached / "issues" / "17.yaml").unlink()
    ids = [line.split("\t")[0] for line in run(cached, "list").stdout.splitlines()[1:]]
    assert "17" not in ids and len(ids) == 33


def test_a_renamed_file_is_followed(cached):
    forge(cached)
    (cached / "issues" / "13.yaml").rename(cached / "issues" / "013.yaml")
    out = run(cached, "show", "13.2", "--format", "json")
    assert json.loads(out.stdout)["items"][0]["problem_title"] == "资产管理不规范"
    run(cached, "--today", "2022-03-01", "close", "13.2", "--by", "张三")
    assert "status: closed" in (cached / "issues" / "013.yaml").read_text(encoding="utf-8").split("number: 2")[1]


def test_a_new_version_of_rectify_ignores_the_old_cache(cached, monkeypatch, request):
    forge(cached)
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    cache.signature.cache_clear()  # stamped once per process: as if this one had loaded the new version
    request.addfinalizer(cache.signature.cache_clear)
    assert json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]["problem_title"] == "资产管理不规范"


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "flipped byte"])
def test_a_damaged_cache_is_ignored_and_rebuilt(cached, damage):
    path = cached / ".rectify" / "cache"
    raw = path.read_bytes()
    damaged = {
        "truncated": raw[: len(raw) // 2],
        "empty": b"",
        "garbage": os.urandom(4096),
        "flipped byte": raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:],
    }[damage]
    path.write_bytes(damaged)
    assert len(run(cached, "list").stdout.splitlines()) == 35
    assert cache.read(cached / ".rectify") is not None  # rebuilt


def test_a_cache_signed_with_another_key_is_not_read(cached, tmp_path, monkeypatch):
    forge(cached)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    assert json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]["problem_title"] == "资产管理不规范"


def test_no_place_for_a_cache_is_no_error(ledger):
    (ledger / ".rectify").write_text("not a folder", encoding="utf-8")  # root can write anywhere, so block it
    assert len(run(ledger, "list").stdout.splitlines()) == 35
    assert len(run(ledger, "list").stdout.splitlines()) == 35


def test_a_cache_file_that_cannot_be_replaced_is_no_error(ledger):
    (ledger / ".rectify").mkdir()
    (ledger / ".rectify" / "cache").mkdir()  # a directory where the cache file goes
    assert len(run(ledger, "list").stdout.splitlines()) == 35
    assert len(run(ledger, "list").stdout.splitlines()) == 35


def test_check_never_trusts_the_cache(cached):
    path = cached / "issues" / "13.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    status: open", "    stauts: open"), encoding="utf-8")
    state_dir = cached / ".rectify"
    data = cache.read(state_dir)
    assert cache.fill_texts(state_dir, data)
    state, _sha, packed, problem_id = data["files"]["issues/13.yaml"]
    # forge an entry that vouches for the broken file as it is now
    data["files"]["issues/13.yaml"] = (cache.file_state(path), cache.digest(path.read_bytes()), packed, problem_id)
    cache.write(state_dir, data["files"], 0)
    assert invoke("--ledger", str(cached), "list").code == 0  # reads trust the (forged) cache
    out = invoke("--ledger", str(cached), "check")
    assert out.code == 1
    assert "stauts" in out.stderr


def test_edits_keep_the_cache_in_step(cached):
    run(cached, "--today", "2022-03-01", "close", "13.2", "--by", "张三")
    data = cache.read(cached / ".rectify")
    assert cache.fill_texts(cached / ".rectify", data)
    problem = cache.problem_from(data["files"]["issues/13.yaml"][2], full=True)
    assert problem.items[1].status.value == "closed"
    row = [line for line in run(cached, "list").stdout.splitlines() if line.startswith("13.2\t")][0]
    assert row.endswith("已销号")


def test_undo_is_seen_through_the_cache(cached):
    run(cached, "--today", "2022-03-01", "close", "13.2", "--by", "张三")
    run(cached, "undo", "--yes")
    row = [line for line in run(cached, "list").stdout.splitlines() if line.startswith("13.2\t")][0]
    assert row.endswith("未销号")


def test_a_copied_folder_reads_right(cached, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(cached, copy)  # new inodes: every file is checked by its hash
    path = copy / "issues" / "13.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("资产管理不规范", "资产管理问题"), encoding="utf-8")
    assert json.loads(run(copy, "show", "13.1", "--format", "json").stdout)["items"][0]["problem_title"] == "资产管理问题"


def test_a_lost_texts_file_falls_back_to_the_files(cached):
    forge(cached)
    (cached / ".rectify" / cache.TEXTS_FILE).unlink()
    out = run(cached, "show", "13.1", "--format", "json")  # the core cache is used, the texts come from 13.yaml
    item = json.loads(out.stdout)["items"][0]
    assert item["outcome"].startswith("一是及时约谈了外包服务的社会化公司")
    assert len(run(cached, "list", "--search", "电表").stdout.splitlines()) == 2  # needs texts: rebuilt


def test_texts_from_another_cache_generation_are_not_used(cached, tmp_path):
    texts = cached / ".rectify" / cache.TEXTS_FILE
    old = texts.read_bytes()
    path = cached / "issues" / "13.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("一是及时约谈", "一是马上约谈"), encoding="utf-8")
    run(cached, "list")  # rebuilds both files
    texts.write_bytes(old)  # an older texts file, validly signed, with the old outcome
    item = json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]
    assert item["outcome"].startswith("一是马上约谈")


def test_a_ledger_read_from_the_cache_builds_only_the_problems_asked_for(cached):
    from rectify_cli import loading

    fresh = loading.load(cached, use_cache=False).ledger
    lazy = loading.load(cached, texts=False).ledger
    assert isinstance(lazy, cache.CachedLedger)
    assert lazy.tally() == fresh.tally() == (28, 34)
    lazy.complete({13})
    assert lazy.problem(13) == fresh.problem(13)  # with its texts: outcome, history, …
    assert lazy.problem(99) is None
    assert sorted(lazy._built) == [13]  # show and close need one problem, not all of them
    full = loading.load(cached).ledger
    assert full.problems == fresh.problems and full.tally() == fresh.tally()


def test_an_edit_appends_the_texts_it_changed_and_keeps_the_rest(cached):
    texts = cached / ".rectify" / cache.TEXTS_FILE
    before = texts.read_bytes()
    run(cached, "--today", "2022-03-01", "close", "13.2", "--by", "张三", "--note", "资产已处置")
    after = texts.read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # appended, not written anew
    data = cache.read(cached / ".rectify")
    packed = data["files"]["issues/13.yaml"][2]
    problem = cache.problem_from((*packed[:4], cache.texts_of(cached / ".rectify", packed)), full=True)
    assert problem.items[1].history[-1].note == "资产已处置"
    item = json.loads(run(cached, "show", "13.2", "--format", "json").stdout)["items"][0]
    assert item["history"][-1]["note"] == "资产已处置"


def test_texts_no_longer_used_are_dropped_when_they_are_most_of_the_file(cached):
    texts = cached / ".rectify" / cache.TEXTS_FILE
    live = len(texts.read_bytes())
    with texts.open("ab") as stored:
        stored.write(b"\0" * (2 * live + 2 * 1024 * 1024))  # as after many edits
    run(cached, "--today", "2022-03-01", "close", "13.2", "--by", "张三")
    assert len(texts.read_bytes()) < 2 * live
    assert json.loads(run(cached, "show", "13.1", "--format", "json").stdout)["items"][0]["outcome"].startswith("一是及时约谈")


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
@pytest.mark.slow
def test_altered_texts_are_not_believed(cached, where):
    # the core file is signed; each problem's texts are checked against the digest it holds
    def everything() -> list[str]:
        shown = [run(cached, "show", str(problem_id), "--format", "json").stdout for problem_id in range(1, 18)]
        return [*shown, run(cached, "list", "--format", "json").stdout]

    before = everything()
    texts = cached / ".rectify" / cache.TEXTS_FILE
    data = bytearray(texts.read_bytes())
    data[int(len(data) * where)] ^= 0xFF
    texts.write_bytes(bytes(data))
    assert everything() == before



@pytest.mark.parametrize("command", [("show", "13.2"), ("list", "--search", "电表"), ("export", "--format", "json")])
def test_texts_that_disagree_with_the_item_cores_are_a_cache_miss(cached, command):
    # a validly signed cache whose problem 13 has two item cores and the texts of three items:
    # before, reading it ended in `内部错误:ValueError: zip() argument 2 is longer…`, exit 3
    expected = invoke("--ledger", str(cached), *command).stdout
    state_dir = cached / ".rectify"
    data = cache.read(state_dir)
    assert cache.fill_texts(state_dir, data)
    state, sha, packed, problem_id = data["files"]["issues/13.yaml"]
    texts = marshal.loads(packed[-1])
    data["files"]["issues/13.yaml"] = (state, sha, cache.with_texts(packed, marshal.dumps([*texts, texts[0]])), problem_id)
    cache.write(state_dir, data["files"], data["written_ns"])
    packed = cache.read(state_dir)["files"]["issues/13.yaml"][2]
    with pytest.raises(ValueError, match="zip"):  # the forgery took: as found in the cache, it does not build
        cache.problem_from(cache.with_texts(packed, cache._checked(
            (state_dir / cache.TEXTS_FILE).read_bytes(), packed[-1])), full=True)
    out = invoke("--ledger", str(cached), *command)
    assert (out.code, out.stdout) == (0, expected), out.stderr
    assert title_of(cached, "13.2") != FORGED


def test_a_process_keeps_the_signature_of_the_code_it_loaded(tmp_path):
    # a test session runs the CLI in-process while its checkout is edited or merged into: the
    # code in memory is the old one, and must not stamp or accept caches as the new code's
    import subprocess
    import sys

    package = tmp_path / "src" / "rectify_cli"
    shutil.copytree(os.path.dirname(cache.__file__), package, ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("from pathlib import Path; from rectify_cli import cache; before = cache.signature(); "
             "p = Path(cache.__file__).with_name('fields.py'); p.write_text(p.read_text() + '# edited\\n'); "
             "print(before == cache.signature())")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    run_probe = lambda code: subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,  # noqa: E731
                                            text=True, check=True).stdout.strip()
    assert run_probe(probe) == "True"
    first = run_probe("from rectify_cli import cache; print(cache.signature())")
    (package / "fields.py").write_text((package / "fields.py").read_text() + "# again\n")
    assert run_probe("from rectify_cli import cache; print(cache.signature())") != first  # a new process sees it


def test_unreadable_kept_texts_do_not_stop_the_dead_ones_being_dropped_or_an_edit(cached):
    texts = cached / ".rectify" / cache.TEXTS_FILE
    data = bytearray(texts.read_bytes())
    live = len(data)
    data[5] ^= 0xFF  # the first problem's texts: kept by the edit below, now unreadable
    texts.write_bytes(bytes(data) + b"\0" * (2 * live + 2 * 1024 * 1024))  # mostly dead: the edit compacts
    out = invoke("--ledger", str(cached), "--today", "2022-03-01", "close", "13.2", "--by", "张三")
    assert out.code == 0, out.stderr  # was TypeError (len of None), exit 3, after the edit was written
    fresh = [run(cached, "show", str(problem_id), "--format", "json").stdout for problem_id in (1, 13)]
    shutil.rmtree(cached / ".rectify")
    assert [run(cached, "show", str(problem_id), "--format", "json").stdout for problem_id in (1, 13)] == fresh


# --- After a pull: only the files it changed are parsed again (issue 16, point 7) ---------


def pull(ledger) -> None:
    """What a pull may do: an item closed by hand in 13.yaml, a comment added to 03.yaml,
    a new problem 18 (a copy of 17), 16.yaml gone."""
    path = ledger / "issues" / "13.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    status: open\n") == 1
    path.write_text(text.replace("    status: open\n", "    status: closed\n    closed_on: 2022-02-23\n"), encoding="utf-8")
    with (ledger / "issues" / "03.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# 拉取后的改动\n")
    text = (ledger / "issues" / "17.yaml").read_text(encoding="utf-8")
    (ledger / "issues" / "18.yaml").write_text(text.replace("id: 17", "id: 18"), encoding="utf-8")
    (ledger / "issues" / "16.yaml").unlink()


def without_cache(ledger, *args):
    shutil.rmtree(ledger / ".rectify", ignore_errors=True)
    return invoke("--ledger", str(ledger), *args)


def test_a_pull_parses_only_the_files_it_changed(cached):
    forge(cached, "issues/01.yaml")  # an unchanged file: parsed again, its own title would show
    texts = (cached / ".rectify" / cache.TEXTS_FILE).read_bytes()
    pull(cached)
    listed = run(cached, "list", "--format", "json").stdout
    assert FORGED in listed  # 01.yaml's record came from the cache
    assert (cached / ".rectify" / cache.TEXTS_FILE).read_bytes().startswith(texts)  # kept texts stay where they lie
    data = cache.read(cached / ".rectify")
    assert sorted(data["files"]) == sorted(["ledger.yaml", *(f"issues/{p.name}" for p in (cached / "issues").glob("*.yaml"))])
    for name in ("03.yaml", "13.yaml", "18.yaml"):  # the cache now holds the changed files: the next read parses none
        assert data["files"][f"issues/{name}"][1] == cache.digest((cached / "issues" / name).read_bytes())
    assert run(cached, "list", "--format", "json").stdout == listed
    title = json.loads(without_cache(cached, "show", "1", "--format", "json").stdout)["items"][0]["problem_title"]
    assert listed.replace(FORGED, title) == without_cache(cached, "list", "--format", "json").stdout


def test_a_ledger_read_after_a_pull_is_what_a_full_load_reads(cached):
    from rectify_cli import loading

    pull(cached)
    incremental = loading.load(cached)
    assert isinstance(incremental.ledger, cache.CachedLedger) and incremental.diagnostics == []  # not a full load
    fresh = loading.load(cached, use_cache=False)
    assert incremental.ledger.problems == fresh.ledger.problems  # in the files' order, with their texts
    assert incremental.ledger.info == fresh.ledger.info
    assert {pid: incremental.paths[pid] for pid in fresh.paths} == fresh.paths
    assert incremental.digests == fresh.digests
    run(cached, "--today", "2022-03-01", "close", "8.2", "--by", "张三")  # an edit after it keeps the cache in step
    row = [line for line in run(cached, "list").stdout.splitlines() if line.startswith("8.2\t")][0]
    assert row.endswith("已销号")
    assert run(cached, "list").stdout == without_cache(cached, "list").stdout


BAD_PULLS = {
    "an unknown key": ("issues/03.yaml", "    status: closed\n", "    stauts: closed\n"),
    "an undeclared aspect": ("issues/13.yaml", "aspect: 二", "aspect: 四"),
    "a duplicate id": ("issues/18.yaml", "id: 18", "id: 17"),  # and named 017.yaml below: its name fits its id
    "a declared aspect removed": ("ledger.yaml", "  三: 基层党组织软弱涣散、组织力欠缺方面\n", ""),
    "a late closing in a snapshot": ("issues/13.yaml", "closed_on: 2022-02-23", "closed_on: 2022-05-01"),
}


@pytest.mark.parametrize("bad", list(BAD_PULLS))
def test_a_pull_with_something_wrong_says_what_a_full_load_says(cached, bad):
    from rectify_cli import loading

    pull(cached)
    relative, old, new = BAD_PULLS[bad]
    path = cached / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if bad == "a duplicate id":
        path.rename(cached / "issues" / "017.yaml")
        relative = "issues/017.yaml"
    loaded = loading.load(cached)  # from the cache made before the pull, if it were trusted
    assert loaded.diagnostics and loaded.diagnostics == loading.load(cached, use_cache=False).diagnostics
    if not loaded.errors:  # the full load above cached the ledger, warnings and all: no more to see
        return
    seen = invoke("--ledger", str(cached), "list")
    full = without_cache(cached, "list")
    assert (seen.code, seen.stdout, seen.stderr) == (full.code, full.stdout, full.stderr)
    assert seen.code == 1 and relative.rsplit("/")[-1] in seen.stderr


def test_a_file_parsed_after_a_pull_is_hashed_again_while_its_stat_is_recent(cached):
    pull(cached)
    run(cached, "list")
    data = cache.read(cached / ".rectify")
    relative = "issues/13.yaml"
    state = cache.file_state(cached / relative)
    assert data["files"][relative][0] == state
    # changed in the cache's racy window: a same-size edit keeping the stat would not be trusted
    assert cache.reusable(cached, relative, state, data["files"][relative], data["written_ns"]) == cache.HASH


@pytest.mark.parametrize("count_by", ["item", "problem"])
@pytest.mark.parametrize("day", ["2022-01-15", "2022-02-23", "2023-01-01"])
def test_the_whole_ledgers_figures_from_the_cores_are_those_of_its_items(cached, count_by, day):
    """A roll-up counts each ledger from the cache's cores, no item built: the same figures as
    counting its items, open, closed and overdue, by item or by problem."""
    import datetime as dt

    from rectify_cli import loading, query, stats
    from rectify_cli.query import Filters

    info = cached / "ledger.yaml"
    info.write_text(info.read_text(encoding="utf-8") + f"count_by: {count_by}\n", encoding="utf-8")
    for problem in ("08", "13"):  # deadlines, so that some open items are overdue on some days
        path = cached / "issues" / f"{problem}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    status: open\n", "    status: open\n    deadline: 2022-02-01\n"), encoding="utf-8")
    run(cached, "list")
    today = dt.date.fromisoformat(day)
    from_cores = loading.load(cached, texts=False).ledger
    assert isinstance(from_cores, cache.CachedLedger)
    quick = stats.whole(from_cores, today)
    assert from_cores._all is None  # nothing built
    from_files = loading.load(cached, use_cache=False).ledger
    counted = stats.overall(from_files, query.select(from_files, Filters(), today), today, filtered=False)
    assert quick == counted
    assert counted.overdue > 0 if day != "2022-01-15" else counted.overdue == 0
