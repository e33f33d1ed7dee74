"""The current person's record, reached through their server-side session (see sessions.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, render_template, request, session
from sqlalchemy import select

from .. import audit
from ..codes import display, new_code, normalise
from ..crypto import MissingKeyError, keyed_hash
from ..db import get_session
from ..models import RecordStatus, Response
from . import sessions
from .blueprint import bp

CONSENT_VERSION = "2026-11"
_G_NEW = "patient_session_begun"
log = logging.getLogger("decision_aid")


def content() -> Any:
    return current_app.extensions["content"]


def questionnaire() -> Any:
    return content().questionnaire


def current() -> Response | None:
    found = sessions.current()
    if found is None:
        return None
    try:
        return get_session().get(Response, found[0].response_id)
    except MissingKeyError as exc:
        raise RecordKeyMissing(found[0].response_id) from exc


def start_new() -> Response:
    db = get_session()
    record = Response(
        answers={},
        page_revisions={},
        content_version=content().meta.version,
        consent_version=CONSENT_VERSION,
    )
    db.add(record)
    db.flush()
    previous = sessions.current()
    if previous is not None:
        db.delete(previous[0])
    session.clear()
    sessions.begin(record.id)
    db.commit()
    setattr(g, _G_NEW, True)
    return record


def rotate() -> None:
    """Give this browser a new token for the same record (start, when carrying on a draft)."""
    if g.get(_G_NEW):
        return
    found = sessions.current()
    if found is not None:
        sessions.rotate(found[0])
        get_session().commit()
        setattr(g, _G_NEW, True)


def open_record(record: Response) -> None:
    """Opened by its code: a new session, nothing carried over from this browser's old one
    (which ends, whatever record it was for)."""
    previous = sessions.current()
    if previous is not None:
        get_session().delete(previous[0])
    session.clear()
    sessions.begin(record.id)
    get_session().commit()


def save_with_code() -> Response | None:
    """Issue a new code for the current summary, rotate this browser's session and end every
    other session of the record. A save replayed within seconds with the old cookie returns the
    same record and code instead of a second code (so no code shown to anyone goes dead)."""
    found = sessions.current(lock=True)
    if found is None:
        return None
    row, replayed = found
    record = get_session().get(Response, row.response_id)
    if record is None or record.summary_snapshot is None:
        return None
    if replayed and row.code is not None:
        return record
    code = new_code()
    rotated = record.code_hash is not None
    record.code_hash = code_hash(code)
    record.status = RecordStatus.SAVED
    record.saved_at = datetime.now(UTC)
    new = sessions.rotate(row, code=display(code))
    sessions.revoke_others(record.id, keep={new.id, row.id})
    get_session().commit()
    audit.record("patient_save", actor="patient", response_id=record.id,
                 detail="new code replaced the old one" if rotated else None)
    return record


def session_code(*, first_view: bool = False) -> str | None:
    """The code issued in this session, for its confirmation page and print/PDF. With
    first_view, only the first time (the confirmation page shows it once)."""
    found = sessions.current()
    if found is None or found[0].code is None:
        return None
    row = found[0]
    if first_view:
        if row.code_shown:
            return None
        row.code_shown = True
        get_session().commit()
    return row.code


def end_everywhere() -> None:
    """Finish: every session of this record ends, this browser's included."""
    found = sessions.current()
    if found is not None:
        sessions.end_all(found[0].response_id)
        get_session().commit()


def code_hash(canonical: str) -> str:
    return keyed_hash(str(current_app.config["CODE_PEPPER"]), canonical)


def find_by_code(typed: str) -> Response | None:
    """The record for a typed code, or None for a malformed, unknown or expired one alike."""
    canonical = normalise(typed)
    # Hash even a malformed code so every failure costs the same.
    digest = code_hash(canonical or typed[:64])
    if canonical is None:
        return None
    found = get_session().execute(
        select(Response.id, Response.updated_at).where(Response.code_hash == digest)).first()
    if found is None:
        return None
    record_id, updated = found
    days = int(current_app.config["SAVED_RETENTION_DAYS"])
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    if updated < datetime.now(UTC) - timedelta(days=days):
        return None
    try:
        return get_session().get(Response, record_id)
    except MissingKeyError as exc:
        raise RecordKeyMissing(record_id) from exc


class RecordKeyMissing(MissingKeyError):
    """A record found by its code was saved under a data key this server no longer holds."""

    def __init__(self, record_id: str) -> None:
        super().__init__("the record's data key is not configured")
        self.record_id = record_id


@bp.errorhandler(MissingKeyError)
def key_missing(exc: MissingKeyError) -> tuple[str, int]:
    """A clear page instead of a 500 when a record's key was removed from DATA_KEYS too early."""
    record_id = getattr(exc, "record_id", None)
    log.error("data_key_missing path=%s record=%s", request.path, record_id)
    get_session().rollback()
    audit.record("patient_open_failed", actor="anonymous", response_id=record_id,
                 outcome="error", detail="data_key_missing")
    return render_template("patient/resume.html", errors={}, typed="", key_missing=True), 503
