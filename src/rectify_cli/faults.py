"""Fault injection, for tests of what an interrupted command leaves behind.

`RECTIFY_FAULT=<point>:<n>` kills the process, without any cleanup, the n-th time it
passes <point> (n defaults to 1). The points:

- `after-rename`: a file of an edit or import has just replaced its original;
- `after-restore`: `undo` has just put one file back;
- `before-replace`: a file's new content is written beside it, not yet renamed over it.

Unset (the normal case) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "RECTIFY_FAULT"
_passed: dict[str, int] = {}


def reached(point: str) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _passed[point] = _passed.get(point, 0) + 1
    if _passed[point] == (int(count) if count.isdigit() else 1):
        _die()


def _die() -> None:
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)  # where there is no SIGKILL (Windows): just as abrupt
