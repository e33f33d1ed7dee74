"""Cross-cutting web setup: headers, proxies, error pages, health check, template globals."""

from __future__ import annotations

import contextlib
import logging
import secrets
import traceback
from datetime import date
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from .content import OPTION_FIELDS
from .db import get_session
from .extensions import init_extensions
from .pdf import PdfTimeout

log = logging.getLogger("decision_aid")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def init_web(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    init_extensions(app)
    if app.config.get("APP_ENV") == "production" and str(
            app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        # Each worker process would count on its own, multiplying every limit by the workers.
        log.warning("rate_limit_storage=memory: set RATELIMIT_STORAGE_URI to a shared Redis")
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    _register_errors(app)

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        content = current_app.extensions["content"]
        try:
            get_session().execute(text("SELECT 1"))
            db_ok = True
        except OperationalError:
            db_ok = False
        body = {
            "status": "ok" if db_ok else "degraded",
            "database": "reachable" if db_ok else "unreachable",
            "content_version": content.meta.version,
        }
        return jsonify(body), 200 if db_ok else 503


def _security_headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["X-Frame-Options"] = "DENY"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.is_secure:
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Anything that is not a static asset may show answers: never store it anywhere.
    if not request.path.startswith("/static/"):
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
    h.pop("Server", None)
    return response


PRIORITY_RATINGS = {
    "0": "0 out of 4 (does not matter)",
    "1": "1 out of 4",
    "2": "2 out of 4",
    "3": "3 out of 4",
    "4": "4 out of 4 (matters a lot)",
    "not_sure": "Not sure",
}


def priority_label(rating: str | None) -> str:
    return PRIORITY_RATINGS.get(rating or "", "Not answered")


def _template_globals() -> dict[str, object]:
    content = current_app.extensions["content"]
    return {
        "content_meta": content.meta,
        "crisis": content.crisis,
        "review_overdue": content.meta.next_review < date.today(),
        "option_fields": OPTION_FIELDS,
        "priority_label": priority_label,
    }


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        log.info("csrf_failure path=%s", request.path)
        handler = current_app.extensions.get("csrf_recover")
        if handler is not None:
            recovered = handler(exc)
            if recovered is not None:
                return recovered
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(OperationalError)
    def db_unavailable(exc: OperationalError):  # type: ignore[no-untyped-def]
        error_id = secrets.token_hex(4)
        log.error("database_unavailable error_id=%s path=%s", error_id, request.path)
        get_session().rollback()
        handler = current_app.extensions.get("db_recover")
        if handler is not None:
            recovered = handler(error_id)
            if recovered is not None:
                return recovered
        resp = current_app.make_response(
            (render_template("errors/503.html", error_id=error_id), 503)
        )
        resp.headers["Retry-After"] = "5"
        return resp

    @app.errorhandler(StaleDataError)
    def stale_write(_exc: StaleDataError):  # type: ignore[no-untyped-def]
        # Another tab or device saved this record first (row version moved on): keep theirs.
        log.info("stale_write path=%s", request.path)
        get_session().rollback()
        return _conflict_page()

    @app.errorhandler(PdfTimeout)
    def pdf_timeout(exc: PdfTimeout):  # type: ignore[no-untyped-def]
        error_id = secrets.token_hex(4)
        log.error("pdf_timeout error_id=%s path=%s", error_id, request.path)
        resp = current_app.make_response(
            (render_template("errors/pdf_timeout.html", error_id=error_id), 503))
        resp.headers["Retry-After"] = "10"
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = exc.code or 500
        if isinstance(exc, SecurityError):
            # A Host outside ALLOWED_HOSTS: no URL can be built for it, so no template either.
            return Response("Bad request: this site does not answer to that host name.\n",
                            400, mimetype="text/plain")
        if code == 409:
            return _conflict_page()
        template = {
            404: "errors/404.html",
            405: "errors/405.html",
            413: "errors/413.html",
            429: "errors/429.html",
        }.get(code, "errors/generic.html")
        return render_template(template, code=code, description=exc.name), code

    def _conflict_page() -> tuple[str, int]:
        return render_template("patient/conflict.html", page_url=request.path), 409

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        error_id = secrets.token_hex(4)
        # Frames only, never the exception message: it could quote an answer.
        frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}"
                            for f in reversed(traceback.extract_tb(exc.__traceback__)))
        log.error("unhandled_error error_id=%s type=%s path=%s at %s", error_id,
                  type(exc).__name__, request.path, frames)
        with contextlib.suppress(Exception):  # the page must render whatever the DB state
            get_session().rollback()
        return render_template("errors/500.html", error_id=error_id), 500
