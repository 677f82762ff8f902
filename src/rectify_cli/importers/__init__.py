"""Importers: build a ledger from the feedback document or an Excel 台账."""
