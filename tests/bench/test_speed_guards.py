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


def _count(monkeypatch: pytest.MonkeyPatch, owner: typing.Any, name: str) -> list[int]:
    calls: list[int] = []
    real = owner[name] if isinstance(owner, dict) else getattr(owner, name)

    def counting(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        calls.append(1)
        return real(*args, **kwargs)

    if isinstance(owner, dict):
        monkeypatch.setitem(owner, name, counting)
    else:
        monkeypatch.setattr(owner, name, counting)
    return calls


def test_a_question_page_seen_before_calls_no_field_macro(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2.runtime

    first, second = app.test_client(), app.test_client()
    page = first.post("/start").headers["Location"]
    second.post("/start")
    html = first.get(page).get_data(as_text=True)
    invoked = _count(monkeypatch, jinja2.runtime.Macro, "_invoke")
    again = second.get(page).get_data(as_text=True)
    # Another person, the same unanswered page: the choice questions (9 on the PHQ-9 page, each
    # through 5 macros before) come rendered from the process's fragments.
    assert invoked == []
    assert again.split('name="csrf_token"')[0] == html.split('name="csrf_token"')[0]


def test_cached_choice_questions_show_each_persons_own_answer(client: FlaskClient,
                                                              app: Flask) -> None:
    other = app.test_client()
    other.post("/start")
    client.post("/start")
    assert other.get("/q/phq9").status_code == 200  # the unanswered page, now cached
    answers = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_3": "2", "phq9_9": "0"}
    assert client.post("/q/phq9", data=answers).status_code == 303
    mine = client.get("/q/phq9").get_data(as_text=True)
    theirs = other.get("/q/phq9").get_data(as_text=True)
    assert 'id="f-phq9_3-2" name="phq9_3" value="2" checked' in mine
    assert 'id="f-phq9_1-1" name="phq9_1" value="1" checked' in mine
    assert " checked" not in theirs
    errors = client.post("/q/phq9", data={"phq9_1": "3"})  # an error page is never cached
    assert errors.status_code == 400
    assert 'value="3" checked' in errors.get_data(as_text=True)
    assert 'id="f-phq9_2-error"' in errors.get_data(as_text=True)


def test_the_footer_is_rendered_once_per_language(client: FlaskClient, app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    page = client.post("/start").headers["Location"]
    footer = client.get(page).get_data(as_text=True).split('<footer class="site-footer">')[1]
    dated = _count(monkeypatch, app.jinja_env.globals, "format_date")
    again = client.get(page).get_data(as_text=True).split('<footer class="site-footer">')[1]
    assert again == footer
    assert dated == []  # the footer's two dates were formatted at the first page only


def test_the_session_lookup_is_built_once_per_process(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from decision_aid.patient import sessions

    page = client.post("/start").headers["Location"]
    assert client.get(page).status_code == 200
    built = _count(monkeypatch, sessions, "select")
    assert client.get(page).status_code == 200
    assert built == []


def test_a_page_finds_its_message_catalog_once_not_per_string(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import flask_babel

    _summary_client(client, app)
    looked_up = _count(monkeypatch, flask_babel, "get_translations")
    html = client.get("/summary").get_data(as_text=True)
    assert "Your treatment options to discuss" in html
    # About 200 strings on the page: Flask-Babel's per-string lookup ran for each before.
    assert len(looked_up) < 5, len(looked_up)


def test_the_open_by_code_lookup_is_built_once_per_process(
        app: Flask, client: FlaskClient, auth: typing.Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from decision_aid.clinician import dashboard
    from decision_aid.security import codes
    from tests.support.clinicians import add_response

    auth.login()
    rid, code = add_response(app, shared=False)
    first = client.post("/clinician/open", data={"code": codes.display(code)})
    assert first.status_code == 303 and rid in first.headers["Location"]
    built = _count(monkeypatch, dashboard, "select")
    again = client.post("/clinician/open", data={"code": codes.display(code)})
    assert again.status_code == 303 and rid in again.headers["Location"]
    assert built == []


def test_the_summary_body_is_rendered_once_per_record_version(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _summary_client(client, app)
    first = client.get("/summary").get_data(as_text=True)
    rendered = _count(monkeypatch, app.jinja_env.globals, "format_number")
    cards = app.jinja_env.get_template("partials/summary_cards.html")
    calls = _count(monkeypatch, cards, "root_render_func")
    again = client.get("/summary").get_data(as_text=True)
    assert again.split('name="csrf_token"')[0] == first.split('name="csrf_token"')[0]
    assert calls == [] and rendered == []
    record_id = current_record(client, app).id
    with app.app_context():
        db = get_session()
        record = db.get(PatientRecord, record_id)
        assert record is not None
        record.share_label = "changed"  # a new row version: the body is made again
        db.commit()
    assert client.get("/summary").status_code == 200
    assert calls == [1]
