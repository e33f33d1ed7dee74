"""SQLite transactions: a POST takes the write lock up front; GET requests read without
queueing behind writers; a GET that writes (an audit row) or takes row locks upgrades safely
instead of failing."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from decision_aid.storage.models import AuditEvent, PatientRecord
from tests.storage.conftest import blank_record


@pytest.fixture
def sqlite_path(engine: Engine, database_url: str) -> str:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking only")
    return database_url.removeprefix("sqlite:///")


@pytest.fixture
def record_id(engine: Engine, sqlite_path: str) -> str:
    return blank_record(engine)


@pytest.fixture
def web() -> Flask:
    return Flask(__name__)


def _audit(action: str = "view") -> AuditEvent:
    return AuditEvent(ts=datetime.now(UTC), actor="clinician:1", action=action, outcome="ok")


def _audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.fixture
def other(sqlite_path: str) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(sqlite_path, isolation_level=None, timeout=0)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def test_a_post_takes_the_write_lock_at_its_first_read(
        engine: Engine, web: Flask, record_id: str, other: sqlite3.Connection) -> None:
    with web.test_request_context("/q/x", method="POST"), Session(engine) as session:
        assert session.get(PatientRecord, record_id) is not None
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        session.rollback()
    other.execute("BEGIN IMMEDIATE")  # released once the request's transaction ended


def test_a_locking_read_in_a_get_takes_the_write_lock_first(
        engine: Engine, web: Flask, record_id: str, other: sqlite3.Connection) -> None:
    with web.test_request_context("/summary", method="GET"), Session(engine) as session:
        stmt = select(PatientRecord).where(PatientRecord.id == record_id).with_for_update()
        assert session.scalars(stmt).first() is not None
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        session.rollback()
    other.execute("BEGIN IMMEDIATE")


def test_a_get_reads_while_another_connection_writes(
        engine: Engine, web: Flask, record_id: str, other: sqlite3.Connection) -> None:
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO audit_events (ts, actor, action, outcome) "
                  "VALUES ('2026-01-01 00:00:00.000000', 'system', 'purge', 'ok')")
    started = time.monotonic()
    with web.test_request_context("/summary", method="GET"), Session(engine) as session:
        assert session.get(PatientRecord, record_id) is not None
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert time.monotonic() - started < 2, "a read must not wait for the writer's lock"
    other.execute("COMMIT")


def test_a_get_that_writes_after_someone_else_committed_succeeds(
        engine: Engine, web: Flask, record_id: str, other: sqlite3.Connection) -> None:
    """Without the upgrade this is SQLITE_BUSY_SNAPSHOT: the read snapshot is stale."""
    with web.test_request_context("/summary/pdf", method="GET"), Session(engine) as session:
        assert session.get(PatientRecord, record_id) is not None
        other.execute("INSERT INTO audit_events (ts, actor, action, outcome) "
                      "VALUES ('2026-01-01 00:00:00.000000', 'system', 'purge', 'ok')")
        session.add(_audit("pdf"))
        session.commit()
    assert _audit_count(engine) == 2


def test_a_get_that_writes_waits_for_the_lock(
        engine: Engine, web: Flask, record_id: str, sqlite_path: str) -> None:
    locked, released = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(sqlite_path, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            locked.set()
            time.sleep(1.0)
            released.set()
            conn.execute("COMMIT")
        finally:
            conn.close()

    with web.test_request_context("/clinician/summaries/x", method="GET"), \
            Session(engine) as session:
        assert session.get(PatientRecord, record_id) is not None
        holder = threading.Thread(target=hold)
        holder.start()
        assert locked.wait(5)
        session.add(_audit("view"))
        session.commit()
        assert released.is_set(), "the write waited for the other connection"
        holder.join(5)
    assert _audit_count(engine) == 1


def test_a_stale_read_cannot_overwrite_a_newer_save(
        engine: Engine, web: Flask, record_id: str) -> None:
    """The upgrade ends the read snapshot; the row version still stops a lost update."""
    from sqlalchemy.orm.exc import StaleDataError

    with web.test_request_context("/x", method="GET"), Session(engine) as session:
        record = session.get(PatientRecord, record_id)
        assert record is not None
        with Session(engine) as newer:
            fresh = newer.get(PatientRecord, record_id)
            assert fresh is not None
            fresh.answers = {"phq9_1": "3"}
            newer.commit()
        record.answers = {"phq9_1": "0"}
        with pytest.raises(StaleDataError):
            session.commit()
    with Session(engine) as session:
        stored = session.get(PatientRecord, record_id)
        assert stored is not None and stored.answers == {"phq9_1": "3"}


def test_a_double_click_on_continue_saves_once_not_a_conflict(app: Flask) -> None:
    """Two POSTs of one page at the same moment: the second waits for the first's lock, sees
    its save and is the same answer again (303), not a 409 from a stale row version."""
    from tests.support.journey import PAGE_URL, form_for, page_values, persona

    if not str(app.config["DATABASE_URL"]).startswith("sqlite"):
        pytest.skip("SQLite locking only")
    q = app.extensions["content"].questionnaire
    statuses: list[int] = []
    for _ in range(5):
        client = app.test_client()
        first = client.post("/start").headers["Location"]
        match = PAGE_URL.match(first)
        assert match, first
        page = q.page(match["page"])
        data = form_for(page, page_values(page, persona(), None))
        cookie = client.get_cookie(str(app.config["SESSION_COOKIE_NAME"]))
        assert cookie is not None
        barrier = threading.Barrier(2)

        def click(name: str = cookie.key, value: str = cookie.value, url: str = first,
                  form: dict[str, object] = data, start: threading.Barrier = barrier) -> None:
            twin = app.test_client()
            twin.set_cookie(name, value)
            start.wait()
            statuses.append(twin.post(url, data=form).status_code)

        clicks = [threading.Thread(target=click) for _ in range(2)]
        for t in clicks:
            t.start()
        for t in clicks:
            t.join(30)
    assert statuses == [303] * 10, statuses
