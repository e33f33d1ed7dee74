"""Issue 12 findings on the clinician side, each with the behaviour that used to fail: timing
that told which addresses have accounts, control characters and out-of-range page numbers that
PostgreSQL refuses, and signed-in pages during a database outage."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.clinicians import EMAIL, PASSWORD, make_clinician, sign_in


def test_a_long_password_costs_one_argon2_run_for_known_and_unknown_addresses(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: over 128 characters skipped argon2 for a known address (8-12 ms against
    155-226 ms), which told an attacker the address had an account."""
    from decision_aid.clinician import lockout

    make_clinician(app)
    calls: list[int] = []
    real = lockout.verify_password

    def counting(stored: str, password: str, profile: str = "default") -> bool:
        calls.append(len(password))
        return real(stored, password, profile)

    monkeypatch.setattr(lockout, "verify_password", counting)
    for email in (EMAIL, "nobody@clinic.example"):
        calls.clear()
        sign_in(client, email, "y" * 5000)
        assert calls == [128], email  # one hash, on at most 128 characters, either way


def test_a_long_password_takes_as_long_as_for_an_unknown_address(
        app: Flask, client: FlaskClient) -> None:
    """The same, timed with the production argon2 parameters (median of 3 each)."""
    import statistics
    import time

    app.config["PASSWORD_HASH_PROFILE"] = "default"
    make_clinician(app)

    def median_ms(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            sign_in(client, email, "z" * 500)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    median_ms("warm.up@clinic.example")
    known, unknown = median_ms(EMAIL), median_ms("nobody@clinic.example")
    assert 0.5 < known / unknown < 2.0, (known, unknown)


@pytest.mark.parametrize("email", ["dr.rivera\x00@clinic.example", "\x00", "a\x1fb@clinic.example"])
def test_control_characters_in_the_email_get_a_clear_message(
        app: Flask, client: FlaskClient, email: str) -> None:
    """Before: a NUL reached PostgreSQL, which refuses it in a query: a 500."""
    make_clinician(app)
    resp = sign_in(client, email, PASSWORD)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Enter an email address in the correct format, like name@example.org" in html
    assert 'href="#f-email"' in html


def test_an_email_over_254_characters_gets_a_clear_message(client: FlaskClient) -> None:
    html = sign_in(client, "a" * 250 + "@clinic.example", PASSWORD).get_data(as_text=True)
    assert "Enter an email address in the correct format" in html


@pytest.mark.parametrize("before", ["2147483648", "99999999999999999999", "-1", "0"])
def test_audit_page_numbers_outside_the_id_range_are_not_errors(
        app: Flask, client: FlaskClient, before: str) -> None:
    """Before: 2147483648 overflowed PostgreSQL's integer in the query: a 500."""
    make_clinician(app, admin=True)
    assert sign_in(client).status_code == 303
    resp = client.get(f"/clinician/audit?before={before}")
    assert resp.status_code == 200
    assert "sign_in" in resp.get_data(as_text=True)  # treated as the first page


@pytest.mark.parametrize("url", ["/clinician/", "/clinician/audit", "/clinician/account"])
def test_signed_in_pages_during_a_database_outage_are_the_503_page(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from decision_aid.serving.headers import CSP

    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_clinician(app, admin=True)
    assert sign_in(client).status_code == 303

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionError("ZZ_CLOSED_ZZ"))

    monkeypatch.setattr(Session, "get", down)
    monkeypatch.setattr(Session, "execute", down)
    resp = client.get(url)
    assert resp.status_code == 503
    assert resp.headers["Content-Security-Policy"] == CSP
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Frame-Options"] == "DENY"
    html = resp.get_data(as_text=True)
    assert "ZZ_CLOSED_ZZ" not in html and "Traceback" not in html
