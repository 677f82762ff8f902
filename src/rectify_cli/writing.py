"""Writing the ledger safely: its lock, temporary files, atomic replacement, and waiting
for other programs still writing a file."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, faults
from .errors import RectifyError, StorageError
from .layout import EVIDENCE_DIR, ISSUES_DIR, JOURNAL_DIR, JOURNAL_RECORD, LEDGER_FILE, STATE_DIR

if TYPE_CHECKING:
    from .loading import LoadResult

LOCK_FILE = "lock"  # in .rectify/
LOCK_TIMEOUT_SECONDS = 30.0
WRITTEN_FILE = "written"  # in .rectify/: relative path → SHA-256 of what rectify last wrote there


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


# Every temporary file the tool makes is named .<name>.<pid>.<8 hex digits>.tmp, so that one
# left by a killed command (its process gone) can be told from one still being written. Only
# such names of the files the tool writes, in the folders it writes them to, are swept: a
# user's .备份.2022.tmp or .13.yaml.123.tmp is not the tool's to delete.
_TEMPORARY_OF = {  # folder, relative to the root → the names the tool replaces there
    "": re.escape(LEDGER_FILE),
    ISSUES_DIR: r"[^.].*\.ya?ml",
    STATE_DIR: "|".join(map(re.escape, (".gitignore", EVIDENCE_DIR, WRITTEN_FILE, cache.CACHE_FILE, cache.TEXTS_FILE))),
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
        copy_mode(path, temp)
        current = path.read_bytes() if path.exists() else None
        if expected is not None and current != expected:
            raise ChangedMeanwhile(str(path))
        faults.reached("before-replace")
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def copy_mode(original: Path, temp: Path) -> None:
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


def write_output(path: Path, data: bytes, force: bool = False) -> None:
    """An export or report the user asked for, written whole or not at all; an existing
    file only with `force`, and then replaced atomically (a crash leaves the old one)."""
    if path.is_dir():
        raise RectifyError(f"{path} 是目录;请给出文件名")
    if path.exists() and not path.is_file():  # /dev/null, a pipe: written into, never replaced
        _write_into(path, data)
        return
    if not force and os.path.lexists(path):
        raise RectifyError(f"已存在:{path};加 --force 覆盖")
    if not path.parent.is_dir():
        raise RectifyError(f"目录不存在:{path.parent}")
    try:
        replace_atomically(path, None, data)
    except PermissionError:
        raise RectifyError(f"没有写入 {path} 的权限") from None


def _write_into(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as stream:
            stream.write(data)
    except OSError as exc:
        raise RectifyError(f"无法写入 {path}:{exc.strerror}") from None


def write_json_files(folder: Path, documents: dict[str, dict]) -> list[Path]:
    """Write generated JSON documents (the schemas) as stable, readable text."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in documents.items():
        path = folder / name
        path.write_text(json_text(document), encoding="utf-8")
        written.append(path)
    return written


def replace_marked(path: Path, start: str, end: str, text: str) -> bool:
    """Put text between the lines start and end of a file that has them; False if it has not."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    head, found, rest = content.partition(start + "\n")
    _old, found_end, tail = rest.partition(end)
    if not (found and found_end):
        return False
    new = head + start + "\n" + text + end + tail
    if new != content:
        replace_atomically(path, content.encode("utf-8"), new.encode("utf-8"))
    return True


def json_text(document: dict) -> str:
    import json  # here, not at the top: the quick read commands never write JSON

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


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
