"""Clinician sessions: the signed-in user, its time limits, and server-side revocation.

Flask keeps the session in a signed cookie, so signing out cannot delete it from the server.
Instead each sign-in stores the clinician's session_generation; signing out (or disabling the
account, or changing the password) bumps the counter, and the user loader refuses any session
that carries an old one. The same loader enforces the idle and absolute time limits from
timestamps kept in the session.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, login_user
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

SESSION_GEN = "clin_gen"
SESSION_START = "clin_start"
SESSION_SEEN = "clin_seen"
SESSION_OPENED = "clin_opened"
SESSION_NOTICE = "clin_notice"
SESSION_FACTOR = "clin_factor"

WARN_SECONDS = 120

login_manager = LoginManager()


class ClinicianUser(UserMixin):
    """The signed-in clinician for this request (a plain value, not a database row)."""

    def __init__(self, clinician_id: int, email: str, is_admin: bool) -> None:
        self.id = clinician_id
        self.email = email
        self.is_admin = is_admin

    @property
    def actor(self) -> str:
        return f"clinician:{self.id}"


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _idle_seconds() -> int:
    return int(current_app.config.get("CLINICIAN_IDLE_MINUTES", 15)) * 60


def _absolute_seconds() -> int:
    return int(current_app.config.get("CLINICIAN_ABSOLUTE_HOURS", 12)) * 3600


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "clinician.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"


def end_session(reason: str | None) -> None:
    session.clear()
    if reason:
        session[SESSION_NOTICE] = reason


@login_manager.user_loader
def load_user(user_id: str) -> ClinicianUser | None:
    if g.get("clinician_lookup_failed"):
        return None
    try:
        clinician_id = int(user_id)
    except (TypeError, ValueError):
        end_session(None)
        return None
    generation = session.get(SESSION_GEN)
    started = session.get(SESSION_START)
    seen = session.get(SESSION_SEEN)
    if not isinstance(generation, int) or not isinstance(started, (int, float)) or not isinstance(
        seen, (int, float)
    ):
        end_session(None)
        return None
    now = time.time()
    if now - seen > _idle_seconds():
        end_session("idle")
        return None
    if now - started > _absolute_seconds():
        end_session("absolute")
        return None
    try:
        clinician = get_session().get(Clinician, clinician_id)
    except OperationalError:
        # The 503 page asks for current_user again; it must then render as signed out
        # instead of failing a second time (which left only the server's bare error page).
        g.clinician_lookup_failed = True
        raise
    if clinician is None or not clinician.active or clinician.session_generation != generation:
        end_session(None)
        return None
    session[SESSION_SEEN] = now
    return ClinicianUser(clinician.id, clinician.email, bool(clinician.is_admin))


@login_manager.unauthorized_handler
def _unauthorized() -> BaseResponse | tuple[Response, int]:
    if request.endpoint == "clinician.keep_alive":
        return jsonify(signed_in=False), 401
    target = None
    if request.method == "GET":
        target = request.full_path if request.query_string else request.path
    return redirect(url_for("clinician.login", next=target))


def session_timing() -> dict[str, int | bool]:
    """Seconds until this session ends, and whether activity can push that back."""
    now = time.time()
    idle_left = _idle_seconds() - (now - float(session.get(SESSION_SEEN, now)))
    absolute_left = _absolute_seconds() - (now - float(session.get(SESSION_START, now)))
    return {
        "expires_in": max(0, math.ceil(min(idle_left, absolute_left))),
        "renewable": idle_left <= absolute_left,
        "warn_seconds": WARN_SECONDS,
    }


def start_session(clinician: Clinician, factor: str = "password") -> None:
    """A new session (nothing carried over from before sign-in), tied to this generation."""
    session.clear()
    login_user(
        ClinicianUser(clinician.id, clinician.email, bool(clinician.is_admin)),
        remember=False,
        fresh=True,
    )
    now = time.time()
    session[SESSION_GEN] = int(clinician.session_generation or 0)
    session[SESSION_START] = now
    session[SESSION_SEEN] = now
    session[SESSION_FACTOR] = factor
    session.permanent = False
