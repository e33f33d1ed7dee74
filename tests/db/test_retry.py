"""with_retry: an idempotent unit of work is retried when the database is briefly unavailable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from decision_aid.db import init_db, with_retry
from decision_aid.models import AuditEvent


@pytest.fixture
def ctx(engine: Engine, database_url: str) -> Iterator[Flask]:
    app = Flask(__name__)
    app.config["DATABASE_URL"] = database_url
    init_db(app)
    with app.app_context():
        yield app
    app.extensions["db_engine"].dispose()


def _add_event(failures: list[int]) -> object:
    def work(session: Session) -> str:
        session.add(AuditEvent(actor="system", action="purge", outcome="ok"))
        if failures:
            failures.pop()
            raise OperationalError("INSERT", {}, ConnectionError("gone"))
        return "done"

    return work


def _events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_retry_succeeds_after_a_transient_failure(ctx: Flask, engine: Engine) -> None:
    assert with_retry(_add_event([1]), attempts=3, delay=0) == "done"  # type: ignore[arg-type]
    assert _events(engine) == 1, "the failed attempt was rolled back, not written twice"


def test_retry_gives_up_and_raises(ctx: Flask, engine: Engine) -> None:
    with pytest.raises(OperationalError):
        with_retry(_add_event([1, 1, 1]), attempts=3, delay=0)  # type: ignore[arg-type]
    assert _events(engine) == 0


def test_retry_needs_at_least_one_attempt(ctx: Flask) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        with_retry(_add_event([]), attempts=0)  # type: ignore[arg-type]
