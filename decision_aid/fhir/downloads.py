"""Downloads for people: the clinician's Bundle from the review page, the patient's own answers.

The routes sit on the clinician and patient blueprints, so the clinician's sign-in checks and
the patient's session handling apply to them exactly as to the pages next to them.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit

from ..clinician.access import load_reviewable
from ..clinician.blueprint import bp as clinician_bp
from ..patient import bp as patient_bp
from ..patient import records
from . import build
from .outcomes import fhir_response

CLINICIAN_FILENAME = "summary-fhir-bundle.json"
PATIENT_FILENAME = "my-answers-fhir.json"


@clinician_bp.get("/summaries/<response_id>/fhir")
def summary_fhir(response_id: str) -> BaseResponse:
    record = load_reviewable(response_id, "fhir_bundle")
    data = build.bundle_json(record, build.clinician_pdf(record))
    audit.record("fhir_bundle", actor=current_user.actor, clinician_id=int(current_user.id),
                 response_id=record.id)
    return fhir_response(data, filename=CLINICIAN_FILENAME)


@patient_bp.get("/summary/fhir")
def my_answers_fhir() -> BaseResponse:
    record = records.current()
    if record is None or record.summary_snapshot is None:
        return redirect(url_for("patient.summary"))
    data = build.bundle_json(record, None)
    audit.record("patient_fhir", actor="patient", response_id=record.id)
    return fhir_response(data, filename=PATIENT_FILENAME)
