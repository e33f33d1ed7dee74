"""The read-only FHIR REST API: tokens, shared-only reads, search, errors, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from decision_aid.fhir import tokens
from decision_aid.storage.db import get_session
from decision_aid.storage.models import ApiToken, PatientRecord
from tests.support.clinicians import add_response, answers, audit_rows

Fetch = Callable[..., Any]


def _outcome(resp: Any, status: int) -> str:
    assert resp.status_code == status
    assert resp.mimetype == "application/fhir+json"
    data = resp.get_json()
    OperationOutcome.model_validate(data)
    return str(data["issue"][0]["code"])


def test_metadata_is_public_and_a_valid_capability_statement(client: FlaskClient) -> None:
    resp = client.get("/fhir/metadata")
    assert resp.status_code == 200
    data = resp.get_json()
    CapabilityStatement.model_validate(data)
    kinds = {r["type"] for r in data["rest"][0]["resource"]}
    assert {"Questionnaire", "QuestionnaireResponse", "Bundle"} <= kinds
    assert all(i["code"] in {"read", "search-type"}
               for r in data["rest"][0]["resource"] for i in r["interaction"])


def test_questionnaire_is_public_and_unknown_ids_are_404(client: FlaskClient) -> None:
    data = client.get("/fhir/Questionnaire/depression-next-step").get_json()
    assert data["resourceType"] == "Questionnaire"
    assert data["url"] == "http://localhost/fhir/Questionnaire/depression-next-step"
    assert _outcome(client.get("/fhir/Questionnaire/phq-9"), 404) == "not-found"
    listing = client.get("/fhir/Questionnaire").get_json()
    assert listing["entry"][0]["resource"]["id"] == "depression-next-step"


def test_canonical_base_setting_is_used(app: Flask, client: FlaskClient) -> None:
    app.config["FHIR_CANONICAL_BASE"] = "https://fhir.clinic.example/fhir"
    data = client.get("/fhir/Questionnaire/depression-next-step").get_json()
    assert data["url"] == "https://fhir.clinic.example/fhir/Questionnaire/depression-next-step"


def test_no_token_bad_token_revoked_or_expired_token_is_401(
    app: Flask, client: FlaskClient, token: str
) -> None:
    rid, _ = add_response(app)
    url = f"/fhir/QuestionnaireResponse/{rid}"
    assert _outcome(client.get(url), 401) == "login"
    assert client.get(url).headers["WWW-Authenticate"].startswith("Bearer")
    assert _outcome(client.get(url, headers={"Authorization": "Bearer nope"}), 401) == "login"
    assert _outcome(client.get(url, headers={"Authorization": f"Basic {token}"}), 401) == "login"
    good = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=good).status_code == 200
    with app.app_context():
        db = get_session()
        db.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(days=1)))
        db.commit()
    assert _outcome(client.get(url, headers=good), 401) == "login"
    with app.app_context():
        db = get_session()
        db.execute(update(ApiToken).values(expires_at=None))
        db.commit()
        tokens.revoke(1)
        db.commit()
    assert _outcome(client.get(url, headers=good), 401) == "login"
    denied = [e for e in audit_rows(app) if e.action == "fhir_read" and e.outcome == "denied"]
    assert len(denied) == 6


def test_read_a_shared_summary_and_it_is_audited(app: Flask, get_json: Fetch) -> None:
    rid, _ = add_response(app)
    data = get_json(f"/fhir/QuestionnaireResponse/{rid}")
    QuestionnaireResponse.model_validate(data)
    assert data["id"] == rid
    rows = [e for e in audit_rows(app) if e.action == "fhir_read"]
    assert [(e.actor, e.response_id, e.outcome) for e in rows] == [("token:1", rid, "ok")]


@pytest.mark.parametrize("kind", ["unshared", "draft", "expired", "unknown", "malformed"])
def test_only_shared_live_summaries_are_found(app: Flask, get_json: Fetch, kind: str) -> None:
    if kind == "unshared":
        rid, _ = add_response(app, shared=False)
    elif kind == "draft":
        rid, _ = add_response(app, status="draft")
    elif kind == "expired":
        rid, _ = add_response(app)
        with app.app_context():
            db = get_session()
            old = datetime.now(UTC) - timedelta(days=800)
            db.execute(update(PatientRecord).values(updated_at=old))
            db.commit()
    elif kind == "unknown":
        rid = "0b6f5a1e-8c1a-4a53-9d59-3f8f7e1f2c11"
    else:
        rid = "../../etc/passwd"
    for path in ("QuestionnaireResponse", "Bundle"):
        data = get_json(f"/fhir/{path}/{rid}", status=404)
        assert data["resourceType"] == "OperationOutcome"
    assert all(e.outcome == "denied" for e in audit_rows(app) if e.action == "fhir_read")


def test_bundle_and_its_parts_can_be_read(app: Flask, get_json: Fetch, fake_pdf: bytes) -> None:
    rid, _ = add_response(app)
    bundle = get_json(f"/fhir/Bundle/{rid}")
    Bundle.model_validate(bundle)
    assert bundle["entry"][-1]["resource"]["resourceType"] == "DocumentReference"
    obs = get_json(f"/fhir/Observation/{rid}-phq9-total")
    assert obs["valueQuantity"]["value"] == 17
    doc = get_json(f"/fhir/DocumentReference/{rid}-pdf")
    assert doc["content"][0]["attachment"]["size"] == len(fake_pdf)
    get_json(f"/fhir/Observation/{rid}-nothing", status=404)


def _shared_at(days_ago: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days_ago)


def test_search_by_flag_and_shared_date(app: Flask, get_json: Fetch) -> None:
    flagged_old, _ = add_response(app, shared_at=_shared_at(10))
    flagged_new, _ = add_response(app, shared_at=_shared_at(1))
    calm, _ = add_response(app, person=answers(phq9_9="0"), shared_at=_shared_at(2))
    add_response(app, shared=False)

    def ids(query: str) -> list[str]:
        data = get_json(f"/fhir/QuestionnaireResponse?{query}")
        Bundle.model_validate(data)
        assert data["type"] == "searchset"
        return [e["resource"]["id"] for e in data["entry"]]

    assert ids("") == [flagged_new, calm, flagged_old]
    assert ids("flagged=true") == [flagged_new, flagged_old]
    assert ids("flagged=false") == [calm]
    since = _shared_at(5).date().isoformat()
    assert ids(f"shared=ge{since}") == [flagged_new, calm]
    assert ids(f"shared=lt{since}&flagged=true") == [flagged_old]
    assert ids(f"shared={_shared_at(2).date().isoformat()}") == [calm]
    searches = [e for e in audit_rows(app) if e.action == "fhir_search"]
    assert len(searches) == 6
    assert "flagged=true" in (searches[1].detail or "")


def test_search_pages_with_a_next_link(app: Flask, get_json: Fetch) -> None:
    made = [add_response(app, shared_at=_shared_at(d))[0] for d in range(5)]
    first = get_json("/fhir/QuestionnaireResponse?_count=2")
    seen = [e["resource"]["id"] for e in first["entry"]]
    link = first
    while True:
        nxt = [x["url"] for x in link["link"] if x["relation"] == "next"]
        if not nxt:
            break
        link = get_json(nxt[0].replace("http://localhost", ""))
        seen.extend(e["resource"]["id"] for e in link["entry"])
    assert seen == made


@pytest.mark.parametrize("query", [
    "flagged=maybe", "_count=0", "_count=1000", "shared=yesterday", "shared=ge2026-01-01T10:00",
    "name=smith", "_cursor=!!!", "_format=xml",
])
def test_bad_searches_get_a_400_operation_outcome(get_json: Fetch, query: str) -> None:
    data = get_json(f"/fhir/QuestionnaireResponse?{query}", status=400)
    assert data["issue"][0]["code"] == "invalid"


def test_writes_and_unknown_endpoints_get_operation_outcomes(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    for method in ("post", "put", "delete", "patch"):
        resp = getattr(client, method)("/fhir/QuestionnaireResponse/x", headers=auth)
        assert _outcome(resp, 405) == "not-supported"
    assert _outcome(client.get("/fhir/Patient/1", headers=auth), 404) == "not-found"
    assert _outcome(client.get("/fhir/", headers=auth), 404) == "not-found"


def test_the_api_sets_no_cookie_and_no_cache(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    rid, _ = add_response(app)
    resp = client.get(f"/fhir/QuestionnaireResponse/{rid}", headers=auth)
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "no-store"


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                "FHIR_RATE_LIMIT": "3 per minute"}

    def test_each_token_is_rate_limited(self, app: Flask, client: FlaskClient,
                                        auth: dict[str, str]) -> None:
        rid, _ = add_response(app)
        url = f"/fhir/QuestionnaireResponse/{rid}"
        for _ in range(3):
            assert client.get(url, headers=auth).status_code == 200
        resp = client.get(url, headers=auth)
        assert _outcome(resp, 429) == "throttled"
        assert resp.headers["Retry-After"]

    def test_failed_token_attempts_are_limited_per_address(self, client: FlaskClient) -> None:
        codes = [client.get("/fhir/QuestionnaireResponse",
                            headers={"Authorization": f"Bearer guess{i}"}).status_code
                 for i in range(22)]
        assert codes[:3] == [401, 401, 401]
        assert 429 in codes


def test_bundle_over_the_api_carries_the_real_clinician_pdf(
    app: Flask, get_json: Fetch
) -> None:
    import base64

    rid, _ = add_response(app)
    bundle = get_json(f"/fhir/Bundle/{rid}")
    Bundle.model_validate(bundle)
    attachment = bundle["entry"][-1]["resource"]["content"][0]["attachment"]
    pdf = base64.b64decode(attachment["data"])
    assert pdf.startswith(b"%PDF-") and attachment["size"] == len(pdf) > 1000


def test_an_unexpected_failure_is_still_an_operation_outcome(
    app: Flask, get_json: Fetch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decision_aid.fhir import build

    rid, _ = add_response(app)

    def broken(record: PatientRecord, validate: bool = False) -> dict[str, Any]:
        raise RuntimeError("a bug, with no answer text in the message")

    monkeypatch.setattr(build, "response_json", broken)
    data = get_json(f"/fhir/QuestionnaireResponse/{rid}", status=500)
    assert data["issue"][0]["code"] == "exception"
    assert "answer" not in data["issue"][0]["diagnostics"]


def test_database_outage_is_a_503_operation_outcome(
    app: Flask, get_json: Fetch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from decision_aid.fhir import search

    def down(query: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(search, "run", down)
    data = get_json("/fhir/QuestionnaireResponse", status=503)
    assert data["issue"][0]["code"] == "transient"
