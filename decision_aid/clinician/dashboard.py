"""The dashboard: shared summaries newest first, filters, keyset pages, and open-by-code."""

from __future__ import annotations

import base64
import binascii
import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, bindparam, select, true, tuple_
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.content.translation import LANGUAGE_NAMES
from decision_aid.security import audit, codes
from decision_aid.security.crypto import keyed_hash
from decision_aid.serving.extensions import code_failures
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord

from .access import live_condition, remember_opened, retention_cutoff
from .auth import as_utc
from .blueprint import bp
from .formatting import format_datetime

PAGE_SIZE = 25
FILTERS = {
    "all": "All shared",
    "flagged": "Safety flag",
    "unreviewed": "Not reviewed",
}

MSG_CODE_EMPTY = "Enter the code from the person's saved summary"
MSG_CODE_FORMAT = (
    "Enter the code as 16 letters and numbers, like 7Q4M-9ZKD-3HXA-T8PV"
)
MSG_CODE_NO_MATCH = (
    "No saved summary matches that code. Check the code with the person and try again"
)


@dataclass(frozen=True)
class FeedRow:
    id: str
    shared_at: str
    flagged: bool
    reviewed: bool
    phq9_total: int | None
    gad7_total: int | None
    sure_score: int | None
    language: str = "en"
    label: str = ""  # the patient's optional share label (initials, visit date), decrypted

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)


def encode_cursor(shared_at: datetime, response_id: str) -> str:
    raw = f"{as_utc(shared_at).isoformat()}|{response_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[datetime, str] | None:
    if not value or len(value) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        when, response_id = raw.split("|", 1)
        uuid.UUID(response_id)
        return as_utc(datetime.fromisoformat(when)), response_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def feed_query(
    filter_name: str, after: tuple[datetime, str] | None
) -> Select[*tuple[Any, ...]]:
    """Shared summaries, newest first, one page plus one row to tell if there is a next page.

    The WHERE/ORDER BY follow ix_responses_shared_feed (shared, shared_at, id) and
    ix_responses_flagged_feed (shared, flagged, shared_at, id) so each page is an index range
    scan from the cursor, never an OFFSET.
    """
    stmt = select(
        PatientRecord.id,
        PatientRecord.shared_at,
        PatientRecord.flagged,
        PatientRecord.reviewed_at,
        PatientRecord.phq9_total,
        PatientRecord.gad7_total,
        PatientRecord.sure_score,
        PatientRecord.language,
        PatientRecord.share_label,
    ).where(PatientRecord.shared == true(), PatientRecord.shared_at.is_not(None), live_condition())
    if filter_name == "flagged":
        stmt = stmt.where(PatientRecord.flagged == true())
    elif filter_name == "unreviewed":
        stmt = stmt.where(PatientRecord.reviewed_at.is_(None))
    if after is not None:
        stmt = stmt.where(tuple_(PatientRecord.shared_at, PatientRecord.id) < tuple_(*after))
    newest_first = (PatientRecord.shared_at.desc(), PatientRecord.id.desc())
    return stmt.order_by(*newest_first).limit(PAGE_SIZE + 1)


def load_feed(
    filter_name: str, after: tuple[datetime, str] | None
) -> tuple[list[FeedRow], str | None]:
    rows = get_session().execute(feed_query(filter_name, after)).all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = encode_cursor(last.shared_at, last.id)
    feed = [
        FeedRow(
            id=r.id,
            shared_at=format_datetime(r.shared_at),
            flagged=bool(r.flagged),
            reviewed=r.reviewed_at is not None,
            phq9_total=r.phq9_total,
            gad7_total=r.gad7_total,
            sure_score=r.sure_score,
            language=r.language,
            label=r.share_label if isinstance(r.share_label, str) else "",
        )
        for r in rows
    ]
    return feed, next_cursor


def _render_dashboard(errors: dict[str, str] | None = None) -> str:
    filter_name = request.args.get("filter", "all")
    if filter_name not in FILTERS:
        filter_name = "all"
    after = decode_cursor(request.args.get("after"))
    rows, next_cursor = load_feed(filter_name, after)
    errors = errors or {}
    return render_template(
        "clinician/dashboard.html",
        rows=rows,
        filters=FILTERS,
        filter_name=filter_name,
        next_cursor=next_cursor,
        paged=after is not None,
        errors=errors,
        error_count=len(errors),
    )


@bp.get("/")
def dashboard() -> str:
    return _render_dashboard()


_HASH, _CUTOFF = "code_hash", "cutoff"


@functools.cache
def _by_code() -> Select[Any]:
    """The open-by-code lookup, built once per process (building it cost more than running it)."""
    return select(PatientRecord.id).where(
        PatientRecord.code_hash == bindparam(_HASH),
        live_condition(bindparam(_CUTOFF, type_=PatientRecord.updated_at.type)))


def _find_by_code(typed: str) -> tuple[str | None, str, str]:
    """(response id or None, error message, audit detail)."""
    if not typed.strip():
        return None, MSG_CODE_EMPTY, "empty"
    canonical = codes.normalise(typed[:64])
    if canonical is None:
        return None, MSG_CODE_FORMAT, "format"
    code_hash = keyed_hash(str(current_app.config["CODE_PEPPER"]), canonical)
    response_id: str | None = get_session().scalar(
        _by_code(), {_HASH: code_hash, _CUTOFF: retention_cutoff()})
    if response_id is None:
        return None, MSG_CODE_NO_MATCH, "no_match"
    return response_id, "", ""


@bp.post("/open")
def open_by_code() -> BaseResponse | tuple[str, int]:
    code_failures.refuse_if_spent()
    response_id, message, detail = _find_by_code(request.form.get("code", ""))
    clinician_id = int(current_user.id)
    if response_id is None:
        code_failures.spend()
        audit.record("open_by_code_failed", actor=current_user.actor, clinician_id=clinician_id,
                     outcome="denied", detail=detail)
        return _render_dashboard({"code": message}), 200
    remember_opened(response_id)
    audit.record("open_by_code", actor=current_user.actor, clinician_id=clinician_id,
                 response_id=response_id)
    return redirect(url_for("clinician.summary", response_id=response_id), 303)
