"""Clinician second factors: TOTP, recovery codes, the clinic-wide requirement, set-up and
removal, each audited (issue 12, Deliver 2). Passkeys in the browser: tests/browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from decision_aid.serving.config import settings_from_env
from decision_aid.storage.db import get_session
from decision_aid.storage.models import ClinicianFactor, RecoveryCode
from tests.support.clinicians import (
    EMAIL,
    PASSWORD,
    add_totp,
    audit_rows,
    make_clinician,
    new_audit_rows,
    sign_in,
    sign_in_with_totp,
    totp_code,
)

SECRET_RE = re.compile(r"<code class=\"secret\" data-secret>([A-Z2-7 ]+)</code>")
RECOVERY_RE = re.compile(r"<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>")


def _actions(app: Flask, before: int) -> list[str]:
    return [r[0] for r in new_audit_rows(app, before)]


def test_a_password_alone_does_not_open_an_account_with_a_second_factor(
        app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    add_totp(app, cid)
    resp = sign_in(client)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/mfa")
    assert client.get("/clinician/").status_code == 302
    assert client.get("/clinician/account").status_code == 302
    page = client.get("/clinician/mfa").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and "Second step of sign-in" in page


def test_the_current_code_signs_in_once_and_is_audited(app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    secret = add_totp(app, cid)
    before = len(audit_rows(app))
    code = totp_code(secret)  # one code for both tries, even if a 30 s step ends in between
    sign_in(client)
    resp = client.post("/clinician/mfa", data={"code": code})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/")
    assert client.get("/clinician/").status_code == 200
    rows = audit_rows(app)[before:]
    assert [(r.action, r.detail) for r in rows] == [("sign_in", "totp")]
    client.post("/clinician/sign-out")

    # The same code again (a replay, or shoulder-surfed) is refused.
    sign_in(client)
    resp = client.post("/clinician/mfa", data={"code": code})
    assert resp.status_code == 200 and "That code did not work" in resp.get_data(as_text=True)
    assert client.get("/clinician/").status_code == 302


def test_wrong_codes_end_the_attempt_and_count_towards_the_lockout(
        app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    secret = add_totp(app, cid)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    sign_in(client)
    before = len(audit_rows(app))
    for _ in range(4):
        resp = client.post("/clinician/mfa", data={"code": wrong})
        assert resp.status_code == 200
    resp = client.post("/clinician/mfa", data={"code": wrong})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/login")
    assert "did not work too many times" in client.get("/clinician/login").get_data(as_text=True)
    rows = audit_rows(app)[before:]
    assert [r.detail for r in rows if r.action == "sign_in_failed"] == ["bad_second_factor"] * 5
    assert rows[-1].action == "lockout"
    assert client.get("/clinician/mfa").status_code == 303  # nothing left half-signed-in


def test_empty_code_gets_its_own_message(app: Flask, client: FlaskClient) -> None:
    add_totp(app, make_clinician(app))
    sign_in(client)
    html = client.post("/clinician/mfa", data={"code": "  "}).get_data(as_text=True)
    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in html
    assert 'href="#f-code"' in html


def test_the_half_finished_sign_in_expires(app: Flask, client: FlaskClient) -> None:
    secret = add_totp(app, make_clinician(app))
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(minutes=6))
        resp = client.post("/clinician/mfa", data={"code": totp_code(secret)})
        assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/login")
        assert client.get("/clinician/").status_code == 302


def _enrol_totp(client: FlaskClient) -> tuple[str, list[str], str]:
    """Set up an authenticator app through the pages; (secret, recovery codes, page)."""
    page = client.get("/clinician/mfa/setup").get_data(as_text=True)
    match = SECRET_RE.search(page)
    assert match, page
    assert 'src="data:image/svg+xml' in page  # the QR code, allowed by img-src data:
    secret = match.group(1).replace(" ", "")
    resp = client.post("/clinician/mfa/setup", data={"code": totp_code(secret), "label": "Pixel"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    return secret, RECOVERY_RE.findall(html), html


def test_setting_up_an_app_shows_ten_recovery_codes_kept_only_as_hashes(
        app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    sign_in(client)
    before = len(audit_rows(app))
    secret, codes, _ = _enrol_totp(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _actions(app, before) == ["mfa_enrolled", "mfa_recovery_new"]
    with app.app_context():
        db = get_session()
        factor = db.scalars(
            select(ClinicianFactor).where(ClinicianFactor.clinician_id == cid)).one()
        assert factor.confirmed_at is not None and factor.label == "Pixel"
        raw = " ".join(str(v) for v in db.execute(text(
            "SELECT secret FROM clinician_factors")).scalars())
        stored = " ".join(db.scalars(select(RecoveryCode.code_hash)))
    assert secret not in raw  # the TOTP secret is encrypted at rest
    for code in codes:
        assert code.replace("-", "") not in stored


def test_a_recovery_code_works_once(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    sign_in(client)
    _, codes, _ = _enrol_totp(client)
    client.post("/clinician/sign-out")
    sign_in(client)
    before = len(audit_rows(app))
    resp = client.post("/clinician/mfa", data={"code": codes[3].lower()})
    assert resp.status_code == 303
    assert client.get("/clinician/").status_code == 200
    assert [(r.action, r.detail) for r in audit_rows(app)[before:]] == [
        ("mfa_recovery_used", "left=9"), ("sign_in", "recovery")]
    client.post("/clinician/sign-out")
    sign_in(client)
    resp = client.post("/clinician/mfa", data={"code": codes[3]})
    assert resp.status_code == 200 and "That code did not work" in resp.get_data(as_text=True)


def test_a_code_from_another_secret_does_not_confirm_set_up(
        app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    sign_in(client)
    client.get("/clinician/mfa/setup")
    resp = client.post("/clinician/mfa/setup",
                       data={"code": pyotp.TOTP(pyotp.random_base32()).now()})
    assert "That code did not work" in resp.get_data(as_text=True)
    resp = client.post("/clinician/mfa/setup", data={"code": "12ab"})
    assert "Enter the code as 6 numbers" in resp.get_data(as_text=True)
    assert audit_rows(app)[-1].action == "mfa_enrol_failed"


def test_removing_a_factor_is_audited(app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    secret = add_totp(app, cid)
    sign_in_with_totp(client, secret)
    with app.app_context():
        fid = get_session().scalars(select(ClinicianFactor.id)).one()
    before = len(audit_rows(app))
    resp = client.post(f"/clinician/account/factors/{fid}/remove")
    assert resp.status_code == 303
    assert [(r.action, r.detail) for r in audit_rows(app)[before:]] == [("mfa_removed", "totp")]
    client.post("/clinician/sign-out")
    assert sign_in(client).headers["Location"].endswith("/clinician/")  # password only again


def test_someone_elses_factor_cannot_be_removed(app: Flask, client: FlaskClient) -> None:
    other = make_clinician(app, "other@clinic.example")
    add_totp(app, other)
    make_clinician(app)
    sign_in(client)
    with app.app_context():
        fid = get_session().scalars(select(ClinicianFactor.id)).one()
    client.post(f"/clinician/account/factors/{fid}/remove")
    with app.app_context():
        assert get_session().get(ClinicianFactor, fid) is not None


class TestRequiredForEveryone:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "CLINICIAN_MFA_REQUIRED": True}

    def test_an_account_without_a_factor_must_set_one_up_first(
            self, app: Flask, client: FlaskClient) -> None:
        make_clinician(app)
        resp = sign_in(client)
        assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/mfa/setup")
        assert client.get("/clinician/").status_code == 302
        page = client.get("/clinician/mfa/setup").get_data(as_text=True)
        assert "Your clinic asks every clinician to sign in with a second factor" in page
        before = len(audit_rows(app))
        _, codes, html = _enrol_totp(client)
        assert len(codes) == 10 and 'href="/clinician/"' in html
        assert client.get("/clinician/").status_code == 200
        assert _actions(app, before) == ["mfa_enrolled", "sign_in", "mfa_recovery_new"]

    def test_the_last_factor_cannot_be_removed(self, app: Flask, client: FlaskClient) -> None:
        secret = add_totp(app, make_clinician(app))
        sign_in_with_totp(client, secret)
        with app.app_context():
            fid = get_session().scalars(select(ClinicianFactor.id)).one()
        resp = client.post(f"/clinician/account/factors/{fid}/remove")
        assert resp.status_code == 200
        assert "Add another one before you remove this one" in resp.get_data(as_text=True)
        with app.app_context():
            assert get_session().get(ClinicianFactor, fid) is not None


def test_required_by_default_in_production_only(tmp_path: Path) -> None:
    assert settings_from_env(tmp_path, {"APP_ENV": "production"})["CLINICIAN_MFA_REQUIRED"] is True
    assert settings_from_env(tmp_path, {})["CLINICIAN_MFA_REQUIRED"] is False
    off = settings_from_env(tmp_path, {"APP_ENV": "production", "CLINICIAN_MFA_REQUIRED": "0"})
    assert off["CLINICIAN_MFA_REQUIRED"] is False
    on = settings_from_env(tmp_path, {"CLINICIAN_MFA_REQUIRED": "true"})
    assert on["CLINICIAN_MFA_REQUIRED"] is True


def test_passkey_options_need_a_half_finished_sign_in(app: Flask, client: FlaskClient) -> None:
    assert client.post("/clinician/mfa/passkey/options").status_code == 401
    make_clinician(app)
    sign_in(client)
    resp = client.post("/clinician/account/passkeys/options")
    body = resp.get_json()
    assert resp.status_code == 200 and body["rp"]["id"] == "localhost"
    assert body["user"]["name"] == EMAIL and len(body["challenge"]) >= 43
    bad = client.post("/clinician/account/passkeys/verify", json={"id": "x", "rawId": "x"})
    assert bad.status_code == 400 and "did not work" in bad.get_json()["error"]


def test_a_forged_passkey_answer_is_refused_and_counted(app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    add_totp(app, cid)
    sign_in(client)
    assert client.post("/clinician/mfa/passkey/options").status_code == 200
    resp = client.post("/clinician/mfa/passkey/verify", json={"rawId": "AAAA", "id": "AAAA"})
    assert resp.status_code == 400
    assert audit_rows(app)[-1].detail == "bad_second_factor"
    assert client.get("/clinician/").status_code == 302
    assert PASSWORD not in resp.get_data(as_text=True)
