"""The parsed-ledger cache in .rectify/cache: never stale, never trusted blindly.

Each file is cached with its stat (size, mtime_ns, ctime_ns, inode) and the
SHA-256 of its bytes. A file is reused only when its stat is unchanged and
not "racy" (changed within RACY_NS of the cache's date, when coarse
timestamps could hide an edit: ext2 keeps whole seconds, FAT two), or when
its bytes hash the same. The cache is dated when the read that built it
began (`written_ns`), before any stat was taken, however long it lasted. A new
version of rectify, or of the code that shapes the cached data, changes
the signature. The payload is signed with a per-user key (HMAC-SHA256), so
a cache that arrives with a copied folder is ignored, not unmarshalled; a
corrupt, truncated or unwritable cache is ignored and rebuilt. The items'
long texts lie in a second file, each problem's at the place and with the
SHA-256 the signed file records, so one can be read alone and checked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import marshal
import os
import sys
import time
from pathlib import Path

from . import __version__, fields, records

CACHE_FILE = "cache"
TEXTS_FILE = "cache-texts"
FORMAT = 4
RACY_NS = 2_000_000_000
_SHAPING_MODULES = ("fields.py", "records.py", "vocab.py", "model.py", "checks.py", "rules.py", "ids.py", "cache.py")

FileState = tuple[int, int, int, int]


@functools.cache
def signature() -> str:
    """What the cached data depends on, besides the ledger's own files: the code this process
    runs, so stamped once, on first use (this module is loaded with the shaping ones). Read
    on each call, a process that loaded older code (a test session, while the checkout is
    edited or merged into) would stamp its caches as the new code's, and read theirs as its own."""
    package = Path(__file__).parent
    stamps = []
    for name in _SHAPING_MODULES:
        try:
            info = (package / name).stat()
            stamps.append(f"{info.st_size}.{info.st_mtime_ns}")
        except OSError:
            stamps.append("-")
    return f"{FORMAT}:{__version__}:{sys.version_info[:2]}:{','.join(stamps)}"


def file_state(path: Path | str) -> FileState | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rectify" / "cache-key"


_KNOWN_KEYS: dict[tuple, bytes] = {}  # read once per process: a workspace reads a thousand caches


def _key(create: bool) -> bytes | None:
    known = tuple(map(os.environ.get, ("XDG_CACHE_HOME", "HOME", "USERPROFILE")))  # what _key_path depends on
    if known in _KNOWN_KEYS:
        return _KNOWN_KEYS[known]
    path = _key_path()
    try:
        key = path.read_bytes()
        if len(key) == 32:
            _KNOWN_KEYS[known] = key
            return key
    except OSError:
        pass
    if not create:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except OSError:
        return None


def read(state_dir: Path | str) -> dict | None:
    """The cached data, texts not yet read (None in each problem), or None when untrusted."""
    return _read_current(os.path.join(state_dir, CACHE_FILE))  # a string: a roll-up reads a thousand


def _read_current(path: Path | str) -> dict | None:
    """Signed data this very code stored (its signature), or None."""
    data = _read_signed(path)
    return data if isinstance(data, dict) and data.get("signature") == signature() else None


def fill_texts(state_dir: Path, data: dict) -> bool:
    """Read every problem's texts into data (for commands that show them all); False if any
    is missing or not what the signed cache says it is."""
    waiting = [(rel, entry) for rel, entry in data["files"].items() if entry[3] is not None and _is_place(entry[2][-1])]
    if not waiting:
        return True
    try:
        stored = (state_dir / TEXTS_FILE).read_bytes()
    except OSError:
        return False
    for relative, (state, sha, packed, problem_id) in waiting:
        texts = _fitting(packed, _checked(stored, packed[-1]))
        if texts is None:
            return False
        data["files"][relative] = (state, sha, with_texts(packed, texts), problem_id)
    return True


