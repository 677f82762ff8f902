"""A new ledger folder, and the $schema references its files carry."""

from __future__ import annotations

from pathlib import Path

from .errors import RectifyError
from .layout import ISSUES_DIR, LEDGER_FILE, STATE_DIR
from .writing import replace_atomically, write_json_files


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
