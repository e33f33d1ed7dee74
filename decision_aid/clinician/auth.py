"""Clinician sign-in and sessions.

Flask keeps the session in a signed cookie, so signing out cannot delete it from the server.
Instead each sign-in stores the clinician's session_generation; signing out (or disabling the
account) bumps the counter, and the user loader refuses any session that carries an old one.
The same loader enforces the idle and absolute time limits from timestamps kept in the session.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from .. import audit
from ..db import get_session
from ..extensions import limiter
from ..models import AuditEvent, Clinician, utcnow
from ..passwords import MAX_LENGTH, dummy_hash, hash_password, needs_rehash, verify_password
from .blueprint import bp

SESSION_GEN = "clin_gen"
SESSION_START = "clin_start"
SESSION_SEEN = "clin_seen"
SESSION_OPENED = "clin_opened"
SESSION_NOTICE = "clin_notice"

LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
WARN_SECONDS = 120

FAILURE_MESSAGE = "Enter a correct email address and password"
MSG_EMAIL_EMPTY = "Enter your email address"
MSG_PASSWORD_EMPTY = "Enter your password"  # noqa: S105  # nosec B105

NOTICES = {
    "idle": "You were signed out because you had not done anything for {idle} minutes. "
    "Sign in again to continue.",
    "absolute": "You were signed out because you had been signed in for {hours} hours. "
    "Sign in again to continue.",
    "signed_out": "You have signed out.",
}

PUBLIC_ENDPOINTS = frozenset({"clinician.login"})

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
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.session_protection = "basic"


def _end_session(reason: str | None) -> None:
    session.clear()
    if reason:
        session[SESSION_NOTICE] = reason


@login_manager.user_loader
def load_user(user_id: str) -> ClinicianUser | None:
    try:
        clinician_id = int(user_id)
    except (TypeError, ValueError):
        _end_session(None)
        return None
    generation = session.get(SESSION_GEN)
    started = session.get(SESSION_START)
    seen = session.get(SESSION_SEEN)
    if not isinstance(generation, int) or not isinstance(started, (int, float)) or not isinstance(
        seen, (int, float)
    ):
        _end_session(None)
        return None
    now = time.time()
    if now - seen > _idle_seconds():
        _end_session("idle")
        return None
    if now - started > _absolute_seconds():
        _end_session("absolute")
        return None
    clinician = get_session().get(Clinician, clinician_id)
    if clinician is None or not clinician.active or clinician.session_generation != generation:
        _end_session(None)
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


@bp.before_request
def _require_clinician() -> BaseResponse | tuple[Response, int] | None:
    """Every clinician route needs a signed-in clinician unless it is listed as public."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


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


@bp.context_processor
def _clinician_context() -> dict[str, object]:
    if not current_user.is_authenticated:
        return {}
    return {"clinician_timing": session_timing()}


def safe_next(value: str | None) -> str | None:
    """Accept only a local clinician path: one leading '/', no scheme, host or backslash."""
    if not value or len(value) > 2000:
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        return None  # browsers drop tabs and newlines, which can turn "/\t/x" into "//x"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if parts.path != "/clinician" and not parts.path.startswith("/clinician/"):
        return None
    return value


def _failure_count(clinician: Clinician, now: datetime) -> int:
    since = now - LOCKOUT_WINDOW
    for marker in (clinician.last_login_at, clinician.locked_until):
        if marker is not None and as_utc(marker) <= now:
            since = max(since, as_utc(marker))
    stmt = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.clinician_id == clinician.id,
            AuditEvent.action == "sign_in_failed",
            AuditEvent.detail == "bad_password",
            AuditEvent.ts >= since,
        )
    )
    return int(get_session().scalar(stmt) or 0)


