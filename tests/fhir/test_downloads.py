"""The clinician's Bundle download from the review page and the patient's own-answers download."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from flask.testing import FlaskClient

from decision_aid.patient import records
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.clinicians import (
    PASSWORD,
    add_response,
    audit_rows,
    make_clinician,
    sign_in,
)


def test_clinician_download_needs_sign_in(app: Flask, client: FlaskClient) -> None:
    rid, _ = add_response(app)
    resp = client.get(f"/clinician/summaries/{rid}/fhir")
    assert resp.status_code in {302, 303}
    assert "/clinician/login" in resp.headers["Location"]


def test_clinician_downloads_an_audited_bundle(
    app: Flask, client: FlaskClient, fake_pdf: bytes
) -> None:
    make_clinician(app, "dr.lee@clinic.example")
    assert sign_in(client, "dr.lee@clinic.example", PASSWORD).status_code == 303
    rid, _ = add_response(app)
    resp = client.get(f"/clinician/summaries/{rid}/fhir")
    assert resp.status_code == 200
    assert resp.mimetype == "application/fhir+json"
    assert "attachment" in resp.headers["Content-Disposition"]
    bundle = resp.get_json()
    Bundle.model_validate(bundle)
    assert bundle["entry"][-1]["resource"]["resourceType"] == "DocumentReference"
    rows = [(e.action, e.response_id) for e in audit_rows(app) if e.action == "fhir_bundle"]
    assert rows == [("fhir_bundle", rid)]


def test_clinician_cannot_download_an_unshared_summary(
    app: Flask, client: FlaskClient, fake_pdf: bytes
) -> None:
    make_clinician(app, "dr.lee@clinic.example")
    sign_in(client, "dr.lee@clinic.example", PASSWORD)
    rid, _ = add_response(app, shared=False)
    assert client.get(f"/clinician/summaries/{rid}/fhir").status_code == 404
    assert [e.outcome for e in audit_rows(app) if e.action == "fhir_bundle"] == ["denied"]


def test_patient_downloads_their_own_answers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid, _ = add_response(app, shared=False)
    monkeypatch.setattr(records, "current", lambda: get_session().get(PatientRecord, rid))
    resp = client.get("/summary/fhir")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="my-answers-fhir.json"'
    bundle = resp.get_json()
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "QuestionnaireResponse" and "DocumentReference" not in kinds
    assert [(e.action, e.actor) for e in audit_rows(app) if e.action == "patient_fhir"] == [
        ("patient_fhir", "patient")]


def test_patient_without_a_summary_is_sent_back(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "current", lambda: None)
    resp = client.get("/summary/fhir")
    assert resp.status_code in {302, 303}


def test_review_page_links_to_the_bundle(app: Flask, client: FlaskClient) -> None:
    make_clinician(app, "dr.lee@clinic.example")
    sign_in(client, "dr.lee@clinic.example", PASSWORD)
    rid, _ = add_response(app)
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert f'href="/clinician/summaries/{rid}/fhir"' in html


def test_summary_page_offers_the_download_with_its_explanation(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid, _ = add_response(app, shared=False)
    monkeypatch.setattr(records, "current", lambda: get_session().get(PatientRecord, rid))
    resp = client.get("/summary")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'href="/summary/fhir"' in html
    assert "a standard way for health record systems" in html
