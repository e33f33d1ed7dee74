"""The summary, and keeping it: save with a code, open by code, share, print, PDF, delete."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext  # type: ignore[import-untyped]
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response as WResponse

from decision_aid.security import audit
from decision_aid.serving.extensions import limiter
from decision_aid.serving.fragments import record_page
from decision_aid.serving.i18n import current_language
from decision_aid.serving.pdf import PdfCache, render_pdf_isolated
from decision_aid.storage.db import get_session

from ..engine.scoring import sure_flags_conflict, sure_score
from ..engine.summary_model import Summary
from . import records
from .blueprint import bp
from .forms import DeleteForm, ShareForm, first_errors, sure_form

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'
SUMMARY_TEMPLATE = "patient/summary.html"


def _summary_record() -> Any:
    record = records.current()
    if record is None or not records.has_summary(record):
        return None
    return record


def _typed(record: Any) -> Summary | None:
    return records.typed_summary(record)


def _record_and_summary() -> tuple[Any, Summary] | WResponse:
    """The saved record and its typed summary, or where to go instead: the draft when there is
    no summary, Check your answers when it must be made again. Every summary view starts here."""
    record = _summary_record()
    if record is None:
        return redirect(url_for("patient.resume_draft"))
    s = _typed(record)
    if s is None:
        return redirect(url_for("patient.check"))
    return record, s


P = ParamSpec("P")


def with_summary(view: Callable[Concatenate[Any, Summary, P], Any]) -> Callable[P, Any]:
    """A summary view, called with the record and its typed summary (see _record_and_summary)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Any:
        found = _record_and_summary()
        if isinstance(found, WResponse):
            return found
        return view(found[0], found[1], *args, **kwargs)

    return wrapped


def _full() -> bool:
    return request.args.get("full") == "1"


def _summary_page(record: Any, s: Summary, status: int = 200, **extra: Any) -> Any:
    conflict = sure_flags_conflict(record.sure_score) if record.sure_score is not None else False
    context = {"record": record, "s": s, "print": False, "full": False,
               "crisis_prominent": s.item9_positive, "sure_conflict": conflict, **extra}
    if status != 200 or extra:
        return render_template(SUMMARY_TEMPLATE, **context), status
    # Everything else the page shows is the record's (its row version is in the key).
    return record_page(record, (SUMMARY_TEMPLATE,), lambda marks: render_template(
        SUMMARY_TEMPLATE, **(context | {"csrf_token": lambda: marks["csrf"]})),
        {"csrf": generate_csrf()}), status


def _pdf_cache() -> PdfCache:
    cache = current_app.extensions.get("pdf_cache")
    if cache is None:
        cache = PdfCache(int(current_app.config["PDF_CACHE_SIZE"]))
        current_app.extensions["pdf_cache"] = cache
    return cache


@bp.get("/summary")
@with_summary
def summary(record: Any, s: Summary) -> Any:
    return _summary_page(record, s)


@bp.get("/summary/options/<option_id>")
@with_summary
def option_details(record: Any, s: Summary, option_id: str) -> Any:
    opt = next((o for o in s.options if o.id == option_id), None)
    if opt is None:
        abort(404)
    return render_template("patient/option_details.html", record=record, s=s, opt=opt,
                           print=False, full=False, crisis_prominent=s.item9_positive)


@bp.get("/summary/sources")
@with_summary
def summary_sources(record: Any, s: Summary) -> Any:
    return render_template("patient/sources.html", record=record, s=s, print=False, full=True,
                           crisis_prominent=s.item9_positive)


@bp.post("/summary/save")
def save() -> Any:
    if records.save_with_code() is None:
        return redirect(url_for("patient.resume_draft"), code=303)
    return redirect(url_for("patient.saved"), code=303)


@bp.get("/saved")
def saved() -> Any:
    record = _summary_record()
    if record is None or record.status != "saved":
        return redirect(url_for("patient.resume_draft"))
    code = records.session_code(first_view=True)
    return render_template("patient/saved.html", record=record, code=code,
                           crisis_prominent=record.flagged)


@bp.post("/summary/share")
def share() -> Any:
    record = _summary_record()
    if record is None or record.status != "saved":
        return redirect(url_for("patient.resume_draft"), code=303)
    form = ShareForm()
    if not form.validate():
        s = _typed(record)
        if s is None:
            return redirect(url_for("patient.check"), code=303)
        errors = first_errors(form)
        return _summary_page(record, s, 400, errors=errors, error_count=len(errors),
                             share_label=(request.form.get("label") or "")[:200],
                             error_anchors={"share": "f-share-yes", "label": "f-label"})
    record.shared = form.share.data == "yes"
    record.shared_at = datetime.now(UTC) if record.shared else None
    record.share_label = (form.label.data or None) if record.shared else None
    get_session().commit()
    audit.record("patient_share" if record.shared else "patient_unshare", actor="patient",
                 response_id=record.id)
    return redirect(url_for("patient.summary", _anchor="keep"), code=303)


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour;100 per day", methods=["POST"],
               deduct_when=lambda r: r.status_code != 303)
