"""The clinician's own account page: second factors, recovery codes and password change."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.security.passwords import (
    MAX_LENGTH,
    check_password,
    hash_password,
    verify_password,
)
from decision_aid.serving.extensions import limiter
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

from . import mfa
from .blueprint import bp
from .forms import PasswordChangeForm
from .lockout import _profile
from .sessions import SESSION_NOTICE, end_session

MSG_CURRENT_WRONG = "Enter your current password correctly"  # nosec B105
MSG_SAME = "Choose a new password that is different from the current one"  # nosec B105

ADDED = {"totp": "Your authenticator app is set up.", "passkey": "Your passkey is added."}
REMOVED = {"totp": "The authenticator app is removed.", "passkey": "The passkey is removed."}


def account_page(errors: dict[str, str]) -> str:
    cid = int(current_user.id)
    notice = ADDED.get(request.args.get("added", "")) or REMOVED.get(
        request.args.get("removed", ""))
    return render_template(
        "clinician/account.html", errors=errors, error_count=len(errors),
        factors=mfa.factors(cid), recovery_left=mfa.recovery_left(cid),
        required=mfa.required(), notice=notice,
        after_setup=bool(session.get("clin_after_setup")),
    )


@bp.get("/account")
def account() -> str:
    return account_page({})


def _password_page(errors: dict[str, str]) -> tuple[str, int]:
    return render_template("clinician/password.html", errors=errors,
                           error_count=len(errors)), 200


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=lambda r: r.status_code != 303)
def password_change() -> BaseResponse | tuple[str, int]:
    form = PasswordChangeForm()
    if not form.is_submitted():
        return _password_page({})
    if not form.validate():
        return _password_page(form.problems())
    db = get_session()
    clinician = db.get(Clinician, int(current_user.id))
    assert clinician is not None  # the user loader found this row a moment ago
    profile = _profile()
    current = form.current.data or ""
    if len(current) > MAX_LENGTH or not verify_password(clinician.password_hash, current,
                                                        profile):
        audit.record("password_change_failed", actor=current_user.actor,
                     clinician_id=clinician.id, outcome="denied", detail="wrong_current")
        return _password_page({"current": MSG_CURRENT_WRONG})
    new = form.new.data or ""
    problem = check_password(new, email=clinician.email)
    if problem is None and verify_password(clinician.password_hash, new, profile):
        problem = MSG_SAME
    if problem:
        return _password_page({"new": problem})
    clinician.password_hash = hash_password(new, profile)
    # Every session, this one included, ends: a stolen session cannot outlive the change.
    clinician.session_generation = int(clinician.session_generation or 0) + 1
    audit.record("password_changed", actor=current_user.actor, clinician_id=clinician.id,
                 commit=False)
    db.commit()
    logout_user()
    end_session("password_changed")
    session[SESSION_NOTICE] = "password_changed"
    return redirect(url_for("clinician.login"), 303)
