"""Passkeys (WebAuthn) through the `webauthn` package: register one, and sign in with one.

The browser calls these with fetch() from static/js/passkey.js (WebAuthn has no form-only
form). The relying party ID and origin come from WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN, or from the
request's host, which ALLOWED_HOSTS pins in production.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, request, session, url_for
from flask_login import current_user

from decision_aid.security import audit
from decision_aid.serving.extensions import limiter, second_factor_failures
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician, ClinicianFactor, utcnow

from . import mfa
from .auth import finish_sign_in
from .blueprint import bp
from .lockout import locked_until
from .mfa_signin import second_factor_failed
from .pending import clear_pending, enrolling_clinician, pending_clinician, pending_next
from .sessions import SESSION_NOTICE, start_session

if TYPE_CHECKING:  # webauthn (about 12 MB) loads at the first passkey request
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

CHALLENGE = "clin_webauthn"
MAX_BODY = 16 * 1024
MSG_FAILED = "That passkey did not work. Try again, or use a code instead"
MSG_EXPIRED = "Sign-in took too long. Sign in again"
RP_NAME = "Depression decision aid"


def rp_id() -> str:
    return str(current_app.config.get("WEBAUTHN_RP_ID") or urlsplit(request.host_url).hostname)


def origin() -> str:
    return str(current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/"))


def _json_options(options: Any, purpose: str) -> Response:
    from webauthn import options_to_json
    from webauthn.helpers import bytes_to_base64url

    session[CHALLENGE] = {"purpose": purpose, "value": bytes_to_base64url(options.challenge)}
    return Response(options_to_json(options), mimetype="application/json")


def _challenge(purpose: str) -> bytes | None:
    from webauthn import base64url_to_bytes

    value = session.pop(CHALLENGE, None)
    if not isinstance(value, dict) or value.get("purpose") != purpose:
        return None
    return base64url_to_bytes(str(value.get("value", "")))


def _credential() -> dict[str, Any] | None:
    if (request.content_length or 0) > MAX_BODY:
        return None
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _error(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=message), status


def _descriptors(clinician_id: int) -> list[PublicKeyCredentialDescriptor]:
    from webauthn import base64url_to_bytes
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(f.credential_id or ""))
            for f in mfa.factors(clinician_id, mfa.PASSKEY)]


@bp.post("/mfa/passkey/options")
@limiter.limit("20 per minute")
def passkey_login_options() -> Response | tuple[Response, int]:
    from webauthn import generate_authentication_options
    from webauthn.helpers.structs import UserVerificationRequirement

    clinician = pending_clinician("verify")
    if clinician is None:
        return _error(MSG_EXPIRED, 401)
    options = generate_authentication_options(
        rp_id=rp_id(), allow_credentials=_descriptors(clinician.id),
        user_verification=UserVerificationRequirement.PREFERRED)
    return _json_options(options, "login")


@bp.post("/mfa/passkey/verify")
def passkey_login_verify() -> Response | tuple[Response, int]:
    from webauthn import base64url_to_bytes, verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    clinician = pending_clinician("verify")
    if clinician is None:
        return _error(MSG_EXPIRED, 401)
    second_factor_failures.refuse_if_spent()
    challenge = _challenge("login")
    body = _credential()
    if challenge is None or body is None or locked_until(clinician.id) is not None:
        return _error(MSG_FAILED)
    factor = next((f for f in mfa.factors(clinician.id, mfa.PASSKEY)
                   if f.credential_id == body.get("rawId")), None)
    try:
        if factor is None:
            raise WebAuthnException("unknown credential")
        verified = verify_authentication_response(
            credential=body, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=base64url_to_bytes(factor.public_key or ""),
            credential_current_sign_count=int(factor.sign_count or 0))
    except (WebAuthnException, ValueError, KeyError, TypeError, json.JSONDecodeError):
        if second_factor_failed(clinician):
            clear_pending()
            session[SESSION_NOTICE] = "mfa_tries"
            return jsonify(redirect=url_for("clinician.login")), 400
        return _error(MSG_FAILED)
    factor.sign_count = int(verified.new_sign_count)
    factor.last_used_at = utcnow()
    get_session().commit()
    finish_sign_in(clinician, "passkey", pending_next())
    return jsonify(redirect=pending_next() or url_for("clinician.dashboard"))


@bp.post("/account/passkeys/options")
@limiter.limit("20 per minute")
def passkey_register_options() -> Response | tuple[Response, int]:
    from webauthn import generate_registration_options
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    clinician = enrolling_clinician()
    if clinician is None:
        return _error(MSG_EXPIRED, 401)
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=RP_NAME, user_name=clinician.email,
        user_id=f"clinician:{clinician.id}".encode(),
        exclude_credentials=_descriptors(clinician.id),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    return _json_options(options, "register")


@bp.post("/account/passkeys/verify")
@limiter.limit("10 per minute")
def passkey_register_verify() -> Response | tuple[Response, int]:
    from webauthn import verify_registration_response
    from webauthn.helpers.exceptions import WebAuthnException

    clinician = enrolling_clinician()
    if clinician is None:
        return _error(MSG_EXPIRED, 401)
    challenge = _challenge("register")
    body = _credential()
    if challenge is None or body is None:
        return _error(MSG_FAILED)
    try:
        verified = verify_registration_response(
            credential=body, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=origin())
    except (WebAuthnException, ValueError, KeyError, TypeError, json.JSONDecodeError):
        return _error(MSG_FAILED)
    label = str(body.get("label") or "Passkey")[:40]
    return jsonify(redirect=add_passkey(clinician, verified, label))


def add_passkey(clinician: Clinician, verified: Any, label: str) -> str:
    """Store the new passkey; finish a sign-in that was waiting for it. Returns where next."""
    from webauthn.helpers import bytes_to_base64url

    db = get_session()
    db.add(ClinicianFactor(
        clinician_id=clinician.id, kind=mfa.PASSKEY, label=label,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=int(verified.sign_count), confirmed_at=utcnow()))
    audit.record("mfa_enrolled", actor=f"clinician:{clinician.id}", clinician_id=clinician.id,
                 detail="passkey", commit=False)
    db.commit()
    if not current_user.is_authenticated:
        next_url = pending_next()
        start_session(clinician, "passkey")
        audit.record("sign_in", actor=f"clinician:{clinician.id}", clinician_id=clinician.id,
                     detail="passkey_enrolled")
        session["clin_after_setup"] = next_url or ""
    return url_for("clinician.account", added="passkey")
