"""build_summary: structure on small hand-built content, then personas on the real content."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from decision_aid.content import load_content
from decision_aid.content.facts import PRIORITY_IDS
from decision_aid.content.schema import (
    Claim,
    ClinicClaim,
    Content,
    Crisis,
    Medicine,
    Option,
    PointRule,
    Priority,
    QuestionToAsk,
    Source,
)
from decision_aid.engine.summary import build_summary
from tests.engine.factories import make_meta
from tests.expected import OPTION_IDS

TODAY = date(2026, 11, 21)
TOP_KEYS = {
    "content_version",
    "generated_on",
    "decision",
    "flags",
    "scores",
    "situation",
    "trial_counts",
    "trials",
    "other_treatments",
    "health",
    "practical",
    "options",
    "priorities",
    "comparison",
    "questions_to_ask",
    "own_questions",
    "clinic_claims",
    "sources",
}
FIELD_KEYS = {
    "what_it_is",
    "how_given",
    "schedule",
    "driving_work",
    "how_soon",
    "benefits",
    "benefit_claims",
    "harms",
    "harm_claims",
    "longer_term",
    "cost",
    "evidence",
    "uncertainty",
}
OPTION_KEYS = {"id", "name", "position", "fields", "shown_because", "points", "source_ids"}


# --- small hand-built content -------------------------------------------------------------


def _claim(cid: str, source: str) -> Claim:
    return Claim(
        id=cid,
        label=f"label {cid}",
        value=30,
        comparison_value=20,
        comparison_group="placebo",
        population="adults",
        outcome="response",
        time_frame="8 weeks",
        source_ids=(source,),
        uncertainty="small studies",
    )


def _option(oid: str) -> Option:
    return Option(
        id=oid,
        name=f"Name {oid}",
        what_it_is=f"what {oid}",
        how_given=f"how {oid}",
        schedule=f"schedule {oid}",
        driving_work=f"driving {oid}",
        how_soon=f"soon {oid}",
        benefits=(f"benefit {oid}",),
        benefit_claims=(_claim(f"{oid}_b", "src_b"),),
        harms=(f"harm {oid}",),
        harm_claims=(_claim(f"{oid}_h", "src_a"),),
        longer_term=f"longer {oid}",
        cost=f"cost {oid}",
        evidence=f"evidence {oid}",
        uncertainty=f"uncertain {oid}",
        source_ids=("src_c",),
        shown_because=f"because {oid}",
        at_a_glance={pid: f"{oid}:{pid}" for pid in PRIORITY_IDS},
    )


def make_content() -> Content:
    meta = make_meta(
        version="9.9.9",
        decision="Which treatment to try next for depression",
        option_order_note="least to most intensive",
    )
    # Sources deliberately not in the order they are first cited; src_unused is never cited.
    sources = {
        sid: Source(sid, f"Short {sid}", f"Citation {sid}", f"https://example.org/{sid}")
        for sid in ("src_a", "src_unused", "src_b", "src_c", "src_d")
    }
    return Content(
        meta=meta,
        sources=sources,
        options=tuple(_option(oid) for oid in OPTION_IDS),
        medicines={
            "sertraline": Medicine(
                "sertraline", "sertraline", ("Zoloft",), "SSRI", 50.0, "mg", ("src_unused",)
            ),
        },
        glossary=(),
        crisis=Crisis("h", "c", "https://example.org", "911", (), "t"),
        clinic_claims=(ClinicClaim("cc1", "claim one", "evidence one", ("src_d",), ("ect",)),),
        point_rules=(
            PointRule("esketamine", "high_blood_pressure", "esk bp"),
            PointRule("ect", "memory_concerns", "ect memory"),
            PointRule("esketamine", "no_ride_home", "esk ride"),
            PointRule("iv_ketamine", "high_blood_pressure", "ivk bp"),
            PointRule("esketamine", "prefers_pills", "esk pills"),
        ),
        priorities=tuple(Priority(pid, f"Question {pid}?", f"Short {pid}") for pid in PRIORITY_IDS),
        questions_to_ask=(
            QuestionToAsk("Always one"),
            QuestionToAsk("Only with memory worries", when="memory_concerns"),
            QuestionToAsk("Always two"),
        ),
        instruments={},
        questionnaire=None,
    )


SMALL = make_content()


def small(answers: dict[str, Any]) -> dict[str, Any]:
    return build_summary(answers, SMALL, TODAY).to_dict()


def med(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "medicine": "sertraline",
        "dose": 100.0,
        "dose_unit": "mg",
        "weeks": "6to8",
        "adherence": "yes",
        "helped": "little_or_none",
        "side_effects": ["none"],
        "stopped_reason": "did_not_help",
        "added": ["none"],
    }
    item.update(overrides)
    return item


def test_top_level_shape_is_the_contract() -> None:
    data = small({})
    assert set(data) == TOP_KEYS
    assert data["content_version"] == "9.9.9"
    assert data["generated_on"] == "2026-11-21"
    assert data["decision"] == "Which treatment to try next for depression"
    assert set(data["flags"]) == {"item9_positive"}
    assert set(data["scores"]) == {"phq9", "gad7"}
    assert set(data["scores"]["phq9"]) == {"total", "band", "item9"}
    assert set(data["scores"]["gad7"]) == {"total", "band"}
    assert set(data["trial_counts"]) == {"tried", "possibly_adequate_unsuccessful", "not_tolerated"}
    assert json.loads(json.dumps(data)) == data


def test_options_copied_in_content_order_with_positions() -> None:
    data = small({"preference": "talking", "prio_chance": "4"})
    assert [o["id"] for o in data["options"]] == list(OPTION_IDS)
    assert [o["position"] for o in data["options"]] == list(range(1, 10))
    esk = data["options"][5]
    assert set(esk) == OPTION_KEYS
    assert set(esk["fields"]) == FIELD_KEYS
    assert esk["name"] == "Name esketamine"
    assert esk["shown_because"] == "because esketamine"
    assert esk["source_ids"] == ["src_c"]
    assert esk["fields"]["schedule"] == "schedule esketamine"
    assert esk["fields"]["benefits"] == ["benefit esketamine"]
    assert esk["fields"]["harms"] == ["harm esketamine"]


def test_claims_are_dicts_with_source_short_names() -> None:
    claim = small({})["options"][0]["fields"]["benefit_claims"][0]
    assert claim["id"] == "continue_b"
    assert claim["value"] == 30
    assert claim["comparison_value"] == 20
    assert claim["source_ids"] == ["src_b"]
    assert claim["sources"] == ["Short src_b"]
    assert claim["show_both_frames"] is True


def test_points_follow_facts_in_file_order_and_never_hide_options() -> None:
    data = small({"health": ["high_bp"], "ride_home": "no"})
    points = {o["id"]: o["points"] for o in data["options"]}
    assert points["esketamine"] == ["esk bp", "esk ride"]
    assert points["iv_ketamine"] == ["ivk bp"]
    assert points["ect"] == []
    assert [o["id"] for o in data["options"]] == list(OPTION_IDS)


def test_no_points_without_facts() -> None:
    assert all(o["points"] == [] for o in small({})["options"])


def test_questions_to_ask_filtered_by_when_in_order() -> None:
    assert small({})["questions_to_ask"] == ["Always one", "Always two"]
    assert small({"health": ["memory"]})["questions_to_ask"] == [
        "Always one",
        "Only with memory worries",
        "Always two",
    ]


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, ""),
        ({"own_questions": "  Can I drive?  \n"}, "Can I drive?"),
        ({"own_questions": 42}, ""),
    ],
)
def test_own_questions(given: dict[str, Any], expected: str) -> None:
    assert small(given)["own_questions"] == expected


def test_priorities_all_twelve_with_ratings() -> None:
    data = small({"prio_speed": "3", "prio_cost": "not_sure", "prio_memory": "bogus"})
    prios = data["priorities"]
    assert [p["id"] for p in prios] == list(PRIORITY_IDS)
    by_id = {p["id"]: p for p in prios}
    assert by_id["speed"] == {
        "id": "speed",
        "label": "Question speed?",
        "short": "Short speed",
        "rating": "3",
    }
    assert by_id["cost"]["rating"] == "not_sure"
    assert by_id["memory"]["rating"] is None
    assert by_id["chance"]["rating"] is None


def test_comparison_defaults_when_nothing_rated_high() -> None:
    comparison = small({"prio_cost": "2"})["comparison"]
    assert comparison["priority_ids"] == ["chance", "speed", "duration"]
    assert [r["priority_id"] for r in comparison["rows"]] == ["chance", "speed", "duration"]


def test_comparison_fours_then_threes_ties_in_fixed_order_at_most_five() -> None:
    answers = {
        "prio_talking_vs_medicine": "4",
        "prio_memory": "3",
        "prio_chance": "3",
        "prio_cost": "4",
        "prio_driving": "3",
        "prio_weight": "3",
        "prio_speed": "2",
    }
    comparison = small(answers)["comparison"]
    assert comparison["priority_ids"] == [
        "cost",
        "talking_vs_medicine",
        "chance",
        "weight",
        "memory",
    ]


def test_comparison_rows_have_all_nine_cells_from_at_a_glance() -> None:
    rows = small({"prio_memory": "4"})["comparison"]["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert row["priority_id"] == "memory"
    assert row["label"] == "Short memory"
    assert [c["option_id"] for c in row["cells"]] == list(OPTION_IDS)
    assert row["cells"][8] == {"option_id": "ect", "name": "Name ect", "text": "ect:memory"}


def test_sources_are_the_cited_ones_in_sources_file_order() -> None:
    data = small({})
    assert [s["id"] for s in data["sources"]] == ["src_a", "src_b", "src_c", "src_d"]
    assert data["sources"][0] == {
        "id": "src_a",
        "short": "Short src_a",
        "citation": "Citation src_a",
        "url": "https://example.org/src_a",
    }


def test_clinic_claims_all_included() -> None:
    assert small({})["clinic_claims"] == [
        {
            "id": "cc1",
            "claim": "claim one",
            "evidence_shows": "evidence one",
            "source_ids": ["src_d"],
        },
    ]


def test_health_items_in_fixed_order_without_none() -> None:
    data = small({"health": ["seizures", "high_bp", "prefer_not"]})
    assert [h["id"] for h in data["health"]] == ["high_bp", "seizures"]
    assert all(h["label"] for h in data["health"])
    assert small({"health": ["none"]})["health"] == []


def test_practical_answers_in_plain_words() -> None:
    data = small({"visits_per_week": "le1", "ride_home": "no", "preference": "talking"})
    practical = {p["id"]: p for p in data["practical"]}
    assert set(practical) == {"visits_per_week", "ride_home", "preference"}
    assert practical["visits_per_week"]["answer"] == "Once a week or less"
    assert practical["ride_home"]["answer"] == "No"
    assert practical["preference"]["answer"] == "Talking therapy"
    assert all(p["label"] for p in data["practical"])


def test_other_treatments_with_sessions_and_outcome() -> None:
    data = small(
        {
            "other_treatments": ["tms", "talking_therapy"],
            "other_talking_therapy_sessions": "12to20",
            "other_talking_therapy_outcome": "some",
        }
    )
    kinds = [o["kind"] for o in data["other_treatments"]]
    assert kinds == ["talking_therapy", "tms"]
    talking = data["other_treatments"][0]
    assert talking["label"] == "Talking therapy"
    assert talking["sessions"] == "12 to 20 sessions"
    assert talking["outcome"] == "Helped some"
    assert data["other_treatments"][1]["sessions"] is None
    assert small({"other_treatments": ["none"]})["other_treatments"] == []


def test_scores_and_item9_flag() -> None:
    answers = {f"phq9_{i}": "2" for i in range(1, 10)} | {f"gad7_{i}": "1" for i in range(1, 8)}
    data = small(answers)
    assert data["scores"]["phq9"] == {"total": 18, "band": "moderately severe", "item9": 2}
    assert data["scores"]["gad7"] == {"total": 7, "band": "mild"}
    assert data["flags"]["item9_positive"] is True


def test_unanswered_scores_are_none() -> None:
    data = small({})
    assert data["scores"]["phq9"]["total"] is None
    assert data["scores"]["phq9"]["item9"] is None
    assert data["flags"]["item9_positive"] is False


def test_situation_with_no_medicines() -> None:
    situation = small({"medicines_any": "no"})["situation"]
    assert 2 <= len(situation) <= 4
    assert "not tried" in situation[0]
    assert "full trial" not in " ".join(situation)


def test_situation_counts_trials_and_leaves_the_judgement_to_the_clinician() -> None:
    data = small(
        {
            "medicines_any": "yes",
            "medicines": [
                med(),
                med(),
                med(weeks="0to2", stopped_reason="side_effects"),
            ],
        }
    )
    situation = data["situation"]
    assert 2 <= len(situation) <= 4
    assert situation[0] == "You listed 3 medicines tried in this episode."
    assert "From your answers, 2 may count as full trials." in situation
    assert "Your clinician can check whether these count." in situation
    assert any("1 medicine early because of side effects" in s for s in situation)
    assert data["trial_counts"] == {
        "tried": 3,
        "possibly_adequate_unsuccessful": 2,
        "not_tolerated": 1,
    }
    text = " ".join(situation).lower()
    assert "resistant" not in text
    assert "diagnos" not in text


def test_situation_singular_full_trial() -> None:
    situation = small({"medicines": [med()]})["situation"]
    assert "You listed 1 medicine tried in this episode." in situation
    assert "From your answers, 1 may count as a full trial." in situation


def test_summary_is_equal_for_equal_answers_and_does_not_mutate_them() -> None:
    answers = {"medicines": [med()], "health": ["high_bp"]}
    snapshot = json.dumps(answers, sort_keys=True)
    assert small(answers) == small(answers)
    assert json.dumps(answers, sort_keys=True) == snapshot


# --- personas on the real content ---------------------------------------------------------


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def full(content: Content, answers: dict[str, Any]) -> dict[str, Any]:
    data = build_summary(answers, content, TODAY).to_dict()
    assert [o["id"] for o in data["options"]] == list(OPTION_IDS)
    assert json.loads(json.dumps(data)) == data
    return data


def points_for(content: Content, option_id: str, facts: set[str]) -> list[str]:
    return [r.text for r in content.point_rules if r.option_id == option_id and r.when in facts]


def real_med(content: Content, weeks: str = "6to8", **overrides: Any) -> dict[str, Any]:
    """An adequate-dose trial of a catalogue medicine that has a listed minimum dose."""
    medicine = next(m for m in content.medicines.values() if m.min_dose is not None)
    return med(
        medicine=medicine.id,
        dose=medicine.min_dose,
        dose_unit=medicine.unit,
        weeks=weeks,
        **overrides,
    )


def test_persona_no_medicines_tried(content: Content) -> None:
    data = full(content, {"medicines_any": "no", "taking_now": "no", "prio_chance": "4"})
    assert data["trial_counts"] == {
        "tried": 0,
        "possibly_adequate_unsuccessful": 0,
        "not_tolerated": 0,
    }
    assert data["trials"] == []
    assert 2 <= len(data["situation"]) <= 4
    for opt in data["options"]:
        assert opt["points"] == points_for(
            content,
            opt["id"],
            {"no_medicines_tried", "not_taking_antidepressant_now", "priority_chance_high"},
        )


def test_persona_three_adequate_unsuccessful_high_bp_no_ride(content: Content) -> None:
    answers = {
        "medicines_any": "yes",
        "medicines": [real_med(content), real_med(content, "9to12"), real_med(content, "gt12")],
        "health": ["high_bp"],
        "ride_home": "no",
    }
    data = full(content, answers)
    assert data["trial_counts"]["possibly_adequate_unsuccessful"] == 3
    assert "From your answers, 3 may count as full trials." in data["situation"]
    assert "Your clinician can check whether these count." in data["situation"]
    points = {o["id"]: o["points"] for o in data["options"]}
    for option_id in ("esketamine", "iv_ketamine"):
        expected = points_for(content, option_id, {"high_blood_pressure", "no_ride_home"})
        assert expected, f"content has no blood pressure or ride-home point for {option_id}"
        assert all(p in points[option_id] for p in expected)
    assert data["health"] == [{"id": "high_bp", "label": "High blood pressure"}]
    assert {"id": "ride_home", "label": "A ride home after a treatment", "answer": "No"} in data[
        "practical"
    ]


def test_persona_item9_positive(content: Content) -> None:
    answers = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_9": "3"}
    data = full(content, answers)
    assert data["flags"]["item9_positive"] is True
    assert data["scores"]["phq9"]["item9"] == 3
    assert data["scores"]["phq9"]["total"] == 11


def test_persona_pregnancy(content: Content) -> None:
    data = full(content, {"health": ["pregnancy"]})
    assert data["health"] == [
        {"id": "pregnancy", "label": "Pregnant, planning a pregnancy or breastfeeding"}
    ]
    for opt in data["options"]:
        assert opt["points"] == points_for(content, opt["id"], {"pregnancy_or_breastfeeding"})
    assert any(r.when == "pregnancy_or_breastfeeding" for r in content.point_rules)


def test_persona_stopped_after_one_week_for_side_effects(content: Content) -> None:
    answers = {
        "medicines_any": "yes",
        "medicines": [
            real_med(content, "0to2", stopped_reason="side_effects", side_effects=["stomach"]),
        ],
    }
    data = full(content, answers)
    assert data["trial_counts"] == {
        "tried": 1,
        "possibly_adequate_unsuccessful": 0,
        "not_tolerated": 1,
    }
    assert data["trials"][0]["tolerated"] is False
    assert data["trials"][0]["possibly_adequate_unsuccessful"] is False
    assert any("early because of side effects" in s for s in data["situation"])


def test_real_sources_cover_everything_cited(content: Content) -> None:
    data = full(content, {})
    listed = [s["id"] for s in data["sources"]]
    assert listed == [sid for sid in content.sources if sid in set(listed)]
    cited = {sid for o in data["options"] for sid in o["source_ids"]}
    for o in data["options"]:
        for claim in (*o["fields"]["benefit_claims"], *o["fields"]["harm_claims"]):
            cited.update(claim["source_ids"])
    cited.update(sid for c in data["clinic_claims"] for sid in c["source_ids"])
    assert set(listed) == cited
