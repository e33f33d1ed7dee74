"""Flask CLI commands: `flask --app decision_aid db upgrade`, purge-expired, rotate-data-keys."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import Column, Table, Text, delete, make_url, or_, select, type_coerce, update

from decision_aid.security.crypto import EncryptedJSON, MissingKeyError, reencrypt, under_first_key
from decision_aid.storage import migrate


def register_cli(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """Database schema commands."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply the Alembic migrations (default: up to the newest)."""
        url = str(current_app.config["DATABASE_URL"])
        private_sqlite_file(url)
        migrate.upgrade(url, revision)
        click.echo("Database is up to date.")

    @db_group.command("downgrade")
    @click.argument("revision")
    def db_downgrade(revision: str) -> None:
        """Step the schema back to REVISION."""
        migrate.downgrade(str(current_app.config["DATABASE_URL"]), revision)
        click.echo(f"Database downgraded to {revision}.")

    @app.cli.command("purge-expired")
    def purge_expired() -> None:
        """Delete drafts and saved summaries that are past their retention period."""
        n = purge(datetime.now(UTC))
        click.echo(f"Deleted {n} expired record(s).")

    @app.cli.command("rotate-data-keys")
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
    def rotate_data_keys_command(batch_size: int) -> None:
        """Re-encrypt every encrypted value under the first key in DATA_KEYS.

        Works in batches, one transaction each; safe to stop and run again (values already
        under the first key are skipped). When it reports none left, the other keys can go.
        """
        report = rotate_data_keys(batch_size, progress=click.echo)
        click.echo(f"Checked {report.checked} row(s); re-encrypted {report.rewritten}.")
        if report.unreadable:
            shown = ", ".join(report.unreadable[:20])
            raise click.ClickException(
                f"{len(report.unreadable)} row(s) could not be opened with any key in DATA_KEYS "
                f"({shown}). Add the key they were saved with (after the first) and run again; "
                "do not remove any key yet.")
        click.echo("Every encrypted value now uses the first key. "
                   "The other keys can be removed from DATA_KEYS.")


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by this user only (0600) before SQLite does (it
    would use 0644). Its -wal and -shm files take the same mode from it."""
    made = make_url(url)
    if made.get_backend_name() != "sqlite" or made.database in (None, "", ":memory:"):
        return
    path = Path(made.database or "")
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def purge(now: datetime) -> int:
    from decision_aid.patient.sessions import purge as purge_sessions
    from decision_aid.security import audit
    from decision_aid.storage.db import get_session
    from decision_aid.storage.models import PatientRecord

    cfg = current_app.config
    draft_cutoff = now - timedelta(days=int(cfg["DRAFT_RETENTION_DAYS"]))
    saved_cutoff = now - timedelta(days=int(cfg["SAVED_RETENTION_DAYS"]))
    session = get_session()
    result = session.execute(
        delete(PatientRecord).where(
            or_(
                (PatientRecord.status != "saved") & (PatientRecord.updated_at < draft_cutoff),
                (PatientRecord.status == "saved") & (PatientRecord.updated_at < saved_cutoff),
            )
        )
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    purge_sessions(now, int(cfg["DRAFT_RETENTION_DAYS"]))
    session.commit()
    audit.record("purge", actor="system", detail=f"deleted={count}")
    return count


@dataclass
class RotationReport:
    checked: int = 0
    rewritten: int = 0
    rewritten_by_table: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # "table:primary key", never the data


def encrypted_tables() -> list[tuple[Table, Column[Any], list[Column[Any]]]]:
    """Every table with encrypted columns, with its (single-column) primary key."""
    from decision_aid.storage import models  # noqa: F401  (registers every table on Base.metadata)
    from decision_aid.storage.db import Base

    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedJSON)]
        if columns:
            (key,) = table.primary_key.columns
            found.append((table, key, columns))
    return found


def rotate_data_keys(batch_size: int,
                     progress: Callable[[str], None] = lambda _m: None) -> RotationReport:
    from decision_aid.storage.db import get_session

    session = get_session()
    report = RotationReport()
    for table, key, columns in encrypted_tables():
        # Re-encrypting is not a change: keep updated_at (retention) as it was.
        unchanged = {c.name: c for c in table.columns if c.onupdate is not None}
        raw = [type_coerce(c, Text).label(c.name) for c in columns]
        last: Any = None
        while True:
            stmt = select(key, *raw).order_by(key).limit(batch_size)
            if last is not None:
                stmt = stmt.where(key > last)
            rows = session.execute(stmt).all()
            if not rows:
                break
            for row in rows:
                report.checked += 1
                if _rotate_row(session, table, key, columns, row, unchanged, report):
                    report.rewritten += 1
                    report.rewritten_by_table[table.name] += 1
            session.commit()
            last = rows[-1][0]
            progress(f"{table.name}: {report.rewritten_by_table[table.name]} re-encrypted so far")
    return report


def _rotate_row(session: Any, table: Table, key: Column[Any], columns: list[Column[Any]],
                row: Any, unchanged: dict[str, Column[Any]], report: RotationReport) -> bool:
    values: dict[str, Any] = {}
    guard = [key == row[0]]
    for column in columns:
        token = row._mapping[column.name]
        if token is None or under_first_key(token):
            continue
        try:
            values[column.name] = type_coerce(reencrypt(token), Text)
        except MissingKeyError:
            report.unreadable.append(f"{table.name}:{row[0]}")
            return False
        # Only if nobody saved the row meanwhile (a new save is already under the first key).
        guard.append(type_coerce(column, Text) == token)
    if not values:
        return False
    session.execute(update(table).where(*guard).values(**values, **unchanged))
    return True
