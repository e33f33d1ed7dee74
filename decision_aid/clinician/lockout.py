"""Password checks and the lockout: per account and network address, with a delay that grows.

Failures are counted from the audit trail for one account from one address (the same /24 or /48
the audit row keeps). Five in 15 minutes lock that account for that address only, for 1 minute,
then 2, 4, 8, at most 15: guessing is slowed, yet a colleague elsewhere still signs in, and
nobody can keep an account closed for long. A success from that address starts the count again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from decision_aid.security import audit
from decision_aid.security.passwords import (
    MAX_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, Clinician, utcnow

from .sessions import as_utc

LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(minutes=15)
COUNTED = ("bad_password", "bad_second_factor")


def _profile() -> str:
    return str(current_app.config.get("PASSWORD_HASH_PROFILE", "default"))


def _recent_failures(clinician_id: int, address: str | None, now: datetime) -> list[datetime]:
    db = get_session()
    here = AuditEvent.ip.is_(None) if address is None else AuditEvent.ip == address
    since = now - LOCKOUT_WINDOW
    last_ok = db.scalar(
        select(func.max(AuditEvent.ts)).where(
            AuditEvent.clinician_id == clinician_id, AuditEvent.action == "sign_in", here
        )
    )
    if last_ok is not None:
        since = max(since, as_utc(last_ok))
    stmt = (
        select(AuditEvent.ts)
        .where(
            AuditEvent.clinician_id == clinician_id,
            AuditEvent.action == "sign_in_failed",
            AuditEvent.detail.in_(COUNTED),
            AuditEvent.ts >= since,
            here,
        )
        .order_by(AuditEvent.ts)
    )
    return [as_utc(ts) for ts in db.scalars(stmt)]


def delay_after(failures: int) -> timedelta:
    steps = max(0, failures - LOCKOUT_THRESHOLD)
    delay: timedelta = FIRST_DELAY * (2 ** min(steps, 8))
    return min(MAX_DELAY, delay)


def locked_until(clinician_id: int, now: datetime | None = None) -> datetime | None:
    """When this account opens again for this request's address, if it is locked now."""
    now = now or utcnow()
    failures = _recent_failures(clinician_id, audit.truncated_ip(), now)
    if len(failures) < LOCKOUT_THRESHOLD:
        return None
    until = failures[-1] + delay_after(len(failures))
    return until if until > now else None


def record_failure(clinician: Clinician, detail: str) -> None:
    """One failed password or second factor; writes a lockout row when it locks the account."""
    db = get_session()
    now = utcnow()
    clinician.failed_logins = (clinician.failed_logins or 0) + 1
    audit.record("sign_in_failed", actor="anonymous", clinician_id=clinician.id,
                 outcome="denied", detail=detail, commit=False)
    db.flush()
    failures = _recent_failures(clinician.id, audit.truncated_ip(), now)
    if len(failures) >= LOCKOUT_THRESHOLD:
        seconds = int(delay_after(len(failures)).total_seconds())
        audit.record("lockout", actor="anonymous", clinician_id=clinician.id,
                     outcome="denied", detail=f"seconds={seconds}", commit=False)
    db.commit()


def authenticate(email: str, password: str) -> Clinician | None:
    """Check the password and the lockout; write exactly one sign-in audit row for a failure.

    Every path runs argon2 once on at most MAX_LENGTH characters, so the time taken does not
    tell whether the address has an account (a long password no longer skips the hash).
    """
    profile = _profile()
    db = get_session()
    clinician = db.scalars(select(Clinician).where(Clinician.email == email.lower())).first()

    def fail(detail: str, target: Clinician | None) -> None:
        audit.record("sign_in_failed", actor="anonymous",
                     clinician_id=target.id if target else None, outcome="denied", detail=detail)

    if clinician is None or not clinician.active:
        verify_password(dummy_hash(profile), password[:MAX_LENGTH], profile)
        fail("unknown_account" if clinician is None else "disabled", clinician)
        return None
    if locked_until(clinician.id) is not None:
        verify_password(dummy_hash(profile), password[:MAX_LENGTH], profile)
        fail("locked", clinician)
        return None
    if len(password) > MAX_LENGTH:
        verify_password(dummy_hash(profile), password[:MAX_LENGTH], profile)
        ok = False
    else:
        ok = verify_password(clinician.password_hash, password, profile)
    if not ok:
        record_failure(clinician, "bad_password")
        return None
    clinician.failed_logins = 0
    clinician.last_login_at = utcnow()
    if needs_rehash(clinician.password_hash, profile):
        clinician.password_hash = hash_password(password, profile)
    db.commit()
    return clinician
