"""Where the ledger is and reading it from disk: all file I/O lives here."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import hashlib
import os
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, faults
from .errors import (
    Diagnostic,
    InvalidLedger,
    LedgerNotFound,
    RectifyError,
    StorageError,
    describe_os_error,
)
from .records import Ledger

if TYPE_CHECKING:
    from .yamlsource import Source

# Parsing and validation (yaml, pydantic) are imported inside the functions that
# need them: a ledger read from the cache never loads them.

LEDGER_FILE = "ledger.yaml"
ISSUES_DIR = "issues"
LEDGER_ENV = "RECTIFY_LEDGER"


def find_root(explicit: str | None, start: Path | None = None) -> Path:
    """--ledger, else RECTIFY_LEDGER, else the nearest folder upward with a ledger."""
    given = explicit or os.environ.get(LEDGER_ENV) or None
    if given:
        return _root_of(Path(given).expanduser())
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "data"):
            if (candidate / LEDGER_FILE).is_file():
                return candidate
    raise LedgerNotFound(
        "这里不在任何台账中:请进入台账目录,或用 --ledger 目录 / 环境变量 RECTIFY_LEDGER 指定台账"
    )


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
        names = os.listdir(root / ISSUES_DIR)
    except OSError:
        return []
    return sorted(name for name in names if name.endswith((".yaml", ".yml")) and not name.startswith("."))


MAX_FILE_BYTES = 20 * 1024 * 1024  # an issue file of 34 items is 20 KB; 20 MB is no ledger file


def inside(root: Path, path: Path) -> bool:
    """Whether path, links followed, stays inside root."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


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


