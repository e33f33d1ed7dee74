"""A saved summary as a QuestionnaireResponse, Observations and DocumentReference in a Bundle."""

from __future__ import annotations

import base64
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from flask import Flask

from decision_aid.fhir import build, checks
from decision_aid.fhir import codes as C
from decision_aid.fhir.response import answers_from_response
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.fhir.conftest import FAKE_PDF
from tests.support.clinicians import add_response, answers


def _bundle(app: Flask, rid: str, pdf: bytes | None = None) -> dict[str, Any]:
    with app.test_request_context("/"):
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        return build.bundle_json(record, pdf)


def _by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}


def _qr_items(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in node.get("item", []):
        out.append(item)
        out.extend(_qr_items(item))
    return out


def test_bundle_parses_and_holds_response_observations_and_pdf(app: Flask) -> None:
    rid, _ = add_response(app)
    bundle = _bundle(app, rid, FAKE_PDF)
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "QuestionnaireResponse"
    assert kinds.count("Observation") == 5  # 2 totals, item 9, 2 panels
    assert kinds[-1] == "DocumentReference"
    assert all(e["fullUrl"].startswith("http://localhost/fhir/") for e in bundle["entry"])
    doc = bundle["entry"][-1]["resource"]
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert base64.b64decode(attachment["data"]) == FAKE_PDF
    assert doc["context"]["related"] == [{"reference": f"QuestionnaireResponse/{rid}"}]


def test_questionnaire_response_points_at_the_questionnaire_version(app: Flask) -> None:
    rid, _ = add_response(app)
    qr = _bundle(app, rid)["entry"][0]["resource"]
    with app.test_request_context("/"):
        q = build.questionnaire_json()
    assert qr["status"] == "completed"
    assert qr["questionnaire"] == f"{q['url']}|{q['version']}"
    assert qr["authored"].endswith("+00:00")
    assert "subject" not in qr


def test_answers_use_the_questionnaire_codes(app: Flask) -> None:
    rid, _ = add_response(app)
    qr = _bundle(app, rid)["entry"][0]["resource"]
    by_link = {i["linkId"]: i for i in _qr_items(qr)}
    assert by_link["phq9_9"]["answer"] == [{"valueCoding": {
        "system": C.LOINC, "code": "LA6569-3", "display": "Several days"}}]
    assert by_link["phq9_total"]["answer"] == [{"valueInteger": 17}]
    assert by_link["gad7_total"]["answer"] == [{"valueInteger": 7}]
    assert by_link["episode_length"]["answer"][0]["valueCoding"]["code"] == "1to2y"
    medicines = [i for i in qr["item"][1]["item"] if i["linkId"] == "medicines"]
    assert len(medicines) == 3  # one repeat of the group per medicine
    doses = [i["answer"][0]["valueDecimal"] for m in medicines for i in m["item"]
             if i["linkId"] == "dose"]
    assert doses == [100.0, 5.0, 150.0]


def test_answers_read_back_to_what_was_saved(app: Flask) -> None:
    rid, _ = add_response(app)
    with app.test_request_context("/"):
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        assert checks.record_problems(record) == []
        qr = build.response_json(record)
        back = answers_from_response(build.questionnaire_json(), qr)
    assert back["medicines"][2]["added"] == ["lithium"]
    assert back["own_questions"] == "Can I keep working while on TMS?"
    assert back["phq9_9"] == "1"


def test_answers_from_a_branch_no_longer_taken_are_left_out(app: Flask) -> None:
    person = answers(other_treatments=["none"])  # TMS/therapy details stay in the raw answers
    person["other_tms_sessions"] = "12to20"
    rid, _ = add_response(app, person=person)
    links = {i["linkId"] for i in _qr_items(_bundle(app, rid)["entry"][0]["resource"])}
    assert "other_talking_therapy_sessions" not in links
    assert "other_tms_sessions" not in links
    assert "other_treatments" in links


def test_read_back_check_fails_when_an_answer_is_lost(app: Flask, monkeypatch: Any) -> None:
    rid, _ = add_response(app)
    from decision_aid.fhir import response as R

    real = R._fill

    def dropping(items: list[Any], scope: Any) -> list[Any]:
        return [i for i in real(items, scope) if i["linkId"] != "section-practical"]

    monkeypatch.setattr(R, "_fill", dropping)
    with app.test_request_context("/"):
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        assert checks.record_problems(record) == [
            "answers do not read back from the QuestionnaireResponse"]


def test_score_observations_have_loinc_codes_values_and_bands(app: Flask) -> None:
    rid, _ = add_response(app)
    res = _by_id(_bundle(app, rid))
    phq9 = res[f"{rid}-phq9-total"]
    assert phq9["code"]["coding"][0]["code"] == "44261-6"
    assert phq9["valueQuantity"]["value"] == 17
    assert phq9["interpretation"] == [{"text": "moderately severe"}]
    assert phq9["category"][0]["coding"][0]["code"] == "survey"
    assert phq9["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{rid}"}]
    gad7 = res[f"{rid}-gad7-total"]
    assert gad7["code"]["coding"][0]["code"] == "70274-6"
    assert gad7["valueQuantity"]["value"] == 7
    assert res[f"{rid}-phq9"]["code"]["coding"][0]["code"] == "44249-1"
    assert {m["reference"] for m in res[f"{rid}-phq9"]["hasMember"]} == {
        f"Observation/{rid}-phq9-total", f"Observation/{rid}-phq9-item9"}
    assert res[f"{rid}-gad7"]["code"]["coding"][0]["code"] == "69737-5"


def test_item9_observation_is_abnormal_when_positive(app: Flask) -> None:
    rid, _ = add_response(app)
    flag = _by_id(_bundle(app, rid))[f"{rid}-phq9-item9"]
    assert flag["code"]["coding"][0]["code"] == "44260-8"
    assert flag["valueCodeableConcept"]["coding"][0]["code"] == "LA6569-3"
    assert flag["interpretation"][0]["coding"][0]["code"] == "A"


def test_item9_observation_is_normal_when_not_at_all(app: Flask) -> None:
    rid, _ = add_response(app, person=answers(phq9_9="0"))
    flag = _by_id(_bundle(app, rid))[f"{rid}-phq9-item9"]
    assert flag["valueCodeableConcept"]["coding"][0]["code"] == "LA6568-5"
    assert flag["interpretation"][0]["coding"][0]["code"] == "N"


def test_no_total_observation_for_an_incomplete_phq9(app: Flask) -> None:
    person = answers()
    del person["phq9_3"]
    rid, _ = add_response(app, person=person)
    res = _by_id(_bundle(app, rid))
    assert f"{rid}-phq9-total" not in res
    assert f"{rid}-gad7-total" in res
    Bundle.model_validate(_bundle(app, rid))
