"""Database-level fixtures: a migrated database (SQLite file or a fresh PostgreSQL schema).

These tests talk to the database through the app's own engine factory and the Alembic
migrations, without building the Flask app, so they check what is really on disk.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from decision_aid.security import crypto
from decision_aid.storage.db import make_engine
from decision_aid.storage.migrate import upgrade
from decision_aid.storage.models import PatientRecord


@pytest.fixture
def data_key() -> str:
    key = Fernet.generate_key().decode()
    crypto.configure(key)
    return key


@pytest.fixture
def engine(database_url: str, data_key: str) -> Iterator[Engine]:
    upgrade(database_url)
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def blank_record(engine: Engine) -> str:
    """A stored record with no answers yet; its id."""
    with Session(engine) as session:
        record = PatientRecord(
            answers={}, page_revisions={}, content_version="t", consent_version="t")
        session.add(record)
        session.commit()
        return record.id