def _load_files(root: Path, today: dt.date | None, evidence: bool = False):
    """Parse and validate every file, one at a time: each node tree is let go once checked.

    The cyclic garbage collector is paused meanwhile: the load makes hundreds of
    thousands of objects and no cycles, and collecting halves the speed.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_all(root, today, evidence)
    finally:
        if collecting:
            gc.enable()


def _read_all(root: Path, today: dt.date | None, evidence: bool):
    from . import checks, rules
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
        if evidence:
            result.diagnostics += _evidence_of(root, record, source, referenced)
        seen.append(checks.seen(problem, source))
        problems.append(record)
        result.paths.setdefault(problem.id, path)
    if info is None:
        return result, fingerprints
    complete = len(problems) == len(paths) and not issues_broken
    result.diagnostics += checks.check_across(seen, info, info_source, complete=complete)
    if evidence:
        result.diagnostics += _unreferenced_evidence(root.resolve(), referenced)
    result.ledger = Ledger(to_record(info), problems)
    return result, fingerprints


def _load_cached(root: Path, texts: bool, started: int) -> LoadResult | None:
    """The ledger from the cache, if every file still holds what its record was built from.

    `started` is the clock before any file's stat was taken: a cache rewritten from these
    stats is dated then, so a file changed meanwhile, within the timestamps' granularity,
    stays racy (hashed on each read) instead of being trusted by its stat."""
    if (root / STATE_DIR).is_symlink():
        return None
    data = cache.read(root / STATE_DIR)
    if data is None:
        return None
    files = data["files"]
    current = [LEDGER_FILE, *(f"{ISSUES_DIR}/{name}" for name in issue_names(root))]
    if set(current) != set(files):
        return None
    folder = os.fspath(root)
    states = {relative: cache.file_state(os.path.join(folder, relative)) for relative in current}
    hashed = []
    for relative, state in states.items():
        how = cache.reusable(root, relative, state, files[relative], data["written_ns"])
        if how is None:
            return None
        if how == cache.HASH:
            hashed.append(relative)
    if hashed and cache.settled(list(states.values()), started):  # record the new stats: later reads skip the hashing
        for relative in hashed:
            files[relative] = (states[relative], *files[relative][1:])
        cache.write(root / STATE_DIR, files, started)
    if texts and not cache.fill_texts(root / STATE_DIR, data):
        return None
    paths = _PathsOnDemand(root, {entry[3]: relative for relative, entry in files.items() if entry[3] is not None})
    result = LoadResult(root, cache.ledger_from(files, full=texts), [], paths, files)
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
            return cache.problem_from((*packed[:4], texts), full=True)
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
    if any(state is None for state, *_ in files.values()):
        return
    try:
        folder = state_dir(root)
        refuse_links_out(root, folder / cache.CACHE_FILE)
    except (OSError, RectifyError):  # no cache then: reads go on
        return
    cache.write(folder, files, started)
    result.cached = files


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


QUIET_NS = 1_000_000_000  # a file another program wrote is taken as finished once its mtime is this old
SETTLE_STEP = 0.2  # seconds between the reads that must agree
SETTLE_LIMIT = 5.0  # seconds to wait for a file that keeps changing


def wait_for_writers(result: LoadResult, paths: list[Path]) -> None:
    """Wait while another program may still be writing a file the edit will replace: one whose
    bytes are not what rectify itself last wrote there, and whose mtime is under a second old.

    Such a file is read again every 0.2 s until two reads agree and its mtime is a second
    old. Raises ChangedMeanwhile if it then differs from what the load read (read it all
    again), RectifyError if it is still changing after 5 s. Every write of rectify's is noted
    (`remember_written`), so its successive commands never wait; files the edit does not
    replace cannot lose anything, so they are not waited for."""
    root = result.root
    now = cache.now_ns()
    young = {path.relative_to(root).as_posix() for path in paths if _young(path, now)}
    own = _written_by_rectify(root) if young else {}
    watched = {relative: result.digests.get(relative) for relative in young}
    watched = {relative: sha for relative, sha in watched.items() if sha is None or own.get(relative) != sha}
    if not watched:
        return
    deadline = time.monotonic() + SETTLE_LIMIT
    last = watched
    while True:
        time.sleep(SETTLE_STEP)
        current = {relative: _content_digest(root / relative) for relative in watched}
        now = cache.now_ns()
        if current == last and not any(_young(root / relative, now) for relative in watched):
            break
        if time.monotonic() > deadline:
            shown = "、".join(relative for relative in watched if current[relative] != last[relative]
                             or _young(root / relative, now))
            raise RectifyError(f"{shown} 正被其他程序写入:等了 {SETTLE_LIMIT:g} 秒仍在变化,未作修改;请等它写完后重试")
        last = current
    if current != watched:
        raise ChangedMeanwhile(", ".join(watched))


WRITTEN_FILE = "written"  # in .rectify/: relative path → SHA-256 of what rectify last wrote there


def remember_written(root: Path, contents: dict[Path, bytes | None]) -> None:
    """Note what rectify itself just wrote (None: it removed the file), so that its next command
    does not wait on these files as if another program were still writing them. A hint only:
    failing to note it costs a wait of a second, never a wrong edit."""
    import json

    known = _written_by_rectify(root)
    for path, data in contents.items():
        relative = path.relative_to(root).as_posix()
        if data is None:
            known.pop(relative, None)
        else:
            known[relative] = cache.digest(data)
    target = root / STATE_DIR / WRITTEN_FILE
    temp = temporary_path(target)
    with contextlib.suppress(OSError):
        try:
            temp.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)


def _written_by_rectify(root: Path) -> dict[str, str]:
    import json

    try:
        known = json.loads((root / STATE_DIR / WRITTEN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _young(path: Path, now_ns: int) -> bool:
    """Written under a second ago, by its mtime. A whole-second mtime (ext2 keeps seconds, FAT
    two) was rounded down: the write may have been up to the racy window later."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return False
    coarse = cache.RACY_NS if mtime % 1_000_000_000 == 0 else 0
    return mtime > now_ns - QUIET_NS - coarse


def _content_digest(path: Path) -> str | None:
    try:
        return cache.digest(path.read_bytes())
    except OSError:
        return None


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


def write_json_files(folder: Path, documents: dict[str, dict]) -> list[Path]:
    """Write generated JSON documents (the schemas) as stable, readable text."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in documents.items():
        path = folder / name
        path.write_text(json_text(document), encoding="utf-8")
        written.append(path)
    return written


def json_text(document: dict) -> str:
    import json  # here, not at the top: the quick read commands never write JSON

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- writing safely ------------------------------------------------------------------

STATE_DIR = ".rectify"
EVIDENCE_DIR = "evidence"
LOCK_TIMEOUT_SECONDS = 30.0
_BOM = b"\xef\xbb\xbf"


class ChangedMeanwhile(Exception):
    """A file changed between reading and replacing it: re-read and re-apply."""


def state_dir(root: Path) -> Path:
    """The ledger's private folder; it ignores itself in git (raises OSError if it cannot be made)."""
    folder = root / STATE_DIR
    refuse_links_out(root, folder)
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    try:
        whole = ignore.read_bytes() == _IGNORE_ALL
    except OSError:
        whole = False
    if not whole:  # written whole or not at all: an empty one would let the journal into git
        temp = temporary_path(ignore)
        try:
            temp.write_bytes(_IGNORE_ALL)
            os.replace(temp, ignore)
        finally:
            temp.unlink(missing_ok=True)
    return folder


