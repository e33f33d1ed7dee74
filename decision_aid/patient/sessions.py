"""Server-side patient sessions, bound to Flask's signed session cookie.

The cookie carries only `psid`, a 256-bit token from `secrets` (plus Flask-WTF's CSRF token).
Everything else a patient session holds (which record, the code issued in it) is a
`PatientSession` row keyed by the token's SHA-256. The token is replaced on start, save, new
code, open by code and finish, and finish, delete and new code remove every other session of the
record, so a copied or planted cookie stops working. Only patient state lives here: the cookie
itself stays Flask's (itsdangerous-signed), which clinician sign-in and CSRF keep using.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import defer
from sqlalchemy.sql.base import ExecutableOption

from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord, PatientSession

COOKIE_KEY = "psid"
TOKEN_BYTES = 32
# A save sent twice (double click, or the browser dropped the first answer) lands in the session
# the first one made, for this long only, and only for the save itself.
REPLAY_SECONDS = 10
REPLAY_ENDPOINTS = frozenset({"patient.save"})
_G_ROW = "patient_session_row"
_G_RECORDS = "patient_session_records"
_SID = "session_digest"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _lifetime() -> timedelta:
    return timedelta(days=int(current_app.config["DRAFT_RETENTION_DAYS"]))


def _token(cookie: Mapping[str, Any]) -> str | None:
    token = cookie.get(COOKIE_KEY)
    return token if isinstance(token, str) and 0 < len(token) <= 128 else None


@functools.cache
def _statement(lock: bool, record: tuple[ExecutableOption, ...] | None) -> Select[Any]:
    """The session lookup, built once per process for each shape (building it cost more than
    running it); the token's digest is bound at execution."""
    # The encrypted columns load only when used, so a lookup never needs the data keys.
    stmt: Select[Any] = (
        select(PatientSession).where(PatientSession.id == bindparam(_SID))
        .options(defer(PatientSession.code), defer(PatientSession.successor)))
    if record is not None and not lock:
        # The record comes in the same query (with these loader options) and waits in the
        # session's identity map for the caller's `get`.
        stmt = (stmt.add_columns(PatientRecord)
                .outerjoin(PatientRecord, PatientRecord.id == PatientSession.response_id)
                .options(*record))
    if lock:
        # PostgreSQL: a second save with the same cookie waits here, then sees the first one's
        # rotation. SQLite takes the write lock at BEGIN IMMEDIATE, which serialises the same way.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return stmt


def _load(token: str, *, lock: bool = False,
          record: Sequence[ExecutableOption] | None = None) -> PatientSession | None:
    stmt = _statement(lock, tuple(record) if record is not None else None)
    found: Any = get_session().execute(stmt, {_SID: digest(token)}).first()
    row: PatientSession | None = found[0] if found is not None else None
    if found is not None and len(found) > 1:
        # The identity map holds objects weakly: keep the record alive for this request.
        g.setdefault(_G_RECORDS, []).append(found[1])
    if row is None or _as_utc(row.created_at) < datetime.now(UTC) - _lifetime():
        return None
    return row


def _replayable(row: PatientSession) -> bool:
    return (
        row.replaced_at is not None
        and row.successor is not None
        and _as_utc(row.replaced_at) >= datetime.now(UTC) - timedelta(seconds=REPLAY_SECONDS)
        and request.method == "POST"
        and request.endpoint in REPLAY_ENDPOINTS
    )


def current(*, lock: bool = False, record: Sequence[ExecutableOption] | None = None,
            ) -> tuple[PatientSession, bool] | None:
    """This browser's live session and whether it was reached by replaying a rotated-away token
    (then the cookie now carries the successor's token). With `record` (loader options), its
    record is read in the same query."""
    if not lock and _G_ROW in g:
        cached: PatientSession | None = g.get(_G_ROW)
        return (cached, False) if cached is not None else None
    token = _token(session)
    row = _load(token, lock=lock, record=record) if token else None
    replayed = False
    if row is not None and row.replaced_at is not None:
        successor = row.successor if _replayable(row) else None
        row = _load(successor, lock=lock, record=record) if successor else None
        if row is not None and row.replaced_at is None and successor is not None:
            session[COOKIE_KEY] = successor
            replayed = True
        else:
            row = None
    g.setdefault(_G_ROW, row)
    if lock:
        setattr(g, _G_ROW, row)
    return (row, replayed) if row is not None else None


def forget_read() -> None:
    """Forget the session row this request read, so the next current() reads it again."""
    g.pop(_G_ROW, None)
    g.pop(_G_RECORDS, None)


def begin(response_id: str, *, code: str | None = None) -> PatientSession:
    """A fresh session for `response_id` in this browser (the caller commits)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = PatientSession(id=digest(token), response_id=response_id, code=code, code_shown=False)
    get_session().add(row)
    session[COOKIE_KEY] = token
    setattr(g, _G_ROW, row)
    return row


def rotate(old: PatientSession, *, code: str | None = None) -> PatientSession:
    """Replace this browser's token; the old one stops working except for a replayed save."""
    new = begin(old.response_id, code=code if code is not None else old.code)
    if code is None:
        new.code_shown = old.code_shown
    token = session[COOKIE_KEY]
    old.replaced_at = datetime.now(UTC)
    old.successor = token
    old.code = None
    return new


def revoke_others(response_id: str, keep: set[str]) -> None:
    """End every session of the record except `keep` (row ids); rotated-away rows of this browser
    are kept for the replay window only."""
    get_session().execute(
        delete(PatientSession)
        .where(PatientSession.response_id == response_id, PatientSession.id.not_in(keep))
        .execution_options(synchronize_session=False)
    )


def end_all(response_id: str) -> None:
    """End every session of the record, this one included, and forget the token."""
    get_session().execute(
        delete(PatientSession)
        .where(PatientSession.response_id == response_id)
        .execution_options(synchronize_session=False)
    )
    session.pop(COOKIE_KEY, None)
    setattr(g, _G_ROW, None)


def purge(now: datetime, draft_days: int) -> int:
    """Drop sessions past their lifetime and rotated-away rows past the replay window."""
    result = get_session().execute(
        delete(PatientSession).where(
            (PatientSession.created_at < now - timedelta(days=draft_days))
            | (PatientSession.replaced_at < now - timedelta(seconds=REPLAY_SECONDS))
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_for(cookie: Mapping[str, Any]) -> PatientRecord | None:
    """The record a decoded cookie session reaches, or None (for tests and tools)."""
    token = _token(cookie)
    row = _load(token) if token else None
    if row is None or row.replaced_at is not None:
        return None
    return get_session().get(PatientRecord, row.response_id)
