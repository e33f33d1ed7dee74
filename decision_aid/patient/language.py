"""Switching language: a plain link on every patient page, no JavaScript.

The answers live server-side, so switching loses nothing. The open record remembers the
language, and a summary already made is made again from the same answers in the new language
(same date), so the summary, print view, PDF and the clinician's "as the patient saw it" agree.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from decision_aid.content.translation import LANGUAGES
from decision_aid.serving.i18n import RECORD_LANGUAGE, SESSION_KEY
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord, PatientSession

from . import records, sessions
from .blueprint import bp


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (not another host, not a scheme), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def record_language() -> str | None:
    """The language stored with the record this browser has open, if any. None when the
    database cannot say: this runs while error pages render, the database's own included."""
    token = session.get(sessions.COOKIE_KEY)
    if not isinstance(token, str) or not 0 < len(token) <= 128:
        return None
    # One column by the token's digest: no ORM objects, so nothing is refreshed or decrypted.
    stmt = (select(PatientRecord.language)
            .join(PatientSession, PatientSession.response_id == PatientRecord.id)
            .where(PatientSession.id == sessions.digest(token)))
    db = get_session()
    try:
        with db.no_autoflush:  # a page's unsaved changes are its own business
            language: str | None = db.scalar(stmt)
    except SQLAlchemyError:
        db.rollback()
        return None
    return language


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    state.app.extensions[RECORD_LANGUAGE] = record_language


@bp.get("/language/<code>")
def language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    session[SESSION_KEY] = code
    found = sessions.current()
    if found is not None:
        record = get_session().get(PatientRecord, found[0].response_id)
        if record is not None and records.set_language(record, code):
            get_session().commit()
    target = safe_next(request.args.get("next")) or url_for("patient.start")
    return redirect(target, code=303)
