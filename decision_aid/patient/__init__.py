"""Patient blueprint: the question journey, the summary, and keeping, sharing and deleting it."""

from flask import Blueprint

bp = Blueprint("patient", __name__)

from . import info, journey, keep  # noqa: E402,F401  (views register on bp)

CSRF_MESSAGE = ("This page was open for a long time, so we could not save it. "
                "Your answers are below: check them and select Continue again.")
DB_MESSAGE = ("We could not save this page just now. Nothing you typed is lost: "
              "your answers are below. Select Continue again in a moment. (Error {})")


@bp.record_once
def _register_recovery(state) -> None:  # type: ignore[no-untyped-def]
    from .journey import recover_page_after_failure

    def csrf_recover(_exc):  # type: ignore[no-untyped-def]
        return recover_page_after_failure(CSRF_MESSAGE, 400)

    def db_recover(error_id: str):  # type: ignore[no-untyped-def]
        response = recover_page_after_failure(DB_MESSAGE.format(error_id), 503)
        if response is not None:
            response.headers["Retry-After"] = "5"
        return response

    state.app.extensions["csrf_recover"] = csrf_recover
    state.app.extensions["db_recover"] = db_recover
