"""What the database itself guarantees: append-only audit rows, unique code hashes, and
answers that are ciphertext at rest."""

from __future__ import annotations

import glob
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from decision_aid.storage.models import AuditEvent, PatientRecord

SENTINEL = "ZZ_SENTINEL_8f3a_WELLBUTRIN_ZZ"
PLAIN_MARKER = "plain-marker-77"


def _response(**overrides: object) -> PatientRecord:
    values: dict[str, object] = {
        "answers": {},
        "page_revisions": {},
        "content_version": "test",
        "consent_version": "test",
    }
    values.update(overrides)
    return PatientRecord(**values)


def _audit_row(engine: Engine) -> int:
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(
            ts=datetime.now(UTC), actor="system", action="purge", outcome="ok",
            detail="deleted=0"))
        return int(conn.execute(select(AuditEvent.id)).scalar_one())


def test_audit_rows_can_be_added_and_read(engine: Engine) -> None:
    event_id = _audit_row(engine)
    with engine.connect() as conn:
        assert conn.execute(select(AuditEvent.action).where(AuditEvent.id == event_id)
                            ).scalar_one() == "purge"


@pytest.mark.parametrize("verb", ["update", "delete", "orm_update"])
def test_audit_table_refuses_update_and_delete(engine: Engine, verb: str) -> None:
    event_id = _audit_row(engine)
    with pytest.raises(DBAPIError, match="append-only"):
        if verb == "orm_update":
            with Session(engine) as session:
                event = session.get(AuditEvent, event_id)
                assert event is not None
                event.detail = "edited"
                session.commit()
        else:
            stmt = (update(AuditEvent).values(detail="edited") if verb == "update"
                    else delete(AuditEvent))
            with engine.begin() as conn:
                conn.execute(stmt.where(AuditEvent.id == event_id))
    with engine.connect() as conn:
        row = conn.execute(select(AuditEvent.detail).where(AuditEvent.id == event_id)).one()
    assert row.detail == "deleted=0"


def test_code_hash_is_unique(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all([_response(code_hash="a" * 64), _response(code_hash="b" * 64)])
        # Drafts have no code yet: any number of NULLs is fine.
        session.add_all([_response(), _response()])
        session.commit()
    with Session(engine) as session:
        session.add(_response(code_hash="a" * 64))
        with pytest.raises(IntegrityError):
            session.commit()
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(PatientRecord)
                               .where(PatientRecord.code_hash == "a" * 64))
    assert count == 1


def _store_sentinel(engine: Engine) -> str:
    answers = {
        "own_questions": f"Will {SENTINEL} help?",
        "medicines": [{"medicine": "other", "other_name": SENTINEL}],
    }
    with Session(engine) as session:
        record = _response(answers=answers, page_revisions={"own_questions": 1},
                           summary_snapshot={"own_questions": SENTINEL},
                           sure_answers={"sure_1": "yes"}, content_version=PLAIN_MARKER)
        session.add(record)
        session.commit()
        record_id = record.id
    # The ORM still reads the answers back: the sentinel really was stored.
    with Session(engine) as session:
        stored = session.get(PatientRecord, record_id)
        assert stored is not None
        assert stored.answers["medicines"][0]["other_name"] == SENTINEL
        assert stored.summary_snapshot == {"own_questions": SENTINEL}
    return record_id


def _raw_dump(engine: Engine, database_url: str) -> bytes:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT r::text FROM responses AS r")).scalars().all()
        return "\n".join(rows).encode()
    engine.dispose()
    path = database_url.removeprefix("sqlite:///")
    # The main file plus the write-ahead log, where fresh pages live until a checkpoint.
    return b"".join(Path(p).read_bytes() for p in sorted(glob.glob(path + "*")))


def test_answers_are_encrypted_at_rest(engine: Engine, database_url: str) -> None:
    _store_sentinel(engine)
    dump = _raw_dump(engine, database_url)
    # The scan does see plain columns, so it would see the sentinel if it were stored in clear.
    assert PLAIN_MARKER.encode() in dump
    assert SENTINEL.encode() not in dump
    assert b"own_questions" not in dump and b"WELLBUTRIN" not in dump


def test_ciphertext_is_unreadable_with_another_key(engine: Engine) -> None:
    from cryptography.fernet import Fernet

    from decision_aid.security import crypto

    record_id = _store_sentinel(engine)
    crypto.configure(Fernet.generate_key().decode())
    with Session(engine) as session, pytest.raises(ValueError, match="could not be decrypted"):
        session.get(PatientRecord, record_id)
