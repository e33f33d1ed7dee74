"""The second step of sign-in: a code from the authenticator app or a recovery code (no
JavaScript needed), or a passkey (see mfa_passkeys.py)."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.serving.extensions import second_factor_failures
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

from . import mfa
from .auth import finish_sign_in
from .blueprint import bp
from .forms import SecondFactorForm
from .lockout import locked_until, record_failure
from .pending import MAX_TRIES, clear_pending, count_try, pending_clinician, pending_next
from .sessions import SESSION_NOTICE

MSG_CODE_WRONG = "That code did not work. Check it and try again"
MSG_LOCKED = "Too many wrong tries. Wait a few minutes, then try again"


def _page(clinician: Clinician, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    passkeys = mfa.factors(clinician.id, mfa.PASSKEY)
    has_totp = bool(mfa.factors(clinician.id, mfa.TOTP))
    return render_template("clinician/mfa.html", errors=errors, error_count=len(errors),
                           has_passkey=bool(passkeys), has_totp=has_totp,
                           recovery_left=mfa.recovery_left(clinician.id)), status


def back_to_sign_in(notice: str) -> BaseResponse:
    clear_pending()
    session[SESSION_NOTICE] = notice
    return redirect(url_for("clinician.login"), 303)


def second_factor_failed(clinician: Clinician) -> bool:
    """Count a wrong factor; True when this sign-in has used up its tries."""
    record_failure(clinician, "bad_second_factor")
    spent = count_try() >= MAX_TRIES
    second_factor_failures.spend()
    return spent


@bp.route("/mfa", methods=["GET", "POST"])
def mfa_challenge() -> BaseResponse | tuple[str, int]:
    clinician = pending_clinician("verify")
    if clinician is None:
        return back_to_sign_in("mfa_expired")
    form = SecondFactorForm()
    if not form.is_submitted():
        return _page(clinician, {})
    if not form.validate():
        return _page(clinician, form.problems())
    second_factor_failures.refuse_if_spent()
    if locked_until(clinician.id) is not None:
        audit.record("sign_in_failed", actor="anonymous", clinician_id=clinician.id,
                     outcome="denied", detail="locked")
        return _page(clinician, {"code": MSG_LOCKED})
    code = form.code.data or ""
    factor = mfa.matching_totp(clinician.id, code)
    if factor is not None:
        get_session().commit()
        return finish_sign_in(clinician, "totp", pending_next())
    if mfa.use_recovery_code(clinician.id, code):
        left = mfa.recovery_left(clinician.id)
        audit.record("mfa_recovery_used", actor=f"clinician:{clinician.id}",
                     clinician_id=clinician.id, detail=f"left={left}")
        return finish_sign_in(clinician, "recovery", pending_next())
    if second_factor_failed(clinician):
        return back_to_sign_in("mfa_tries")
    return _page(clinician, {"code": MSG_CODE_WRONG})
