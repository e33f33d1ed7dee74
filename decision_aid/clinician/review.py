"""Reviewing one summary: the screen view, the print view, the PDF, and "Mark as reviewed".

Everything shown comes from the typed summary saved with the record (what the patient saw),
read back with Summary.from_dict, plus a few columns of the record itself. The retrieval code is
never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Response as FlaskResponse
from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.serving.pdf import PdfCache, render_pdf_isolated
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician, PatientRecord, utcnow

from ..content.wording import wording
from ..engine.plain import SnapshotError
from ..engine.summary_model import Summary
from ..engine.trials import TrialAssessment
from .access import load_reviewable
from .blueprint import bp
from .formatting import Moment, format_date, moment

PDF_FILENAME = "clinician-summary.pdf"
SURE_UNSURE_AT_OR_BELOW = 3
PHQ9_MAX, GAD7_MAX = 27, 21


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
    s: Summary
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


def _trial_rows(s: Summary) -> tuple[TrialRow, ...]:
    return tuple(
        TrialRow(t, _clinician_words("adherence", t.adherence),
                 _clinician_words("side_effects", t.side_effects),
                 _clinician_words("stopped_reason", t.stopped_reason),
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


def build_review(response: PatientRecord) -> Review:
    """The typed view of one summary; SnapshotError when it was saved in an older shape."""
    s = Summary.from_dict(response.summary_snapshot or {})
    return Review(
        id=response.id,
        s=s,
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
