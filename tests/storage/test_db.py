"""SQLite writers of one process take turns on a lock of their own before BEGIN IMMEDIATE, so
they queue in the process (waking at once when it is free) instead of polling SQLite's busy
handler; every way a transaction ends gives the turn back."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from decision_aid.storage import db
from decision_aid.storage.models import AuditEvent, PatientRecord
from tests.storage.conftest import blank_record


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite writers only")
    return database_url


@pytest.fixture
def impatient_engine(sqlite_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch,
                     ) -> Iterator[Engine]:
    """SQLite's own busy wait off: a writer that reaches a held lock fails at once."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 0)
    eng = db.make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def record_id(engine: Engine) -> str:
    return blank_record(engine)


def _turns(engine: Engine) -> db.WriterTurns:
    turns = db.writer_turns(engine)
    assert turns is not None
    return turns


def test_a_second_writer_waits_for_its_turn_instead_of_failing(
        impatient_engine: Engine, record_id: str) -> None:
    web = Flask(__name__)
    holding, done = threading.Event(), threading.Event()
    outcome: list[object] = []

    def second_writer() -> None:
        try:
            with web.test_request_context("/q/x", method="POST"), \
                    Session(impatient_engine) as session:
                record = session.get(PatientRecord, record_id)
                assert record is not None
                record.answers = {"phq9_1": "2"}
                session.commit()
                outcome.append("saved")
        except Exception as exc:  # reported below
            outcome.append(exc)
        finally:
            done.set()

    with web.test_request_context("/q/x", method="POST"), \
            Session(impatient_engine) as session:
        record = session.get(PatientRecord, record_id)
        assert record is not None and _turns(impatient_engine).taken()
        holding.set()
        writer = threading.Thread(target=second_writer)
        writer.start()
        time.sleep(0.2)  # lets the second writer reach the lock (not a timed assertion)
        assert not done.is_set(), outcome
        record.answers = {"phq9_1": "1"}
        session.commit()
    writer.join(30)
    assert outcome == ["saved"]
    with Session(impatient_engine) as session:
        stored = session.get(PatientRecord, record_id)
        assert stored is not None and stored.answers == {"phq9_1": "2"}


def test_the_turn_is_given_back_however_the_transaction_ends(
        engine: Engine, sqlite_url: str, record_id: str) -> None:
    web = Flask(__name__)
    turns = _turns(engine)
    ends: dict[str, Callable[[Session], None]] = {
        "commit": Session.commit,
        "rollback": Session.rollback,
        "close": Session.close,
    }
    for how, end in ends.items():
        with web.test_request_context("/q/x", method="POST"):
            session = Session(engine)
            assert session.get(PatientRecord, record_id) is not None
            assert turns.taken(), how
            end(session)
            assert not turns.taken(), how
            session.close()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text("SELECT 1"))
        assert turns.taken()
        raise RuntimeError("the block failed")
    assert not turns.taken()


def test_reads_take_no_turn_and_a_read_that_writes_takes_it_for_the_write(
        engine: Engine, sqlite_url: str, record_id: str) -> None:
    web = Flask(__name__)
    turns = _turns(engine)
    with web.test_request_context("/summary", method="GET"), Session(engine) as session:
        assert session.get(PatientRecord, record_id) is not None
        assert not turns.taken()
        session.add(AuditEvent(ts=datetime.now(UTC), actor="patient", action="patient_pdf",
                               outcome="ok"))
        session.flush()
        assert turns.taken()
        session.commit()
        assert not turns.taken()


def test_a_writer_from_another_process_still_meets_sqlites_own_wait(
        engine: Engine, sqlite_url: str, record_id: str) -> None:
    """The turn is per process: another process's writer is kept out by SQLite's lock."""
    web = Flask(__name__)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None,
                            timeout=0)
    try:
        with web.test_request_context("/q/x", method="POST"), Session(engine) as session:
            assert session.get(PatientRecord, record_id) is not None
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            session.rollback()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_postgresql_engines_have_no_turns() -> None:
    engine = db.make_engine("postgresql+psycopg://u:p@127.0.0.1:1/none")
    assert db.writer_turns(engine) is None
    engine.dispose()
