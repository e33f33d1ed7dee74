"""The current person's record: found through a random id in the signed session cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, session
from sqlalchemy import select

from ..codes import normalise
from ..crypto import keyed_hash
from ..db import get_session
from ..models import Response

CONSENT_VERSION = "2026-11"
SESSION_KEY = "draft_id"


def content() -> Any:
    return current_app.extensions["content"]


def questionnaire() -> Any:
    return content().questionnaire


def current() -> Response | None:
    draft_id = session.get(SESSION_KEY)
    if not isinstance(draft_id, str):
        return None
    return get_session().get(Response, draft_id)


def start_new() -> Response:
    db = get_session()
    record = Response(
        answers={},
        page_revisions={},
        content_version=content().meta.version,
        consent_version=CONSENT_VERSION,
    )
    db.add(record)
    db.commit()
    session.clear()
    session[SESSION_KEY] = record.id
    return record


def code_hash(canonical: str) -> str:
    return keyed_hash(str(current_app.config["CODE_PEPPER"]), canonical)


def find_by_code(typed: str) -> Response | None:
    """The record for a typed code, or None for a malformed, unknown or expired one alike."""
    canonical = normalise(typed)
    # Hash even a malformed code so every failure costs the same.
    digest = code_hash(canonical or typed[:64])
    if canonical is None:
        return None
    record = get_session().scalars(select(Response).where(Response.code_hash == digest)).first()
    if record is None:
        return None
    days = int(current_app.config["SAVED_RETENTION_DAYS"])
    updated = record.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    if updated < datetime.now(UTC) - timedelta(days=days):
        return None
    return record
