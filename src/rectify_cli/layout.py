"""The ledger folder's layout: the names of its files and folders, the journal records' names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import fields

LEDGER_FILE = "ledger.yaml"
ISSUES_DIR = "issues"
EVIDENCE_DIR = fields.ITEM.evidence.key  # the evidence folder is named after the field
STATE_DIR = ".rectify"  # rectify's own: the lock, the cache, the journal
WORKSPACE_FILE = "workspace.yaml"  # a folder holding it is a workspace of many ledgers (workspace.py)


# The undo journal's records (journal.py): 000012.json once applied; while a command or an
# undo is under way, 000012.<pid>.pending.json or 000012.<pid>.undoing.json.
JOURNAL_DIR = "journal"
UNFINISHED_STATES = ("pending", "undoing")
JOURNAL_RECORD = re.compile(rf"(?P<sequence>\d+)(?:\.(?P<pid>\d+)\.(?P<state>{'|'.join(UNFINISHED_STATES)}))?\.json")


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


def inside(root: Path, path: Path) -> bool:
    """Whether path, links followed, stays inside root."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
