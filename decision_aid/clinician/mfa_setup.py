"""Setting up and removing second factors, and making new recovery codes.

Reached from the account page, or straight after the password when the clinic requires a
second factor and the account has none yet (then finishing set-up finishes the sign-in).
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.serving.extensions import limiter
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician, ClinicianFactor, utcnow

from . import mfa
from .blueprint import bp
from .forms import ClinicianForm, TotpSetupForm
from .pending import enrolling_clinician, pending_next
from .sessions import SESSION_NOTICE, start_session

MAX_ID = 2**31 - 1
MSG_TOTP_WRONG = "That code did not work. Check the time on your phone, then enter the new code"
MSG_LAST_FACTOR = ("Your clinic requires a second factor. Add another one before you remove "
                   "this one")


def _setup_page(clinician: Clinician, errors: dict[str, str], label: str = "") -> tuple[str, int]:
    factor = mfa.pending_totp(clinician.id)
    uri = mfa.provisioning_uri(factor, clinician.email)
    return render_template(
        "clinician/mfa_setup.html", errors=errors, error_count=len(errors),
        qr=mfa.qr_data_uri(uri), secret=mfa.grouped_secret(factor), label=label,
        enrolling=not current_user.is_authenticated, required=mfa.required(),
    ), 200


def _expired() -> BaseResponse:
    session[SESSION_NOTICE] = "mfa_expired"
    return redirect(url_for("clinician.login"), 303)


@bp.get("/mfa/setup")
def mfa_setup() -> BaseResponse | tuple[str, int]:
    clinician = enrolling_clinician()
    if clinician is None:
        return _expired()
    return _setup_page(clinician, {})


def recovery_page(clinician: Clinician, next_url: str | None) -> str:
    codes = mfa.new_recovery_codes(clinician.id)
    audit.record("mfa_recovery_new", actor=f"clinician:{clinician.id}",
                 clinician_id=clinician.id, detail=f"count={len(codes)}", commit=False)
    get_session().commit()
    return render_template("clinician/recovery_codes.html", codes=codes,
                           next_url=next_url or url_for("clinician.account"))


@bp.post("/mfa/setup")
@limiter.limit("10 per minute")
def totp_confirm() -> BaseResponse | tuple[str, int] | str:
    clinician = enrolling_clinician()
    if clinician is None:
        return _expired()
    form = TotpSetupForm()
    label = (form.label.data or "")[:40]
    if not form.validate():
        return _setup_page(clinician, form.problems(), label)
    factor = mfa.pending_totp(clinician.id)
    if not mfa.check_totp(factor, form.code.data or ""):
        audit.record("mfa_enrol_failed", actor=f"clinician:{clinician.id}",
                     clinician_id=clinician.id, outcome="denied", detail="totp")
        return _setup_page(clinician, {"code": MSG_TOTP_WRONG}, label)
    first = not mfa.has_factor(clinician.id)
    factor.confirmed_at = utcnow()
    factor.label = label or "Authenticator app"
    audit.record("mfa_enrolled", actor=f"clinician:{clinician.id}", clinician_id=clinician.id,
                 detail="totp", commit=False)
    db = get_session()
    db.commit()
    next_url = None
    if not current_user.is_authenticated:
        next_url = pending_next()
        start_session(clinician, "totp")
        audit.record("sign_in", actor=f"clinician:{clinician.id}", clinician_id=clinician.id,
                     detail="totp_enrolled")
    if first or mfa.recovery_left(clinician.id) == 0:
        return recovery_page(clinician, next_url or url_for("clinician.dashboard"))
    return redirect(url_for("clinician.account", added="totp"), 303)


@bp.post("/account/recovery-codes")
def recovery_codes_new() -> BaseResponse | str:
    clinician = get_session().get(Clinician, int(current_user.id))
    if clinician is None or not mfa.has_factor(clinician.id):
        return redirect(url_for("clinician.account"), 303)
    ClinicianForm()  # nothing to read: the CSRF token was checked for this POST
    return recovery_page(clinician, None)


@bp.post("/account/factors/<int:factor_id>/remove")
def factor_remove(factor_id: int) -> BaseResponse | tuple[str, int]:
    db = get_session()
    cid = int(current_user.id)
    if not 0 < factor_id <= MAX_ID:  # beyond every id, and beyond what the database can bind
        return redirect(url_for("clinician.account"), 303)
    factor = db.get(ClinicianFactor, factor_id)
    if factor is None or factor.clinician_id != cid or factor.confirmed_at is None:
        return redirect(url_for("clinician.account"), 303)
    if mfa.required() and len(mfa.factors(cid)) <= 1:
        from .account import account_page

        return account_page({"factors": MSG_LAST_FACTOR}), 200
    kind = factor.kind
    db.delete(factor)
    db.flush()
    if not mfa.factors(cid):
        mfa.drop_recovery_codes(cid)
    audit.record("mfa_removed", actor=current_user.actor, clinician_id=cid, detail=kind,
                 commit=False)
    db.commit()
    return redirect(url_for("clinician.account", removed=kind), 303)


@bp.get("/account/setup-done")
def after_setup() -> BaseResponse:
    target = session.pop("clin_after_setup", "") or request.args.get("next", "")
    from .auth import safe_next

    return redirect(safe_next(str(target)) or url_for("clinician.dashboard"), 303)