_IGNORE_ALL = b"*\n"


LOCK_FILE = "lock"


@contextlib.contextmanager
def ledger_lock(root: Path):
    """An operating-system lock that serialises the tool's writers on one ledger: the system lets
    go of it when its holder ends, however it ends, so a killed command never leaves it held."""
    try:
        path = state_dir(root) / LOCK_FILE
        refuse_links_out(root, path)
        with open(path, "a+b"):  # made here, so that a folder we may not write to is named as such
            pass
    except OSError as exc:
        raise StorageError.from_os_error(exc, f"在台账目录中建立 {STATE_DIR}/", root / STATE_DIR) from None
    with _os_lock(path):
        sweep_temporary_files(root)
        yield


@contextlib.contextmanager
def _os_lock(path: Path):
    lock = _file_lock(path)
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_SECONDS, poll_interval=0.02)
    except TimeoutError:  # filelock.Timeout is one
        raise RectifyError("台账正被另一个 rectify 命令修改,等待超时;请稍后重试") from None
    except OSError as exc:
        raise StorageError.from_os_error(exc, "锁定台账", path) from None
    try:
        yield
    finally:
        lock.release()


def _file_lock(path: Path):
    """filelock's lock: flock on Linux and macOS, LockFileEx on Windows. A Python built
    without fcntl gets the same flock through the C library, never a soft lock file."""
    import warnings

    with warnings.catch_warnings():  # filelock warns on import when fcntl is missing: handled below
        warnings.simplefilter("ignore")
        import filelock
    if sys.platform == "win32" or filelock.has_fcntl:
        return filelock.FileLock(path, preserve_lock_file=True, fallback_to_soft=False)
    return _LibcFlock(path)


class _LibcFlock:
    """flock(2) called through ctypes, polled like filelock's lock; the same lock other processes take."""

    EXCLUSIVE, NON_BLOCKING, UNLOCK = 2, 4, 8  # LOCK_EX, LOCK_NB, LOCK_UN on Linux, macOS and the BSDs

    def __init__(self, path: Path):
        import ctypes

        self.path, self.fd = path, None
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.last_error = ctypes.get_errno

    def _flock(self, operation: int) -> bool:
        if self.libc.flock(self.fd, operation) == 0:
            return True
        error = self.last_error()
        if error in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise OSError(error, os.strerror(error), str(self.path))

    def acquire(self, timeout: float, poll_interval: float) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + timeout
        try:
            while not self._flock(self.EXCLUSIVE | self.NON_BLOCKING):
                if time.monotonic() > deadline:
                    raise TimeoutError(str(self.path))
                time.sleep(poll_interval)
        except BaseException:
            os.close(self.fd)
            raise

    def release(self) -> None:
        try:
            self._flock(self.UNLOCK)
        finally:
            os.close(self.fd)


# The undo journal's records (journal.py): 000012.json once applied; while a command or an
# undo is under way, 000012.<pid>.pending.json or 000012.<pid>.undoing.json.
JOURNAL_DIR = "journal"
UNFINISHED_STATES = ("pending", "undoing")
JOURNAL_RECORD = re.compile(rf"(?P<number>\d+)(?:\.(?P<pid>\d+)\.(?P<state>{'|'.join(UNFINISHED_STATES)}))?\.json")


def is_unfinished_record(name: str) -> bool:
    return name.endswith(tuple(f".{state}.json" for state in UNFINISHED_STATES))


def has_unfinished_records(root: Path) -> bool:
    """Whether the journal holds a command's or an undo's record not yet finished: one listing,
    so that read commands need not import the journal to know there is nothing to warn of."""
    try:
        names = os.listdir(root / STATE_DIR / JOURNAL_DIR)
    except OSError:
        return False
    return any(is_unfinished_record(name) for name in names)


