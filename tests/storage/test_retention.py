"""Retention: stale drafts and expired saved summaries are purged; an expired code stops working."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, PatientRecord
from tests.support.journey import finish, persona, walk


def _count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(PatientRecord)) or 0


def test_purge_expired(client: FlaskClient, app: Flask, runner: FlaskCliRunner) -> None:
    walk(client, app, persona())
    finish(client)
    client.post("/summary/save")  # saved: kept 365 days
    draft_client = app.test_client()
    draft_client.post("/start")  # unsaved draft: kept 30 days
    assert _count(app) == 2

    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "Deleted 1 expired record(s)." in result.output
    assert _count(app) == 1

    with time_machine.travel(datetime.now(UTC) + timedelta(days=366), tick=False):
        result = runner.invoke(args=["purge-expired"])
    assert "Deleted 1 expired record(s)." in result.output
    assert _count(app) == 0
    with app.app_context():
        purges = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "purge"))
        assert [p.detail for p in purges] == ["deleted=1", "deleted=1"]


def test_expired_code_gets_the_same_answer_as_a_wrong_one(client: FlaskClient,
                                                          app: Flask) -> None:
    walk(client, app, persona())
    finish(client)
    client.post("/summary/save")
    code = re.search(r'id="resume-code">([^<]+)<', client.get("/saved").get_data(True))
    assert code
    with time_machine.travel(datetime.now(UTC) + timedelta(days=400), tick=False):
        expired = app.test_client().post("/resume", data={"code": code.group(1)})
        wrong = app.test_client().post("/resume", data={"code": "0000-0000-0000-0000"})
    assert expired.status_code == wrong.status_code == 400
    assert "could not find a summary with that code" in expired.get_data(as_text=True)


def test_purge_drops_stale_and_rotated_away_patient_sessions(
        client: FlaskClient, app: Flask, runner: FlaskCliRunner) -> None:
    from decision_aid.storage.models import PatientSession

    walk(client, app, persona())
    finish(client)
    client.post("/summary/save")  # rotation leaves the old row, for a replayed save only
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(PatientSession)) == 2
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=False):
        assert runner.invoke(args=["purge-expired"]).exit_code == 0
    with app.app_context():
        left = get_session().scalars(select(PatientSession)).all()
    assert len(left) == 1 and left[0].replaced_at is None
    assert client.get("/summary").status_code == 200, "the live session is untouched"


def test_sqlite_files_are_created_private(app: Flask, tmp_path, runner: FlaskCliRunner) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    from decision_aid import create_app
    from tests.conftest import base_test_config

    if not str(app.config["DATABASE_URL"]).startswith("sqlite"):
        import pytest

        pytest.skip("SQLite files only")
    path = tmp_path / "fresh" / "clinic.sqlite3"
    fresh = create_app(base_test_config(f"sqlite:///{path}", tmp_path))
    try:
        result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        client = fresh.test_client()
        walk(client, fresh, persona(), stop_at="gad7")  # writes, so -wal and -shm exist
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert {p.name for p in files} >= {path.name, f"{path.name}-wal"}
        for p in files:
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, (p.name, oct(os.stat(p).st_mode))
    finally:
        fresh.extensions["db_engine"].dispose()
