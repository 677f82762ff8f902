"""Finding the ledger and loading it: from its files, validated, or from the cache."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import Diagnostic, InvalidLedger, LedgerNotFound, RectifyError, describe_os_error
from .layout import ISSUES_DIR, LEDGER_FILE, STATE_DIR, WORKSPACE_FILE, inside
from .records import Ledger
from .writing import refuse_links_out, state_dir

# Parsing and validation (yaml, pydantic) are imported inside the functions that
# need them: a ledger read from the cache never loads them.

LEDGER_ENV = "RECTIFY_LEDGER"
_BOM = b"\xef\xbb\xbf"


WORKSPACE_REFUSED = "这是工作区(workspace.yaml);此命令只用于单个台账,请用 --ledger 指定某个单位的台账目录"


def find_root(explicit: str | None, start: Path | None = None) -> Path:
    """The ledger of a command that works on one ledger: a workspace found instead is refused."""
    folder, is_workspace = find_workspace_or_ledger(explicit, start)
    if is_workspace:
        raise RectifyError(WORKSPACE_REFUSED)
    return folder


def find_workspace_or_ledger(explicit: str | None, start: Path | None = None) -> tuple[Path, bool]:
    """--ledger, else RECTIFY_LEDGER, else the nearest folder upward with a workspace.yaml (looked
    for first at each level) or a ledger; with True when the folder is a workspace."""
    given = explicit or os.environ.get(LEDGER_ENV) or None
    if given:
        return _target_of(Path(given).expanduser())
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_workspace(folder):
            return folder, True
        for candidate in (folder, folder / "data"):
            if (candidate / LEDGER_FILE).is_file():
                return candidate, False
    raise LedgerNotFound(
        "这里不在任何台账中:请进入台账目录,或用 --ledger 目录 / 环境变量 RECTIFY_LEDGER 指定台账"
    )


def _is_workspace(folder: Path) -> bool:
    """A workspace.yaml here; a ledger.yaml beside it leaves it unclear which is meant."""
    if not (folder / WORKSPACE_FILE).is_file():
        return False
    if (folder / LEDGER_FILE).exists():
        raise LedgerNotFound(f"{folder} 中既有 {WORKSPACE_FILE} 又有 {LEDGER_FILE}:工作区与台账应分开放在不同目录")
    return True


def _target_of(path: Path) -> tuple[Path, bool]:
    if path.is_file() and path.name == WORKSPACE_FILE:
        path = path.parent
    if _is_workspace(path):
        return path, True
    return _root_of(path), False


def _root_of(path: Path) -> Path:
    if path.is_file() and path.name == LEDGER_FILE:
        return path.parent
    for candidate in (path, path / "data"):
        if (candidate / LEDGER_FILE).is_file():
            return candidate
    if (path / LEDGER_FILE).exists():
        raise LedgerNotFound(f"{path / LEDGER_FILE} 应是文件,却不是普通文件(是目录?)")
    raise LedgerNotFound(f"{path} 不是台账:其中没有 {LEDGER_FILE}")


@dataclass
class LoadResult:
    """Everything read from a ledger folder, valid or not, with what is wrong."""

    root: Path
    ledger: Ledger | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    paths: dict[int, Path] = field(default_factory=dict)  # problem id → its file
    cached: dict | None = None  # the cache's file entries this result was read from, or written to
    duplicates: dict[int, list[Path]] = field(default_factory=dict)  # problem id → every file claiming it
    digests: dict[str, str] = field(default_factory=dict)  # each file read, relative → sha256 of what was checked
    started_ns: int = 0  # the clock before any file was looked at: the cache written from this result is as old

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]



def issue_files(root: Path) -> list[Path]:
    """The issue files, by name; hidden names (editor locks such as .#13.yaml) are not files of the ledger."""
    folder = root / ISSUES_DIR
    return [folder / name for name in issue_names(root)]


def issue_names(root: Path) -> list[str]:
    """The names of the issue files, sorted (plain strings: a cached read lists 500 of them)."""
    try:
        names = os.listdir(os.path.join(root, ISSUES_DIR))
    except OSError:
        return []
    return sorted(name for name in names if _is_issue_name(name))


def _is_issue_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def _current_states(folder: str) -> dict[str, cache.FileState | None]:
    """Each file of the ledger (relative path, ledger.yaml first, then the issue files by name)
    with its stat, listed and looked at in one pass: a roll-up does this for a thousand ledgers."""
    states = {LEDGER_FILE: cache.file_state(os.path.join(folder, LEDGER_FILE))}
    try:
        with os.scandir(os.path.join(folder, ISSUES_DIR)) as listing:
            found = sorted((entry.name, entry.path) for entry in listing if _is_issue_name(entry.name))
    except OSError:
        return states
    for name, path in found:
        states[f"{ISSUES_DIR}/{name}"] = cache.file_state(path)  # os.stat, as the cache recorded it
    return states


MAX_FILE_BYTES = 20 * 1024 * 1024  # an issue file of 34 items is 20 KB; 20 MB is no ledger file


def _readable_problem(path: Path, root: Path | None) -> str | None:
    """Why a path is not a file the loader may read (a folder, a FIFO, a link out), or None."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "文件不存在(或是失效的符号链接)" if path.is_symlink() else "文件不存在"
    except OSError as exc:
        return f"无法读取文件:{describe_os_error(exc)}"
    if stat.S_ISDIR(info.st_mode):
        return "这里应是文件,却是一个目录"
    if not stat.S_ISREG(info.st_mode):
        return "这不是普通文件(是设备、管道或套接字),不能读取"
    if root is not None and path.is_symlink() and not inside(root, path):
        return f"这是指向台账目录之外的符号链接({path.resolve()}),rectify 只读台账内的文件"
    if info.st_size > MAX_FILE_BYTES:
        return f"文件过大({info.st_size // (1024 * 1024)} MB),台账文件不应超过 {MAX_FILE_BYTES // (1024 * 1024)} MB"
    return None


def _read_source(path: Path, root: Path | None = None):
    """(Source, (state, sha256)): the state is taken before reading, so a later edit shows."""
    from .yamlsource import SourceError, decode, parse

    problem = _readable_problem(path, root)
    if problem:
        raise SourceError(Diagnostic(path, None, None, problem))
    state = cache.file_state(path)
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise SourceError(Diagnostic(path, None, None, "没有读取这个文件的权限")) from None
    except OSError as exc:
        raise SourceError(Diagnostic(path, None, None, describe_os_error(exc, "读取"))) from None
    return parse(path, decode(path, raw)), (state, cache.digest(raw))


def load(root: Path, today: dt.date | None = None, use_cache: bool = True, evidence: bool = False,
         texts: bool = True) -> LoadResult:
    """Read the whole ledger and validate it; never raises for a bad file.

    With `today`, dates are also checked against it (closed_on not in the future);
    reading to list or show skips that, so a fixed past --today still reads. Such
    reads may come from the cache; a dated check (`rectify check`) never does.
    With `evidence`, the evidence files are checked too (they exist, hashes match).
    Without `texts`, a ledger read from the cache lacks the items' texts (outcome,
    history, …) until `ledger.complete(ids)`: what `list` and `summary` need is quicker.
    """
    started = cache.now_ns()
    if use_cache and today is None:
        cached = _load_cached(root, texts, started)
        if cached is not None:
            return cached
    result, fingerprints = _load_files(root, today, evidence)
    result.started_ns = started
    result.digests = {path.relative_to(root).as_posix(): sha for path, (_state, sha) in fingerprints.items()}
    if result.ledger is not None and not result.errors:
        _save_cache(root, result, fingerprints, started)
    return result


# Set by a process that ends with its command: the ledger it loads from the cache lives until
# then, so the collector is told to leave it alone (walking 10,000 items' objects costs a
# tenth of a `list`). A caller that lives on (tests) keeps it collectable.
FREEZE_LEDGER = False


def _load_files(root: Path, today: dt.date | None, evidence: bool = False):
    """Parse and validate every file, one at a time: each node tree is let go once checked.

    The cyclic garbage collector is paused meanwhile: the load makes hundreds of
    thousands of objects and no cycles, and collecting halves the speed.
    """
    with collector_paused():
        return _read_all(root, today, evidence)


@contextlib.contextmanager
def collector_paused():
    """A load makes many objects and no cycles: collecting meanwhile only costs time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _read_all(root: Path, today: dt.date | None, evidence: bool):
    from . import rules
    from .evidence import check_recorded, check_unreferenced
    from .model import LedgerInfo, Problem, to_record

    result = LoadResult(root, None)
    fingerprints: dict[Path, tuple] = {}
    info_source, info = _load_model(root / LEDGER_FILE, LedgerInfo, result.diagnostics, fingerprints, root)
    problems, seen, referenced = [], [], set()
    issues_broken = (root / ISSUES_DIR).exists() and not (root / ISSUES_DIR).is_dir()
    if issues_broken:
        result.diagnostics.append(Diagnostic(root / ISSUES_DIR, None, None, "issues 应是存放问题文件的目录,却是一个文件"))
    paths = issue_files(root)
    for path in paths:
        source, problem = _load_model(path, Problem, result.diagnostics, fingerprints, root)
        if problem is None:
            continue
        if problem.id in result.paths:  # a duplicate id: both files count as broken for edits
            result.duplicates.setdefault(problem.id, [result.paths[problem.id]]).append(path)
        record = to_record(problem)
        if info is not None:
            result.diagnostics += rules.check_problem(problem, source, info, today)
            if info.as_of is not None:
                result.diagnostics += rules.events_after(problem, source, info.as_of)
        if evidence:
            result.diagnostics += check_recorded(root, record, source, referenced)
        seen.append(rules.seen(problem, source))
        problems.append(record)
        result.paths.setdefault(problem.id, path)
    if info is None:
        return result, fingerprints
    complete = len(problems) == len(paths) and not issues_broken
    result.diagnostics += rules.check_across(seen, info, info_source, complete=complete)
    if evidence:
        result.diagnostics += check_unreferenced(root.resolve(), referenced)
    result.ledger = Ledger(to_record(info), problems)
    return result, fingerprints


