"""Reviewing one summary: the screen view, the print view, the PDF, and "Mark as reviewed".

Everything shown comes from the typed summary saved with the record (what the patient saw),
read back with Summary.from_dict, plus a few columns of the record itself. The retrieval code is
never shown. A summary saved in another language is shown to the clinician in English, made
from the same answers and date with the English content; "as the person saw it" shows the saved
one in their language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Response as FlaskResponse
from flask import current_app, redirect, render_template, url_for
from flask_babel import force_locale  # type: ignore[import-untyped]
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.serving.pdf import PdfCache, render_pdf_isolated
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician, PatientRecord, utcnow

from ..content import Content
from ..content.translation import DEFAULT_LANGUAGE, LANGUAGE_NAMES
from ..content.wording import wording
from ..engine import router
from ..engine.medicine_items import STILL_TAKING, STILL_TAKING_FIELD, YES
from ..engine.plain import SnapshotError
from ..engine.summary import build_summary
from ..engine.summary_model import Summary
from ..engine.trials import TrialAssessment
from .access import load_reviewable
from .blueprint import bp
from .formatting import Moment, format_date, moment

PDF_FILENAME = "clinician-summary.pdf"
SURE_UNSURE_AT_OR_BELOW = 3
PHQ9_MAX, GAD7_MAX = 27, 21
log = logging.getLogger("decision_aid")


@dataclass(frozen=True)
class TrialGroup:
    """Trials of one kind, for the first screen: "Stopped early for side effects: escitalopram"."""

    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class TrialRow:
    """One trial with the answers behind it in clinician wording."""

    t: TrialAssessment
    adherence: str
    side_effects: str
    stopped: str
    added: str


@dataclass(frozen=True)
class Practical:
    label: str
    answer: str


@dataclass(frozen=True)
class Review:
    id: str
    s: Summary  # in English, for the clinician
    seen: Summary  # as the person saw it, in their language
    language: str
    flagged: bool
    trial_groups: tuple[TrialGroup, ...]
    trial_rows: tuple[TrialRow, ...]
    practical: tuple[Practical, ...]
    sure_score: int | None
    sure_unsure: bool
    share_label: str
    current_version: str
    generated_on: str
    saved_at: Moment | None
    shared_at: Moment | None
    reviewed_at: Moment | None
    reviewer: str | None

    @property
    def content_changed(self) -> bool:
        return self.s.content_version != self.current_version

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)


def trial_groups(trials: tuple[TrialAssessment, ...]) -> tuple[TrialGroup, ...]:
    """One group per trial category present, in the order first met."""
    labels = wording().trial_categories
    names: dict[str, list[str]] = {}
    for t in trials:
        names.setdefault(str(t.category.value), []).append(t.medicine_name)
    return tuple(TrialGroup(labels.get(cat, cat), tuple(n)) for cat, n in names.items())


def _clinician_words(field_id: str, values: tuple[str, ...] | str) -> str:
    q = current_app.extensions["content"].questionnaire
    chosen = (values,) if isinstance(values, str) else values
    return ", ".join(q.choice_label(field_id, v, wording="clinician") for v in chosen if v)


def _stopped_words(reason: str) -> str:
    # "Still taking it" is the yes to "Do you still take it?", not a reason to stop any more.
    if reason == STILL_TAKING:
        return _clinician_words(STILL_TAKING_FIELD, YES)
    return _clinician_words("stopped_reason", reason)


def _trial_rows(s: Summary) -> tuple[TrialRow, ...]:
    return tuple(
        TrialRow(t, _clinician_words("adherence", t.adherence),
                 _clinician_words("side_effects", t.side_effects),
                 _stopped_words(t.stopped_reason),
                 _clinician_words("added", t.added))
        for t in s.trials
    )


def _practical(s: Summary) -> tuple[Practical, ...]:
    return tuple(Practical(p.label, _clinician_words(p.id, p.value)) for p in s.practical)


def _reviewer(response: PatientRecord) -> str | None:
    if response.reviewed_by is None:
        return None
    clinician = get_session().get(Clinician, response.reviewed_by)
    return clinician.email if clinician else "a clinician whose account was removed"


def _english(response: PatientRecord, seen: Summary) -> Summary:
    """The clinician's English summary of a record saved in another language: the same answers
    and date, with the English content (the saved one when the answers cannot be read)."""
    if response.language == DEFAULT_LANGUAGE:
        return seen
    english: Content = current_app.extensions["content"]
    try:
        answers = router.effective_answers(english.questionnaire, response.answers or {})
        return build_summary(answers, english, seen.generated_on)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("review_english_failed record=%s error=%s", response.id, type(exc).__name__)
        return seen


def build_review(response: PatientRecord) -> Review:
    """The typed view of one summary; SnapshotError when it was saved in an older shape."""
    seen = Summary.from_dict(response.summary_snapshot or {})
    s = _english(response, seen)
    return Review(
        id=response.id,
        s=s,
        seen=seen,
        language=response.language or DEFAULT_LANGUAGE,
        flagged=bool(response.flagged) or s.item9_positive,
        trial_groups=trial_groups(s.trials),
        trial_rows=_trial_rows(s),
        practical=_practical(s),
        sure_score=response.sure_score,
        sure_unsure=response.sure_score is not None
        and response.sure_score <= SURE_UNSURE_AT_OR_BELOW,
        share_label=response.share_label or "",
        current_version=str(current_app.extensions["content"].meta.version),
        generated_on=format_date(s.generated_on),
        saved_at=moment(response.saved_at),
        shared_at=moment(response.shared_at) if response.shared else None,
        reviewed_at=moment(response.reviewed_at),
        reviewer=_reviewer(response),
    )


def _render(response: PatientRecord, mode: str) -> str:
    try:
        review = build_review(response)
    except SnapshotError:
        return render_template("clinician/review_unreadable.html", response_id=response.id)
    return render_template("clinician/review.html", review=review, s=review.s, mode=mode,
                           print_view=mode in {"print", "pdf"},
                           phq9_max=PHQ9_MAX, gad7_max=GAD7_MAX)


def _actor() -> tuple[str, int]:
    return current_user.actor, int(current_user.id)


@bp.get("/summaries/<response_id>")
def summary(response_id: str) -> str:
    response = load_reviewable(response_id, "view")
    page = _render(response, "screen")
    actor, clinician_id = _actor()
    audit.record("view", actor=actor, clinician_id=clinician_id, response_id=response.id)
    return page


@bp.get("/summaries/<response_id>/as-seen")
def summary_as_seen(response_id: str) -> str:
    """The person's own summary, in the language and words they saw it in."""
    response = load_reviewable(response_id, "view")
    try:
        review = build_review(response)
    except SnapshotError:
        return render_template("clinician/review_unreadable.html", response_id=response.id)
    with force_locale(review.language):
        part = render_template("clinician/patient_view_part.html", s=review.seen)
    actor, clinician_id = _actor()
    audit.record("view", actor=actor, clinician_id=clinician_id, response_id=response.id,
                 detail="as_seen")
    return render_template("clinician/patient_view.html", review=review, part=part)