def texts_of(state_dir: Path, packed: tuple) -> bytes | None:
    """One problem's texts: read from where the cache says they lie, if still there unaltered."""
    place = packed[-1]
    if not _is_place(place):
        return _fitting(packed, place)
    offset, length, _digest = place
    try:
        with open(state_dir / TEXTS_FILE, "rb") as stored:
            stored.seek(offset)
            chunk = stored.read(length)
    except OSError:
        return None
    return _fitting(packed, _checked(chunk, (0, length, place[2])))


_LIST_CODES = (ord("["), ord("[") | 0x80)  # marshal's list, plain or flagged for reference


def _fitting(packed: tuple, texts: bytes | None) -> bytes | None:
    """The texts if they hold one entry per item core, else None. Read from marshal's list
    header, not decoded: a count that disagrees (texts from another write or another
    version of the code) is a cache miss, not an error half-way through a command."""
    if texts is None or len(texts) < 5 or texts[0] not in _LIST_CODES:
        return None
    return texts if int.from_bytes(texts[1:5], "little") == len(packed[-2]) else None


def _is_place(texts) -> bool:
    return isinstance(texts, tuple)


def _checked(stored: bytes, place: tuple) -> bytes | None:
    """The bytes at place (offset, length, sha256) if their digest matches the signed one."""
    offset, length, expected = place
    chunk = stored[offset : offset + length]
    if len(chunk) != length or hashlib.sha256(chunk).digest() != expected:
        return None
    return chunk


def _read_signed(path: Path | str):
    try:
        with open(path, "rb") as stored:
            raw = stored.read()
    except OSError:
        return None
    key = _key(create=False)
    if key is None or len(raw) < 32:
        return None
    mac, payload = raw[:32], raw[32:]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()):
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write(state_dir: Path, files: dict[str, tuple], started_ns: int) -> dict[str, tuple] | None:
    """Store {relative path: (state, sha256, packed record, problem id or None)}; failures are ignored.
    Returns the entries with each problem's texts replaced by where they now lie, or None.

    The items' texts go to a second file, read only by commands that need them. The
    signed first file holds where each problem's texts lie and their SHA-256, so one
    problem's texts are read alone, and an edit appends the texts it changed instead
    of writing the whole file again.
    """
    key = _key(create=True)
    if key is None:
        return None
    problems = {rel: entry[2][-1] for rel, entry in files.items() if entry[3] is not None}
    if any(texts is None for texts in problems.values()):  # texts never read: nothing whole to store
        return None
    places = _store_texts(state_dir / TEXTS_FILE, problems)
    if places is None:
        return None
    core = {
        rel: (state, sha, packed if problem_id is None else with_texts(packed, places[rel]), problem_id)
        for rel, (state, sha, packed, problem_id) in files.items()
    }
    _write_signed(state_dir / CACHE_FILE, key, {"signature": signature(), "written_ns": started_ns, "files": core})
    return core


def _store_texts(path: Path, problems: dict[str, bytes | tuple]) -> dict[str, tuple] | None:
    """Where each problem's texts lie once stored: new ones appended to the file, or the
    file written anew when it holds nothing still used, or mostly texts no longer used."""
    new = {rel: texts for rel, texts in problems.items() if not _is_place(texts)}
    kept = {rel: texts for rel, texts in problems.items() if _is_place(texts)}
    if kept and new:
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size > 2 * sum(place[1] for place in kept.values()) + 1024 * 1024:  # mostly dead: compact
            with contextlib.suppress(OSError):
                old = path.read_bytes()
                recovered = {rel: _checked(old, place) for rel, place in kept.items()}
                if all(texts is not None for texts in recovered.values()):  # else append: a bad place stays a miss
                    new.update(recovered)
                    kept = {}
    if not new:
        return dict(kept)
    return _append_texts(path, new, kept) if kept else _rewrite_texts(path, new)