def _load_cached(root: Path, texts: bool, started: int) -> LoadResult | None:
    """The ledger from the cache, if every file still holds what its record was built from;
    if only issue files changed, came or went, from the cache and those files alone.

    `started` is the clock before any file's stat was taken: a cache rewritten from these
    stats is dated then, so a file changed meanwhile, within the timestamps' granularity,
    stays racy (hashed on each read) instead of being trusted by its stat."""
    folder = os.fspath(root)  # plain strings: a roll-up reads a thousand ledgers
    state = os.path.join(folder, STATE_DIR)
    if os.path.islink(state):
        return None
    data = cache.read(state)
    if data is None:
        return None
    files = data["files"]
    states = _current_states(folder)
    hashed, changed = _sort_out(root, data, states)
    if changed or len(states) != len(files):
        return _load_incremental(root, data, states, hashed, changed, texts, started)
    if hashed and cache.settled(list(states.values()), started):  # record the new stats: later reads skip the hashing
        for relative in hashed:
            files[relative] = (states[relative], *files[relative][1:])
        cache.write(root / STATE_DIR, files, started)
    return _cached_result(root, data, texts, started)


def _sort_out(root: Path, data: dict, states: dict[str, tuple]) -> tuple[list[str], set[str]]:
    """(the files known unchanged by their hash, the files changed or new since the cache)."""
    hashed, changed = [], set()
    for relative, state in states.items():
        entry = data["files"].get(relative)
        how = None if entry is None else cache.reusable(root, relative, state, entry, data["written_ns"])
        if how is None:
            changed.add(relative)
        elif how == cache.HASH:
            hashed.append(relative)
    return hashed, changed


