"""Clinician sign-in, sign-out, sessions, timeouts, lockout, and access to every /clinician URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from decision_aid.clinician.auth import safe_next
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician
from tests.support.clinicians import (
    EMAIL,
    FAILURE,
    PASSWORD,
    add_response,
    audit_rows,
    make_clinician,
    new_audit_rows,
    sign_in,
)

PUBLIC = {"clinician.login"}

CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def _url_for_rule(rule: object, response_id: str) -> str:
    path = str(rule.rule)  # type: ignore[attr-defined]
    path = re.sub(r"<int:[a-z_]+>", "1", path)
    return re.sub(r"<(?:[a-z_]+:)?response_id>", response_id, path)


def test_every_clinician_route_refuses_anonymous_users(app: Flask, client: FlaskClient) -> None:
    rid, _ = add_response(app, shared=True)
    rules = [
        r for r in app.url_map.iter_rules()
        if r.rule.startswith("/clinician") and r.endpoint not in PUBLIC
    ]
    # The matrix is built from the URL map, so a new route is covered the day it is added.
    assert {r.endpoint for r in rules} >= {
        "clinician.dashboard", "clinician.summary", "clinician.summary_pdf",
        "clinician.summary_print", "clinician.mark_reviewed", "clinician.open_by_code",
        "clinician.audit_log", "clinician.sign_out", "clinician.keep_alive",
    }
    for rule in rules:
        url = _url_for_rule(rule, rid)
        assert "<" not in url, f"matrix cannot build {rule.rule}"
        for method in ("GET", "POST"):
            resp = client.open(url, method=method, data={"code": "x"})
            # The second-factor steps send anyone without a half-finished sign-in back (303).
            assert resp.status_code in {302, 303, 401, 405}, (method, url, resp.status_code)
            if resp.status_code in {302, 303}:
                assert resp.headers["Location"].startswith("/clinician/login"), (method, url)
            body = resp.get_data(as_text=True)
            assert "Sertraline" not in body and "Safety flag" not in body, (method, url)


def test_anonymous_redirect_keeps_a_local_next(client: FlaskClient) -> None:
    resp = client.get("/clinician/?filter=flagged")
    assert resp.status_code == 302
    location = urlsplit(resp.headers["Location"])
    assert location.path == "/clinician/login"
    assert parse_qs(location.query) == {"next": ["/clinician/?filter=flagged"]}


def test_sign_in_page_works_with_password_managers(client: FlaskClient) -> None:
    html = client.get("/clinician/login").get_data(as_text=True)
    assert re.search(r'<label class="label" for="f-email">Email address</label>', html)
    assert re.search(r'<label class="label" for="f-password">Password</label>', html)
    assert re.search(r'<input[^>]+id="f-email"[^>]+type="email"[^>]+autocomplete="username"', html)
    assert re.search(
        r'<input[^>]+id="f-password"[^>]+type="password"[^>]+autocomplete="current-password"', html
    )
    assert "novalidate" in html
    assert "captcha" not in html.lower()
    assert "onpaste" not in html.lower()
    assert "clinician-timeout.js" not in html  # only for signed-in pages


def test_sign_in_succeeds_and_writes_one_audit_row(app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    before = len(audit_rows(app))
    resp = sign_in(client)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/clinician/"
    assert new_audit_rows(app, before) == [("sign_in", f"clinician:{cid}", None)]
    html = client.get("/clinician/").get_data(as_text=True)
    assert "<h1>Shared summaries</h1>" in html
    assert "Sign out" in html
    cookies = resp.headers.getlist("Set-Cookie")
    assert any("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert not any(c.startswith("remember_token") for c in cookies)


def test_every_failure_gives_the_same_message(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    make_clinician(app, "off@clinic.example")
    with app.app_context():
        db = get_session()
        off = db.scalars(select(Clinician).where(Clinician.email == "off@clinic.example")).one()
        off.active = False
        db.commit()
    before = len(audit_rows(app))
    bodies = []
    for email, password in [
        (EMAIL, "wrong password here"),
        ("nobody@clinic.example", PASSWORD),
        ("off@clinic.example", PASSWORD),
        (EMAIL, "x" * 500),
    ]:
        resp = sign_in(client, email, password)
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        assert FAILURE in html
        assert "invalid" not in html.lower()
        assert html.startswith("<!doctype html>")
        assert "<title>Error: Sign in" in html
        assert 'href="#f-email"' in html
        assert password not in html
        # The CSRF token is signed with a timestamp, so it changes when a second passes.
        bodies.append(CSRF_VALUE.sub("CSRF", html.replace(email, "EMAIL")))
    assert len(set(bodies)) == 1
    rows = new_audit_rows(app, before)
    assert [r[0] for r in rows] == ["sign_in_failed"] * 4
    assert all(r[1] == "anonymous" for r in rows)


def test_empty_fields_get_their_own_messages(client: FlaskClient) -> None:
    html = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert 'href="#f-password"' in html


def test_lockout_after_five_failures_then_recovery(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        before = len(audit_rows(app))
        for _ in range(5):
            assert FAILURE in sign_in(client, EMAIL, "not the password!").get_data(as_text=True)
        rows = new_audit_rows(app, before)
        assert [r[0] for r in rows] == ["sign_in_failed"] * 5 + ["lockout"]
        assert audit_rows(app)[-1].detail == "seconds=60"

        # While locked, even the right password fails, with the same message.
        before = len(audit_rows(app))
        resp = sign_in(client)
        assert resp.status_code == 200 and FAILURE in resp.get_data(as_text=True)
        assert client.get("/clinician/").status_code == 302
        assert [r[0] for r in new_audit_rows(app, before)] == ["sign_in_failed"]
        assert audit_rows(app)[-1].detail == "locked"

        # The first lock is short: one minute, not fifteen.
        clock.shift(timedelta(seconds=50))
        assert sign_in(client).status_code == 200
        clock.shift(timedelta(seconds=15))
        assert sign_in(client).status_code == 303
        assert client.get("/clinician/").status_code == 200


def test_each_further_failure_doubles_the_delay_up_to_fifteen_minutes(
        app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(5):
            sign_in(client, EMAIL, "not the password!")
        delays = []
        for _ in range(3):
            clock.shift(timedelta(seconds=61 * 2 ** len(delays)))
            sign_in(client, EMAIL, "not the password!")
            delays.append(audit_rows(app)[-1].detail)
        assert delays == ["seconds=120", "seconds=240", "seconds=480"]
        assert [audit_rows(app)[-1].action] == ["lockout"]
    from decision_aid.clinician.lockout import MAX_DELAY, delay_after

    assert delay_after(50) == MAX_DELAY == timedelta(minutes=15)


def test_a_lockout_from_one_address_does_not_lock_a_colleague_elsewhere(
        app: Flask, client: FlaskClient) -> None:
    """Before: anyone could lock any account for 15 minutes from anywhere."""
    make_clinician(app)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(8):
        client.post("/clinician/login", data={"email": EMAIL, "password": "not the password!"},
                    environ_base=attacker)
    resp = client.post("/clinician/login", data={"email": EMAIL, "password": PASSWORD},
                       environ_base=attacker)
    assert FAILURE in resp.get_data(as_text=True)
    colleague = app.test_client()
    resp = colleague.post("/clinician/login", data={"email": EMAIL, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert resp.status_code == 303


def test_failures_spread_beyond_the_window_do_not_lock(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(4):
            sign_in(client, EMAIL, "not the password!")
        clock.shift(timedelta(minutes=16))
        sign_in(client, EMAIL, "not the password!")
        assert sign_in(client).status_code == 303
    assert "lockout" not in [e.action for e in audit_rows(app)]


def test_sign_in_starts_a_new_session(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    client.get("/clinician/login")
    before = client.get_cookie("session")
    assert before is not None
    sign_in(client)
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    with client.session_transaction() as sess:
        assert "planted" not in sess
    # The cookie from before sign-in carries no rights.
    other = client.application.test_client()
    other.set_cookie("session", before.value)
    assert other.get("/clinician/").status_code == 302


def test_copied_cookie_stops_working_after_sign_out(app: Flask, client: FlaskClient) -> None:
    cid = make_clinician(app)
    sign_in(client)
    copied = client.get_cookie("session")
    assert copied is not None
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/clinician/").status_code == 200  # the copy works while signed in

    before = len(audit_rows(app))
    resp = client.post("/clinician/sign-out")
    assert resp.status_code == 303 and resp.headers["Location"] == "/clinician/login"
    assert new_audit_rows(app, before) == [("sign_out", f"clinician:{cid}", None)]
    assert "You have signed out." in client.get("/clinician/login").get_data(as_text=True)

    replay = thief.get("/clinician/")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/clinician/login")
    assert client.get("/clinician/").status_code == 302


def test_signing_in_again_does_not_revive_an_old_cookie(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    sign_in(client)
    old = client.get_cookie("session")
    assert old is not None
    client.post("/clinician/sign-out")
    sign_in(client)
    thief = app.test_client()
    thief.set_cookie("session", old.value)
    assert thief.get("/clinician/").status_code == 302


def test_idle_timeout(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(minutes=14))
        assert client.get("/clinician/").status_code == 200
        clock.shift(timedelta(minutes=14))  # activity renewed the idle timer
        assert client.get("/clinician/").status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))
        resp = client.get("/clinician/")
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/clinician/login")
        html = client.get("/clinician/login").get_data(as_text=True)
        assert "had not done anything for 15 minutes" in html
        assert client.get("/clinician/").status_code == 302


def test_absolute_timeout_despite_activity(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        sign_in(client)
        for _ in range(51):  # 51 x 14 minutes = 11 h 54 min
            clock.shift(timedelta(minutes=14))
            assert client.get("/clinician/").status_code == 200
        clock.shift(timedelta(minutes=14))  # 12 h 8 min
        assert client.get("/clinician/").status_code == 302
        assert "signed in for 12 hours" in client.get("/clinician/login").get_data(as_text=True)


def test_timeout_warning_is_a_small_external_script(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    sign_in(client)
    html = client.get("/clinician/").get_data(as_text=True)
    assert '<script src="/static/js/clinician-timeout.js" defer></script>' in html
    assert 'data-expires-in="900"' in html
    assert 'data-warn-seconds="120"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline script
    assert " style=" not in html
    js = client.get("/static/js/clinician-timeout.js")
    assert js.status_code == 200 and b"showModal" in js.data
    js.close()
    resp = client.post("/clinician/keep-alive")
    assert resp.status_code == 200
    assert resp.get_json()["expires_in"] == 900


def test_keep_alive_refuses_anonymous_with_401(client: FlaskClient) -> None:
    assert client.post("/clinician/keep-alive").status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/clinician/",
        "https://evil.example",
        "https://evil.example/clinician/",
        "\\\\evil.example",
        "/\\evil.example",
        "/clinician/\\..\\evil",
        "javascript:alert(1)",
        "/\t/evil.example",
        "http:/clinician/",
        "/patient-page",
        "",
    ],
)
def test_next_never_leaves_the_clinician_area(
    app: Flask, client: FlaskClient, target: str
) -> None:
    make_clinician(app)
    resp = sign_in(client, next=target)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/clinician/"
    assert safe_next(target) is None


def test_next_to_a_clinician_page_is_followed(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    rid, _ = add_response(app)
    target = f"/clinician/summaries/{rid}"
    login_page = client.get(f"/clinician/login?next={target}").get_data(as_text=True)
    assert f'name="next" value="{target}"' in login_page
    resp = sign_in(client, next=target)
    assert resp.headers["Location"] == target
    assert safe_next("/clinician/?filter=flagged") == "/clinician/?filter=flagged"


def test_signed_in_clinician_visiting_login_goes_to_dashboard(
    app: Flask, client: FlaskClient
) -> None:
    make_clinician(app)
    sign_in(client)
    resp = client.get("/clinician/login")
    assert resp.status_code == 302 and resp.headers["Location"] == "/clinician/"


def test_no_default_accounts_exist(app: Flask) -> None:
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Clinician)) == 0