def _append_texts(path: Path, new: dict[str, bytes], kept: dict[str, tuple]) -> dict[str, tuple] | None:
    places = dict(kept)
    try:
        with open(path, "ab") as stored:
            for relative, texts in new.items():
                places[relative] = (stored.tell(), len(texts), hashlib.sha256(texts).digest())
                stored.write(texts)
    except OSError:
        return None
    return places


def _rewrite_texts(path: Path, new: dict[str, bytes]) -> dict[str, tuple] | None:
    places, offset = {}, 0
    for relative, texts in new.items():
        places[relative] = (offset, len(texts), hashlib.sha256(texts).digest())
        offset += len(texts)
    temp = _temporary_path(path)
    try:
        temp.write_bytes(b"".join(new.values()))
        os.replace(temp, path)
        return places
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def _temporary_path(path: Path) -> Path:
    from .writing import temporary_path  # writing imports this module: the name is made there

    return temporary_path(path)


def _write_signed(path: Path, key: bytes, data) -> bool:
    temp = _temporary_path(path)
    try:
        payload = marshal.dumps(data)
        temp.write_bytes(hmac.new(key, payload, hashlib.sha256).digest() + payload)
        os.replace(temp, path)
        return True
    except (OSError, ValueError):
        return False
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def read_record(path: Path):
    """What write_record stored at path, or None: unreadable, untrusted, or made by other code."""
    data = _read_current(path)
    return None if data is None else data.get("data")


def write_record(path: Path, data) -> None:
    """Store marshallable data, signed with the user's key and the code's signature; failures are ignored."""
    key = _key(create=True)
    if key is not None:
        _write_signed(path, key, {"signature": signature(), "data": data})


STAT = "stat"
HASH = "hash"


def reusable(root: Path, relative: str, state: FileState | None, cached: tuple, written_ns: int) -> str | None:
    """How a file is known to still hold what its record was built from: STAT, HASH, or None (it is not)."""
    cached_state, sha, _record, _pid = cached
    if state is None:
        return None
    racy = max(state[1], state[2]) >= written_ns - RACY_NS
    if tuple(cached_state) == state and not racy:
        return STAT
    try:
        return HASH if digest((root / relative).read_bytes()) == sha else None
    except OSError:
        return None


def settled(states: list[FileState], written_ns: int) -> bool:
    """No file changed within the racy window of a cache dated written_ns: it can trust their stats."""
    newest = max((max(state[1], state[2]) for state in states), default=0)
    return newest < written_ns - RACY_NS


def now_ns() -> int:
    return time.time_ns()


# An item is cached in two parts: the fields lists and filters use (declared `core`), and
# the texts (outcome, history, …) kept as marshalled bytes that are decoded only when needed.
ITEM_CORE = tuple(spec.key for spec in fields.ITEM if spec.core)
ITEM_TEXT = tuple(spec.key for spec in fields.ITEM if not spec.core)
_STATUS_AT = ITEM_CORE.index(fields.ITEM.status.key)
_DEADLINE_AT = ITEM_CORE.index(fields.ITEM.deadline.key)  # a date's ordinal in the cache
_CLOSED = records.Status.CLOSED.value
_OPEN = records.Status.OPEN.value


_PROBLEM_HEAD = tuple(spec.key for spec in fields.PROBLEM if spec.type != fields.MANY)


class _Codecs:
    """The generated converters, made on first use: a command that never reads or writes
    the cache (help, check) does not pay for compiling them."""

    @functools.cached_property
    def pack_core(self):
        return records.packer(records.Item, ITEM_CORE)

    @functools.cached_property
    def pack_text(self):
        return records.packer(records.Item, ITEM_TEXT)

    @functools.cached_property
    def core_item(self):
        return records.unpacker(records.Item, ITEM_CORE)

    @functools.cached_property
    def full_item(self):
        return records.unpacker(records.Item, ITEM_CORE + ITEM_TEXT)

    @functools.cached_property
    def pack_head(self):
        return records.packer(records.Problem, _PROBLEM_HEAD)

    @functools.cached_property
    def problem_head(self):
        return records.unpacker(records.Problem, _PROBLEM_HEAD)


