"""The undo journal: one record per edit command, kept in the ledger's .rectify/journal/.

A record's name says its state, and a rename (atomic) changes it:

- `000012.<pid>.pending.json`: written before the command's first file is replaced;
- `000012.json`: every file was replaced; this is the step `undo` takes back;
- `000012.<pid>.undoing.json`: `undo` is putting the files back.

A command killed half-way leaves a pending or undoing record. The next writer, holding
the ledger's lock, finishes what it can prove: every file still as the command left it
goes back to what it held before (`recover`). Read commands only warn (`interrupted`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import evidence, faults, fields, writing
from .errors import RectifyError, describe_os_error
from .layout import (
    EVIDENCE_DIR,
    ISSUES_DIR,
    JOURNAL_DIR,
    JOURNAL_RECORD,
    LEDGER_FILE,
    STATE_DIR,
    UNFINISHED_STATES,
    inside,
    is_unfinished_record,
)

JOURNAL_VERSION = 2
APPLIED = "applied"
PENDING, UNDOING = UNFINISHED_STATES

Change = tuple[Path, bytes | None, bytes]  # path, bytes before (None: a new file), bytes after


@dataclass(frozen=True)
class Record:
    path: Path
    number: int
    state: str
    pid: int | None

    def renamed(self, state: str) -> Path:
        return self.path.with_name(_name(self.number, state))


def _name(number: int, state: str) -> str:
    """A record's file name in a state; unfinished ones carry the id of the process at work."""
    suffix = "" if state == APPLIED else f".{os.getpid()}.{state}"
    return f"{number:06d}{suffix}.json"


def _folder(root: Path) -> Path:
    folder = writing.state_dir(root) / JOURNAL_DIR
    writing.refuse_links_out(root, folder)
    folder.mkdir(exist_ok=True)
    return folder


def _listed(root: Path, unfinished_only: bool = False) -> list[Record]:
    """The journal's records, oldest first; reading makes no folder. A read command asks
    only for unfinished ones: thousands of applied records are then skipped unparsed."""
    folder = root / STATE_DIR / JOURNAL_DIR
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    if unfinished_only:
        names = [name for name in names if is_unfinished_record(name)]
    for name in names:
        match = JOURNAL_RECORD.fullmatch(name)
        if match:
            pid = int(match["pid"]) if match["pid"] else None
            found.append(Record(folder / name, int(match["sequence"]), match["state"] or APPLIED, pid))
    return sorted(found, key=lambda record: record.number)


def _target(root: Path, relative: str) -> Path:
    """A path a record names: only the ledger's own files, never through a link, never outside."""
    path = root / relative
    parts = Path(relative).parts
    allowed = relative == LEDGER_FILE or (len(parts) >= 2 and parts[0] in (ISSUES_DIR, EVIDENCE_DIR))
    if Path(relative).is_absolute() or ".." in parts or not allowed or not inside(root, path.parent):
        raise RectifyError(f"撤销记录指向台账之外或 rectify 不管理的文件({relative}),拒绝撤销")
    writing.refuse_links_out(root, path)
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(record: Record) -> dict:
    import json

    try:
        data = json.loads(record.path.read_text(encoding="utf-8"))
        data["files"], data["command"]  # noqa: B018 - the keys every record has
        return data
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RectifyError(f"撤销记录 {record.path.name} 已损坏,无法使用:{exc}") from None


def _before(entry: dict) -> bytes | None:
    import base64

    return None if entry["before"] is None else base64.b64decode(entry["before"])


