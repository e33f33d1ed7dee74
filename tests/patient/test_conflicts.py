"""patient/conflicts.py with storage/db.reads_first: a Continue reads first and writes at its
end. On SQLite it does not hold the write lock while it works out the page, and when another
request changed the record in between (a double click, two tabs) it answers again from the
record as it is now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient

from decision_aid.engine import answer_writes
from decision_aid.patient import check_answers
from decision_aid.storage.db import writer_turns
from decision_aid.storage.models import PatientRecord
from tests.support.journey import current_record

PHQ9 = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_9": "0"}


def _other_request_writes(record_id: str, answers: dict[str, Any] | None,
                          revisions: dict[str, int] | None = None, **columns: Any) -> None:
    """What a second request for the same record does meanwhile, on its own connection."""
    engine = current_app.extensions["db_engine"]
    turns = writer_turns(engine)
    # The first request holds no write lock while it works (on SQLite); if it did, this
    # second writer would wait for it here for 15 seconds.
    assert turns is None or not turns.taken()
    with current_app.extensions["sessionmaker"]() as db:
        row = db.get(PatientRecord, record_id)
        assert row is not None
        if answers is not None:
            row.answers = answers
        for name, value in columns.items():
            setattr(row, name, value)
        if revisions is not None:
            row.page_revisions = revisions
        db.commit()


def test_a_double_click_lands_once_and_goes_on(client: FlaskClient, app: Flask,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    page = client.post("/start").headers["Location"]
    record = current_record(client, app)
    real = answer_writes.apply_values
    calls: list[int] = []

    def first_click_lands_meanwhile(*args: Any) -> dict[str, Any]:
        new = real(*args)
        if not calls:  # the other click's save lands while this one works out the page
            _other_request_writes(record.id, new, {"phq9": 1})
        calls.append(1)
        return new

    monkeypatch.setattr(answer_writes, "apply_values", first_click_lands_meanwhile)
    resp = client.post(page, data=PHQ9 | {"rev": "0"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    assert resp.headers["Location"] != page  # on to the next page, not the 409 page
    after = current_record(client, app)
    assert after.answers["phq9_1"] == "1"
    # Answered again from the record as the other click left it: nothing more to write.
    assert calls == [1]
    assert after.version == record.version + 1


def test_a_record_changed_again_on_the_second_try_gets_the_conflict_page(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    page = client.post("/start").headers["Location"]
    record_id = current_record(client, app).id
    real = answer_writes.apply_values
    changes = iter(["3", "2"])

    def always_changed_meanwhile(*args: Any) -> dict[str, Any]:
        new = real(*args)
        _other_request_writes(record_id, {"phq9_1": next(changes)})
        return new

    monkeypatch.setattr(answer_writes, "apply_values", always_changed_meanwhile)
    resp = client.post(page, data=PHQ9)
    assert resp.status_code == 409
    assert current_record(client, app).answers["phq9_1"] == "2"  # the other request's answer


def test_check_your_answers_confirmed_twice_at_once_makes_one_summary(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.journey import persona, walk

    walk(client, app, persona())
    record = current_record(client, app)
    real = check_answers.build_summary
    calls: list[int] = []

    def other_confirm_lands_meanwhile(*args: Any) -> Any:
        summary = real(*args)
        if not calls:
            _other_request_writes(record.id, None, completed_at=datetime.now(UTC))
        calls.append(1)
        return summary

    monkeypatch.setattr(check_answers, "build_summary", other_confirm_lands_meanwhile)
    resp = client.post("/check")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/summary")
    assert calls == [1, 1]  # made again from the record as it is now
    assert client.get("/summary").status_code == 200


def test_a_draft_ended_in_another_tab_meanwhile_gets_the_no_draft_page(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import delete

    from decision_aid.storage.models import PatientSession

    page = client.post("/start").headers["Location"]
    record_id = current_record(client, app).id
    real = answer_writes.apply_values

    def ended_meanwhile(*args: Any) -> dict[str, Any]:
        new = real(*args)
        _other_request_writes(record_id, {"phq9_1": "3"})
        with current_app.extensions["sessionmaker"]() as db:
            db.execute(delete(PatientSession).where(PatientSession.response_id == record_id))
            db.commit()
        return new

    monkeypatch.setattr(answer_writes, "apply_values", ended_meanwhile)
    resp = client.post(page, data=PHQ9)
    # Answered again with the session read again: it is gone, so there is no draft here.
    assert resp.status_code == 200
    assert "We could not find your answers" in resp.get_data(as_text=True)
