"""No answers and no retrieval code in any log record, at DEBUG, through a whole journey,
including the paths that log on purpose: a failed save, a bad token, a wrong code."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.support.journey import finish, persona, walk

SENTINEL = "ZZ_LOG_SENTINEL_5d2b_ZZ"
MEDICINE = "ZZMEDLOGSENTINEL"
CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), str(record.exc_text or ""),
                  repr(getattr(record, "__dict__", {}))]
    return "\n".join(parts)


def _journey(client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    medicine = {"medicine": "other", "other_name": MEDICINE, "dose": "40", "dose_unit": "mg",
                "weeks": "9to12", "adherence": "yes", "helped": "little_or_none",
                "side_effects": ["none"], "stopped_reason": "did_not_help", "added": ["none"]}
    walk(client, app, persona(medicines=[medicine], own_questions=f"Is {SENTINEL} safe?"),
         stop_at="own_questions")

    # A failed save logs an error: it must name the page, never what was typed.
    real_commit = Session.commit
    failed: list[int] = []

    def commit_once_fails(self: Session) -> None:
        if not failed:
            failed.append(1)
            raise OperationalError("COMMIT", {"answers": SENTINEL}, Exception(SENTINEL))
        real_commit(self)

    monkeypatch.setattr(Session, "commit", commit_once_fails)
    assert client.post("/q/own_questions",
                       data={"own_questions": f"Is {SENTINEL} safe?",
                             "preference": "talking"}).status_code == 503
    monkeypatch.setattr(Session, "commit", real_commit)
    # A validation error echoes the text back to the page only.
    too_long = client.post("/q/own_questions", data={"own_questions": SENTINEL * 60,
                                                     "preference": "talking"})
    assert too_long.status_code == 400
    assert client.post("/q/own_questions",
                       data={"own_questions": f"Is {SENTINEL} safe?",
                             "preference": "talking"}).status_code == 303

    assert MEDICINE in client.get("/check").get_data(as_text=True)
    assert SENTINEL in finish(client)
    assert client.post("/sure", data={f"sure_{i}": "yes" for i in range(1, 5)}).status_code == 303
    assert client.post("/summary/save").status_code == 303
    match = CODE_RE.search(client.get("/saved").get_data(as_text=True))
    assert match
    code = match.group(1)
    assert client.post("/summary/share", data={"share": "yes"}).status_code == 303
    assert client.get("/summary/print").status_code == 200
    assert client.get("/summary/pdf").status_code == 200

    # Open it again in a fresh browser, after one wrong try.
    other = app.test_client()
    assert other.post("/resume", data={"code": code[:-1] + "0"}).status_code in {303, 400}
    assert other.post("/resume", data={"code": code.lower()}).status_code == 303
    assert SENTINEL in other.get("/summary").get_data(as_text=True)
    assert other.post("/delete", data={"confirm": "yes"}).status_code == 303
    return code


def test_no_answers_or_codes_in_any_log(client: FlaskClient, app: Flask,
                                        caplog: pytest.LogCaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    code = _journey(client, app, monkeypatch)
    logged = _everything_logged(caplog)
    # The capture works: the app's own events are there (audit rows, the failed save).
    assert "database_unavailable" in logged and "patient_save" in logged
    for secret in (SENTINEL, MEDICINE, code, code.replace("-", ""), code.lower()):
        assert secret not in logged, f"{secret!r} reached the logs"


def test_sql_echo_shows_only_ciphertext(client: FlaskClient, app: Flask,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """Even with SQLAlchemy's statement logging on, bound answers are already encrypted."""
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    walk(client, app, persona(own_questions=SENTINEL))
    logged = _everything_logged(caplog)
    assert "UPDATE responses" in logged
    assert SENTINEL not in logged
