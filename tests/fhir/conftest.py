"""Fixtures for the FHIR tests: saved summaries (via the clinician test helpers) and API tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decision_aid.fhir import build, tokens
from decision_aid.storage.db import get_session

FAKE_PDF = b"%PDF-1.4\n% a stand-in PDF for tests\n%%EOF\n"


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        new = tokens.create("test clinic system")
        get_session().commit()
        return new.secret


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The PDF renderer is tested elsewhere; here a fixed stand-in keeps the tests fast."""
    monkeypatch.setattr(build, "clinician_pdf", lambda record: FAKE_PDF)
    return FAKE_PDF


@pytest.fixture
def get_json(client: FlaskClient, auth: dict[str, str]) -> Callable[..., Any]:
    def fetch(url: str, status: int = 200, **kwargs: Any) -> Any:
        resp = client.get(url, headers=kwargs.pop("headers", auth), **kwargs)
        assert resp.status_code == status, resp.get_data(as_text=True)[:500]
        assert resp.mimetype == "application/fhir+json"
        return resp.get_json()

    return fetch
