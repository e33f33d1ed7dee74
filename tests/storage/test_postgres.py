"""PostgreSQL-only checks. Marked `postgres`: they skip on a laptop without TEST_DATABASE_URL,
but fail under CI=true, where .ci/run always starts the cluster and sets the variable."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from decision_aid.serving.config import normalise_database_url
from decision_aid.storage.db import make_engine
from decision_aid.storage.models import PatientRecord
from tests.conftest import need

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _require_postgres() -> None:
    need("PostgreSQL (TEST_DATABASE_URL)",
         os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"))


def _draft() -> PatientRecord:
    return PatientRecord(answers={"phq9_1": "1"}, page_revisions={}, content_version="t",
                    consent_version="t")


def test_engine_is_psycopg3_with_pre_ping(engine: Engine) -> None:
    assert engine.dialect.name == "postgresql"
    assert engine.dialect.driver == "psycopg"
    assert engine.pool._pre_ping  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(text("SHOW server_version_num")).scalar_one() >= "150000"


def test_plain_postgresql_urls_use_psycopg3(engine: Engine) -> None:
    url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    plain = make_engine(normalise_database_url(url))
    try:
        assert plain.dialect.driver == "psycopg"
        with plain.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        plain.dispose()


def test_audit_triggers_cover_update_and_delete(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.oid = 'audit_events'::regclass AND NOT t.tgisinternal")).scalars().all()
    # tgtype bits: 2 = BEFORE, 8 = DELETE, 16 = UPDATE.
    covered = 0
    for tgtype in rows:
        assert tgtype & 2, "the trigger must fire BEFORE the change"
        covered |= tgtype & (8 | 16)
    assert covered == 8 | 16


def test_times_round_trip_with_their_time_zone(engine: Engine) -> None:
    when = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with Session(engine) as session:
        record = _draft()
        record.shared_at = when
        session.add(record)
        session.commit()
        record_id = record.id
    with Session(engine) as session:
        stored = session.get(PatientRecord, record_id)
        assert stored is not None and stored.shared_at == when
        assert stored.shared_at.tzinfo is not None


def test_two_sessions_editing_one_draft_the_later_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        record = _draft()
        session.add(record)
        session.commit()
        record_id = record.id
    with Session(engine) as first, Session(engine) as second:
        a = first.get(PatientRecord, record_id)
        b = second.get(PatientRecord, record_id)
        assert a is not None and b is not None
        a.answers = {"phq9_1": "2"}
        first.commit()
        b.answers = {"phq9_1": "3"}
        with pytest.raises(StaleDataError):
            second.commit()
    with Session(engine) as session:
        stored = session.get(PatientRecord, record_id)
        assert stored is not None
        assert stored.answers == {"phq9_1": "2"} and stored.version == 2


def test_concurrent_saves_of_different_drafts_all_land(engine: Engine) -> None:
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            with Session(engine) as session:
                for _ in range(5):
                    record = _draft()
                    record.answers = {"own_questions": f"writer {n}"}
                    session.add(record)
                    session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(PatientRecord)) == 20
