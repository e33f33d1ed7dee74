"""Dates and times as clinicians read them: stored in UTC, shown in the clinic's own time zone
(config CLINIC_TIMEZONE, an IANA name such as "America/Chicago"; UTC when unset)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Moment:
    """A point in time for a template: machine-readable (for <time datetime>) and in words."""

    iso: str
    text: str


def clinic_zone() -> tzinfo:
    name = current_app.config.get("CLINIC_TIMEZONE") if has_app_context() else None
    if not name:
        return UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _local(value: datetime, zone: tzinfo | None) -> datetime:
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.astimezone(zone or clinic_zone())


def format_datetime(value: datetime | None, zone: tzinfo | None = None) -> str:
    if value is None:
        return NOT_RECORDED
    local = _local(value, zone)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def moment(value: datetime | None, zone: tzinfo | None = None) -> Moment | None:
    if value is None:
        return None
    return Moment(_local(value, zone).isoformat(timespec="minutes"), format_datetime(value, zone))


def format_date(value: date | str | None) -> str:
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    return f"{day.day} {day:%B %Y}"
