"""Second factors: the policy, TOTP (authenticator apps) and single-use recovery codes.

TOTP follows RFC 6238 through pyotp (30-second steps, 6 digits, one step of clock drift either
way); a code is refused once its step has been used. Recovery codes carry 50 random bits each
and are kept only as keyed hashes, so a database copy does not reveal them.
"""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from decision_aid.security.crypto import keyed_hash
from decision_aid.storage.db import get_session
from decision_aid.storage.models import ClinicianFactor, RecoveryCode, utcnow

TOTP = "totp"
PASSKEY = "passkey"
ISSUER = "Depression decision aid"
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 10
STEP_SECONDS = 30
_LOOKALIKES = str.maketrans("ILO", "110")


def required() -> bool:
    """CLINICIAN_MFA_REQUIRED: on by default in production, off elsewhere unless set."""
    return bool(current_app.config.get("CLINICIAN_MFA_REQUIRED", False))


def factors(clinician_id: int, kind: str | None = None) -> list[ClinicianFactor]:
    """Confirmed factors only: an authenticator app counts once a code from it has worked."""
    stmt = select(ClinicianFactor).where(
        ClinicianFactor.clinician_id == clinician_id,
        ClinicianFactor.confirmed_at.is_not(None),
    )
    if kind:
        stmt = stmt.where(ClinicianFactor.kind == kind)
    return list(get_session().scalars(stmt.order_by(ClinicianFactor.id)))


def has_factor(clinician_id: int) -> bool:
    return bool(factors(clinician_id))


# --- TOTP ---------------------------------------------------------------------------------


def pending_totp(clinician_id: int) -> ClinicianFactor:
    """The authenticator app being set up (made once, kept until confirmed or replaced)."""
    db = get_session()
    factor = db.scalars(
        select(ClinicianFactor).where(
            ClinicianFactor.clinician_id == clinician_id,
            ClinicianFactor.kind == TOTP,
            ClinicianFactor.confirmed_at.is_(None),
        )
    ).first()
    if factor is None:
        factor = ClinicianFactor(clinician_id=clinician_id, kind=TOTP, label="",
                                 secret={"base32": pyotp.random_base32()}, sign_count=0)
        db.add(factor)
        db.commit()
    return factor


def totp_secret(factor: ClinicianFactor) -> str:
    return str((factor.secret or {}).get("base32", ""))


def provisioning_uri(factor: ClinicianFactor, email: str) -> str:
    return pyotp.TOTP(totp_secret(factor)).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src), dark on white."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))


def grouped_secret(factor: ClinicianFactor) -> str:
    secret = totp_secret(factor)
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def check_totp(factor: ClinicianFactor, code: str, now: float | None = None) -> bool:
    """True for a code from this step or one either side, never for a step already used."""
    code = code.replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(totp_secret(factor))
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if factor.last_step is not None and step <= factor.last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            factor.last_step = step
            factor.last_used_at = utcnow()
            return True
    return False


def matching_totp(clinician_id: int, code: str) -> ClinicianFactor | None:
    for factor in factors(clinician_id, TOTP):
        if check_totp(factor, code):
            return factor
    return None


# --- recovery codes ------------------------------------------------------------------------


def _recovery_hash(code: str) -> str:
    return keyed_hash(str(current_app.config["CODE_PEPPER"]), "recovery:" + code)


def normalise_recovery(typed: str) -> str | None:
    cleaned = typed.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in cleaned):
        return None
    return cleaned


def new_recovery_codes(clinician_id: int) -> list[str]:
    """Replace every recovery code with a fresh set; return them for showing once."""
    db = get_session()
    db.execute(delete(RecoveryCode).where(RecoveryCode.clinician_id == clinician_id))
    made = []
    for _ in range(RECOVERY_COUNT):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.add(RecoveryCode(clinician_id=clinician_id, code_hash=_recovery_hash(code)))
        made.append(f"{code[:5]}-{code[5:]}")
    return made


def use_recovery_code(clinician_id: int, typed: str) -> bool:
    """Spend a matching unused code (single use). The caller commits."""
    code = normalise_recovery(typed)
    if code is None:
        return False
    row = get_session().scalars(
        select(RecoveryCode).where(
            RecoveryCode.clinician_id == clinician_id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def recovery_left(clinician_id: int) -> int:
    return len(list(get_session().scalars(
        select(RecoveryCode.id).where(RecoveryCode.clinician_id == clinician_id,
                                      RecoveryCode.used_at.is_(None)))))


def drop_recovery_codes(clinician_id: int) -> None:
    get_session().execute(delete(RecoveryCode).where(RecoveryCode.clinician_id == clinician_id))