@bp.get("/summaries/<response_id>/print")
def summary_print(response_id: str) -> str:
    response = load_reviewable(response_id, "print")
    page = _render(response, "print")
    actor, clinician_id = _actor()
    audit.record("print", actor=actor, clinician_id=clinician_id, response_id=response.id)
    return page


@bp.get("/summaries/<response_id>/pdf")
def summary_pdf(response_id: str) -> FlaskResponse:
    response = load_reviewable(response_id, "pdf")
    cache: PdfCache = current_app.extensions["pdf_cache"]
    key = (response.id, str(response.version), "clinician")
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf_isolated(_render(response, "pdf"), Path(str(current_app.static_folder)))
        cache.put(key, pdf)
    actor, clinician_id = _actor()
    audit.record("pdf", actor=actor, clinician_id=clinician_id, response_id=response.id)
    return FlaskResponse(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{PDF_FILENAME}"'},
    )


@bp.post("/summaries/<response_id>/reviewed")
def mark_reviewed(response_id: str) -> BaseResponse:
    response = load_reviewable(response_id, "mark_reviewed")
    if response.reviewed_at is None:
        actor, clinician_id = _actor()
        response.reviewed_at = utcnow()
        response.reviewed_by = clinician_id
        audit.record("mark_reviewed", actor=actor, clinician_id=clinician_id,
                     response_id=response.id, commit=False)
        get_session().commit()
    return redirect(url_for("clinician.summary", response_id=response.id), 303)
