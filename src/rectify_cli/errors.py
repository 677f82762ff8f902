"""Errors the domain raises; each carries the exit code the CLI returns for it."""

from __future__ import annotations

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
