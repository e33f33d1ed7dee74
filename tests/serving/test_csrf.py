"""CSRF is enforced on every POST; a question page keeps what was typed when the token fails."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

TOKEN_APIS = ("fhir.",)


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return app_config | {"WTF_CSRF_ENABLED": True}


def _token(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, url
    return match.group(1)


def _first_page(client: FlaskClient) -> str:
    resp = client.post("/start", data={"csrf_token": _token(client, "/")})
    assert resp.status_code == 303
    return resp.headers["Location"]


def test_every_post_route_refuses_a_missing_token(client: FlaskClient, app: Flask) -> None:
    page_id = _first_page(client).rsplit("/", 1)[-1]
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())]
    assert len(post_rules) >= 10
    for rule in post_rules:
        url = re.sub(r"<int:[^>]+>", "0", rule.rule.replace("<page_id>", page_id))
        url = re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", url)
        resp = client.post(url, data={"phq9_1": "1"})
        if rule.endpoint.startswith(TOKEN_APIS):
            # CSRF-exempt: authenticated by a bearer token, never a cookie, and read-only.
            assert resp.status_code in (401, 405), (rule.rule, resp.status_code)
            continue
        assert resp.status_code == 400, (rule.rule, resp.status_code)


def test_expired_token_on_a_question_keeps_typed_values(client: FlaskClient) -> None:
    first = _first_page(client)
    resp = client.post(first, data={"phq9_1": "2", "csrf_token": "stale"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert re.search(r'value="2" checked', html)
    assert "could not save it" in html
    assert 'name="csrf_token" value="' in html  # a fresh token to try again