def _current(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


# --- recording a command --------------------------------------------------------------


def write_changes(root: Path, command: str, changes: list[Change], created: list[dict]) -> None:
    """Record the intent, replace the files, then mark the record applied. `created` are the
    entries of the evidence copied, with the hashes taken while copying.

    A failure puts back what was replaced and withdraws the record; a process killed
    half-way leaves the pending record, from which the next writer rolls the set back.
    """
    record = _begin(root, command, changes, created)
    try:
        writing.replace_files(changes)
        _rename(record, APPLIED)
    except BaseException:
        if _put_back(root, changes):
            withdraw(record.path)
        raise
    writing.remember_written(root, {path: after for path, _before, after in changes})


def _begin(root: Path, command: str, changes: list[Change], created: list[dict]) -> Record:
    """The pending record. Written before any file is replaced: a disk too full for it stops
    the command before anything changed."""
    import base64
    import json

    folder = _folder(root)
    number = max((record.number for record in _listed(root)), default=0) + 1
    data = {
        "version": JOURNAL_VERSION,
        "command": command,
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "files": [
            {
                "path": path.relative_to(root).as_posix(),
                "before": None if before is None else base64.b64encode(before).decode("ascii"),
                "after_sha256": _sha(after),
            }
            for path, before, after in changes
        ],
        "created": [{"path": entry["path"], "sha256": entry["sha256"]} for entry in created],
    }
    record = Record(folder / _name(number, PENDING), number, PENDING, os.getpid())
    writing.replace_atomically(record.path, None, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return record


def _rename(record: Record, state: str) -> Record:
    target = record.renamed(state)
    os.replace(record.path, target)
    writing.fsync_folder(target.parent)
    return Record(target, record.number, state, None if state == APPLIED else os.getpid())


def _put_back(root: Path, changes: list[Change]) -> bool:
    """Every file that holds what the command wrote gets its old bytes back, the last first (a
    new file removed frees room on a full disk); True when no file holds it any more (one that
    holds something else was never replaced by it)."""
    return all([_put_back_one(root, path, before, after) for path, before, after in reversed(changes)])


def _put_back_one(root: Path, path: Path, before: bytes | None, after: bytes) -> bool:
    try:
        if _current(path) == after and after != before:
            _restore(root, path, after, before)
        current = _current(path)
    except (OSError, RectifyError, writing.ChangedMeanwhile):
        return False
    return current != after or current == before


def withdraw(record: Path) -> None:
    """Remove a record whose command did not complete."""
    record.unlink(missing_ok=True)


# --- interrupted commands -------------------------------------------------------------


@dataclass
class Recovery:
    """What the next writer did about a command (or an undo) that was killed half-way."""

    command: str
    undoing: bool
    files: int = 0  # files now as they were before the command
    removed: int = 0  # evidence copies the command had made, removed
    conflicts: list[str] = field(default_factory=list)  # changed since: left as they are

    def message(self) -> str:
        if self.undoing:
            text = f"上次撤销中断,已完成撤销“{self.command}”(恢复 {self.files} 个文件)"
        else:
            text = f"上次命令中断,已回滚 {self.files} 个文件(“{self.command}”未生效)"
        if self.removed:
            text += f",删除其复制的 {self.removed} 个{fields.ITEM.evidence.label}"
        if self.conflicts:
            text += f";{'、'.join(self.conflicts)} 在那之后又被修改过,未回滚,请检查"
        return text


@contextlib.contextmanager
def locked(root: Path) -> Iterator[list[Recovery]]:
    """The ledger's lock, with any command killed half-way rolled back first."""
    with writing.ledger_lock(root):
        yield recover(root)


def recover(root: Path) -> list[Recovery]:
    """Roll back what killed commands left half-done (the caller holds the lock: their
    processes are gone). An interrupted undo is completed the same way."""
    done = []
    for record in _listed(root):
        if record.state == APPLIED:
            continue
        data = _read(record)
        recovery = _roll_back(root, data, undoing=record.state == UNDOING)
        try:
            record.path.unlink()
        except OSError as exc:
            raise RectifyError(
                f"{recovery.message()};但记录 {record.path.name} 无法删除({describe_os_error(exc, '删除')}),"
                "在它删除之前不能再编辑或撤销"
            ) from None
        done.append(recovery)
    return done


def _roll_back(root: Path, data: dict, undoing: bool) -> Recovery:
    recovery = Recovery(data["command"], undoing)
    for entry in reversed(data["files"]):  # the last first, as a failed command puts them back
        path = _target(root, entry["path"])
        before, current = _before(entry), _current(path)
        if current == before:
            recovery.files += 1
        elif current is not None and _sha(current) == entry["after_sha256"]:
            _restore(root, path, current, before)
            recovery.files += 1
        else:
            recovery.conflicts.append(entry["path"])
    for path in _created_copies(root, data):
        evidence.remove_evidence_file(root, path)
        recovery.removed += 1
    return recovery


def _created_copies(root: Path, data: dict) -> list[Path]:
    """The evidence files the command copied in, where they still hold what it copied."""
    created = [(_target(root, entry["path"]), entry["sha256"]) for entry in data.get("created", [])]
    return [path for path, sha in created if path.is_file() and evidence.file_digest(path)[0] == sha]


def _restore(root: Path, path: Path, current: bytes, before: bytes | None) -> None:
    if before is None:
        path.unlink(missing_ok=True)
    else:
        writing.replace_atomically(path, current, before)
    writing.remember_written(root, {path: before})


def interrupted(root: Path) -> list[str]:
    """The commands killed half-way whose records still wait to be rolled back (for read
    commands, which take no lock and only warn). A record whose process lives is in progress."""
    waiting = _listed(root, unfinished_only=True)
    return [_read_command(record) for record in waiting if record.pid is None or not writing.process_alive(record.pid)]


def _read_command(record: Record) -> str:
    try:
        return _read(record)["command"]
    except RectifyError:
        return record.path.name


# --- undo -----------------------------------------------------------------------------


@dataclass
class UndoPlan:
    record: Record
    command: str
    at: str
    restores: list[tuple[Path, bytes, bytes | None]]  # path, current bytes, bytes to restore (None: delete)
    removes: list[Path]

    def diff(self, root: Path) -> str:
        from .yamlsource import file_diff

        return "".join(file_diff(root, path, current, before) for path, current, before in self.restores)

    def same_as(self, other: UndoPlan) -> bool:
        """The same step, over files that hold the same bytes: what was shown is what will be done."""
        return (self.record.path, self.restores, self.removes) == (other.record.path, other.restores, other.removes)


def plan_undo(root: Path) -> UndoPlan:
    """What undoing the last command would restore; refuses if anyone changed those files since."""
    records = _listed(root)
    if any(record.state != APPLIED for record in records):
        raise RectifyError("上次命令中断,尚未回滚;请先运行 rectify check 或再次运行 rectify undo")
    if not records:
        raise RectifyError("没有可撤销的编辑命令")
    return _plan(root, records[-1], _read(records[-1]))


def _plan(root: Path, record: Record, data: dict) -> UndoPlan:
    restores, changed = [], []
    for entry in data["files"]:
        path = _target(root, entry["path"])
        current = _current(path) or b""
        if _sha(current) != entry["after_sha256"]:
            changed.append(entry["path"])
        restores.append((path, current, _before(entry)))
    if changed:
        names = "、".join(changed)
        raise RectifyError(f"无法撤销“{data['command']}”:{names} 在那之后又被修改过;请用 git 或手工处理")
    return UndoPlan(record, data["command"], data.get("at", ""), restores, _created_copies(root, data))


def carry_out_confirmed(root: Path, shown: UndoPlan) -> UndoPlan:
    """Undo the step the user was shown and confirmed, or nothing: under the lock, any change
    since it was shown (another edit, a roll-back, those files touched) refuses the undo."""
    with locked(root) as recovered:
        try:
            current = None if recovered else plan_undo(root)
        except RectifyError:
            current = None
        if current is None or not current.same_as(shown):
            raise RectifyError("确认期间台账又有新的修改,未撤销;请重新运行 rectify undo")
        carry_out(root, current)
    return current


def carry_out(root: Path, plan: UndoPlan) -> None:
    """Mark the record as being undone, put the files back, then remove the record. Killed
    half-way, the next writer completes the undo from the marked record; a record that
    cannot be marked stops the undo before anything changed."""
    try:
        record = _rename(plan.record, UNDOING)
    except OSError as exc:
        reason = describe_os_error(exc, "修改撤销记录")
        raise RectifyError(f"{reason};未撤销,台账没有任何改动") from None
    try:
        for path, current, before in plan.restores:
            _restore(root, path, current, before)
            faults.reached("after-restore")
        for path in plan.removes:
            evidence.remove_evidence_file(root, path)
    except (OSError, RectifyError, writing.ChangedMeanwhile) as exc:
        detail = describe_os_error(exc, "恢复文件") if isinstance(exc, OSError) else str(exc) or "文件被修改"
        raise RectifyError(f"撤销未完成({detail});下次运行 rectify undo 或任一编辑命令时会继续完成") from None
    try:
        record.path.unlink()
    except OSError as exc:
        reason = describe_os_error(exc, "删除撤销记录")
        raise RectifyError(f"已撤销“{plan.command}”,文件都已恢复;但{reason},下次编辑或撤销时会再删除") from None
