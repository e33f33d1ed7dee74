"""Guards for the speed work (issue 11, Deliver 8): each fails on the slow behaviour it replaced."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import typing
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from decision_aid.engine import plain
from decision_aid.engine.summary_model import Summary
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.journey import current_record, finish, persona, walk

ROOT = Path(__file__).resolve().parents[2]


def _summary_client(client: FlaskClient, app: Flask) -> FlaskClient:
    walk(client, app, persona())
    finish(client)
    assert client.get("/summary").status_code == 200
    return client


def test_reading_a_summary_again_does_not_ask_typing_per_value(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _summary_client(client, app)
    snapshot = current_record(client, app).summary_snapshot
    first = Summary.from_dict(snapshot)
    calls = []
    real = typing.get_origin
    monkeypatch.setattr(plain.typing, "get_origin", lambda tp: calls.append(tp) or real(tp))
    again = Summary.from_dict(snapshot)
    assert again == first
    assert calls == []  # the converters were built once, at the first read


def test_the_summary_page_reuses_the_typed_summary_until_the_record_changes(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _summary_client(client, app)
    built = []
    real = Summary.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Summary], data: typing.Any) -> Summary:
        built.append(1)
        return typing.cast(Summary, real(cls, data))

    monkeypatch.setattr(Summary, "from_dict", classmethod(counting))
    first = client.get("/summary").get_data(as_text=True)
    second = client.get("/summary").get_data(as_text=True)
    assert first == second and built == []  # made at the first view, before the patch
    record_id = current_record(client, app).id
    with app.app_context():
        db = get_session()
        record = db.get(PatientRecord, record_id)
        assert record is not None
        record.share_label = "changed"  # any write gives the row a new version
        db.commit()
    assert client.get("/summary").status_code == 200
    assert built == [1]


def test_the_summary_page_does_not_decrypt_the_answers(client: FlaskClient, app: Flask) -> None:
    _summary_client(client, app)
    statements: list[str] = []
    with app.app_context():
        engine = get_session().get_bind()
    listener = lambda *args: statements.append(str(args[2]))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/summary").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects  # the session and its record in one query
    assert "responses.answers" not in selects[0]
    assert "responses.summary_snapshot" not in selects[0]  # the typed summary is cached


def test_a_question_page_reads_session_and_record_in_one_query(
        client: FlaskClient, app: Flask) -> None:
    first = client.post("/start").headers["Location"]
    statements: list[str] = []
    with app.app_context():
        engine = get_session().get_bind()
    listener = lambda *args: statements.append(str(args[2]))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(first).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
    assert "responses.answers" in selects[0]
    assert "responses.summary_snapshot" not in selects[0]


def test_a_patient_worker_does_not_load_the_clinician_and_fhir_libraries() -> None:
    script = (
        "import sys\n"
        "from cryptography.fernet import Fernet\n"
        "from decision_aid import create_app\n"
        "create_app({'TESTING': True, 'SECRET_KEY': 'x' * 64, 'CODE_PEPPER': 'y' * 64,"
        " 'DATA_KEYS': Fernet.generate_key().decode(), 'DATABASE_URL': 'sqlite://'},"
        " instance_path=sys.argv[1])\n"
        "print(sorted(m for m in ('zxcvbn', 'webauthn', 'fhir.resources', 'pydantic')"
        " if m in sys.modules))\n"
    )
    with tempfile.TemporaryDirectory() as instance:
        out = subprocess.run([sys.executable, "-c", script, instance], cwd=ROOT, check=True,
                             capture_output=True, text=True, timeout=120).stdout
    assert out.strip().splitlines()[-1] == "[]"