# Every temporary file the tool makes is named .<name>.<pid>.<8 hex digits>.tmp, so that one
# left by a killed command (its process gone) can be told from one still being written. Only
# such names of the files the tool writes, in the folders it writes them to, are swept: a
# user's .备份.2022.tmp or .13.yaml.123.tmp is not the tool's to delete.
_TEMPORARY_OF = {  # folder, relative to the root → the names the tool replaces there
    "": re.escape(LEDGER_FILE),
    ISSUES_DIR: r"[^.].*\.ya?ml",
    STATE_DIR: "|".join(map(re.escape, (".gitignore", "evidence", WRITTEN_FILE, cache.CACHE_FILE, cache.TEXTS_FILE))),
    f"{STATE_DIR}/{JOURNAL_DIR}": JOURNAL_RECORD.pattern,
}
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[1-9]\d{0,9})\.[0-9a-f]{8}\.tmp")


def temporary_path(target: Path) -> Path:
    """A temporary file beside target, named for this process."""
    return target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def sweep_temporary_files(root: Path) -> None:
    """Remove what killed commands left half-written in the ledger (a SIGKILL runs no cleanup)."""
    for folder, names in _TEMPORARY_OF.items():
        try:
            entries = list(os.scandir(root / folder))
        except OSError:
            continue
        for entry in entries:
            found = _TEMPORARY.fullmatch(entry.name)
            if not found or not re.fullmatch(names, found["name"]):
                continue
            if entry.is_file(follow_symlinks=False) and not process_alive(int(found["pid"])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def process_alive(pid: int) -> bool:
    """Whether a process runs with this id (if unsure, it does: its file is kept)."""
    if sys.platform == "win32":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)  # signal 0 only asks; on Windows os.kill would end the process instead
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31  # another user's process, or no process id at all
    return True


def _alive_on_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong)]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    query_limited_information, still_active, invalid_parameter = 0x1000, 259, 87
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() != invalid_parameter  # denied: it exists
    try:
        code = ctypes.c_ulong()
        return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RectifyError(f"{path.name}: 无法读取:{exc.strerror or exc}") from None


def split_bom(raw: bytes) -> tuple[bytes, str]:
    """(the BOM or b'', the text without it)."""
    bom = _BOM if raw.startswith(_BOM) else b""
    return bom, raw[len(bom) :].decode("utf-8")


def replace_files(changes: list[tuple[Path, bytes | None, bytes]]) -> None:
    """Replace each file atomically, provided it still holds what was read, one after the
    other; stops at the first failure. The journal (`journal.write_changes`) makes the set
    all or none: it puts back what was replaced, or the next writer rolls it back."""
    for path, before, after in changes:
        if before is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, before, after)
        faults.reached("after-rename")


def replace_atomically(path: Path, expected: bytes | None, data: bytes) -> None:
    """Temp file in the same folder, flushed to disk, checked, renamed over the original."""
    _refuse_link_out(path)
    try:
        _replace(path, expected, data)
        fsync_folder(path.parent)
        written = path.read_bytes()
    except OSError as exc:
        raise StorageError.from_os_error(exc, "写入", path) from None
    if written != data:
        raise RectifyError(f"{path.name}: 写入后读回的内容不符,请检查磁盘")


def _replace(path: Path, expected: bytes | None, data: bytes) -> None:
    temp = temporary_path(path)
    try:
        with temp.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(path, temp)
        current = path.read_bytes() if path.exists() else None
        if expected is not None and current != expected:
            raise ChangedMeanwhile(str(path))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _copy_mode(original: Path, temp: Path) -> None:
    """The replaced file's mode, or for a new file what the umask gives."""
    with contextlib.suppress(OSError):
        mode = original.stat().st_mode & 0o7777 if original.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def refuse_links_out(root: Path, path: Path) -> None:
    """Refuse to write at path if any part of it below root is a symbolic link."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            shown = current.relative_to(root).as_posix()
            raise RectifyError(f"{shown} 是符号链接,rectify 不通过链接在台账里写入;请换成真实的目录")


def _refuse_link_out(path: Path) -> None:
    if path.is_symlink():
        raise RectifyError(f"{path.name} 是符号链接,rectify 不通过链接写文件")


# --- evidence --------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidencePlan:
    source: Path
    target: str  # relative to the ledger root, posix style

    def record(self, size: int, sha256: str) -> dict:
        """The evidence entry; the file's own name too when it is stored under another."""
        stored = self.target.rsplit("/", 1)[-1]
        named = {"name": self.source.name} if stored != self.source.name else {}
        return {**named, "path": self.target, "size": size, "sha256": sha256}

    def preview(self) -> dict:
        """The entry a dry run shows: what the source holds now (nothing is stored)."""
        with _open_regular(self.source) as handle:
            digest, size = _digest_of(handle)
        return self.record(size, digest)


