"""`flask create-clinician`, `disable-clinician` and `export-audit` through the CLI runner."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from decision_aid.security.passwords import MSG_TOO_COMMON, MSG_TOO_LONG, MSG_TOO_SHORT
from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, Clinician
from tests.support.clinicians import (
    FAILURE,
    PASSWORD,
    add_response,
    audit_rows,
    make_clinician,
    sign_in,
)


def _clinician(app: Flask, email: str) -> Clinician | None:
    with app.app_context():
        return get_session().scalars(select(Clinician).where(Clinician.email == email)).first()


def test_create_clinician_with_a_prompted_password(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    result = runner.invoke(args=["create-clinician", "New.Person@Clinic.Example"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    made = _clinician(app, "new.person@clinic.example")
    assert made is not None and made.active and not made.is_admin
    assert made.password_hash.startswith("$argon2id$")
    assert PASSWORD not in made.password_hash
    assert [e.action for e in audit_rows(app)] == ["clinician_created"]
    assert sign_in(client, "new.person@clinic.example", PASSWORD).status_code == 303


def test_create_admin_with_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-clinician", "boss@clinic.example", "--admin", "--password-stdin"],
        input="fifteen lowercase words only\n",
    )
    assert result.exit_code == 0, result.output
    made = _clinician(app, "boss@clinic.example")
    assert made is not None and made.is_admin


def test_prompted_passwords_must_match(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-clinician", "a@clinic.example"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()


def test_password_rules_are_enforced_by_the_cli(app: Flask, runner: FlaskCliRunner) -> None:
    cases = {
        "elevenchars": MSG_TOO_SHORT,
        "x" * 129: MSG_TOO_LONG,
        "Password123!": MSG_TOO_COMMON,
        "correcthorsebatterystaple": MSG_TOO_COMMON,
    }
    for password, message in cases.items():
        result = runner.invoke(
            args=["create-clinician", "rules@clinic.example", "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code != 0, password
        assert message in result.output, password
        assert _clinician(app, "rules@clinic.example") is None
    result = runner.invoke(args=["create-clinician", "rules@clinic.example", "--password-stdin"],
                           input=("orbit lantern plum " * 7)[:128] + "\n")
    assert result.exit_code == 0, result.output  # 128 characters is allowed


def test_create_refuses_duplicates_and_bad_emails(app: Flask, runner: FlaskCliRunner) -> None:
    make_clinician(app, "taken@clinic.example")
    for email in ("taken@clinic.example", "TAKEN@clinic.example", "not-an-email", "a b@c.d"):
        result = runner.invoke(args=["create-clinician", email, "--password-stdin"],
                               input=PASSWORD + "\n")
        assert result.exit_code != 0, email
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Clinician)) == 1


def test_disable_clinician_ends_live_sessions(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    cid = make_clinician(app, "leaving@clinic.example")
    assert sign_in(client, "leaving@clinic.example", PASSWORD).status_code == 303
    assert client.get("/clinician/").status_code == 200
    result = runner.invoke(args=["disable-clinician", "Leaving@clinic.example"])
    assert result.exit_code == 0, result.output
    disabled = _clinician(app, "leaving@clinic.example")
    assert disabled is not None and not disabled.active and disabled.session_generation == 1
    assert client.get("/clinician/").status_code == 302
    resp = sign_in(client, "leaving@clinic.example", PASSWORD)
    assert resp.status_code == 200 and FAILURE in resp.get_data(as_text=True)
    assert ("clinician_disabled", cid) in [(e.action, e.clinician_id) for e in audit_rows(app)]
    assert runner.invoke(args=["disable-clinician", "nobody@clinic.example"]).exit_code != 0


def test_export_audit_to_stdout_and_file(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    make_clinician(app)
    sign_in(client)
    rid, _ = add_response(app)
    client.get(f"/clinician/summaries/{rid}")

    result = runner.invoke(args=["export-audit"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["action"] for r in rows] == ["sign_in", "view"]
    assert rows[1]["response_id"] == rid
    assert rows[0]["ts"].endswith("+00:00")
    assert "Can I keep working" not in result.stdout  # never answers

    target = tmp_path / "audit.csv"
    result = runner.invoke(args=["export-audit", "--output", str(target)])
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["action"] for r in exported] == ["sign_in", "view", "audit_export"]
    with app.app_context():
        exports = get_session().scalars(
            select(AuditEvent).where(AuditEvent.action == "audit_export")
        ).all()
    assert len(exports) == 2


def test_reset_mfa_removes_every_factor_and_is_audited(app: Flask, runner: FlaskCliRunner) -> None:
    from decision_aid.storage.models import ClinicianFactor, RecoveryCode
    from tests.support.clinicians import add_totp, make_clinician

    cid = make_clinician(app)
    add_totp(app, cid)
    add_totp(app, cid, label="Old phone")
    result = runner.invoke(args=["reset-mfa", "Dr.Rivera@clinic.example"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 second factor(s)" in result.output
    with app.app_context():
        db = get_session()
        assert db.scalars(select(ClinicianFactor)).all() == []
        assert db.scalars(select(RecoveryCode)).all() == []
        row = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert row is not None and (row.action, row.actor) == ("mfa_removed", "system")
    assert runner.invoke(args=["reset-mfa", "nobody@clinic.example"]).exit_code != 0
