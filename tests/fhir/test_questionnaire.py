"""The Questionnaire generated from the content files: parses, round-trips, codes, branching."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from decision_aid.content import load_content
from decision_aid.content.questionnaire import Condition, Field
from decision_aid.content.schema import Content
from decision_aid.fhir import codes as C
from decision_aid.fhir.checks import questionnaire_problems
from decision_aid.fhir.questionnaire import _enable, build_questionnaire, validate
from decision_aid.fhir.questionnaire_read import read_fields

BASE = "https://fhir.clinic.example/fhir"

# From the HL7 PHR IG PHQ-9 Questionnaire and GAD-7 QuestionnaireResponse examples.
PHQ9_ITEM_CODES = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
                   "44253-3", "44260-8"]
GAD7_ITEM_CODES = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
ANSWER_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def q(content: Content) -> dict[str, Any]:
    return build_questionnaire(content, BASE, "Test Clinic")


def items(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in node.get("item", []):
        out.append(item)
        out.extend(items(item))
    return out


def item(q: dict[str, Any], link_id: str) -> dict[str, Any]:
    found = [i for i in items(q) if i["linkId"] == link_id]
    assert len(found) == 1, link_id
    return found[0]


def test_parses_with_the_fhir_library_and_serialises_unchanged(q: dict[str, Any]) -> None:
    parsed = FhirQuestionnaire.model_validate(q)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_none=True) == q


def test_metadata_names_version_publisher_and_sdc_profile(
    q: dict[str, Any], content: Content
) -> None:
    assert q["url"] == f"{BASE}/Questionnaire/depression-next-step"
    assert q["version"] == content.meta.version
    assert q["publisher"] == "Test Clinic"
    assert q["status"] == "active"
    assert q["meta"]["profile"] == [C.SDC_QUESTIONNAIRE]
    assert "Kroenke" in q["copyright"] and "SURE" in q["copyright"]


def test_link_ids_are_unique(q: dict[str, Any]) -> None:
    ids = [i["linkId"] for i in items(q)]
    assert len(ids) == len(set(ids))


def test_round_trip_gives_back_every_content_field(q: dict[str, Any], content: Content) -> None:
    assert questionnaire_problems(content, q) == []
    read = read_fields(q)
    for page in content.questionnaire.pages:
        for f in page.fields:
            assert read[f.id].field.label == f.label


def test_round_trip_check_fails_when_branching_is_lost(
    q: dict[str, Any], content: Content
) -> None:
    broken = copy.deepcopy(q)
    item(broken, "medicines").pop("enableWhen")
    problems = questionnaire_problems(content, broken)
    assert any("medicine" in p and "enableWhen" in p for p in problems)


def test_round_trip_check_fails_when_an_answer_option_is_lost(
    q: dict[str, Any], content: Content
) -> None:
    broken = copy.deepcopy(q)
    item(broken, "cost_worry")["answerOption"].pop()
    assert "cost_worry: answer options differ" in questionnaire_problems(content, broken)


def test_phq9_and_gad7_carry_loinc_panel_item_answer_and_total_codes(q: dict[str, Any]) -> None:
    for inst, panel, total, item_codes in (
        ("phq9", "44249-1", "44261-6", PHQ9_ITEM_CODES),
        ("gad7", "69737-5", "70274-6", GAD7_ITEM_CODES),
    ):
        group = item(q, inst)
        assert group["code"][0] == {**group["code"][0], "system": C.LOINC, "code": panel}
        questions = [i for i in group["item"] if i["type"] == "choice"]
        assert [i["code"][0]["code"] for i in questions] == item_codes
        assert [i["linkId"] for i in questions] == [
            f"{inst}_{k}" for k in range(1, len(item_codes) + 1)
        ]
        for question in questions:
            options = question["answerOption"]
            assert [o["valueCoding"]["code"] for o in options] == ANSWER_CODES
            assert [o["extension"][0]["valueDecimal"] for o in options] == [0, 1, 2, 3]
        total_item = item(q, f"{inst}_total")
        assert total_item["code"][0]["code"] == total
        assert total_item["readOnly"] is True and total_item["type"] == "integer"


def test_instrument_wording_is_verbatim(q: dict[str, Any], content: Content) -> None:
    inst = content.instruments["phq9"]
    assert [item(q, f"phq9_{k}")["text"] for k in range(1, 10)] == list(inst.items)
    assert item(q, "phq9-stem")["text"] == inst.stem


def test_crisis_page_is_enabled_by_any_positive_item9_answer(q: dict[str, Any]) -> None:
    crisis = item(q, "page-crisis")
    assert crisis["type"] == "display"
    assert crisis["enableBehavior"] == "any"
    assert {(r["question"], r["operator"], r["answerCoding"]["code"])
            for r in crisis["enableWhen"]} == {
        ("phq9_9", "=", "LA6569-3"), ("phq9_9", "=", "LA6570-1"), ("phq9_9", "=", "LA6571-9")}


def test_branching_from_applies_if_and_reveal_if(q: dict[str, Any]) -> None:
    medicines = item(q, "medicines")
    assert medicines["type"] == "group" and medicines["repeats"] is True
    assert medicines["enableWhen"] == [{"question": "medicines_any", "operator": "=",
                                        "answerCoding": {"code": "yes", "display": "Yes"}}]
    other = item(q, "other_name")
    assert other["enableWhen"][0]["question"] == "medicine"
    assert other["enableWhen"][0]["answerCoding"]["code"] == "other"
    tms = item(q, "other_tms_sessions")
    assert tms["enableWhen"][0] == {**tms["enableWhen"][0], "question": "other_treatments",
                                    "operator": "="}
    assert "enableWhen" not in item(q, "taking_now")


def test_item_types_controls_and_limits(q: dict[str, Any]) -> None:
    assert item(q, "side_effects")["repeats"] is True
    none = item(q, "other_treatments")["answerOption"][-1]
    assert none["extension"] == [{"url": C.EXT_OPTION_EXCLUSIVE, "valueBoolean": True}]
    # The side effects and medicines added open after a yes (no "None" among them any more),
    # and "why you stopped" after "Do you still take it?" no.
    for field_id, gate, opens in (("side_effects", "side_effects_any", "yes"),
                                  ("stopped_reason", "still_taking", "no"),
                                  ("added", "added_any", "yes"),
                                  ("added_weeks", "added_any", "yes")):
        rule = item(q, field_id)["enableWhen"][0]
        assert (rule["question"], rule["answerCoding"]["code"]) == (gate, opens), field_id
        assert all("extension" not in o for o in item(q, field_id)["answerOption"]), field_id
        assert item(q, gate)["required"] is True
    dose = item(q, "dose")
    assert dose["type"] == "decimal" and dose["required"] is False
    assert {e["url"] for e in dose["extension"]} >= {C.EXT_MIN, C.EXT_MAX}
    assert item(q, "own_questions")["type"] == "text"
    assert item(q, "own_questions")["maxLength"] == 1000
    assert item(q, "medicine")["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == (
        "drop-down")


def test_conditions_enablewhen_cannot_say_become_an_sdc_expression() -> None:
    fields = {
        "a": Field(id="a", type="radio", label="A"),
        "b": Field(id="b", type="checkboxes", label="B"),
    }
    enable = _enable((Condition("a", "in", ("x", "y")), Condition("b", "not_contains", "z")),
                     fields)
    ext = enable["extension"][0]
    assert ext["url"] == C.EXT_ENABLE_WHEN_EXPRESSION
    expression = ext["valueExpression"]["expression"]
    assert "where(code in ('x' | 'y'))" in expression
    assert "contains 'z').not()" in expression


@pytest.mark.parametrize("breakage", ["no_status", "no_link_id", "unknown_element", "bad_date"])
def test_validate_refuses_a_broken_questionnaire(q: dict[str, Any], breakage: str) -> None:
    broken = copy.deepcopy(q)
    if breakage == "no_status":
        del broken["status"]
    elif breakage == "no_link_id":
        del item(broken, "taking_now")["linkId"]
    elif breakage == "unknown_element":
        item(broken, "taking_now")["hint"] = "not a FHIR element"
    else:
        broken["date"] = "last week"
    with pytest.raises(ValueError):
        validate(broken)
