"""CLI: API tokens (shown once, stored hashed, listed without secrets, revocable), fhir-check."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from decision_aid.fhir import checks
from decision_aid.storage.db import get_session
from decision_aid.storage.models import ApiToken
from tests.support.clinicians import add_response, audit_rows

TOKEN_RE = re.compile(r"^(dafhir_[A-Za-z0-9_-]{40,})$", re.M)


def _create(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["fhir-token", "create", "EHR interface", *args])
    assert result.exit_code == 0, result.output
    found = TOKEN_RE.search(result.output)
    assert found is not None
    assert "not shown again" in result.output
    return found.group(1)


def test_token_is_shown_once_and_stored_only_as_a_hash(app: Flask, runner: FlaskCliRunner) -> None:
    secret = _create(runner)
    with app.app_context():
        row = get_session().scalars(select(ApiToken)).one()
        assert secret not in {row.token_hash, row.prefix, row.name}
        assert row.prefix == secret[:12]
        assert row.scope == "read"
        assert len(row.token_hash) == 64
    listing = runner.invoke(args=["fhir-token", "list"])
    assert listing.exit_code == 0
    assert secret not in listing.output
    assert "active" in listing.output and secret[:12] in listing.output
    assert [e.action for e in audit_rows(app)] == ["token_created"]
    assert secret not in (audit_rows(app)[0].detail or "")


def test_created_token_reads_and_revoked_token_does_not(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    rid, _ = add_response(app)
    secret = _create(runner, "--days", "30")
    url = f"/fhir/QuestionnaireResponse/{rid}"
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(url, headers=headers).status_code == 200
    result = runner.invoke(args=["fhir-token", "revoke", "1"])
    assert result.exit_code == 0 and "Revoked token 1" in result.output
    assert client.get(url, headers=headers).status_code == 401
    assert "revoked" in runner.invoke(args=["fhir-token", "list"]).output
    assert runner.invoke(args=["fhir-token", "revoke", "99"]).exit_code != 0
    assert "token_revoked" in [e.action for e in audit_rows(app)]


def test_token_needs_a_name(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["fhir-token", "create", "  "])
    assert result.exit_code != 0
    assert "name" in result.output


def test_fhir_check_passes_on_saved_summaries(app: Flask, runner: FlaskCliRunner) -> None:
    add_response(app)
    add_response(app, shared=False)
    result = runner.invoke(args=["fhir-check"])
    assert result.exit_code == 0, result.output
    assert "round trip OK" in result.output
    assert "Bundles checked: 2, with problems: 0" in result.output


def test_fhir_check_fails_when_a_bundle_does_not_read_back(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_response(app)
    monkeypatch.setattr(checks, "record_problems", lambda record: ["answers do not read back"])
    result = runner.invoke(args=["fhir-check"])
    assert result.exit_code != 0
    assert "with problems: 1" in result.output
