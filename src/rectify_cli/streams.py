"""Standard output and error that never crash the command: output that cannot be written
(a closed pipe, a full disk, a closed descriptor) is noted, and the CLI says so at the end.

A write that fails part-way must not stop an edit or an undo half-way, nor let Python's flush
at exit print "Exception ignored"; text a stream's encoding cannot carry is escaped."""

from __future__ import annotations

import errno
import io
import os
import sys

from .errors import os_reason

_STDOUT_REASONS = {
    errno.EPIPE: "输出管道已关闭",
    errno.EBADF: "标准输出已关闭",
}


class _Guarded(io.RawIOBase):
    """A standard stream's raw file whose write never raises: the first failure is kept,
    later writes are dropped. `raw` is None when the descriptor was closed at start."""

    def __init__(self, raw, name: str):
        super().__init__()
        self.raw = raw
        self.name = name
        self.failure: OSError | None = None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.raw is not None and self.raw.isatty()

    def fileno(self) -> int:
        if self.raw is None:
            raise io.UnsupportedOperation(f"{self.name} is closed")
        return self.raw.fileno()

    def write(self, data) -> int:
        """Write all of data (a partial write is carried on), or note why not and drop it."""
        view = memoryview(data).cast("B")
        done = 0
        while self.failure is None and done < len(view):
            try:
                done += self._write_some(view[done:])
            except OSError as exc:
                self.failure = exc
        return len(view)

    def _write_some(self, data) -> int:
        if self.raw is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        written = self.raw.write(data)
        if written is None:  # a non-blocking descriptor that would block
            raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        return written


_stdout: _Guarded | None = None
_saved: str | None = None


def guard() -> None:
    """Put the process's stdout and stderr behind guards (once; not streams a test runner swapped in)."""
    global _stdout
    if _stdout is None:
        _stdout = _guarded("stdout", 1)
        if _stdout is not None:
            _guarded("stderr", 2)


def _guarded(name: str, fd: int) -> _Guarded | None:
    stream = getattr(sys, name)
    if stream is None:  # the descriptor was closed: keep later opens from landing on it
        _occupy(fd)
        buffer = raw = None
        encoding, errors, line_buffering = "utf-8", "strict", False
    else:
        buffer = getattr(stream, "buffer", None)
        raw = buffer if isinstance(buffer, io.RawIOBase) else getattr(buffer, "raw", None)  # -u: no buffer
        if raw is None:
            return None
        stream.flush()
        encoding, errors, line_buffering = stream.encoding, stream.errors, stream.line_buffering
    raw_guard = _Guarded(raw, f"<{name}>")
    unbuffered = raw is not None and raw is buffer  # PYTHONUNBUFFERED or -u: keep it so
    setattr(sys, name, io.TextIOWrapper(
        raw_guard if unbuffered else io.BufferedWriter(raw_guard), encoding=encoding,
        errors="backslashreplace" if errors == "strict" else errors,  # never a UnicodeEncodeError
        line_buffering=line_buffering or fd == 2,  # stderr goes out line by line, as Python's does
        write_through=unbuffered,
    ))
    return raw_guard


def _occupy(fd: int) -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def begin() -> None:
    """A new command: nothing saved yet (tests run many in one process)."""
    global _saved
    _saved = None


def mark_saved(done: str) -> None:
    """The command's change is on disk: from now on, failing to print it is no failure.
    `done` says what was saved, e.g. "修改已保存" or "已撤销"."""
    global _saved
    _saved = done


def saved() -> str | None:
    return _saved


def lost_output() -> OSError | None:
    """Why standard output could not be written, after flushing it; None if it could."""
    if _stdout is None:
        return None
    sys.stdout.flush()
    return _stdout.failure


def reason(failure: OSError) -> str:
    return _STDOUT_REASONS.get(failure.errno or 0) or os_reason(failure)
