"""Which saved summaries a signed-in clinician may reach."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NoReturn

from flask import abort, current_app, session
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import defer

from decision_aid.security import audit
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord, utcnow

from .auth import SESSION_OPENED, as_utc

MAX_OPENED = 30


def retention_cutoff(now: datetime | None = None) -> datetime:
    days = int(current_app.config.get("SAVED_RETENTION_DAYS", 365))
    return (now or utcnow()) - timedelta(days=days)


def live_condition(cutoff: ColumnElement[datetime] | None = None) -> ColumnElement[bool]:
    """Saved, with a summary, and not past retention (the same rule purge-expired uses).
    `cutoff` (a bind parameter) lets a statement built once per process take it at execution."""
    return and_(
        PatientRecord.status == "saved",
        PatientRecord.summary_snapshot.is_not(None),
        PatientRecord.updated_at >= (cutoff if cutoff is not None else retention_cutoff()),
    )


def is_live(response: PatientRecord) -> bool:
    return (
        response.status == "saved"
        and response.summary_snapshot is not None
        and as_utc(response.updated_at) >= retention_cutoff()
    )


def opened_ids() -> list[str]:
    value = session.get(SESSION_OPENED, [])
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def remember_opened(response_id: str) -> None:
    """A summary opened by its code stays reachable for the rest of this sign-in only."""
    ids = [i for i in opened_ids() if i != response_id]
    ids.append(response_id)
    session[SESSION_OPENED] = ids[-MAX_OPENED:]


def _deny(action: str, response_id: str | None = None) -> NoReturn:
    audit.record(action, actor=current_user.actor, clinician_id=int(current_user.id),
                 response_id=response_id, outcome="denied", detail="not_reachable")
    abort(404)


def load_reviewable(response_id: str, action: str) -> PatientRecord:
    """The summary if this clinician may see it. Otherwise 404, never a hint that it exists,
    and one audit row for the refused `action`."""
    try:
        uuid.UUID(response_id)
    except ValueError:
        _deny(action)
    stmt = (
        select(PatientRecord)
        .options(defer(PatientRecord.answers), defer(PatientRecord.page_revisions))
        .where(PatientRecord.id == response_id)
    )
    response = get_session().scalars(stmt).first()
    if response is None or not is_live(response):
        _deny(action, response_id if response is not None else None)
    if not response.shared and response.id not in opened_ids():
        _deny(action, response_id)
    return response
