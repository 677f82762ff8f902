"""Errors the domain raises; each carries the exit code the CLI returns for it."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a file: where it is, what is wrong, how bad."""

    path: Path
    line: int | None
    column: int | None
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class RectifyError(Exception):
    """A wrong ledger or a wrong request: one line for the user, exit code 1."""

    exit_code = 1


class UsageProblem(RectifyError):
    """A malformed argument the parser could not catch (a bad date): exit code 2."""

    exit_code = 2


class LedgerNotFound(RectifyError):
    pass


class UnknownId(RectifyError):
    pass


class InvalidLedger(RectifyError):
    """The ledger does not validate; the diagnostics say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        super().__init__(f"台账有 {len(errors)} 处错误,请先修正(运行 rectify check 查看全部)")


_OS_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "文件或目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这里是目录,不是文件",
    errno.ELOOP: "符号链接层数过多",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EIO: "磁盘读写出错",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Chinese where we know the reason."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def describe_os_error(exc: OSError, doing: str = "读写文件") -> str:
    """An operating-system failure as one Chinese line: what failed, where, and why."""
    reason = os_reason(exc)
    where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    return f"{doing}失败{where}:{reason}"


class StorageError(RectifyError):
    """The disk refused a read or write (full, read-only, no permission); nothing was half-written."""

    @classmethod
    def from_os_error(cls, exc: OSError, doing: str, path=None) -> StorageError:
        if path is not None and not getattr(exc, "filename", None):
            exc.filename = str(path)
        return cls(describe_os_error(exc, doing) + ";原有文件未改动")
