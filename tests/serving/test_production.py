"""Serving settings: production refuses unsafe configuration; proxies, hosts, request size,
rate-limit storage; security headers on every kind of response; a generic error page."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask, request
from flask.testing import FlaskClient

from decision_aid import create_app
from decision_aid.serving.config import ConfigError, normalise_database_url
from decision_aid.serving.extensions import limiter
from decision_aid.storage.migrate import upgrade
from tests.conftest import base_test_config
from tests.support.journey import finish, persona, walk

SETTINGS = ("APP_ENV", "SECRET_KEY", "CODE_PEPPER", "DATA_KEYS", "DATABASE_URL", "ALLOWED_HOSTS",
            "TRUSTED_PROXY_HOPS", "RATELIMIT_STORAGE_URI", "SESSION_COOKIE_SECURE",
            "MAX_CONTENT_LENGTH")
PG_URL = "postgresql+psycopg://app:pw@127.0.0.1:9/decision_aid"  # never connected to here


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("CODE_PEPPER", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATA_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("ALLOWED_HOSTS", "aid.example.org")
    return monkeypatch


def _dispose(app: Flask) -> None:
    app.extensions["db_engine"].dispose()


# --- Production refuses to start with unsafe settings -----------------------------------------

def test_production_starts_with_complete_settings(production_env: pytest.MonkeyPatch) -> None:
    app = create_app()
    try:
        assert app.debug is False
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert app.config["TRUSTED_HOSTS"] == ["aid.example.org"]
        assert app.extensions["db_engine"].dialect.driver == "psycopg"
    finally:
        _dispose(app)


WEAK = "SECRET_KEY must be set"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SECRET_KEY", None, WEAK),
    ("SECRET_KEY", "changeme", WEAK),
    ("SECRET_KEY", "short-but-random-9f8e", WEAK),
    ("SECRET_KEY", "x" * 64, WEAK),
    ("SECRET_KEY", "dev", WEAK),
    ("CODE_PEPPER", None, "CODE_PEPPER must be set"),
    ("CODE_PEPPER", "pepper", "CODE_PEPPER must be set"),
    ("DATA_KEYS", None, "DATA_KEYS must hold"),
    ("DATA_KEYS", "not-a-fernet-key", "DATA_KEYS must hold"),
    ("ALLOWED_HOSTS", None, "ALLOWED_HOSTS must list"),
    ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS must list"),
    ("DATABASE_URL", None, "must point at PostgreSQL"),
    ("DATABASE_URL", "sqlite:////srv/decision_aid.sqlite3", "must point at PostgreSQL"),
])
def test_production_refuses_unsafe_settings(production_env: pytest.MonkeyPatch, name: str,
                                            value: str | None, message: str) -> None:
    if value is None:
        production_env.delenv(name)
    else:
        production_env.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as caught:
        create_app()
    if value and name != "DATABASE_URL":
        assert value.strip(" ,") == "" or value not in str(caught.value), "never echo secrets"


def test_production_lists_every_problem_at_once(production_env: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "CODE_PEPPER", "DATA_KEYS", "ALLOWED_HOSTS", "DATABASE_URL"):
        production_env.delenv(name)
    with pytest.raises(ConfigError) as caught:
        create_app()
    assert str(caught.value).count(";") == 4


def test_development_default_is_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    app = create_app({"TESTING": True})
    try:
        assert str(app.config["DATABASE_URL"]).startswith("sqlite:///")
        assert app.config["SESSION_COOKIE_SECURE"] is False
    finally:
        _dispose(app)


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
    ("postgres://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
    ("postgresql+psycopg://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_means_psycopg3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_database_url_from_env_is_normalised(production_env: pytest.MonkeyPatch) -> None:
    production_env.setenv("DATABASE_URL", "postgres://app:pw@127.0.0.1:9/decision_aid")
    app = create_app()
    try:
        assert app.config["DATABASE_URL"] == PG_URL
    finally:
        _dispose(app)


# --- Rate-limit storage -----------------------------------------------------------------------

def _app_with_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path,
                  **overrides: object) -> Flask:
    monkeypatch.setenv("APP_ENV", "testing")
    upgrade(database_url)
    return create_app(base_test_config(database_url, tmp_path) | overrides)


def test_memory_rate_limits_by_default(monkeypatch: pytest.MonkeyPatch, database_url: str,
                                       tmp_path: Path) -> None:
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = _app_with_env(monkeypatch, database_url, tmp_path, RATELIMIT_ENABLED=True)
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
        assert type(limiter.storage).__name__ == "MemoryStorage"
    finally:
        _dispose(app)


def test_redis_uri_reaches_flask_limiter(monkeypatch: pytest.MonkeyPatch, database_url: str,
                                         tmp_path: Path) -> None:
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6390/3")
    app = _app_with_env(monkeypatch, database_url, tmp_path, RATELIMIT_ENABLED=True)
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6390/3"
        storage = limiter.storage
        assert type(storage).__name__ == "RedisStorage"
        kwargs = storage.storage.connection_pool.connection_kwargs  # type: ignore[attr-defined]
        assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6390, 3)
    finally:
        _dispose(app)


def test_limits_still_hold_when_redis_is_unreachable(
        monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    """Port 9 on loopback refuses at once: each worker falls back to counting in memory."""
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:9/0")
    app = _app_with_env(monkeypatch, database_url, tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    try:
        statuses = [client.post("/resume", data={"code": "0000-0000-0000-0000"}).status_code
                    for _ in range(6)]
        assert statuses == [400] * 5 + [429]
    finally:
        limiter._storage_dead = False  # the limiter is process-wide: do not leak into others
        _dispose(app)


# --- Proxies, hosts and request size ----------------------------------------------------------

def _ip_route(app: Flask) -> None:
    @app.get("/_test/ip")
    def _ip() -> str:
        return f"{request.remote_addr}|{request.scheme}|{request.host}"


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "aid.example.org"}


def test_forwarded_headers_are_ignored_by_default(app: Flask) -> None:
    _ip_route(app)
    resp = app.test_client().get("/_test/ip", headers=FORWARDED,
                                 environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert resp.get_data(as_text=True) == "10.0.0.5|http|localhost"
    assert "Strict-Transport-Security" not in resp.headers


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return app_config | {"TRUSTED_PROXY_HOPS": 1}

    def test_forwarded_headers_are_honoured(self, app: Flask) -> None:
        _ip_route(app)
        resp = app.test_client().get("/_test/ip", headers=FORWARDED,
                                     environ_base={"REMOTE_ADDR": "10.0.0.5"})
        assert resp.get_data(as_text=True) == "203.0.113.9|https|aid.example.org"
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=")

    def test_only_the_last_hop_is_trusted(self, app: Flask) -> None:
        _ip_route(app)
        resp = app.test_client().get("/_test/ip",
                                     headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.5"})
        assert resp.get_data(as_text=True).startswith("203.0.113.9|")


def test_spoofed_forwarded_for_does_not_reset_the_limit(
        monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = _app_with_env(monkeypatch, database_url, tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    try:
        statuses = [client.post("/resume", data={"code": "0000-0000-0000-0000"},
                                headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                    for i in range(6)]
        assert statuses[-1] == 429
    finally:
        _dispose(app)


@pytest.fixture
def app_with_hosts(monkeypatch: pytest.MonkeyPatch, database_url: str,
                   tmp_path: Path) -> Iterator[Flask]:
    monkeypatch.setenv("ALLOWED_HOSTS", "aid.example.org, .clinic.example")
    app = _app_with_env(monkeypatch, database_url, tmp_path)
    yield app
    _dispose(app)


def test_unknown_host_is_refused(app_with_hosts: Flask) -> None:
    client = app_with_hosts.test_client()
    evil = client.get("/", base_url="http://evil.example")
    assert evil.status_code == 400
    assert evil.headers["X-Content-Type-Options"] == "nosniff"
    assert "evil.example" not in evil.get_data(as_text=True)
    assert client.post("/start", base_url="http://evil.example").status_code == 400
    assert client.get("/", base_url="http://aid.example.org").status_code == 200
    assert client.get("/", base_url="http://aid.example.org:8443").status_code == 200
    assert client.get("/", base_url="http://tablets.clinic.example").status_code == 200


def test_forwarded_host_is_not_trusted_without_hops(app_with_hosts: Flask) -> None:
    client = app_with_hosts.test_client()
    resp = client.get("/", base_url="http://aid.example.org",
                      headers={"X-Forwarded-Host": "evil.example"})
    assert resp.status_code == 200


def test_oversized_request_is_413(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(), stop_at="own_questions")
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    assert limit <= 1024 * 1024
    resp = client.post("/q/own_questions", data={"own_questions": "a" * (limit + 1)})
    assert resp.status_code == 413
    assert "too long" in resp.get_data(as_text=True)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    big = client.post("/start", data=b"x" * (2 * 1024 * 1024),
                      content_type="application/octet-stream")
    assert big.status_code == 413


# --- Headers on every kind of response --------------------------------------------------------

def _assert_security_headers(resp: object, where: str) -> None:
    h = resp.headers  # type: ignore[attr-defined]
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, where
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") == "no-referrer", where
    assert "Server" not in h, where


def _concrete(rule: str) -> str:
    url = rule.replace("<page_id>", "phq9_1").replace("<int:index>", "0")
    url = url.replace("<path:filename>", "css/app.css")
    return re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", url)


def test_every_get_route_sends_the_headers(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    finish(client)
    assert client.post("/summary/save").status_code == 303
    urls = sorted({_concrete(r.rule) for r in app.url_map.iter_rules()
                   if "GET" in (r.methods or set())})
    assert len(urls) >= 20
    for url in [*urls, "/static/js/app.js", "/no-such-page"]:
        resp = client.get(url)
        resp.close()
        assert resp.status_code < 500, url
        _assert_security_headers(resp, url)
        if not url.startswith("/static/"):
            assert "no-store" in resp.headers["Cache-Control"], url


def test_pages_with_answers_are_no_store(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(own_questions="ZZ_NO_STORE_ZZ"))
    finish(client)
    assert client.post("/summary/save").status_code == 303
    for url in ["/check", "/summary", "/summary/print", "/saved", "/sure", "/q/own_questions"]:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "no-store" in resp.headers["Cache-Control"], url
        _assert_security_headers(resp, url)
    assert "ZZ_NO_STORE_ZZ" in client.get("/summary/print").get_data(as_text=True)


def test_pdf_download_headers(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    finish(client)
    resp = client.get("/summary/pdf")
    assert resp.status_code == 200
    assert resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in resp.headers["Cache-Control"]
    _assert_security_headers(resp, "/summary/pdf")


def test_hsts_on_https_everywhere(client: FlaskClient) -> None:
    for url in ["/", "/static/css/app.css", "/no-such-page", "/healthz"]:
        resp = client.get(url, base_url="https://localhost")
        resp.close()
        hsts = resp.headers.get("Strict-Transport-Security", "")
        assert re.match(r"max-age=(\d+)", hsts) and int(hsts.split("=")[1].split(";")[0]) >= \
            31536000, url


# --- A generic error page ---------------------------------------------------------------------

def test_unexpected_error_shows_an_error_id_and_no_details(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/_test/boom")
    def _boom() -> str:
        raise RuntimeError("ZZ_INTERNAL_DETAIL_ZZ in /srv/app/secret.py")

    caplog.set_level(logging.DEBUG)
    resp = app.test_client().get("/_test/boom")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500
    match = re.search(r"error number: <strong>([0-9a-f]{8})</strong>", html)
    assert match, html
    for leak in ("ZZ_INTERNAL_DETAIL_ZZ", "Traceback", "RuntimeError", "secret.py", "File \""):
        assert leak not in html
    _assert_security_headers(resp, "/_test/boom")
    assert "no-store" in resp.headers["Cache-Control"]
    # The log ties the page to the event, without the exception text.
    assert any(match.group(1) in r.getMessage() for r in caplog.records)
    assert "ZZ_INTERNAL_DETAIL_ZZ" not in caplog.text


def test_debug_is_off_even_if_asked_in_production(production_env: pytest.MonkeyPatch) -> None:
    production_env.setenv("FLASK_DEBUG", "1")
    app = create_app()
    try:
        assert app.debug is False

        @app.get("/_test/boom")
        def _boom() -> str:
            raise RuntimeError("ZZ_INTERNAL_DETAIL_ZZ")

        resp = app.test_client().get("/_test/boom", base_url="https://aid.example.org")
        assert resp.status_code == 500
        assert "ZZ_INTERNAL_DETAIL_ZZ" not in resp.get_data(as_text=True)
    finally:
        _dispose(app)


# --- The test run itself ----------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def test_development_defaults_live_outside_the_checkout(database_url: str) -> None:
    """The dev secrets and default SQLite file go to INSTANCE_PATH (a temp dir in tests)."""
    app = create_app({"DATABASE_URL": database_url})
    try:
        instance = Path(app.instance_path)
        assert REPO not in instance.parents, instance
        assert (instance / "dev-secrets.json").is_file()
    finally:
        _dispose(app)


def test_instance_path_can_be_given(tmp_path: Path, database_url: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "from-env"))
    app = create_app({"DATABASE_URL": database_url})
    given = create_app({"DATABASE_URL": database_url}, instance_path=str(tmp_path / "given"))
    try:
        assert app.instance_path == str(tmp_path / "from-env")
        assert given.instance_path == str(tmp_path / "given")
        assert (tmp_path / "given" / "dev-secrets.json").is_file()
    finally:
        _dispose(app)
        _dispose(given)
