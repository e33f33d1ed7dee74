"""Reviewing one summary: the screen view, the print view, the PDF, and "Mark as reviewed".

Everything shown comes from the snapshot saved with the record (what the patient saw) plus a
few columns of the record itself. The retrieval code is never shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response as FlaskResponse
from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import audit
from ..db import get_session
from ..models import Clinician, Response, utcnow
from ..pdf import PdfCache, render_pdf_isolated
from . import labels as L
from .access import load_reviewable
from .blueprint import bp
from .formatting import format_date, format_datetime

PDF_FILENAME = "clinician-summary.pdf"
SURE_NOTE = "A score of 3 or less may mean the person is unsure about the decision."


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _score_text(score: dict[str, Any], maximum: int) -> str:
    total = score.get("total")
    if total is None:
        return "Not worked out (not every question was answered)"
    band = score.get("band")
    return f"{total} out of {maximum}" + (f" ({band})" if band else "")


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def _trial_row(trial: dict[str, Any]) -> dict[str, Any]:
    added = L.labels(L.ADDED, _list(trial.get("added")))
    weeks = L.WEEKS.get(str(trial.get("weeks"))) or trial.get("weeks_label") or L.NOT_KNOWN
    return {
        "medicine": _capitalised(str(trial.get("medicine_name") or "Not named")),
        "drug_class": trial.get("drug_class") or "",
        "added": added,
        "dose": trial.get("dose_text") or L.NOT_KNOWN,
        "min_dose": trial.get("min_dose_text") or "",
        "weeks": weeks,
        "adherence": L.label(L.ADHERENCE, trial.get("adherence")),
        "response": L.label(L.RESPONSE, trial.get("response")),
        "helped": L.label(L.HELPED, trial.get("helped")),
        "side_effects": L.labels(L.SIDE_EFFECTS, _list(trial.get("side_effects"))) or ["None"],
        "stopped": L.label(L.STOPPED, trial.get("stopped_reason")),
        "dose_adequate": L.yes_no(trial.get("dose_adequate")),
        "duration_adequate": L.yes_no(trial.get("duration_adequate")),
        "tolerated": trial.get("tolerated") is not False,
        "possibly_adequate_unsuccessful": trial.get("possibly_adequate_unsuccessful") is True,
        "reasons": [str(r) for r in _list(trial.get("reasons"))],
    }


def build_review(response: Response) -> dict[str, Any]:
    """A flat, template-ready view of one summary."""
    snap = _dict(response.summary_snapshot)
    scores = _dict(snap.get("scores"))
    phq9 = _dict(scores.get("phq9"))
    gad7 = _dict(scores.get("gad7"))
    counts = _dict(snap.get("trial_counts"))
    trials = [_trial_row(_dict(t)) for t in _list(snap.get("trials"))]
    priorities = [_dict(p) for p in _list(snap.get("priorities"))]
    top_priorities = [
        {"text": p.get("short") or p.get("label") or p.get("id"), "rating": L.PRIORITY_RATING[r]}
        for r in ("4", "3")
        for p in priorities
        if str(p.get("rating")) == r
    ]
    item9 = phq9.get("item9")
    flagged = bool(response.flagged) or bool(_dict(snap.get("flags")).get("item9_positive"))
    seen_version = str(snap.get("content_version") or response.content_version)
    current_version = str(current_app.extensions["content"].meta.version)
    reviewer = None
    if response.reviewed_by is not None:
        clinician = get_session().get(Clinician, response.reviewed_by)
        reviewer = clinician.email if clinician else "a clinician whose account was removed"
    return {
        "id": response.id,
        "flagged": flagged,
        "item9": L.label(L.PHQ_ITEM, item9),
        "phq9": _score_text(phq9, 27),
        "gad7": _score_text(gad7, 21),
        "trials": trials,
        "tried": counts.get("tried", len(trials)),
        "possibly_adequate_unsuccessful": counts.get(
            "possibly_adequate_unsuccessful",
            sum(1 for t in trials if t["possibly_adequate_unsuccessful"]),
        ),
        "not_tolerated": counts.get("not_tolerated", sum(1 for t in trials if not t["tolerated"])),
        "other_treatments": [
            {
                "label": _dict(o).get("label") or L.label({}, _dict(o).get("kind")),
                "sessions": L.label(L.SESSIONS, _dict(o).get("sessions")),
                "outcome": L.label(L.HELPED, _dict(o).get("outcome")),
            }
            for o in _list(snap.get("other_treatments"))
        ],
        "health": [
            str(_dict(h).get("label") or _dict(h).get("id")) for h in _list(snap.get("health"))
        ],
        "practical": [
            {
                "label": str(_dict(p).get("label") or _dict(p).get("id")),
                "answer": L.label(L.GENERAL, _dict(p).get("answer")),
            }
            for p in _list(snap.get("practical"))
        ],
        "top_priorities": top_priorities,
        "own_questions": str(snap.get("own_questions") or "").strip(),
        "sure_score": response.sure_score,
        "sure_note": SURE_NOTE,
        "sure_unsure": response.sure_score is not None and response.sure_score <= 3,
        "content_version": seen_version,
        "current_version": current_version,
        "content_changed": seen_version != current_version,
        "generated_on": format_date(snap.get("generated_on")),
        "saved_at": format_datetime(response.saved_at),
        "shared_at": format_datetime(response.shared_at) if response.shared else None,
        "reviewed_at": format_datetime(response.reviewed_at) if response.reviewed_at else None,
        "reviewer": reviewer,
    }


def _render(response: Response, mode: str) -> str:
    return render_template(
        "clinician/review.html",
        review=build_review(response),
        mode=mode,
        print_view=mode in {"print", "pdf"},
    )


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
