"""Where the ledger is and reading it from disk: all file I/O lives here."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import checks
from .errors import Diagnostic, InvalidLedger, LedgerNotFound
from .model import Ledger, LedgerInfo, Problem
from .yamlsource import Source, SourceError, decode, parse

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
    raise LedgerNotFound(f"{path} 不是台账:其中没有 {LEDGER_FILE}")


@dataclass
class LoadResult:
    """Everything read from a ledger folder, valid or not, with what is wrong."""

    root: Path
    ledger: Ledger | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def file_count(self) -> int:
        return 1 + len(self.ledger.problems) if self.ledger else 0


def issue_files(root: Path) -> list[Path]:
    folder = root / ISSUES_DIR
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"}]
    return sorted(files, key=lambda p: p.name)


def read_source(path: Path) -> Source:
    """Read and parse one file; SourceError with file and line when it cannot."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise SourceError(Diagnostic(path, None, None, "这里应是文件,却是一个目录")) from None
    except FileNotFoundError:
        raise SourceError(Diagnostic(path, None, None, "文件不存在")) from None
    except PermissionError:
        raise SourceError(Diagnostic(path, None, None, "没有读取这个文件的权限")) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError(Diagnostic(path, None, None, f"无法读取文件:{reason}")) from None
    return parse(path, decode(path, raw))


def load(root: Path, today: dt.date | None = None) -> LoadResult:
    """Read the whole ledger and validate it; never raises for a bad file.

    With `today`, dates are also checked against it (closed_on not in the future);
    reading to list or show skips that, so a fixed past --today still reads.
    """
    result = LoadResult(root, None)
    info_source, info = _load_model(root / LEDGER_FILE, LedgerInfo, result.diagnostics)
    problems: list[tuple[Problem, Source]] = []
    paths = issue_files(root)
    for path in paths:
        source, problem = _load_model(path, Problem, result.diagnostics)
        if problem is not None:
            problems.append((problem, source))
    if info is None:
        return result
    complete = len(problems) == len(paths)
    result.diagnostics += checks.check_ledger(info, info_source, problems, today, complete)
    result.ledger = Ledger(info, [problem for problem, _ in problems])
    return result


def load_valid(root: Path, today: dt.date | None = None) -> Ledger:
    """The ledger, or InvalidLedger carrying every error found."""
    result = load(root, today)
    if result.errors or result.ledger is None:
        raise InvalidLedger(result.diagnostics)
    return result.ledger


def _load_model(path: Path, model_class, diagnostics: list[Diagnostic]):
    try:
        source = read_source(path)
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
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
