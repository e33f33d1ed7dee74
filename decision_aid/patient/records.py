"""The current person's record, reached through their server-side session (see sessions.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, render_template, request, session
from sqlalchemy import select
from sqlalchemy.orm import defer

from decision_aid.content.translation import LANGUAGES
from decision_aid.security import audit
from decision_aid.security.codes import display, new_code, normalise
from decision_aid.security.crypto import MissingKeyError, keyed_hash
from decision_aid.serving.fragments import forget_record
from decision_aid.serving.i18n import SESSION_KEY, current_language
from decision_aid.serving.lru import RecordLRU
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord, RecordStatus

from ..content import Content
from ..content.questionnaire import Questionnaire
from ..engine import router
from ..engine.plain import SnapshotError
from ..engine.summary import build_summary
from ..engine.summary_model import Summary
from . import sessions
from .blueprint import bp

CONSENT_VERSION = "2026-11"
_G_NEW = "patient_session_begun"
log = logging.getLogger("decision_aid")


def content() -> Content:
    """The content in this request's language (the patient's)."""
    contents: dict[str, Content] = current_app.extensions["contents"]
    return contents[current_language()]


def questionnaire() -> Questionnaire:
    return content().questionnaire


# Encrypted columns a page does not use load (and decrypt) only when first read.
_JOURNEY_COLUMNS = (defer(PatientRecord.summary_snapshot), defer(PatientRecord.sure_answers),
                    defer(PatientRecord.share_label))
_SUMMARY_COLUMNS = (defer(PatientRecord.answers), defer(PatientRecord.page_revisions),
                    defer(PatientRecord.summary_snapshot), defer(PatientRecord.sure_answers))
# Pages that show the saved summary: there the answers load only if read, and the snapshot
# only when its typed summary is not cached.
SUMMARY_PAGES = frozenset({
    "patient.summary", "patient.option_details", "patient.summary_sources", "patient.saved",
    "patient.share", "patient.print_view", "patient.pdf", "patient.sure",
})
SUMMARY_CACHE_SIZE = 32


def current() -> PatientRecord | None:
    """This browser's record, read with its session in one query."""
    options = _SUMMARY_COLUMNS if request.endpoint in SUMMARY_PAGES else _JOURNEY_COLUMNS
    try:
        found = sessions.current(record=options)
    except MissingKeyError:  # the record's key is gone: look the session up alone, to name it
        found = sessions.current()
    if found is None:
        return None
    try:
        return get_session().get(PatientRecord, found[0].response_id, options=options)
    except MissingKeyError as exc:
        raise RecordKeyMissing(found[0].response_id) from exc


SummaryKey = tuple[str, int, str]  # (record id, row version, language)


def _summaries() -> RecordLRU[SummaryKey, Summary]:
    """The typed summaries of the last few records read: every ORM update bumps the version, so
    an entry never outlives the snapshot it was made from."""
    cache: RecordLRU[SummaryKey, Summary] | None = current_app.extensions.get("summary_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("summary_cache",
                                                  RecordLRU(SUMMARY_CACHE_SIZE))
    return cache


def _snapshot(record: PatientRecord) -> dict[str, Any] | None:
    """The snapshot, decrypted on first read; names the record if its key is gone."""
    try:
        return record.summary_snapshot
    except MissingKeyError as exc:
        raise RecordKeyMissing(record.id) from exc


def has_summary(record: PatientRecord) -> bool:
    """Whether the record holds a summary snapshot (without decrypting it when cached)."""
    return (_summaries().get((record.id, record.version, record.language)) is not None
            or _snapshot(record) is not None)


def typed_summary(record: PatientRecord) -> Summary | None:
    """The saved summary as the typed value; None when there is none, or it was saved in an
    older shape (the person's Check your answers page then makes it again)."""
    key = (record.id, record.version, record.language)
    cache = _summaries()
    cached = cache.get(key)
    if cached is not None:
        return cached
    snapshot = _snapshot(record)
    if snapshot is None:
        return None
    try:
        typed = Summary.from_dict(snapshot)
    except SnapshotError:
        return None
    cache.put(key, typed)
    return typed


def forget_summary(record_id: str) -> None:
    cache: RecordLRU[SummaryKey, Summary] | None = current_app.extensions.get("summary_cache")
    if cache is not None:
        cache.drop(record_id)
    forget_record(current_app, record_id)


def start_new() -> PatientRecord:
    db = get_session()
    record = PatientRecord(
        answers={},
        page_revisions={},
        content_version=content().meta.version,
        consent_version=CONSENT_VERSION,
        language=current_language(),
    )
    db.add(record)
    db.flush()
    previous = sessions.current()
    if previous is not None:
        db.delete(previous[0])
    _clear_session_keeping_language()
    # The cookie carries the language from now on, so no page asks the database for it.
    session[SESSION_KEY] = record.language
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


def open_record(record: PatientRecord) -> None:
    """Opened by its code: a new session, nothing carried over from this browser's old one
    (which ends, whatever record it was for)."""
    previous = sessions.current()
    if previous is not None:
        get_session().delete(previous[0])
    chosen = _clear_session_keeping_language()
    if chosen is not None:
        set_language(record, chosen)
    else:
        session[SESSION_KEY] = record.language
    sessions.begin(record.id)
    get_session().commit()


def set_language(record: PatientRecord, code: str) -> bool:
    """Store the record's language; a summary already made is made again from the same answers
    and date in that language (the caller commits). False when nothing changed."""
    if record.language == code:
        return False
    record.language = code
    before = typed_summary(record)
    if before is not None:
        target: Content = current_app.extensions["contents"][code]
        answers = router.effective_answers(target.questionnaire, record.answers)
        record.summary_snapshot = build_summary(answers, target, before.generated_on).to_dict()
    forget_summary(record.id)
    return True


def _clear_session_keeping_language() -> str | None:
    """Empty the session but keep a language chosen in this browser (it is not patient data)."""
    chosen = session.get(SESSION_KEY)
    session.clear()
    if chosen in LANGUAGES:
        session[SESSION_KEY] = chosen
        return str(chosen)
    return None


def save_with_code() -> PatientRecord | None:
    """Issue a new code for the current summary, rotate this browser's session and end every
    other session of the record. A save replayed within seconds with the old cookie returns the
    same record and code instead of a second code (so no code shown to anyone goes dead)."""
    found = sessions.current(lock=True)
    if found is None:
        return None
    row, replayed = found
    record = get_session().get(PatientRecord, row.response_id)
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
    """Finish: every session of this record ends, this browser's included, and this process
    lets go of the pages and summary it kept for the record."""
    found = sessions.current()
    if found is not None:
        record_id = found[0].response_id
        sessions.end_all(record_id)
        get_session().commit()
        forget_summary(record_id)


def code_hash(canonical: str) -> str:
    return keyed_hash(str(current_app.config["CODE_PEPPER"]), canonical)


def find_by_code(typed: str) -> PatientRecord | None:
    """The record for a typed code, or None for a malformed, unknown or expired one alike."""
    canonical = normalise(typed)
    # Hash even a malformed code so every failure costs the same.
    digest = code_hash(canonical or typed[:64])
    if canonical is None:
        return None
    found = get_session().execute(
        select(PatientRecord.id, PatientRecord.updated_at)
        .where(PatientRecord.code_hash == digest)).first()
    if found is None:
        return None
    record_id, updated = found
    days = int(current_app.config["SAVED_RETENTION_DAYS"])
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    if updated < datetime.now(UTC) - timedelta(days=days):
        return None
    try:
        return get_session().get(PatientRecord, record_id)
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