def resume() -> Any:
    if request.method == "GET":
        return render_template("patient/resume.html", errors={}, typed="")
    typed = (request.form.get("code") or "")[:64]
    record = records.find_by_code(typed) if typed.strip() else None
    if record is None:
        if typed.strip():
            audit.record("patient_open_failed", actor="anonymous", outcome="denied")
        message = (gettext("Enter your code") if not typed.strip() else
                   gettext("We could not find a summary with that code. "
                           "Check the code and try again"))
        return render_template("patient/resume.html", errors={"code": message}, error_count=1,
                               typed=typed, error_anchors={"code": "f-code"}), 400
    records.open_record(record)
    audit.record("patient_open", actor="patient", response_id=record.id)
    return redirect(url_for("patient.summary"), code=303)


@bp.get("/summary/print")
@with_summary
def print_view(record: Any, s: Summary) -> Any:
    return render_template("patient/print.html", record=record, s=s, print=True, full=_full(),
                           code=records.session_code(), printed_on=datetime.now(UTC))


@bp.get("/summary/pdf")
@with_summary
def pdf(record: Any, s: Summary) -> Any:
    code = records.session_code()
    full = _full()
    key = (record.id, str(record.version), "patient", "code" if code else "",
           "full" if full else "")
    cache = _pdf_cache()
    data = cache.get(key)
    if data is None:
        html = render_template("patient/pdf.html", record=record, s=s, print=True, full=full,
                               code=code, printed_on=datetime.now(UTC))
        data = render_pdf_isolated(html, Path(current_app.static_folder or "static"))
        cache.put(key, data)
    audit.record("patient_pdf", actor="patient", response_id=record.id)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        'attachment; filename="depression-treatment-options.pdf"')
    return response


@bp.route("/sure", methods=["GET", "POST"])
def sure() -> Any:
    record = _summary_record()
    if record is None:
        return redirect(url_for("patient.resume_draft"))
    instrument = records.content().instruments["sure"]
    if request.method == "GET":
        return render_template("patient/sure.html", instrument=instrument,
                               values=record.sure_answers or {}, errors={})
    form = sure_form(instrument.items)
    valid = form.validate()
    errors = first_errors(form)
    if not valid and not errors:
        abort(400)
    values = {name: str(form[name].data) for name in form.data
              if name.startswith("sure_") and name not in errors}
    if errors:
        return render_template("patient/sure.html", instrument=instrument, values=values,
                               errors=errors, error_count=len(errors),
                               error_anchors={k: f"f-{k}-yes" for k in errors}), 400
    record.sure_answers = values
    record.sure_score = sure_score(values)
    get_session().commit()
    return redirect(url_for("patient.summary", _anchor="sure-result"), code=303)


@bp.route("/delete", methods=["GET", "POST"])
def delete() -> Any:
    record = records.current()
    if record is None:
        return redirect(url_for("patient.start"))
    if request.method == "GET":
        return render_template("patient/delete.html", errors={})
    form = DeleteForm()
    if not form.validate():
        errors = first_errors(form)
        return render_template("patient/delete.html", errors=errors, error_count=len(errors),
                               error_anchors={"confirm": "f-confirm-yes"}), 400
    if form.confirm.data != "yes":
        return redirect(url_for("patient.summary") if record.summary_snapshot is not None
                        else url_for("patient.check"), code=303)
    record_id = record.id
    db = get_session()
    records.end_everywhere()
    db.delete(record)
    db.commit()
    cache = current_app.extensions.get("pdf_cache")
    if cache is not None:
        cache.drop(record_id)
    records.forget_summary(record_id)
    audit.record("patient_delete", actor="patient", response_id=record_id)
    lang = current_language()
    session.clear()
    response = redirect(url_for("patient.deleted", **_language_arg(lang)), code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def _language_arg(lang: str) -> dict[str, Any]:
    """The session (and its language) is gone: the next page keeps the language by its URL."""
    return {} if lang == "en" else {"lang": lang}


@bp.get("/deleted")
def deleted() -> str:
    return render_template("patient/deleted.html")


@bp.post("/finish")
def finish() -> WResponse:
    records.end_everywhere()
    lang = current_language()
    session.clear()
    response = redirect(url_for("patient.finished", **_language_arg(lang)), code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@bp.get("/finished")
def finished() -> str:
    return render_template("patient/finished.html")

