"""Evidence files: where a copy goes, copying it whole or not at all, and checking the
recorded ones (they exist inside the ledger, their SHA-256 matches)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fields
from .errors import Diagnostic, RectifyError, StorageError, describe_os_error
from .layout import EVIDENCE_DIR, STATE_DIR
from .writing import ChangedMeanwhile, copy_mode, refuse_links_out, state_dir, temporary_path

if TYPE_CHECKING:
    from .yamlsource import Source

KEY, LABEL = fields.ITEM.evidence.key, fields.ITEM.evidence.label


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
        raise RectifyError(f"{LABEL}文件不存在:{source}") from None
    except OSError as exc:  # no permission on a folder, a name too long
        raise RectifyError(describe_os_error(exc, f"读取{LABEL}")) from None
    except ValueError:  # a NUL in the name
        raise RectifyError(f"{LABEL}路径无效:{source!r}") from None


_KINDS = ((stat.S_ISDIR, "目录"), (stat.S_ISFIFO, "管道"), (stat.S_ISCHR, "设备"), (stat.S_ISBLK, "设备"),
          (stat.S_ISSOCK, "套接字"))


def _refuse_irregular(source: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((word for test, word in _KINDS if test(mode)), "特殊文件")
        raise RectifyError(f"{LABEL}不是普通文件(是{kind}):{source}")


@contextlib.contextmanager
def _open_regular(source: Path):
    """The source opened for reading; one that turned into a FIFO or a device meanwhile is
    refused without blocking on it."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise RectifyError(f"{LABEL}文件不存在:{source}") from None
    except OSError as exc:
        raise RectifyError(describe_os_error(exc, f"读取{LABEL}")) from None
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
    temp = temporary_path(state_dir(root) / EVIDENCE_DIR)
    try:
        with _open_regular(plan.source) as source, temp.open("xb") as copy:
            digest, size = _digest_of(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
        copy_mode(target, temp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)  # under the ledger's lock: no other writer chose this name
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        remove_evidence_file(root, target, only_folder=True)  # a folder made for it, if left empty
        if isinstance(exc, OSError):
            raise StorageError.from_os_error(exc, f"复制{LABEL}", target) from None
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


def check_recorded(root: Path, problem, source: Source, referenced: set[Path]) -> list[Diagnostic]:
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
                where = source.where((fields.PROBLEM.items.key, index, KEY, number, fields.EVIDENCE.path.key))
                found.append(Diagnostic(source.path, *where, message))
    return found


SHOWN_PATH = 80  # characters of a recorded path a message quotes


def shown_path(path: str) -> str:
    return path if len(path) <= SHOWN_PATH else path[:SHOWN_PATH] + "…"


def _evidence_problem(root: Path, record) -> tuple[str | None, Path | None]:
    shown = shown_path(record.path)
    try:
        relative = Path(record.path)
        target = (root / relative).resolve()
        outside = relative.is_absolute() or not target.is_relative_to(root)
        private = target.is_relative_to(root / STATE_DIR)
        if outside or private:
            where = "台账目录之外" if outside else f"rectify 自用的 {STATE_DIR}/"
            return f"{LABEL}路径 {shown} 指向{where};只能引用台账内的文件", None
        if not target.is_file():
            return f"{LABEL}文件不存在:{shown}", target
    except (OSError, RuntimeError, ValueError):  # a NUL, a link loop, a name too long
        return f"{LABEL}路径 {shown!r} 无效", None
    if record.sha256 is not None:
        digest, size = file_digest(target)
        if digest != record.sha256:
            return f"{LABEL} {record.path} 的内容与记录的 SHA-256 不符(文件被改动过?)", target
        if record.size is not None and size != record.size:
            return f"{LABEL} {record.path} 的大小与记录不符", target
    return None, target


def check_unreferenced(root: Path, referenced: set[Path]) -> list[Diagnostic]:
    folder = root / EVIDENCE_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() not in referenced:
            message = f"{LABEL}文件没有被任何事项引用(可能来自中断的命令),可删除或在事项的 {KEY} 中登记"
            found.append(Diagnostic(path, None, None, message, severity="warning"))
    return found