def _load_incremental(root: Path, data: dict, states: dict[str, tuple], hashed: list[str], changed: set[str],
                      texts: bool, started: int) -> LoadResult | None:
    """After a pull: only the changed and new issue files are parsed and checked; the others'
    records are kept. None (a full load, with its diagnostics) when ledger.yaml changed or
    anything at all is to be said: an error, a warning, a duplicate id."""
    if LEDGER_FILE in changed or len(states) == 1 or not (root / ISSUES_DIR).is_dir():
        return None
    kept = {relative: data["files"][relative] for relative in states if relative not in changed}
    for relative in hashed:  # known by their hash, now dated by the stat taken before it
        kept[relative] = (states[relative], *kept[relative][1:])
    with collector_paused():
        files = _reparsed(root, kept, states)
    if files is None:
        return None
    stored = cache.write(root / STATE_DIR, files, started) if _cache_writable(root) else None
    return _cached_result(root, {**data, "files": stored or files}, texts, started)


def _reparsed(root: Path, kept: dict[str, tuple], states: dict[str, tuple]) -> dict | None:
    """The cache entries of every file, in the files' order: the changed ones parsed and checked
    as a full load checks them, against ledger.yaml; None if any of them has anything to say."""
    from . import records, rules
    from .yamlsource import SourceError

    try:  # unchanged, so valid as cached: its record serves, its source only places messages
        info_source, (_state, sha) = _read_source(root / LEDGER_FILE, root)
    except SourceError:
        return None
    if sha != kept[LEDGER_FILE][1]:
        return None
    info = records.unpack(records.LedgerInfo, kept[LEDGER_FILE][2])
    diagnostics: list[Diagnostic] = []
    files = {}
    for relative in states:
        files[relative] = kept.get(relative) or _checked_entry(root, root / relative, info, diagnostics)
        if files[relative] is None or diagnostics:
            return None
    seen = [rules.Seen(problem_id, len(packed[-2]), root / relative, (None, None))  # id_at only for a message
            for relative, (_state, _sha, packed, problem_id) in files.items() if problem_id is not None]
    return None if rules.check_across(seen, info, info_source) else files


