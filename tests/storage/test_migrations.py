"""The same Alembic migrations build, remove and rebuild the schema on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from decision_aid.storage import models  # noqa: F401  (registers the tables)
from decision_aid.storage.db import Base
from decision_aid.storage.migrate import downgrade, upgrade

APP_TABLES = {"responses", "clinicians", "audit_events"}


def _triggers(conn: Connection) -> set[str]:
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"))
    else:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    return {r[0] for r in rows}


def _schema(url: str) -> tuple[set[str], set[str], set[str], str | None]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            tables = set(insp.get_table_names())
            indexes = {ix["name"] for t in tables & APP_TABLES for ix in insp.get_indexes(t)
                       if ix["name"]}
            version = None
            if "alembic_version" in tables:
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return tables, indexes, _triggers(conn), version
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    upgrade(database_url)
    tables, indexes, triggers, version = _schema(database_url)
    assert tables >= APP_TABLES
    assert {"ix_responses_shared_feed", "ix_responses_flagged_feed",
            "ix_audit_events_ts"} <= indexes
    assert triggers, "the audit table must carry its append-only triggers"
    assert version is not None

    downgrade(database_url, "base")
    tables, indexes, triggers, version = _schema(database_url)
    assert not (APP_TABLES & tables)
    assert triggers == set() and version is None

    # A second upgrade must not trip over leftovers (functions, triggers, indexes).
    upgrade(database_url)
    tables2, indexes2, triggers2, version2 = _schema(database_url)
    assert tables2 >= APP_TABLES
    assert indexes2 >= {"ix_responses_shared_feed", "ix_responses_flagged_feed"}
    assert triggers2 and version2 is not None


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to do: the migrations and models.py describe the same schema."""
    upgrade(database_url)
    assert _drift(database_url) == []


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    first = _schema(database_url)
    upgrade(database_url)
    assert _schema(database_url) == first


def test_the_migrations_form_one_line_with_one_head() -> None:
    from alembic.script import ScriptDirectory

    from decision_aid.storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == ["0007"]
    assert [rev.revision for rev in script.walk_revisions()] == [
        "0007", "0006", "0005", "0004", "0003", "0002", "0001"]
