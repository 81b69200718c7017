"""Spreadsheet exports that are safe to open in Excel: no cell can run as a formula."""

from __future__ import annotations

from typing import Any

# Excel (and LibreOffice) treat a cell starting with these as a formula or a command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: Any) -> Any:
    """A cell value to write: text that could run as a formula gets a leading quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
