"""Error pages: a database outage is a 503 with every security header and no traceback,
wherever in the request it happens (a view, a before_request or an after_request hook), on
patient and clinician pages alike; the patient blueprint handles its own CSRF failures."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from decision_aid.serving.headers import CSP

LEAK = "ZZ_SERVER_CLOSED_ZZ"
PAGES = ("/", "/about", "/resume", "/clinician/login", "/clinician/")


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    # As in production: errors escaping the handlers become pages, not test exceptions.
    return app_config | {"PROPAGATE_EXCEPTIONS": False}


def _outage() -> None:
    raise OperationalError("SELECT 1", {}, ConnectionError(LEAK))


def _assert_outage_page(resp: Response, where: str) -> str:
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503, (where, resp.status_code)
    assert resp.headers["Retry-After"] == "5", where
    h = resp.headers
    assert h["Content-Security-Policy"] == CSP, where
    assert h["X-Content-Type-Options"] == "nosniff", where
    assert h["Referrer-Policy"] == "no-referrer", where
    assert h["X-Frame-Options"] == "DENY", where
    assert h["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert "camera=()" in h["Permissions-Policy"], where
    assert h["Cache-Control"] == "no-store", where
    assert "Server" not in h, where
    for leak in (LEAK, "Traceback", "OperationalError", "File \""):
        assert leak not in html, (where, leak)
    match = re.search(r"Error number: <strong>([0-9a-f]{8})</strong>", html)
    assert match, where
    return match.group(1)


@pytest.mark.parametrize("url", PAGES)
def test_outage_in_a_before_request_hook(app: Flask, url: str) -> None:
    app.before_request(_outage)
    _assert_outage_page(app.test_client().get(url), url)


@pytest.mark.parametrize("url", PAGES)
def test_outage_in_an_after_request_hook(app: Flask, url: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    def after(response: Response) -> Response:
        _outage()
        return response

    app.after_request(after)
    caplog.set_level(logging.INFO, logger="decision_aid")
    error_id = _assert_outage_page(app.test_client().get(url), url)
    assert any(error_id in r.getMessage() for r in caplog.records if r.name == "decision_aid")


def test_outage_in_a_view_over_https_adds_hsts(app: Flask) -> None:
    @app.get("/_test/outage")
    def outage() -> str:
        _outage()
        return "unreachable"

    resp = app.test_client().get("/_test/outage", base_url="https://localhost")
    _assert_outage_page(resp, "/_test/outage")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_outage_on_a_patient_post_keeps_what_was_typed(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    first = client.post("/start").headers["Location"]
    monkeypatch.setattr(Session, "commit", lambda _self: _outage())
    typed = {f"phq9_{i}": "0" for i in range(1, 10)} | {"phq9_1": "2"}
    resp = client.post(first, data=typed)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.headers["Content-Security-Policy"] == CSP
    assert re.search(r'value="2" checked', html), "the typed answer is shown again"
    assert "Nothing you typed is lost" in html and LEAK not in html


def test_a_page_keeps_its_own_csp(app: Flask) -> None:
    @app.get("/_test/own-csp")
    def own_csp() -> Response:
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'",
                                      "Server": "leaky/1.0"})

    resp = app.test_client().get("/_test/own-csp")
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in resp.headers


def test_recovery_is_the_patient_blueprints_own_handler(app: Flask) -> None:
    assert "csrf_recover" not in app.extensions and "db_recover" not in app.extensions
    from flask_wtf.csrf import CSRFError

    assert CSRFError in app.error_handler_spec["patient"][400]
    assert OperationalError in app.error_handler_spec["patient"][None]