def _checked_entry(root: Path, path: Path, info, diagnostics: list[Diagnostic]) -> tuple | None:
    """The cache entry of one issue file, checked as _read_all checks it; its findings go to diagnostics."""
    from . import rules

    fingerprints: dict[Path, tuple] = {}
    source, problem = _plain_problem(path, diagnostics, fingerprints, root)
    if source is None:
        return None
    if problem is None:  # in doubt: the validator decides, and says where and why
        problem = _validated_problem(source, diagnostics)
        if problem is None:
            return None
    diagnostics += rules.check_problem(problem, source, info, None)
    if info.as_of is not None:
        diagnostics += rules.events_after(problem, source, info.as_of)
    state, sha = fingerprints[path]
    return None if state is None else (state, sha, cache.pack_problem(problem), problem.id)


def _plain_problem(path: Path, diagnostics: list[Diagnostic], fingerprints: dict, root: Path):
    """(source, record) of an issue file in the forms the tool writes, made without pydantic;
    (source, None) when it is in doubt; (None, None) when it cannot be read or parsed."""
    from . import records
    from .fields import PROBLEM
    from .plaincheck import plainly_valid
    from .yamlsource import SourceError

    try:
        source, fingerprints[path] = _read_source(path, root)
    except SourceError as exc:
        diagnostics.append(exc.diagnostic)
        return None, None
    if not plainly_valid(PROBLEM, source.data):
        return source, None
    return source, records.from_data(records.Problem, source.data)


def _validated_problem(source, diagnostics: list[Diagnostic]):
    """The record of a parsed issue file through the validator, or None with its findings."""
    from . import checks
    from .model import Problem, to_record

    problem, found = checks.validate(source, Problem)
    diagnostics.extend(found)
    return None if problem is None else to_record(problem)


def _cached_result(root: Path, data: dict, texts: bool, started: int) -> LoadResult | None:
    """The ledger built from the cache's entries, its texts read now or when asked for."""
    files = data["files"]
    if texts and not cache.fill_texts(root / STATE_DIR, data):
        return None
    paths = _PathsOnDemand(root, {entry[3]: relative for relative, entry in files.items() if entry[3] is not None})
    with collector_paused():
        ledger = cache.ledger_from(files, full=texts)
    if FREEZE_LEDGER:
        gc.freeze()
    result = LoadResult(root, ledger, [], paths, files)
    result.digests = {relative: entry[1] for relative, entry in files.items()}
    result.started_ns = started
    if not texts:
        result.ledger.texts = _texts_loader(root, data, paths)
    return result


class _PathsOnDemand(dict):
    """Problem id → its file, made a Path when first asked for: a read rarely needs one."""

    def __init__(self, root: Path, relatives: dict[int, str]):
        super().__init__()
        self.root, self.relatives = root, relatives

    def __missing__(self, problem_id: int) -> Path:
        path = self[problem_id] = self.root / self.relatives[problem_id]
        return path


