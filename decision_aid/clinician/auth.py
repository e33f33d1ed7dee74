"""Clinician sign-in (password, then a second factor when the account has one or the clinic
requires one), sign-out, the keep-alive call, and the rule that every other route needs a
signed-in clinician. Sessions live in sessions.py; the password check and lockout in lockout.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.serving.extensions import sign_in_failures
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

from . import mfa
from .blueprint import bp
from .forms import SignInForm
from .lockout import authenticate
from .pending import begin_pending
from .sessions import (
    SESSION_NOTICE,
    SESSION_OPENED,
    ClinicianUser,
    as_utc,
    end_session,
    login_manager,
    session_timing,
    start_session,
)

__all__ = ["SESSION_OPENED", "ClinicianUser", "as_utc", "safe_next"]

FAILURE_MESSAGE = "Enter a correct email address and password"

NOTICES = {
    "idle": "You were signed out because you had not done anything for {idle} minutes. "
    "Sign in again to continue.",
    "absolute": "You were signed out because you had been signed in for {hours} hours. "
    "Sign in again to continue.",
    "signed_out": "You have signed out.",
    "password_changed": "Your password has changed. Sign in with the new password.",
    "mfa_tries": "That did not work too many times. Sign in again.",
    "mfa_expired": "Sign-in took too long. Sign in again.",
}

# The second-factor and enrolment steps check the half-finished sign-in themselves.
PUBLIC_ENDPOINTS = frozenset({
    "clinician.login", "clinician.mfa_challenge", "clinician.passkey_login_options",
    "clinician.passkey_login_verify", "clinician.mfa_setup", "clinician.totp_confirm",
    "clinician.passkey_register_options", "clinician.passkey_register_verify",
    "clinician.recovery_codes_shown",
})


@bp.before_request
def _require_clinician() -> BaseResponse | tuple[Response, int] | None:
    """Every clinician route needs a signed-in clinician unless it is listed as public."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        denied: BaseResponse | tuple[Response, int] = login_manager.unauthorized()
        return denied
    return None


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


def notice_text(key: object) -> str | None:
    if not isinstance(key, str) or key not in NOTICES:
        return None
    return NOTICES[key].format(
        idle=current_app.config.get("CLINICIAN_IDLE_MINUTES", 15),
        hours=current_app.config.get("CLINICIAN_ABSOLUTE_HOURS", 12),
    )


def finish_sign_in(clinician: Clinician, factor: str, next_url: str | None) -> BaseResponse:
    start_session(clinician, factor)
    audit.record("sign_in", actor=f"clinician:{clinician.id}", clinician_id=clinician.id,
                 detail=factor)
    return redirect(safe_next(next_url) or url_for("clinician.dashboard"), 303)


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("clinician.dashboard"))
    next_url = safe_next(request.values.get("next"))
    notice = notice_text(session.pop(SESSION_NOTICE, None))
    if request.method == "GET":
        return _login_page({}, "", next_url, notice)

    form = SignInForm()
    email = (form.email.data or "")[:254]
    if not form.validate():
        return _login_page(form.problems(), email, next_url, None), 200
    sign_in_failures.refuse_if_spent()
    clinician = authenticate(email, form.password.data or "")
    if clinician is None:
        sign_in_failures.spend()
        return _login_page({"email": FAILURE_MESSAGE}, email, next_url, None), 200
    if mfa.has_factor(clinician.id):
        begin_pending(clinician, "verify", next_url)
        return redirect(url_for("clinician.mfa_challenge"), 303)
    if mfa.required():
        begin_pending(clinician, "enrol", next_url)
        return redirect(url_for("clinician.mfa_setup"), 303)
    return finish_sign_in(clinician, "password", next_url)


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    db = get_session()
    clinician = db.get(Clinician, int(current_user.id))
    if clinician is not None:
        clinician.session_generation = int(clinician.session_generation or 0) + 1
        db.commit()
    audit.record("sign_out", actor=current_user.actor, clinician_id=int(current_user.id))
    logout_user()
    end_session("signed_out")
    return redirect(url_for("clinician.login"), 303)


@bp.post("/keep-alive")
def keep_alive() -> Response:
    """Called by the timeout warning's "Stay signed in" button; loading the user renews the
    idle timer."""
    return jsonify(session_timing())
