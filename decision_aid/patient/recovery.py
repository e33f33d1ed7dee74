"""When a question page's POST fails (CSRF token expired, database away), show the page again
with what was typed and a notice, instead of the app-wide error page."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext, lazy_gettext  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from decision_aid.serving import errors

from .blueprint import bp
from .journey import recover_page_after_failure

CSRF_MESSAGE = lazy_gettext("This page was open for a long time, so we could not save it. "
                            "Your answers are below: check them and select Continue again.")


@bp.errorhandler(CSRFError)
def csrf_error(_exc: CSRFError) -> Response | tuple[str, int]:
    errors.log_csrf_failure()
    page = recover_page_after_failure(str(CSRF_MESSAGE), 400)
    return page if page is not None else errors.csrf_page()


@bp.errorhandler(OperationalError)
def database_unavailable(_exc: OperationalError) -> Response:
    error_id = errors.log_database_unavailable()
    message = gettext("We could not save this page just now. Nothing you typed is lost: "
                      "your answers are below. Select Continue again in a moment. "
                      "(Error %(error)s)", error=error_id)
    page = recover_page_after_failure(message, 503)
    if page is None:
        return errors.database_unavailable_page(error_id)
    page.headers["Retry-After"] = errors.DB_RETRY_AFTER
    return page
