"""The undo journal: one record per edit command, kept in the ledger's .rectify/."""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import store
from .errors import RectifyError
from .yamlsource import decode

JOURNAL_DIR = "journal"
JOURNAL_VERSION = 1


def _folder(root: Path) -> Path:
    folder = store.state_dir(root) / JOURNAL_DIR
    store.refuse_links_out(root, folder)
    folder.mkdir(exist_ok=True)
    return folder


def _target(root: Path, relative: str) -> Path:
    """A path a record names: only the ledger's own files, never through a link, never outside."""
    path = root / relative
    parts = Path(relative).parts
    allowed = relative == store.LEDGER_FILE or (len(parts) >= 2 and parts[0] in (store.ISSUES_DIR, store.EVIDENCE_DIR))
    if Path(relative).is_absolute() or ".." in parts or not allowed or not store.inside(root, path.parent):
        raise RectifyError(f"撤销记录指向台账之外或 rectify 不管理的文件({relative}),拒绝撤销")
    store.refuse_links_out(root, path)
    return path


def _records(root: Path) -> list[Path]:
    """The journal's records, oldest first; reading makes no folder."""
    folder = root / store.STATE_DIR / JOURNAL_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.stem.isdigit())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def append(root: Path, command: str, files: list[tuple[Path, bytes | None, bytes]], created: list[dict]) -> Path:
    """Record what a command changes, so that `undo` can put it back (None: the file was new);
    `created` are the entries of the evidence copied, with the hashes taken while copying.

    Written before the files are replaced: a disk too full for the record stops the
    command before anything changed. Returns the record, to withdraw if the command fails.
    """
    folder = _folder(root)
    numbers = [int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()]
    record = {
        "version": JOURNAL_VERSION,
        "command": command,
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "files": [
            {
                "path": path.relative_to(root).as_posix(),
                "before": None if before is None else base64.b64encode(before).decode("ascii"),
                "after_sha256": _sha(after),
            }
            for path, before, after in files
        ],
        "created": [{"path": entry["path"], "sha256": entry["sha256"]} for entry in created],
    }
    target = folder / f"{max(numbers, default=0) + 1:06d}.json"
    store.replace_atomically(target, None, (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return target


def withdraw(record: Path) -> None:
    """Remove a record whose command did not complete."""
    record.unlink(missing_ok=True)


@dataclass
class UndoPlan:
    record_path: Path
    command: str
    at: str
    restores: list[tuple[Path, bytes, bytes | None]]  # path, current bytes, bytes to restore (None: delete)
    removes: list[Path]

    def diff(self, root: Path) -> str:
        chunks = []
        for path, current, before in self.restores:
            name = path.relative_to(root).as_posix()
            old = decode(path, current).splitlines(keepends=True)
            new = decode(path, before).splitlines(keepends=True) if before is not None else []
            chunks.append("".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}")))
        return "".join(chunks)


def plan_undo(root: Path) -> UndoPlan:
    """What undoing the last command would restore; refuses if anyone changed those files since."""
    for record_path in reversed(_records(root)):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if _never_landed(root, record):  # its command was stopped before it changed anything
                continue
            return _plan(root, record_path, record)
        except (ValueError, KeyError, TypeError) as exc:
            raise RectifyError(f"撤销记录 {record_path.name} 已损坏,无法撤销:{exc}") from None
    raise RectifyError("没有可撤销的编辑命令")


def _never_landed(root: Path, record: dict) -> bool:
    """Every file still holds what it held before the command (a new one does not exist)."""
    for entry in record["files"]:
        path = _target(root, entry["path"])
        before = entry["before"]
        if before is None:
            if path.exists():
                return False
        elif not path.exists() or path.read_bytes() != base64.b64decode(before):
            return False
    return True


def _plan(root: Path, record_path: Path, record: dict) -> UndoPlan:
    restores, changed = [], []
    for entry in record["files"]:
        path = _target(root, entry["path"])
        current = path.read_bytes() if path.exists() else b""
        if _sha(current) != entry["after_sha256"]:
            changed.append(entry["path"])
        before = entry["before"]
        restores.append((path, current, None if before is None else base64.b64decode(before)))
    if changed:
        names = "、".join(changed)
        raise RectifyError(f"无法撤销“{record['command']}”:{names} 在那之后又被修改过;请用 git 或手工处理")
    created_paths = [(_target(root, created["path"]), created["sha256"]) for created in record.get("created", [])]
    removes = [path for path, sha in created_paths if path.is_file() and store.file_digest(path)[0] == sha]
    return UndoPlan(record_path, record["command"], record["at"], restores, removes)


def carry_out(plan: UndoPlan) -> None:
    for path, current, before in plan.restores:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            store.replace_atomically(path, current, before)
    root = plan.record_path.parents[2]
    for path in plan.removes:
        store.remove_evidence_file(root, path)
    plan.record_path.unlink()
