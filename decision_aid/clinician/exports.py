"""CSV export of saved summaries for clinic quality work (admin only, audited, streamed).

One row per saved summary: scores, flags, counts of trials, priorities and the SURE score,
dates, content version and language. No free text unless asked for explicitly (the CLI's
--include-free-text, which warns first); then only the person's own questions, and only for
shared summaries. Cells that a spreadsheet would run as a formula are defused. Rows are read
in keyset batches from a session of their own and written one by one, so memory stays flat
however many rows there are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, current_app, stream_with_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_aid.security import audit
from decision_aid.storage.models import PatientRecord

from ..fhir.source import SavedSummary, from_record
from .blueprint import bp

BATCH = 500
FILENAME = "saved-summaries.csv"
COLUMNS = (
    "summary_id", "saved_on", "shared", "shared_on", "reviewed_on", "content_version",
    "language", "phq9_total", "phq9_band", "gad7_total", "gad7_band", "item9_flag",
    "item9_answer", "item9_severity", "trials_tried", "trials_added", "trials_may_count",
    "trials_stopped_side_effects", "priorities_top_count", "priorities_top", "sure_score",
)
FREE_TEXT_COLUMNS = ("own_questions",)
FREE_TEXT_WARNING = (
    "Warning: --include-free-text adds what people typed in their own words (their questions "
    "for the clinician). It may name people or describe their health. Keep the file on clinic "
    "systems only, and delete it when the work is done."
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: object) -> str | int:
    """A cell as written to the CSV: numbers as they are, text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else ""


def row(s: SavedSummary, include_free_text: bool = False) -> list[str | int]:
    values: list[Any] = [
        s.id, _day(s.saved_at), s.shared, _day(s.shared_at), _day(s.reviewed_at),
        s.content_version, s.language, s.phq9_total, s.phq9_band, s.gad7_total, s.gad7_band,
        s.item9_positive, s.item9_value, s.item9_severity, s.trials.tried, s.trials.added,
        s.trials.may_count,
        s.trials.stopped_side_effects, len(s.top_priorities), ";".join(s.top_priorities),
        s.sure_score,
    ]
    if include_free_text:
        values.append(s.own_questions if s.shared else "")
    return [safe_cell(v) for v in values]


def csv_lines(summaries: Iterable[SavedSummary], include_free_text: bool = False) -> Iterator[str]:
    """The CSV text, one line at a time (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[object]) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield line(COLUMNS + (FREE_TEXT_COLUMNS if include_free_text else ()))
    for s in summaries:
        yield line(row(s, include_free_text))


def saved_summaries(session: Session, batch: int = BATCH) -> Iterator[SavedSummary]:
    """Every saved summary, in id order, read in keyset batches and let go after each."""
    last = ""
    while True:
        records = list(session.scalars(
            select(PatientRecord)
            .where(PatientRecord.status == "saved", PatientRecord.summary_snapshot.is_not(None),
                   PatientRecord.id > last)
            .order_by(PatientRecord.id)
            .limit(batch)
        ))
        if not records:
            return
        for record in records:
            yield from_record(record)
        last = records[-1].id
        session.expunge_all()


def export(include_free_text: bool = False, batch: int = BATCH) -> Iterator[str]:
    """CSV lines for every saved summary, from a database session of the export's own."""
    session: Session = current_app.extensions["sessionmaker"]()
    try:
        yield from csv_lines(saved_summaries(session, batch), include_free_text)
    finally:
        session.close()


@bp.get("/export/summaries.csv")
def export_summaries() -> FlaskResponse:
    """Admin only; never free text from the web (the CLI has the option, with its warning)."""
    actor, clinician_id = current_user.actor, int(current_user.id)
    if not current_user.is_admin:
        audit.record("summary_export", actor=actor, clinician_id=clinician_id,
                     outcome="denied", detail="not_admin")
        abort(403)
    audit.record("summary_export", actor=actor, clinician_id=clinician_id,
                 detail="web free_text=no")
    return FlaskResponse(
        stream_with_context(export(False)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"',
                 "Cache-Control": "no-store"},
    )