def authenticate(email: str, password: str) -> Clinician | None:
    """Check the password and the lockout; write exactly one sign-in audit row for a failure."""
    profile = str(current_app.config.get("PASSWORD_HASH_PROFILE", "default"))
    db = get_session()
    now = utcnow()
    clinician = db.scalars(select(Clinician).where(Clinician.email == email.lower())).first()

    def fail(detail: str, target: Clinician | None) -> None:
        audit.record(
            "sign_in_failed",
            actor="anonymous",
            clinician_id=target.id if target else None,
            outcome="denied",
            detail=detail,
        )

    if clinician is None or not clinician.active:
        verify_password(dummy_hash(profile), password[:MAX_LENGTH], profile)
        fail("unknown_account" if clinician is None else "disabled", clinician)
        return None
    if clinician.locked_until is not None and as_utc(clinician.locked_until) > now:
        verify_password(dummy_hash(profile), password[:MAX_LENGTH], profile)
        fail("locked", clinician)
        return None
    ok = len(password) <= MAX_LENGTH and verify_password(clinician.password_hash, password, profile)
    if not ok:
        clinician.failed_logins = (clinician.failed_logins or 0) + 1
        audit.record("sign_in_failed", actor="anonymous", clinician_id=clinician.id,
                     outcome="denied", detail="bad_password", commit=False)
        db.flush()
        if _failure_count(clinician, now) >= LOCKOUT_THRESHOLD:
            clinician.locked_until = now + LOCKOUT_DURATION
            minutes = LOCKOUT_DURATION // timedelta(minutes=1)
            audit.record("lockout", actor="anonymous", clinician_id=clinician.id,
                         outcome="denied", detail=f"minutes={minutes}", commit=False)
        db.commit()
        return None
    clinician.failed_logins = 0
    clinician.last_login_at = now
    if needs_rehash(clinician.password_hash, profile):
        clinician.password_hash = hash_password(password, profile)
    db.commit()
    return clinician


def start_session(clinician: Clinician) -> None:
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
    session.permanent = False


def _login_page(
    errors: dict[str, str], email: str, next_url: str | None, notice: str | None
) -> str:
    return render_template(
        "clinician/login.html",
        errors=errors,
        error_count=len(errors),
        email=email,
        next_url=next_url,
        notice=notice,
    )


def _notice_text(key: str | None) -> str | None:
    if key not in NOTICES:
        return None
    return NOTICES[str(key)].format(
        idle=current_app.config.get("CLINICIAN_IDLE_MINUTES", 15),
        hours=current_app.config.get("CLINICIAN_ABSOLUTE_HOURS", 12),
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=lambda r: r.status_code != 303)
def login() -> BaseResponse | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("clinician.dashboard"))
    next_url = safe_next(request.values.get("next"))
    notice = _notice_text(session.pop(SESSION_NOTICE, None))
    if request.method == "GET":
        return _login_page({}, "", next_url, notice)

    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = MSG_EMAIL_EMPTY
    if not password:
        errors["password"] = MSG_PASSWORD_EMPTY
    if errors:
        return _login_page(errors, email, next_url, None), 200
    clinician = authenticate(email[:254], password)
    if clinician is None:
        return _login_page({"email": FAILURE_MESSAGE}, email[:254], next_url, None), 200
    start_session(clinician)
    audit.record("sign_in", actor=f"clinician:{clinician.id}", clinician_id=clinician.id)
    return redirect(next_url or url_for("clinician.dashboard"), 303)


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    db = get_session()
    clinician = db.get(Clinician, int(current_user.id))
    if clinician is not None:
        clinician.session_generation = int(clinician.session_generation or 0) + 1
        db.commit()
    audit.record("sign_out", actor=current_user.actor, clinician_id=int(current_user.id))
    logout_user()
    _end_session("signed_out")
    return redirect(url_for("clinician.login"), 303)


@bp.post("/keep-alive")
def keep_alive() -> Response:
    """Called by the timeout warning's "Stay signed in" button; loading the user renews the
    idle timer."""
    return jsonify(session_timing())
