"""Search for shared summaries: by the date they were shared and by the item-9 flag.

    GET /fhir/QuestionnaireResponse?shared=ge2026-11-01&shared=lt2026-12-01&flagged=true&_count=50

Newest shared first, in keyset pages; the `next` link carries an opaque `_cursor`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import ColumnElement, and_, or_, select
from werkzeug.datastructures import MultiDict

from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord

from ..clinician.access import live_condition

DEFAULT_COUNT = 50
MAX_COUNT = 200
PREFIXES = ("eq", "ge", "gt", "le", "lt")
KNOWN = {"shared", "flagged", "_count", "_cursor", "_format"}
FORMATS = {"json", "application/json", "application/fhir+json"}


class BadSearch(ValueError):
    """A search the API cannot run; the message says what to change."""


@dataclass(frozen=True)
class Query:
    lower: datetime | None  # shared_at >= lower
    upper: datetime | None  # shared_at < upper
    flagged: bool | None
    count: int
    cursor: tuple[datetime, str] | None
    params: tuple[tuple[str, str], ...]  # as given, for next links

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.params if k != "_cursor"]
        return " ".join(parts) or "all"


def _moment(text: str) -> tuple[datetime, bool]:
    """A date or dateTime, in UTC; the flag says whether it was a whole day."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC), True
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadSearch(f"'shared' needs a date like 2026-11-01, not '{text}'.") from exc
    if moment.tzinfo is None:
        raise BadSearch("A 'shared' time needs a time zone, like 2026-11-01T09:00:00Z.")
    return moment.astimezone(UTC), False


def _bounds(values: list[str]) -> tuple[datetime | None, datetime | None]:
    lower: datetime | None = None
    upper: datetime | None = None
    tick = timedelta(microseconds=1)
    for raw in values:
        prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
        try:
            moment, whole_day = _moment(raw[2:] if raw[:2] in PREFIXES else raw)
            end = moment + (timedelta(days=1) if whole_day else tick)
        except OverflowError as exc:  # 9999-12-31 plus a day, 0001-01-01 moved to UTC
            raise BadSearch(f"'shared' is out of range: '{raw}'.") from exc
        lo, hi = {
            "eq": (moment, end),
            "ge": (moment, None),
            "gt": (end, None),
            "le": (None, end),
            "lt": (None, moment),
        }[prefix]
        if lo is not None:
            lower = lo if lower is None else max(lower, lo)
        if hi is not None:
            upper = hi if upper is None else min(upper, hi)
    return lower, upper


def _cursor(raw: str | None) -> tuple[datetime, str] | None:
    if not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw.encode() + b"==").decode()
        moment, rid = text.split("|", 1)
        return datetime.fromisoformat(moment).astimezone(UTC), str(uuid.UUID(rid))
    except (ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise BadSearch("The '_cursor' is not one this server gave out.") from exc


def encode_cursor(moment: datetime, rid: str) -> str:
    text = f"{moment.astimezone(UTC).isoformat()}|{rid}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def parse(args: Mapping[str, Any]) -> Query:
    multi = args if isinstance(args, MultiDict) else MultiDict(args)
    unknown = sorted(set(multi.keys()) - KNOWN)
    if unknown:
        raise BadSearch(f"Unknown search parameter(s): {', '.join(unknown)}. "
                        "Use shared, flagged, _count.")
    fmt = multi.get("_format")
    if fmt is not None and fmt not in FORMATS:
        raise BadSearch("Only JSON is served (_format=json).")
    flagged_raw = multi.get("flagged")
    if flagged_raw not in (None, "true", "false"):
        raise BadSearch("'flagged' is true or false.")
    count_raw = multi.get("_count", str(DEFAULT_COUNT))
    # isascii: '²'.isdigit() is true and int('²') fails.
    if not (count_raw.isascii() and count_raw.isdigit() and len(count_raw) <= 4
            and 1 <= int(count_raw) <= MAX_COUNT):
        raise BadSearch(f"'_count' is a whole number from 1 to {MAX_COUNT}.")
    lower, upper = _bounds(multi.getlist("shared"))
    return Query(
        lower=lower,
        upper=upper,
        flagged=None if flagged_raw is None else flagged_raw == "true",
        count=int(count_raw),
        cursor=_cursor(multi.get("_cursor")),
        params=tuple((k, v) for k, v in multi.items(multi=True) if k != "_cursor"),
    )


def _where(query: Query) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [
        PatientRecord.shared.is_(True), PatientRecord.shared_at.is_not(None), live_condition()
    ]
    if query.lower is not None:
        conds.append(PatientRecord.shared_at >= query.lower)
    if query.upper is not None:
        conds.append(PatientRecord.shared_at < query.upper)
    if query.flagged is not None:
        conds.append(PatientRecord.flagged.is_(query.flagged))
    if query.cursor is not None:
        at, rid = query.cursor
        conds.append(
            or_(PatientRecord.shared_at < at,
                and_(PatientRecord.shared_at == at, PatientRecord.id < rid))
        )
    return conds


def run(query: Query) -> tuple[list[PatientRecord], str | None]:
    """One page of matching records, and the cursor for the next page (None when last)."""
    stmt = (
        select(PatientRecord)
        .where(*_where(query))
        .order_by(PatientRecord.shared_at.desc(), PatientRecord.id.desc())
        .limit(query.count + 1)
    )
    records = list(get_session().scalars(stmt))
    if len(records) <= query.count:
        return records, None
    records = records[: query.count]
    last = records[-1]
    assert last.shared_at is not None
    return records, encode_cursor(last.shared_at.replace(tzinfo=last.shared_at.tzinfo or UTC),
                                  last.id)


def searchset(
    base: str, self_url: str, resources: list[dict[str, Any]], cursor: str | None
) -> dict[str, Any]:
    links = [{"relation": "self", "url": self_url}]
    if cursor is not None:
        split = urlsplit(self_url)
        params = [(k, v) for k, v in MultiDict(_query_pairs(split.query)).items(multi=True)
                  if k != "_cursor"]
        params.append(("_cursor", cursor))
        links.append({"relation": "next",
                      "url": f"{split.scheme}://{split.netloc}{split.path}?{urlencode(params)}"})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
        "entry": [
            {"fullUrl": f"{base.rstrip('/')}/{r['resourceType']}/{r['id']}", "resource": r,
             "search": {"mode": "match"}}
            for r in resources
        ],
    }


def _query_pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)