_codecs = _Codecs()


def pack_problem(problem: records.Problem) -> tuple:
    """(problem's own fields…, item cores, texts as bytes): the texts always last."""
    pack_core, pack_text = _codecs.pack_core, _codecs.pack_text
    cores = [pack_core(item) for item in problem.items]
    texts = [pack_text(item) for item in problem.items]
    return (*_codecs.pack_head(problem), cores, marshal.dumps(texts))


def with_texts(packed: tuple, texts) -> tuple:
    """A packed problem with its texts (bytes, or where they lie) in their slot."""
    return (*packed[:-1], texts)


def problem_from(packed: tuple, full: bool) -> records.Problem:
    *head, cores, texts = packed
    problem = _codecs.problem_head(head)
    if not full:
        core_item = _codecs.core_item
        problem.items = [core_item(core) for core in cores]
    else:
        full_item = _codecs.full_item
        problem.items = [full_item(core + text) for core, text in zip(cores, marshal.loads(texts), strict=True)]
    return problem


def ledger_from(files: dict[str, tuple], full: bool) -> records.Ledger:
    """The ledger from cached entries; without `full`, items lack their texts until completed."""
    info = None
    packed_problems = {}
    for _state, _sha, packed, problem_id in files.values():
        if problem_id is None:
            info = records.unpack(records.LedgerInfo, packed)
        else:
            packed_problems[problem_id] = packed
    return CachedLedger(info, packed_problems, full)


class CachedLedger(records.Ledger):
    """A ledger read from the cache, each problem built from its tuples when first asked for:
    a command about one item (show, close) builds one problem, not ten thousand items."""

    def __init__(self, info: records.LedgerInfo, packed: dict[int, tuple], full: bool):
        super().__init__(info)
        self._packed = packed  # problem id → packed problem, in file order; ids are unique here
        self._full = full
        self._built: dict[int, records.Problem] = {}
        self._all: list[records.Problem] | None = None

    @property
    def problems(self) -> list[records.Problem]:
        if self._all is None:
            self._all = [self._build(problem_id) for problem_id in self._packed]
        return self._all

    @problems.setter
    def problems(self, value: list[records.Problem]) -> None:
        self._all = value

    def problem(self, problem_id: int) -> records.Problem | None:
        if self._all is not None:
            return super().problem(problem_id)
        return self._build(problem_id) if problem_id in self._packed else None

    def complete(self, problem_ids) -> None:
        if self.texts is None:
            return
        if self._all is not None:
            super().complete(problem_ids)
            return
        for problem_id in problem_ids:
            if problem_id in self._packed:
                self._built[problem_id] = self.texts(problem_id)

    def tally(self) -> tuple[int, int]:
        if self._all is not None:
            return super().tally()
        cores = [core for packed in self._packed.values() for core in packed[-2]]
        return sum(1 for core in cores if core[_STATUS_AT] == _CLOSED), len(cores)

    def standings(self, today) -> list[tuple[int, bool, bool]]:
        """From the cores, no item built: a roll-up of a thousand ledgers' figures needs no more."""
        if self._all is not None:
            return super().standings(today)
        ordinal = today.toordinal()
        return [_standing(problem_id, core, ordinal) for problem_id, packed in self._packed.items()
                for core in packed[-2]]

    def _build(self, problem_id: int) -> records.Problem:
        problem = self._built.get(problem_id)
        if problem is None:
            problem = self._built[problem_id] = problem_from(self._packed[problem_id], self._full)
        return problem


def _standing(problem_id: int, core: tuple, ordinal: int) -> tuple[int, bool, bool]:
    is_open = core[_STATUS_AT] == _OPEN
    return problem_id, is_open, records.overdue(is_open, core[_DEADLINE_AT], ordinal)