def plan_evidence(root: Path, item_id: str, source: Path, taken: set[str]) -> EvidencePlan:
    """Where a file will be copied: a name valid on Windows too, never over an existing or planned one."""
    _refuse_irregular(source, _stat_of(source).st_mode)
    folder = root / EVIDENCE_DIR / item_id
    refuse_links_out(root, folder)
    target = folder / portable_name(source.name)
    first = target
    counter = 1
    planned = {name.casefold() for name in taken}  # A.pdf and a.pdf are one file on Windows and macOS
    while os.path.lexists(target) or target.relative_to(root).as_posix().casefold() in planned:
        target = folder / f"{first.stem}-{counter}{first.suffix}"
        counter += 1
    return EvidencePlan(source, target.relative_to(root).as_posix())


def _stat_of(source: Path) -> os.stat_result:
    try:
        return source.stat()
    except FileNotFoundError:
        raise RectifyError(f"佐证材料文件不存在:{source}") from None
    except OSError as exc:  # no permission on a folder, a name too long
        raise RectifyError(describe_os_error(exc, "读取佐证材料")) from None
    except ValueError:  # a NUL in the name
        raise RectifyError(f"佐证材料路径无效:{source!r}") from None


_KINDS = ((stat.S_ISDIR, "目录"), (stat.S_ISFIFO, "管道"), (stat.S_ISCHR, "设备"), (stat.S_ISBLK, "设备"),
          (stat.S_ISSOCK, "套接字"))


