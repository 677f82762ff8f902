"""rectify: a command-line ledger for inspection rectification (巡察整改台账)."""

__version__ = "0.1.0"
