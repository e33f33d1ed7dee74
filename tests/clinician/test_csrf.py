"""CSRF is enforced on every clinician POST, including sign-in (this module turns it on)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.clinicians import (
    CSRF_RE,
    EMAIL,
    PASSWORD,
    add_response,
    make_clinician,
)


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _token(client: FlaskClient, url: str) -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match is not None, url
    return match.group(1)


def _signed_in_client(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = _token(client, "/clinician/login")
    resp = client.post("/clinician/login",
                       data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303
    return client, _token(client, "/clinician/")


def test_sign_in_without_a_token_is_refused(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    resp = client.post("/clinician/login", data={"email": EMAIL, "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/clinician/").status_code == 302


def test_every_clinician_post_needs_this_sessions_token(app: Flask) -> None:
    make_clinician(app)
    rid, _ = add_response(app)
    client, token = _signed_in_client(app)
    _, foreign = _signed_in_client(app)
    assert foreign != token

    post_rules = [
        r for r in app.url_map.iter_rules()
        if r.rule.startswith("/clinician") and "POST" in (r.methods or set())
    ]
    assert {r.endpoint for r in post_rules} >= {
        "clinician.login", "clinician.sign_out", "clinician.keep_alive",
        "clinician.open_by_code", "clinician.mark_reviewed",
    }
    for rule in post_rules:
        url = re.sub(r"<(?:[a-z_]+:)?response_id>", rid, rule.rule)
        url = re.sub(r"<int:[a-z_]+>", "1", url)
        for data in ({}, {"csrf_token": foreign}, {"csrf_token": "not-a-token"}):
            resp = client.post(url, data={**data, "code": "x"})
            assert resp.status_code == 400, (url, data)
        headers = {"X-CSRFToken": foreign}
        assert client.post(url, headers=headers).status_code == 400, url
    # Still signed in, and nothing was changed by the refused requests.
    page = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert "Not yet reviewed" in page


def test_posts_with_the_right_token_work(app: Flask) -> None:
    make_clinician(app)
    rid, _ = add_response(app)
    client, token = _signed_in_client(app)
    assert client.post("/clinician/keep-alive", headers={"X-CSRFToken": token}).status_code == 200
    resp = client.post(f"/clinician/summaries/{rid}/reviewed", data={"csrf_token": token})
    assert resp.status_code == 303
    resp = client.post("/clinician/sign-out", data={"csrf_token": token})
    assert resp.status_code == 303
    assert client.get("/clinician/").status_code == 302