def _refuse_irregular(source: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((word for test, word in _KINDS if test(mode)), "特殊文件")
        raise RectifyError(f"佐证材料不是普通文件(是{kind}):{source}")


@contextlib.contextmanager
def _open_regular(source: Path):
    """The source opened for reading; one that turned into a FIFO or a device meanwhile is
    refused without blocking on it."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise RectifyError(f"佐证材料文件不存在:{source}") from None
    except OSError as exc:
        raise RectifyError(describe_os_error(exc, "读取佐证材料")) from None
    with os.fdopen(fd, "rb") as handle:
        _refuse_irregular(source, os.fstat(fd).st_mode)
        yield handle


_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³")}


def portable_name(name: str) -> str:
    """A file name Windows accepts as well: forbidden characters as _, no trailing dot or
    space, a reserved device name (CON, NUL.txt, …) prefixed with _."""
    name = _WINDOWS_FORBIDDEN.sub("_", name).rstrip(". ") or "_"
    if name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        name = "_" + name
    return name


def file_digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        return _digest_of(handle)


def _digest_of(handle, copy=None) -> tuple[str, int]:
    """SHA-256 and size of what is read from handle to its end, written on to copy if given."""
    digest = hashlib.sha256()
    size = 0
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
        if copy is not None:
            copy.write(block)
    return digest.hexdigest(), size


def copy_evidence(root: Path, plan: EvidencePlan) -> dict:
    """Copy one evidence file into the ledger, whole or not at all; refuses to overwrite.
    Returns its entry, with the size and SHA-256 of the bytes copied (read once: a source that
    grows meanwhile is recorded as stored). The copy is made under .rectify/ (the same disk)
    and renamed into place."""
    target = root / plan.target
    if target.exists() or target.is_symlink():
        raise ChangedMeanwhile(plan.target)
    temp = temporary_path(state_dir(root) / "evidence")
    try:
        with _open_regular(plan.source) as source, temp.open("xb") as copy:
            digest, size = _digest_of(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
        _copy_mode(target, temp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)  # under the ledger's lock: no other writer chose this name
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        remove_evidence_file(root, target, only_folder=True)  # a folder made for it, if left empty
        if isinstance(exc, OSError):
            raise StorageError.from_os_error(exc, "复制佐证材料", target) from None
        raise
    return plan.record(size, digest)


def remove_created(root: Path, created: list[dict]) -> None:
    """Delete the evidence files copied (their entries) by a command that did not complete."""
    for record in created:
        remove_evidence_file(root, root / record["path"])


def remove_evidence_file(root: Path, path: Path, only_folder: bool = False) -> None:
    """Delete a copied evidence file, and its item folder once that is empty."""
    if not only_folder:
        path.unlink(missing_ok=True)
    folder = path.parent
    evidence_root = root / EVIDENCE_DIR
    while folder.is_relative_to(evidence_root):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def _evidence_of(root: Path, problem, source: Source, referenced: set[Path]) -> list[Diagnostic]:
    """Evidence files of one problem: recorded ones exist and hash as recorded."""
    found = []
    for index, item in enumerate(problem.items):
        for number, record in enumerate(item.evidence):
            if record.path is None:
                continue
            message, target = _evidence_problem(root.resolve(), record)
            if target is not None:
                referenced.add(target)
            if message:
                where = source.where(("items", index, "evidence", number, "path"))
                found.append(Diagnostic(source.path, *where, message))
    return found


def _evidence_problem(root: Path, record) -> tuple[str | None, Path | None]:
    shown = record.path if len(record.path) <= 80 else record.path[:80] + "…"
    try:
        relative = Path(record.path)
        target = (root / relative).resolve()
        outside = relative.is_absolute() or not target.is_relative_to(root)
        private = target.is_relative_to(root / STATE_DIR)
        if outside or private:
            where = "台账目录之外" if outside else f"rectify 自用的 {STATE_DIR}/"
            return f"佐证材料路径 {shown} 指向{where};只能引用台账内的文件", None
        if not target.is_file():
            return f"佐证材料文件不存在:{shown}", target
    except (OSError, RuntimeError, ValueError):  # a NUL, a link loop, a name too long
        return f"佐证材料路径 {shown!r} 无效", None
    if record.sha256 is not None:
        digest, size = file_digest(target)
        if digest != record.sha256:
            return f"佐证材料 {record.path} 的内容与记录的 SHA-256 不符(文件被改动过?)", target
        if record.size is not None and size != record.size:
            return f"佐证材料 {record.path} 的大小与记录不符", target
    return None, target


def _unreferenced_evidence(root: Path, referenced: set[Path]) -> list[Diagnostic]:
    folder = root / EVIDENCE_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() not in referenced:
            message = "佐证材料文件没有被任何事项引用(可能来自中断的命令),可删除或在事项的 evidence 中登记"
            found.append(Diagnostic(path, None, None, message, severity="warning"))
    return found


def write_output(path: Path, data: bytes) -> None:
    """An export or report the user asked for, written whole or not at all."""
    if path.is_dir():
        raise RectifyError(f"{path} 是目录;请给出文件名")
    if not path.parent.is_dir():
        raise RectifyError(f"目录不存在:{path.parent}")
    try:
        replace_atomically(path, None, data)
    except PermissionError:
        raise RectifyError(f"没有写入 {path} 的权限") from None


def schema_reference(root: Path, kind: str) -> str | None:
    """The $schema path for a file in root (kind 'ledger') or in root/issues (kind 'issue')."""
    name = f"{kind}.schema.json"
    up = "" if kind == "ledger" else "../"
    if (root / "schemas" / name).is_file():
        return f"{up}schemas/{name}"
    if (root.parent / "schemas" / name).is_file():
        return f"{up}../schemas/{name}"
    return None


def create_ledger(folder: Path, ledger_yaml: str, schemas: dict[str, dict]) -> list[Path]:
    """A new ledger folder: ledger.yaml, issues/, its own schemas/ and a .gitignore."""
    if (folder / LEDGER_FILE).exists():
        raise RectifyError(f"{folder} 已经是台账(已有 {LEDGER_FILE}),不会覆盖")
    if folder.exists() and not folder.is_dir():
        raise RectifyError(f"{folder} 不是目录")
    try:
        (folder / ISSUES_DIR).mkdir(parents=True, exist_ok=True)
        written = write_json_files(folder / "schemas", schemas)
        (folder / ISSUES_DIR / ".gitkeep").touch()
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text(f"{STATE_DIR}/\n", encoding="utf-8")
        replace_atomically(folder / LEDGER_FILE, None, ledger_yaml.encode("utf-8"))
    except PermissionError as exc:
        raise RectifyError(f"没有写入 {exc.filename or folder} 的权限") from None
    return [folder / LEDGER_FILE, folder / ISSUES_DIR, folder / ".gitignore", *written]


def read_document_text(path: Path) -> str:
    """A document to import: UTF-8 text (a BOM tolerated), or the paragraphs of a .docx."""
    if not path.is_file():
        raise RectifyError(f"文件不存在:{path}")
    if path.suffix.lower() == ".docx":
        return _docx_text(path)
    from .yamlsource import SourceError, decode

    raw = read_bytes(path)
    try:
        return decode(path, raw)
    except SourceError as exc:
        raise RectifyError(f"{path}: {exc.diagnostic.message}") from None


def _docx_text(path: Path) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise RectifyError(f"{path}: 不是有效的 Word(.docx)文件:{exc}") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)
