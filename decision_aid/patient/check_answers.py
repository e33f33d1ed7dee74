"""Check your answers: every answer on one page, each with a link to change it; its Continue
makes the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WResponse

from decision_aid.storage.db import reads_first
from decision_aid.storage.models import RecordStatus

from ..engine import router
from ..engine.summary import build_summary
from . import records
from .blueprint import bp
from .conflicts import answered_again_if_changed, commit_record
from .pages import RETURN_TO_CHECK, check_sections, path_of, ref_url

Rendered = tuple[str, int]  # a rendered page and its status


@bp.route("/check", methods=["GET", "POST"])
@reads_first
@answered_again_if_changed
def check() -> WResponse | Rendered:
    record = records.current()
    if record is None:
        return render_template("patient/no_draft.html"), 200
    content = records.content()
    path = path_of(content, record)
    if path.first_unanswered is not None:
        return redirect(ref_url(path.first_unanswered))
    if request.method == "POST":
        answers = router.effective_answers(path.q, path.answers)
        summary = build_summary(answers, content, date.today())
        record.summary_snapshot = summary.to_dict()
        record.content_version = content.meta.version
        if record.status == RecordStatus.DRAFT:
            record.status = RecordStatus.COMPLETED
        record.completed_at = datetime.now(UTC)
        commit_record()
        return redirect(url_for("patient.summary"), code=303)
    effective = router.routing_path(path.q, router.effective_answers(path.q, path.answers))
    return render_template("patient/check.html",
                           sections=check_sections(effective, content, RETURN_TO_CHECK),
                           back_url=ref_url(path.last) if path.last else url_for("patient.start"),
                           crisis_prominent=record.flagged), 200