def _texts_loader(root: Path, data: dict, paths: dict[int, Path]):
    """Problem id → the problem with its texts: from the cache's texts file, else from its own file."""
    by_id = {entry[3]: relative for relative, entry in data["files"].items() if entry[3] is not None}

    def load(problem_id: int):
        packed = data["files"][by_id[problem_id]][2]
        texts = cache.texts_of(root / STATE_DIR, packed)
        if texts is not None:
            with contextlib.suppress(ValueError, EOFError, TypeError):  # undecodable: read the file instead
                return cache.problem_from(cache.with_texts(packed, texts), full=True)
        return _problem_from_file(root, paths[problem_id])

    return load


def _problem_from_file(root: Path, path: Path):
    from . import checks
    from .model import Problem, to_record
    from .yamlsource import SourceError

    try:
        source, _fingerprint = _read_source(path, root)
    except SourceError as exc:
        raise InvalidLedger([exc.diagnostic]) from None
    problem, found = checks.validate(source, Problem)
    if problem is None:
        raise InvalidLedger(found)
    return to_record(problem)


def _save_cache(root: Path, result: LoadResult, fingerprints: dict[Path, tuple], started: int) -> None:
    from .records import pack

    files = {LEDGER_FILE: (*fingerprints[root / LEDGER_FILE], pack(result.ledger.info), None)}
    for problem in result.ledger.problems:
        path = result.paths[problem.id]
        files[f"{ISSUES_DIR}/{path.name}"] = (*fingerprints[path], cache.pack_problem(problem), problem.id)
    if any(state is None for state, *_ in files.values()) or not _cache_writable(root):
        return
    cache.write(root / STATE_DIR, files, started)
    result.cached = files


def _cache_writable(root: Path) -> bool:
    """The state folder made, and the cache file in it no link out of the ledger."""
    try:
        refuse_links_out(root, state_dir(root) / cache.CACHE_FILE)
    except (OSError, RectifyError):  # no cache then: reads go on
        return False
    return True


def update_cache(result: LoadResult, written: dict[Path, tuple[bytes, object]]) -> None:
    """After an edit: the files the tool just wrote, with their new records.

    The cache is dated when the edit's load began, not now: a file changed during a long
    edit (a big evidence copy) in the second its record was taken, keeping its stat, is
    still hashed by the next read."""
    files, root = result.cached, result.root
    if files is None:
        return
    for path, (content, problem) in written.items():
        relative = f"{ISSUES_DIR}/{path.name}"
        state = cache.file_state(path)
        if relative not in files or state is None:
            return
        files[relative] = (state, cache.digest(content), cache.pack_problem(problem), problem.id)
    cache.write(root / STATE_DIR, files, result.started_ns)


def checked(root: Path, today: dt.date, strict: bool = False) -> tuple[list[Diagnostic], tuple[int, int] | None]:
    """What `rectify check` says of a ledger: every diagnostic (evidence included), then, once
    there is no error, the items not filled in; with (problems, items) when it could be read."""
    from .layout import LEDGER_FILE as ledger_file
    from .rules import completeness

    result = load(root, today, evidence=True)
    diagnostics = list(result.diagnostics)
    if result.ledger is None:
        return diagnostics, None
    entries = result.ledger.entries()
    if not result.errors:  # a ledger read in part would count blanks wrongly: errors first
        diagnostics += completeness(entries, root / ledger_file, strict)
    return diagnostics, (len(result.ledger.problems), len(entries))


def load_valid(root: Path, today: dt.date | None = None, texts: bool = True) -> Ledger:
    """The ledger, or InvalidLedger carrying every error found."""
    result = load(root, today, texts=texts)
    if result.errors or result.ledger is None:
        raise InvalidLedger(result.diagnostics)
    return result.ledger


def _load_model(path: Path, model_class, diagnostics: list[Diagnostic], fingerprints: dict, root: Path | None = None):
    from . import checks
    from .yamlsource import SourceError

    try:
        source, fingerprints[path] = _read_source(path, root)
    except SourceError as exc:
        diagnostics.append(exc.diagnostic)
        return None, None
    instance, found = checks.validate(source, model_class)
    diagnostics.extend(found)
    return source, instance


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RectifyError(f"{path.name}: 无法读取:{exc.strerror or exc}") from None


def split_bom(raw: bytes) -> tuple[bytes, str]:
    """(the BOM or b'', the text without it)."""
    bom = _BOM if raw.startswith(_BOM) else b""
    return bom, raw[len(bom) :].decode("utf-8")
