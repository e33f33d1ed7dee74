"""Error pages for the whole app, registered as app-wide handlers on an errors blueprint.

No page shows a traceback or an exception message (either could quote an answer); the log
line carries an error number that the page shows too. A blueprint can put its own handler in
front of these (the patient pages re-show what was typed) and fall back on the pages here.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import traceback
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from decision_aid.security.crypto import MissingKeyError
from decision_aid.serving.pdf import PdfTimeout
from decision_aid.storage.db import get_session

log = logging.getLogger("decision_aid")

bp = Blueprint("errors", __name__)

HTTP_TEMPLATES = {
    404: "errors/404.html",
    405: "errors/405.html",
    413: "errors/413.html",
    429: "errors/429.html",
}
# Werkzeug's names of the other codes, as errors/generic.html shows them, in the page's language.
HTTP_NAMES = {
    400: lazy_gettext("Bad Request"),
    401: lazy_gettext("Unauthorized"),
    403: lazy_gettext("Forbidden"),
    406: lazy_gettext("Not Acceptable"),
    408: lazy_gettext("Request Timeout"),
    410: lazy_gettext("Gone"),
    411: lazy_gettext("Length Required"),
    415: lazy_gettext("Unsupported Media Type"),
    416: lazy_gettext("Requested Range Not Satisfiable"),
    422: lazy_gettext("Unprocessable Entity"),
    431: lazy_gettext("Request Header Fields Too Large"),
    501: lazy_gettext("Not Implemented"),
}
DB_RETRY_AFTER = "5"
PDF_RETRY_AFTER = "10"


def new_error_id() -> str:
    return secrets.token_hex(4)


def _rollback() -> None:
    with contextlib.suppress(Exception):  # the page must render whatever the DB state
        get_session().rollback()


def csrf_page() -> tuple[str, int]:
    return render_template("errors/csrf.html"), 400


def database_unavailable_page(error_id: str) -> Response:
    resp = current_app.make_response(
        (render_template("errors/503.html", error_id=error_id), 503))
    resp.headers["Retry-After"] = DB_RETRY_AFTER
    return resp


def log_database_unavailable() -> str:
    error_id = new_error_id()
    log.error("database_unavailable error_id=%s path=%s", error_id, request.path)
    _rollback()
    return error_id


def conflict_page() -> tuple[str, int]:
    return render_template("patient/conflict.html", page_url=request.path), 409


def log_csrf_failure() -> None:
    log.info("csrf_failure path=%s", request.path)


@bp.app_errorhandler(CSRFError)
def csrf_error(_exc: CSRFError) -> tuple[str, int]:
    log_csrf_failure()
    return csrf_page()


@bp.app_errorhandler(OperationalError)
def database_unavailable(_exc: OperationalError) -> Response:
    return database_unavailable_page(log_database_unavailable())


@bp.app_errorhandler(StaleDataError)
def stale_write(_exc: StaleDataError) -> tuple[str, int]:
    # Another tab or device saved this record first (row version moved on): keep theirs.
    log.info("stale_write path=%s", request.path)
    _rollback()
    return conflict_page()


@bp.app_errorhandler(PdfTimeout)
def pdf_timeout(_exc: PdfTimeout) -> Response:
    error_id = new_error_id()
    log.error("pdf_timeout error_id=%s path=%s", error_id, request.path)
    resp = current_app.make_response(
        (render_template("errors/pdf_timeout.html", error_id=error_id), 503))
    resp.headers["Retry-After"] = PDF_RETRY_AFTER
    return resp


# The audit action for a refused open of one record, by the endpoint that tried it.
KEY_MISSING_ACTIONS = {
    "clinician.summary": "view",
    "clinician.summary_print": "print",
    "clinician.summary_pdf": "pdf",
    "clinician.mark_reviewed": "mark_reviewed",
}


@bp.app_errorhandler(MissingKeyError)
def data_key_missing(exc: MissingKeyError) -> Response:
    """A record saved under a data key DATA_KEYS no longer holds: a clear 503, an audit row
    naming the record (the patient pages have their own handler, in patient/records.py)."""
    from flask_login import current_user

    from decision_aid.security import audit

    error_id = new_error_id()
    record_id = getattr(exc, "record_id", None) or (request.view_args or {}).get("response_id")
    record_id = record_id if isinstance(record_id, str) and len(record_id) == 36 else None
    log.error("data_key_missing error_id=%s path=%s record=%s", error_id, request.path,
              record_id)
    _rollback()
    signed_in = bool(getattr(current_user, "is_authenticated", False))
    with contextlib.suppress(Exception):  # the page must show even if the audit write fails
        audit.record(KEY_MISSING_ACTIONS.get(request.endpoint or "", "patient_open_failed"),
                     actor=current_user.actor if signed_in else "anonymous",
                     clinician_id=int(current_user.id) if signed_in else None,
                     response_id=record_id, outcome="error", detail="data_key_missing")
    resp = current_app.make_response(
        (render_template("errors/data_key_missing.html", error_id=error_id), 503))
    resp.headers["Retry-After"] = DB_RETRY_AFTER
    return resp


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response | tuple[str, int]:
    code = exc.code or 500
    if isinstance(exc, SecurityError):
        # A Host outside ALLOWED_HOSTS: no URL can be built for it, so no template either.
        return Response("Bad request: this site does not answer to that host name.\n",
                        400, mimetype="text/plain")
    if code == 409:
        return conflict_page()
    template = HTTP_TEMPLATES.get(code, "errors/generic.html")
    description = str(HTTP_NAMES.get(code, exc.name))
    return render_template(template, code=code, description=description), code


@bp.app_errorhandler(InternalServerError)
def internal_error(exc: InternalServerError) -> Response | tuple[str, int]:
    # Flask wraps what escaped the other handlers (an error in an after_request hook, say)
    # in an InternalServerError: show the page that the original error deserves.
    original = exc.original_exception
    if isinstance(original, OperationalError):
        return database_unavailable(original)
    if isinstance(original, StaleDataError):
        return stale_write(original)
    return unexpected(original or exc)


@bp.app_errorhandler(Exception)
def unexpected(exc: BaseException) -> tuple[str, int]:
    error_id = new_error_id()
    # Frames only, never the exception message: it could quote an answer.
    frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}"
                        for f in reversed(traceback.extract_tb(exc.__traceback__)))
    log.error("unhandled_error error_id=%s type=%s path=%s at %s", error_id,
              type(exc).__name__, request.path, frames)
    _rollback()
    return render_template("errors/500.html", error_id=error_id), 500
