"""Helpers shared by the clinician test modules (accounts, saved summaries, sign-in, audit rows),
(tests/clinician/test_helpers.py checks that they build records as the patient side does)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decision_aid.content.fact_names import PRIORITY_IDS
from decision_aid.engine.summary import build_summary
from decision_aid.security import codes
from decision_aid.security.crypto import keyed_hash
from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, ClinicianFactor, PatientRecord
from tests.support.auth import (  # noqa: F401  (re-exported: the clinician tests import them here)
    ADMIN_EMAIL,
    EMAIL,
    PASSWORD,
    make_clinician,
    sign_in,
)

FAILURE = "Enter a correct email address and password"
UUID_RE = re.compile(r"/clinician/summaries/([0-9a-f-]{36})")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def answers(**overrides: Any) -> dict[str, Any]:
    """A person with 3 past medicines: 2 possibly adequate and unsuccessful, 1 not tolerated."""
    base: dict[str, Any] = {f"phq9_{i}": "2" for i in range(1, 9)}
    base.update({f"gad7_{i}": "1" for i in range(1, 8)})
    base.update(
        {
            "phq9_9": "1",
            "episode_length": "1to2y",
            "taking_now": "yes",
            "therapy_now": "no",
            "medicines_any": "yes",
            "medicines": [
                {"medicine": "sertraline", "dose": 100.0, "dose_unit": "mg", "weeks": "9to12",
                 "adherence": "yes", "helped": "little_or_none", "side_effects": ["sexual"],
                 "stopped_reason": "did_not_help", "added": ["none"]},
                {"medicine": "escitalopram", "dose": 5.0, "dose_unit": "mg", "weeks": "3to5",
                 "adherence": "mostly", "helped": "some", "side_effects": ["sleep"],
                 "stopped_reason": "side_effects", "added": ["none"]},
                {"medicine": "venlafaxine", "dose": 150.0, "dose_unit": "mg", "weeks": "gt12",
                 "adherence": "yes", "helped": "little_or_none", "side_effects": ["none"],
                 "stopped_reason": "still_taking", "added": ["lithium"]},
            ],
            "medicines_more": "no",
            "other_treatments": ["talking_therapy"],
            "other_talking_therapy_sessions": "6to11",
            "other_talking_therapy_outcome": "some",
            "health": ["high_bp"],
            "visits_per_week": "2",
            "ride_home": "no",
            "cost_worry": "some",
            "preference": "not_sure",
            "own_questions": "Can I keep working while on TMS?",
        }
    )
    for pid in PRIORITY_IDS:
        base[f"prio_{pid}"] = "1"
    base["prio_weight"] = "4"
    base["prio_driving"] = "3"
    base.update(overrides)
    return base


def snapshot(app: Flask, person: dict[str, Any] | None = None) -> dict[str, Any]:
    return build_summary(person or answers(), app.extensions["content"], date.today()).to_dict()


def add_response(
    app: Flask,
    *,
    shared: bool = True,
    person: dict[str, Any] | None = None,
    snap: dict[str, Any] | None = None,
    shared_at: datetime | None = None,
    sure_score: int | None = None,
    status: str = "saved",
) -> tuple[str, str]:
    """Insert a saved summary as the patient side would; return (response id, retrieval code)."""
    person = person or answers()
    code = codes.new_code()
    with app.app_context():
        snap = snap or snapshot(app, person)
        now = datetime.now(UTC)
        record = PatientRecord(
            status=status,
            answers=person,
            summary_snapshot=snap,
            content_version=snap["content_version"],
            consent_version="1",
            code_hash=keyed_hash(str(app.config["CODE_PEPPER"]), code),
            shared=shared,
            flagged=bool(snap["flags"]["item9_positive"]),
            phq9_total=snap["scores"]["phq9"]["total"],
            gad7_total=snap["scores"]["gad7"]["total"],
            sure_score=sure_score,
            completed_at=now,
            saved_at=now,
            shared_at=(shared_at or now) if shared else None,
        )
        db = get_session()
        db.add(record)
        db.commit()
        return record.id, code


def add_totp(app: Flask, clinician_id: int, label: str = "Phone") -> str:
    """Give the clinician a confirmed authenticator app; return its secret."""
    secret = pyotp.random_base32()
    with app.app_context():
        db = get_session()
        db.add(ClinicianFactor(clinician_id=clinician_id, kind="totp", label=label,
                               secret={"base32": secret}, sign_count=0,
                               confirmed_at=datetime.now(UTC)))
        db.commit()
    return secret


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(datetime.now(UTC).timestamp() + 30 * steps_ahead)


def sign_in_with_totp(
    client: FlaskClient, secret: str, email: str = EMAIL, password: str = PASSWORD
) -> Any:
    """Password, then the app's current code: the whole sign-in when MFA is on."""
    first = sign_in(client, email, password)
    assert first.status_code == 303 and first.headers["Location"].endswith("/clinician/mfa")
    return client.post("/clinician/mfa", data={"code": totp_code(secret)})


def audit_rows(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent).order_by(AuditEvent.id)))


def new_audit_rows(app: Flask, before: int) -> list[tuple[str, str, str | None]]:
    """(action, actor, response_id) for rows written after `before` rows existed."""
    return [(e.action, e.actor, e.response_id) for e in audit_rows(app)[before:]]


def summary_ids(html: str) -> list[str]:
    seen: list[str] = []
    for rid in UUID_RE.findall(html):
        if rid not in seen:
            seen.append(rid)
    return seen


def older(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
