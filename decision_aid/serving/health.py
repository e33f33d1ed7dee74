"""GET /healthz: is the database reachable, and which content version is being served."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from decision_aid.storage.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
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
