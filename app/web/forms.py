"""Form helpers: errors shaped for the GOV.UK error summary, and tidy field values."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.web.bounds import MAX_ID, MIN_ID


def error_context(errors: dict[str, str]) -> dict[str, Any]:
    """Template context for an error summary whose links jump to each field."""
    return {
        "errors": errors,
        "error_list": [{"text": message, "href": f"#{field}"} for field, message in errors.items()],
    }


def text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split())


def many(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def optional_int(value: str) -> int | None:
    """A whole number the database's integer columns can hold, or None (blank, not a number, or too big:
    the form then says what it needs, where the database would have failed)."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and MIN_ID <= number <= MAX_ID else None


def parse_date_parts(data: dict[str, Any], name: str) -> tuple[date | None, str | None]:
    """Read a GOV.UK date input (name-day, name-month, name-year); (None, None) when left blank."""
    parts = [text(data, f"{name}-{p}") for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    if not all(parts):
        return None, "must include a day, month and year"
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1900:
            return None, "must be a real date"
        return date(year, month, day), None
    except ValueError:
        return None, "must be a real date"
