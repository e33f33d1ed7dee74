"""Data keys: rotate-data-keys re-encrypts every row under the first key, in batches, and can be
stopped and run again; then the old key can go. A record whose key is missing gets a clear page,
not a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select, text

from decision_aid import create_app
from decision_aid.security import crypto
from decision_aid.storage import cli
from decision_aid.storage.db import get_session
from decision_aid.storage.migrate import upgrade
from decision_aid.storage.models import AuditEvent, PatientRecord
from tests.conftest import base_test_config
from tests.support.journey import finish, persona, walk

CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[object]:
    monkeypatch.setenv("APP_ENV", "testing")
    upgrade(database_url)
    built: list[Flask] = []

    def make(keys: str) -> Flask:
        application = create_app(base_test_config(database_url, tmp_path) | {"DATA_KEYS": keys})
        built.append(application)
        return application

    yield make
    for application in built:
        application.extensions["db_engine"].dispose()


def saved_codes(app: Flask, n: int) -> list[str]:
    codes = []
    for i in range(n):
        client = app.test_client()
        walk(client, app, persona(own_questions=f"ZZ_KEYS_{i}_ZZ"))
        finish(client)
        assert client.post("/summary/save").status_code == 303
        match = CODE_RE.search(client.get("/saved").get_data(as_text=True))
        assert match
        codes.append(match.group(1))
    return codes


def stored(app: Flask) -> list[tuple[str, str, object]]:
    with app.app_context():
        rows = get_session().execute(
            text("SELECT id, answers, updated_at FROM responses ORDER BY id")).all()
    return [(r[0], r[1], r[2]) for r in rows]


def opens(app: Flask, code: str) -> bool:
    client = app.test_client()
    if client.post("/resume", data={"code": code}).status_code != 303:
        return False
    return "ZZ_KEYS_" in client.get("/summary").get_data(as_text=True)


def test_rotation_re_encrypts_every_row_then_the_old_key_can_go(make_app) -> None:  # type: ignore[no-untyped-def]
    old_app = make_app(OLD)
    codes = saved_codes(old_app, 5)
    before = stored(old_app)

    both = make_app(f"{NEW},{OLD}")
    result = both.test_cli_runner().invoke(args=["rotate-data-keys", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted" in result.output and "can be removed" in result.output
    after = stored(both)
    assert [r[0] for r in after] == [r[0] for r in before]
    assert all(a[1] != b[1] for a, b in zip(after, before, strict=True)), "every row rewritten"
    assert [r[2] for r in after] == [r[2] for r in before], "updated_at (retention) unchanged"
    assert all(crypto.under_first_key(str(r[1])) for r in after)
    # Session rows (the code for this browser's print) were rotated too.
    with both.app_context():
        tokens = get_session().execute(
            text("SELECT code FROM patient_sessions WHERE code IS NOT NULL")).scalars().all()
    assert tokens and all(crypto.under_first_key(t) for t in tokens)

    new_only = make_app(NEW)
    assert all(opens(new_only, code) for code in codes)
    again = new_only.test_cli_runner().invoke(args=["rotate-data-keys"])
    assert again.exit_code == 0 and "re-encrypted 0" in again.output


def test_rotation_stopped_half_way_resumes(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    codes = saved_codes(make_app(OLD), 4)
    both = make_app(f"{NEW},{OLD}")
    real = cli._rotate_row
    calls = {"n": 0}

    def dies_on_the_third_row(*args: object) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C, or the machine went down
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_rotate_row", dies_on_the_third_row)
    with both.app_context(), pytest.raises(KeyboardInterrupt):
        cli.rotate_data_keys(batch_size=2)
    with both.app_context():
        get_session().rollback()
    done = [crypto.under_first_key(str(r[1])) for r in stored(both)]
    assert done.count(True) == 2, "the first batch was committed"
    monkeypatch.setattr(cli, "_rotate_row", real)
    with both.app_context():
        report = cli.rotate_data_keys(batch_size=2)
    assert report.rewritten_by_table["responses"] == 2, "only the rows not done before"
    assert all(crypto.under_first_key(str(r[1])) for r in stored(both))
    new_only = make_app(NEW)
    assert all(opens(new_only, code) for code in codes)


def test_a_missing_key_gives_a_clear_page_not_a_500(make_app) -> None:  # type: ignore[no-untyped-def]
    old_app = make_app(OLD)
    client = old_app.test_client()
    walk(client, old_app, persona())
    finish(client)
    client.post("/summary/save")
    code = CODE_RE.search(client.get("/saved").get_data(as_text=True)).group(1)  # type: ignore[union-attr]

    dropped_too_early = make_app(NEW)
    resp = dropped_too_early.test_client().post("/resume", data={"code": code})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert "We cannot open this summary on this site right now" in html
    assert "Traceback" not in html and "Fernet" not in html
    # The browser that already had a session gets the same page, not a 500.
    cookie = client.get_cookie(old_app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    same_browser = dropped_too_early.test_client()
    same_browser.set_cookie(old_app.config["SESSION_COOKIE_NAME"], cookie.value)
    for url in ("/summary", "/summary/print", "/q/phq9", "/check"):
        page = same_browser.get(url)
        assert page.status_code == 503, (url, page.status_code)
    with dropped_too_early.app_context():
        record_id = get_session().scalars(select(PatientRecord.id)).one()
        rows = get_session().scalars(select(AuditEvent).where(
            AuditEvent.detail == "data_key_missing")).all()
    assert len(rows) == 5 and all(r.response_id == record_id for r in rows), \
        "each refused open names the record"
    # The rotation command says which rows it cannot open and exits non-zero, without a traceback.
    result = dropped_too_early.test_cli_runner().invoke(args=["rotate-data-keys"])
    assert result.exit_code == 1
    assert f"responses:{record_id}" in result.output and "Traceback" not in result.output


def test_a_missing_key_gives_the_clinician_a_clear_503_naming_the_record(make_app) -> None:  # type: ignore[no-untyped-def]
    from tests.support.clinicians import add_response, make_clinician, sign_in

    old_app = make_app(OLD)
    record_id, _code = add_response(old_app)
    dropped_too_early = make_app(NEW)
    make_clinician(dropped_too_early)
    client = dropped_too_early.test_client()
    assert sign_in(client).status_code == 303
    base = f"/clinician/summaries/{record_id}"
    for url in (base, f"{base}/print", f"{base}/pdf"):
        resp = client.get(url)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 503, (url, resp.status_code)
        assert "This summary cannot be opened right now" in html
        assert "Traceback" not in html and "Fernet" not in html and "InvalidToken" not in html
        assert resp.headers["Content-Security-Policy"] and resp.headers["Retry-After"]
    with dropped_too_early.app_context():
        rows = get_session().scalars(select(AuditEvent).where(
            AuditEvent.detail == "data_key_missing").order_by(AuditEvent.id)).all()
    assert [(r.action, r.response_id, r.outcome) for r in rows] == [
        ("view", record_id, "error"), ("print", record_id, "error"), ("pdf", record_id, "error")]
    assert all(r.actor.startswith("clinician:") for r in rows)


def test_a_missing_key_gives_the_fhir_api_a_503_outcome_naming_the_record(make_app) -> None:  # type: ignore[no-untyped-def]
    from decision_aid.fhir import tokens
    from tests.support.clinicians import add_response

    record_id, _code = add_response(make_app(OLD))
    dropped_too_early = make_app(NEW)
    with dropped_too_early.app_context():
        secret = tokens.create("clinic system").secret
        get_session().commit()
    client = dropped_too_early.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    for url in (f"/fhir/QuestionnaireResponse/{record_id}", f"/fhir/Bundle/{record_id}",
                "/fhir/QuestionnaireResponse?_count=10"):
        resp = client.get(url, headers=headers)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 503, (url, resp.status_code)
        assert resp.json is not None and resp.json["resourceType"] == "OperationOutcome"
        assert "Traceback" not in body and "InvalidToken" not in body
    with dropped_too_early.app_context():
        named = get_session().scalars(select(AuditEvent.response_id).where(
            AuditEvent.detail == "data_key_missing")).all()
    assert named[:2] == [record_id, record_id]
