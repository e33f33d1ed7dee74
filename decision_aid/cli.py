"""Flask CLI commands: `flask --app decision_aid db upgrade` and purge-expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from sqlalchemy import delete, or_

from . import migrate


def register_cli(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """Database schema commands."""

    @db_group.command("upgrade")
    @click.argument("revision", default="heads")
    def db_upgrade(revision: str) -> None:
        """Apply the Alembic migrations (default: up to the newest)."""
        migrate.upgrade(str(current_app.config["DATABASE_URL"]), revision)
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


def purge(now: datetime) -> int:
    from . import audit
    from .db import get_session
    from .models import Response

    cfg = current_app.config
    draft_cutoff = now - timedelta(days=int(cfg["DRAFT_RETENTION_DAYS"]))
    saved_cutoff = now - timedelta(days=int(cfg["SAVED_RETENTION_DAYS"]))
    session = get_session()
    result = session.execute(
        delete(Response).where(
            or_(
                (Response.status != "saved") & (Response.updated_at < draft_cutoff),
                (Response.status == "saved") & (Response.updated_at < saved_cutoff),
            )
        )
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.commit()
    audit.record("purge", actor="system", detail=f"deleted={count}")
    return count
