"""Rate limits on sign-in and open-by-code (this module turns Flask-Limiter on)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decision_aid import codes
from tests.web.test_clinician_support import FAILURE, add_response, make_clinician, sign_in


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_sign_in_failures_are_rate_limited_per_address(app: Flask, client: FlaskClient) -> None:
    # Different accounts each time, so the per-account lockout is not what stops them.
    for i in range(10):
        resp = sign_in(client, f"guess{i}@clinic.example", "wrong password 123")
        assert resp.status_code == 200 and FAILURE in resp.get_data(as_text=True)
    assert sign_in(client, "guess99@clinic.example", "wrong password 123").status_code == 429
    assert client.get("/clinician/login").status_code == 200  # only POST is limited


def test_successful_sign_ins_are_not_counted(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    for _ in range(12):
        assert sign_in(client).status_code == 303
        client.post("/clinician/sign-out")


def test_open_by_code_failures_are_rate_limited(app: Flask, client: FlaskClient) -> None:
    make_clinician(app)
    assert sign_in(client).status_code == 303
    _, code = add_response(app, shared=False)
    assert client.post("/clinician/open", data={"code": code}).status_code == 303
    for _ in range(10):
        assert client.post("/clinician/open", data={"code": codes.new_code()}).status_code == 200
    assert client.post("/clinician/open", data={"code": codes.new_code()}).status_code == 429
    assert client.post("/clinician/open", data={"code": code}).status_code == 429
