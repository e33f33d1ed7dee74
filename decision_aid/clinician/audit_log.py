"""The audit log: an admin-only page (newest first, keyset pages) and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from decision_aid.security import audit
from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent

from .auth import as_utc
from .blueprint import bp
from .formatting import format_datetime

AUDIT_PAGE_SIZE = 50
MAX_ID = 2**31 - 1
CSV_COLUMNS = (
    "id", "ts", "actor", "clinician_id", "action", "response_id", "outcome", "ip", "detail",
)


@bp.get("/audit")
def audit_log() -> str:
    if not current_user.is_admin:
        audit.record("audit_view", actor=current_user.actor, clinician_id=int(current_user.id),
                     outcome="denied", detail="not_admin")
        abort(403)
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before <= MAX_ID:
        before = None  # outside every id (PostgreSQL's integer overflows): the first page
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE + 1)
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    events = list(get_session().scalars(stmt))
    next_before = None
    if len(events) > AUDIT_PAGE_SIZE:
        events = events[:AUDIT_PAGE_SIZE]
        next_before = events[-1].id
    rows = [
        {
            "ts": format_datetime(e.ts),
            "actor": e.actor,
            "action": e.action,
            "response_id": e.response_id or "",
            "outcome": e.outcome,
            "ip": e.ip or "",
            "detail": e.detail or "",
        }
        for e in events
    ]
    page = render_template(
        "clinician/audit.html", rows=rows, next_before=next_before, paged=before is not None
    )
    audit.record("audit_view", actor=current_user.actor, clinician_id=int(current_user.id))
    return page


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet apps run cells that start with these as formulas.
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def audit_rows(batch: int = 500) -> Iterator[tuple[str, ...]]:
    """Every audit event, oldest first, read in keyset batches."""
    last_id = 0
    db = get_session()
    while True:
        events = list(
            db.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
        )
        if not events:
            return
        for e in events:
            yield tuple(
                _cell(v)
                for v in (
                    e.id, as_utc(e.ts).isoformat(), e.actor, e.clinician_id, e.action,
                    e.response_id, e.outcome, e.ip, e.detail,
                )
            )
        last_id = events[-1].id


def write_audit_csv(out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in audit_rows():
        writer.writerow(row)
        count += 1
    return count
