"""Dates and times as clinicians read them (stored times are UTC and shown as UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "Not recorded"
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


def format_date(value: date | str | None) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value:%B %Y}"
