"""The record's language travels with it: QuestionnaireResponse.language and the CSV column."""

from __future__ import annotations

import csv
import io

from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.clinicians import PASSWORD, add_response, make_clinician, sign_in


def _in_spanish(app: Flask, rid: str) -> None:
    with app.app_context():
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        record.language = "es"
        get_session().commit()


def test_questionnaire_response_names_the_language(
    app: Flask, client: FlaskClient, fake_pdf: bytes
) -> None:
    make_clinician(app, "dr.lee@clinic.example")
    assert sign_in(client, "dr.lee@clinic.example", PASSWORD).status_code == 303
    spanish, _ = add_response(app)
    english, _ = add_response(app)
    _in_spanish(app, spanish)
    for rid, code in ((spanish, "es"), (english, "en")):
        bundle = client.get(f"/clinician/summaries/{rid}/fhir").get_json()
        Bundle.model_validate(bundle)
        qr = next(e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "QuestionnaireResponse")
        assert qr["language"] == code


def test_csv_language_column_comes_from_the_record(app: Flask, runner: FlaskCliRunner) -> None:
    spanish, _ = add_response(app)
    english, _ = add_response(app)
    _in_spanish(app, spanish)
    result = runner.invoke(args=["export-summaries"])
    assert result.exit_code == 0, result.output
    rows = {r["summary_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows[spanish]["language"] == "es"
    assert rows[english]["language"] == "en"
