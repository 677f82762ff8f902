"""Fixtures every hostile case shares."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_cache_key(tmp_path_factory, monkeypatch):
    """The cache's signing key lives under XDG_CACHE_HOME: keep it out of the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def ledger(live_ledger):
    """The shipped ledger as a live one: these cases edit it on dates after its snapshot's as_of."""
    return live_ledger
