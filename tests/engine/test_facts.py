"""derive_facts: answers (contract vocabulary) -> facts named in KNOWN_FACTS."""

from __future__ import annotations

from typing import Any, cast

import pytest

from decision_aid.content.clinical_facts import CLINICAL_FACTS
from decision_aid.content.fact_names import KNOWN_FACTS, PRIORITY_IDS
from decision_aid.content.schema import Content, Crisis, Medicine, Source
from decision_aid.engine.facts import derive_facts
from tests.engine.factories import make_meta


def _content() -> Content:
    """Only the medicines catalogue matters to facts; the rest is the smallest valid filler."""
    meta = make_meta()
    medicines = {
        "sertraline": Medicine(
            "sertraline", "sertraline", ("Zoloft",), "SSRI", 50.0, "mg", ("s1",)
        ),
        "escitalopram": Medicine(
            "escitalopram", "escitalopram", ("Lexapro",), "SSRI", 10.0, "mg", ("s1",)
        ),
        "nodose": Medicine("nodose", "nodose", (), "other", None, "mg", ("s1",)),
    }
    return Content(
        meta=meta,
        sources={"s1": Source("s1", "S1", "Source one", "https://example.org/1")},
        options=(),
        medicines=medicines,
        glossary=(),
        crisis=Crisis("h", "c", "https://example.org", "911", (), "t"),
        clinic_claims=(),
        point_rules=(),
        priorities=(),
        questions_to_ask=(),
        instruments={},
        questionnaire=cast(Any, None),  # facts need no questionnaire
    )


CONTENT = _content()
# content/fact_names.py merges CLINICAL_FACTS into KNOWN_FACTS; the union holds before and after.
ALL_FACTS = {**KNOWN_FACTS, **CLINICAL_FACTS}


def med(medicine: str = "sertraline", **overrides: Any) -> dict[str, Any]:
    """An adequate, unsuccessful sertraline trial unless overridden."""
    item: dict[str, Any] = {
        "medicine": medicine,
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


def phq(total: int, item9: int = 0) -> dict[str, str]:
    """PHQ-9 answers adding up to total, with item 9 as given."""
    rest = total - item9
    assert 0 <= rest <= 24
    values = [min(3, max(0, rest - 3 * i)) for i in range(8)]
    answers = {f"phq9_{i + 1}": str(v) for i, v in enumerate(values)}
    answers["phq9_9"] = str(item9)
    return answers


def gad(total: int) -> dict[str, str]:
    return {f"gad7_{i + 1}": str(min(3, max(0, total - 3 * i))) for i in range(7)}


def facts(answers: dict[str, Any]) -> frozenset[str]:
    return derive_facts(answers, CONTENT)


# One set of answers per fact that should produce it: every fact in the vocabulary is reachable.
FACT_EXAMPLES: dict[str, dict[str, Any]] = {
    "item9_positive": phq(3, item9=1),
    "phq9_moderately_severe_or_more": phq(15),
    "phq9_severe": phq(20),
    "gad7_moderate_or_more": gad(10),
    "no_medicines_tried": {"medicines_any": "no"},
    "one_medicine_tried": {"medicines_any": "yes", "medicines": [med()]},
    "two_or_more_medicines_tried": {"medicines": [med(), med("escitalopram", dose=20.0)]},
    "any_possibly_adequate_unsuccessful": {"medicines": [med()]},
    "two_or_more_possibly_adequate_unsuccessful": {
        "medicines": [med(), med("escitalopram", dose=10.0)]
    },
    "any_trial_short": {"medicines": [med(weeks="3to5")]},
    "any_trial_dose_below_minimum": {"medicines": [med(dose=25.0)]},
    "any_trial_dose_unknown": {"medicines": [med(dose=None)]},
    "any_partial_response": {"medicines": [med(helped="some")]},
    "stopped_for_side_effects": {"medicines": [med(stopped_reason="side_effects")]},
    "side_effects_sexual_before": {"medicines": [med(side_effects=["sexual"])]},
    "side_effects_weight_before": {"medicines": [med(side_effects=["weight", "sleep"])]},
    "side_effects_blunting_before": {"medicines": [med(side_effects=["emotional_blunting"])]},
    "taking_antidepressant_now": {"taking_now": "yes"},
    "not_taking_antidepressant_now": {"taking_now": "no"},
    "in_therapy_now": {"therapy_now": "yes"},
    "not_in_therapy_now": {"therapy_now": "no"},
    "long_episode": {"episode_length": "gt2y"},
    "tried_talking_therapy": {"other_treatments": ["talking_therapy"]},
    "tried_tms": {"other_treatments": ["tms"]},
    "tried_ect": {"other_treatments": ["ect"]},
    "tried_esketamine": {"other_treatments": ["esketamine"]},
    "tried_ketamine": {"other_treatments": ["ketamine"]},
    "high_blood_pressure": {"health": ["high_bp"]},
    "heart_vessel_disease": {"health": ["heart_vessel"]},
    "psychosis_or_bipolar": {"health": ["psychosis_bipolar"]},
    "substance_use": {"health": ["substance_use"]},
    "pregnancy_or_breastfeeding": {"health": ["pregnancy"]},
    "seizures": {"health": ["seizures"]},
    "memory_concerns": {"health": ["memory"]},
    "visits_once_a_week_or_less": {"visits_per_week": "le1"},
    "visits_twice_a_week_or_less": {"visits_per_week": "2"},
    "visits_every_weekday_ok": {"visits_per_week": "5"},
    "no_ride_home": {"ride_home": "no"},
    "ride_home_unsure": {"ride_home": "not_sure"},
    "cost_worry": {"cost_worry": "a_lot"},
    "prefers_pills": {"preference": "pills"},
    "prefers_talking": {"preference": "talking"},
    "prefers_procedures": {"preference": "procedures"},
    **{f"priority_{p}_high": {"top_priorities": [p]} for p in PRIORITY_IDS},
    # Clinical facts (content/clinical_facts.py).
    "item9_several_days": {"phq9_9": "1"},
    "item9_most_days": {"phq9_9": "2"},
    "any_trial_missed_doses": {"medicines": [med(adherence="often_missed")]},
    "any_stopped_side_effects_late": {"medicines": [med(stopped_reason="side_effects")]},
    "any_added_medicine_trial": {"medicines": [med(added=["aripiprazole"])]},
    "age_under_18": {"age_band": "under18"},
    "age_18_to_24": {"age_band": "18to24"},
    "age_65_or_over": {"age_band": "65plus"},
    "eating_disorder": {"health": ["eating_disorder"]},
    "metal_in_head_or_implant": {"health": ["metal_implant"]},
    "kidney_or_thyroid_problems": {"health": ["kidney_thyroid"]},
    "health_not_sure": {"health": ["not_sure"]},
    "takes_maoi": {"other_medicines": ["maoi"]},
    "takes_sedative_or_seizure_medicine": {"other_medicines": ["sedative"]},
    "takes_lithium_raising_medicine": {"other_medicines": ["lithium_raising"]},
    "other_medicines_not_sure": {"other_medicines": ["not_sure"]},
}


def test_every_known_fact_has_an_example() -> None:
    assert set(FACT_EXAMPLES) == set(ALL_FACTS)


@pytest.mark.parametrize("fact", sorted(FACT_EXAMPLES))
def test_each_fact_is_derived_from_its_example(fact: str) -> None:
    derived = facts(FACT_EXAMPLES[fact])
    assert fact in derived
    assert derived <= ALL_FACTS.keys()


def test_no_answers_give_no_facts() -> None:
    assert facts({}) == frozenset()


@pytest.mark.parametrize(
    "total, expected",
    [
        (14, set()),
        (15, {"phq9_moderately_severe_or_more"}),
        (19, {"phq9_moderately_severe_or_more"}),
        (20, {"phq9_moderately_severe_or_more", "phq9_severe"}),
    ],
)
def test_phq9_thresholds(total: int, expected: set[str]) -> None:
    derived = facts(phq(total))
    assert derived & {"phq9_moderately_severe_or_more", "phq9_severe"} == expected
    assert "item9_positive" not in derived


def test_incomplete_phq9_gives_no_severity_fact() -> None:
    answers = phq(24)
    del answers["phq9_1"]
    assert "phq9_severe" not in facts(answers)
    assert "phq9_moderately_severe_or_more" not in facts(answers)


@pytest.mark.parametrize("total, expected", [(9, False), (10, True), (21, True)])
def test_gad7_threshold(total: int, expected: bool) -> None:
    assert ("gad7_moderate_or_more" in facts(gad(total))) is expected


@pytest.mark.parametrize("value", ["1", "2", "3"])
def test_item9_above_zero_is_positive(value: str) -> None:
    assert "item9_positive" in facts({"phq9_9": value})


def test_item9_zero_is_not_positive() -> None:
    assert "item9_positive" not in facts({"phq9_9": "0"})
    assert not facts({"phq9_9": "0"}) & {"item9_several_days", "item9_most_days"}


@pytest.mark.parametrize(
    ("value", "severity_fact", "other"),
    [
        ("1", "item9_several_days", "item9_most_days"),
        ("2", "item9_most_days", "item9_several_days"),
        ("3", "item9_most_days", "item9_several_days"),
    ],
)
def test_item9_severity_facts(value: str, severity_fact: str, other: str) -> None:
    derived = facts({"phq9_9": value})
    assert {"item9_positive", severity_fact} <= derived
    assert other not in derived


def test_often_missed_doses_is_not_a_possibly_adequate_trial() -> None:
    missed = facts({"medicines": [med(adherence="often_missed")]})
    assert "any_trial_missed_doses" in missed
    assert "any_possibly_adequate_unsuccessful" not in missed
    assert "any_possibly_adequate_unsuccessful" in facts({"medicines": [med(adherence="mostly")]})


def test_an_added_medicine_counts_as_its_own_trial_but_not_as_a_medicine_tried() -> None:
    one = med(added=["aripiprazole"], added_weeks="6to8")
    derived = facts({"medicines_any": "yes", "medicines": [one]})
    assert "two_or_more_possibly_adequate_unsuccessful" in derived
    assert "one_medicine_tried" in derived
    short = med(added=["aripiprazole"], added_weeks="3to5")
    assert "two_or_more_possibly_adequate_unsuccessful" not in facts({"medicines": [short]})


def test_stopped_for_side_effects_late_is_not_possibly_adequate() -> None:
    derived = facts({"medicines": [med(stopped_reason="side_effects", weeks="9to12")]})
    assert {"stopped_for_side_effects", "any_stopped_side_effects_late"} <= derived
    assert "any_possibly_adequate_unsuccessful" not in derived
    early = facts({"medicines": [med(stopped_reason="side_effects", weeks="0to2")]})
    assert "any_stopped_side_effects_late" not in early


@pytest.mark.parametrize("value", ["25to64", "prefer_not", "", "x"])
def test_other_age_bands_give_no_age_fact(value: str) -> None:
    assert not facts({"age_band": value}) & {"age_under_18", "age_18_to_24", "age_65_or_over"}


def test_none_of_the_other_medicines_gives_no_fact() -> None:
    assert facts({"other_medicines": ["none"]}) == frozenset()


def test_facts_accept_an_answers_value() -> None:
    from decision_aid.engine.answers import Answers

    answers = {"phq9_9": "3", "medicines": [med()], "age_band": "18to24"}
    assert facts(answers) == derive_facts(Answers.from_draft(answers), CONTENT)


@pytest.mark.parametrize("medicines_any", ["not_sure", "yes"])
def test_not_sure_or_empty_list_is_not_no_medicines(medicines_any: str) -> None:
    derived = facts({"medicines_any": medicines_any})
    assert "no_medicines_tried" not in derived
    assert "one_medicine_tried" not in derived


def test_medicine_counts_are_exclusive() -> None:
    two = facts({"medicines_any": "yes", "medicines": [med(), med()]})
    assert "two_or_more_medicines_tried" in two
    assert "one_medicine_tried" not in two
    assert "no_medicines_tried" not in two


def test_one_adequate_unsuccessful_is_not_two() -> None:
    derived = facts({"medicines": [med(), med(helped="a_lot")]})
    assert "any_possibly_adequate_unsuccessful" in derived
    assert "two_or_more_possibly_adequate_unsuccessful" not in derived


def test_stopped_after_one_week_for_side_effects_is_not_a_short_or_full_trial() -> None:
    derived = facts(
        {"medicines": [med(weeks="0to2", stopped_reason="side_effects", side_effects=["stomach"])]}
    )
    assert "stopped_for_side_effects" in derived
    assert "any_trial_short" not in derived
    assert "any_possibly_adequate_unsuccessful" not in derived


def test_short_trial_stopped_for_another_reason_is_short() -> None:
    derived = facts({"medicines": [med(weeks="0to2", stopped_reason="did_not_help")]})
    assert "any_trial_short" in derived
    assert "stopped_for_side_effects" not in derived


@pytest.mark.parametrize(
    "item",
    [
        med(dose=None),
        med("other", other_name="something"),
        med("nodose"),
    ],
)
def test_unknown_dose_or_medicine(item: dict[str, Any]) -> None:
    derived = facts({"medicines": [item]})
    assert "any_trial_dose_unknown" in derived
    assert "any_trial_dose_below_minimum" not in derived
    assert "any_possibly_adequate_unsuccessful" not in derived


def test_adequate_trial_has_no_doubt_facts() -> None:
    derived = facts({"medicines": [med()]})
    assert not derived & {
        "any_trial_short",
        "any_trial_dose_below_minimum",
        "any_trial_dose_unknown",
        "any_partial_response",
        "stopped_for_side_effects",
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        ("le1", {"visits_once_a_week_or_less", "visits_twice_a_week_or_less"}),
        ("2", {"visits_twice_a_week_or_less"}),
        ("3", set()),
        ("5", {"visits_every_weekday_ok"}),
        ("not_sure", set()),
    ],
)
def test_visits(value: str, expected: set[str]) -> None:
    assert facts({"visits_per_week": value}) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a_lot", True),
        ("some", True),
        ("no", False),
        ("not_sure", False),
    ],
)
def test_cost_worry(value: str, expected: bool) -> None:
    assert ("cost_worry" in facts({"cost_worry": value})) is expected


@pytest.mark.parametrize("value", ["none", "not_sure"])
def test_no_preference_gives_no_preference_fact(value: str) -> None:
    assert facts({"preference": value}) == frozenset()


def test_ride_home_yes_gives_no_fact() -> None:
    assert facts({"ride_home": "yes"}) == frozenset()


@pytest.mark.parametrize(
    "value, high",
    [
        ("0", False),
        ("1", False),
        ("2", False),
        ("3", True),
        ("4", True),
        ("not_sure", False),
    ],
)
def test_priority_high_only_for_3_or_4(value: str, high: bool) -> None:
    assert ("priority_memory_high" in facts({"prio_memory": value})) is high


def test_health_none_and_prefer_not_give_no_facts() -> None:
    assert facts({"health": ["none"]}) == frozenset()
    assert facts({"health": ["prefer_not"]}) == frozenset()


def test_several_health_items() -> None:
    derived = facts({"health": ["high_bp", "pregnancy", "seizures"]})
    assert derived == {"high_blood_pressure", "pregnancy_or_breastfeeding", "seizures"}


def test_other_treatments_none_gives_no_fact() -> None:
    assert facts({"other_treatments": ["none"]}) == frozenset()


def test_badly_shaped_answers_are_ignored_not_fatal() -> None:
    answers: dict[str, Any] = {
        "health": "high_bp",
        "other_treatments": None,
        "medicines": "sertraline",
        "visits_per_week": 1,
        "prio_chance": 4,
    }
    assert facts(answers) == frozenset()


def test_malformed_medicine_items_count_as_unknown_trials() -> None:
    derived = facts({"medicines": ["sertraline", None, med()]})
    assert "two_or_more_medicines_tried" in derived
    assert "any_trial_dose_unknown" in derived
    assert "any_possibly_adequate_unsuccessful" in derived


# --- Points spread fairly across the options (real content) ---------------------------------

OPTION_IDS = ("continue", "adjust_dose", "switch", "add_medicine", "talking_therapy", "tms", "ect",
              "esketamine", "iv_ketamine")
# For the same answers, no option gets more than SPREAD_LIMIT points more than another.
# Measured: 4, 3 and 5 for the three people below (before this rule: 6, 5 and 5).
SPREAD_LIMIT = 5


def _real_content() -> Content:
    from decision_aid.content.loader import load_content

    return load_content()


def _points(content: Content, answers: dict[str, Any]) -> dict[str, int]:
    derived = derive_facts(answers, content)
    texts: dict[str, set[str]] = {o: set() for o in OPTION_IDS}
    for rule in content.point_rules:
        if rule.when in derived:
            texts[rule.option_id].add(rule.text)
    return {o: len(t) for o, t in texts.items()}


def _people() -> dict[str, dict[str, Any]]:
    return {
        "two full trials, practical limits": {
            **phq(18), **gad(8), "medicines_any": "yes",
            "medicines": [med(dose=100.0, weeks="9to12"), med("escitalopram", dose=20.0)],
            "taking_now": "yes", "therapy_now": "no", "episode_length": "gt2y",
            "health": ["high_bp"], "age_band": "25to64", "visits_per_week": "le1",
            "ride_home": "no", "cost_worry": "a_lot", "preference": "pills",
            "top_priorities": ["chance", "sexual", "weight"],
        },
        "18 to 24, item 9 several days, one short trial": {
            **phq(16, item9=1), **gad(12), "medicines_any": "yes",
            "medicines": [med(weeks="3to5", helped="some", stopped_reason="side_effects",
                              side_effects=["emotional_blunting"])],
            "taking_now": "no", "therapy_now": "no", "other_treatments": ["talking_therapy"],
            "health": ["pregnancy"], "age_band": "18to24", "visits_per_week": "2",
            "cost_worry": "some", "preference": "talking",
            "top_priorities": ["speed", "flat", "talking_vs_medicine"],
        },
        "65 or older, three trials with an added medicine": {
            **phq(21), **gad(5), "medicines_any": "yes",
            "medicines": [med(weeks="gt12", added=["aripiprazole"], added_weeks="6to8"),
                          med(dose=25.0, weeks="gt12"),
                          med("escitalopram", dose=10.0, weeks="9to12", helped="some",
                              stopped_reason="side_effects", side_effects=["weight"])],
            "taking_now": "yes", "therapy_now": "yes", "episode_length": "gt2y",
            "other_treatments": ["ect"], "health": ["kidney_thyroid", "metal_implant", "seizures"],
            "age_band": "65plus", "other_medicines": ["lithium_raising"], "visits_per_week": "3",
            "ride_home": "not_sure", "top_priorities": ["memory", "duration", "driving"],
        },
    }


@pytest.mark.parametrize("person", sorted(_people()))
def test_points_are_spread_across_the_options(person: str) -> None:
    counts = _points(_real_content(), _people()[person])
    assert max(counts.values()) - min(counts.values()) <= SPREAD_LIMIT, counts


def test_two_or_more_possible_full_trials_raise_points_beyond_procedures() -> None:
    content = _real_content()
    raised = {r.option_id for r in content.point_rules
              if r.when == "two_or_more_possibly_adequate_unsuccessful"}
    assert {"switch", "add_medicine", "talking_therapy", "tms", "ect", "esketamine",
            "iv_ketamine", "adjust_dose"} <= raised


def test_item9_raises_no_point_for_any_one_option() -> None:
    content = _real_content()
    item9_facts = {"item9_positive", "item9_several_days", "item9_most_days"}
    assert not [r for r in content.point_rules if r.when in item9_facts]
    assert any(q.when in item9_facts for q in content.questions_to_ask)


@pytest.mark.parametrize(
    ("fact", "options"),
    [
        ("age_18_to_24", {"switch", "adjust_dose", "add_medicine", "esketamine"}),
        ("age_65_or_over", {"switch", "add_medicine", "talking_therapy", "tms", "ect",
                            "esketamine", "iv_ketamine"}),
        ("takes_maoi", {"switch", "add_medicine", "esketamine"}),
        ("psychosis_or_bipolar", {"continue", "adjust_dose", "switch", "add_medicine",
                                  "esketamine", "iv_ketamine"}),
        ("seizures", {"switch", "add_medicine", "tms", "ect"}),
        ("eating_disorder", {"switch", "add_medicine"}),
        ("metal_in_head_or_implant", {"tms"}),
        ("kidney_or_thyroid_problems", {"add_medicine"}),
        ("takes_lithium_raising_medicine", {"add_medicine"}),
        ("takes_sedative_or_seizure_medicine", {"switch", "add_medicine"}),
        ("pregnancy_or_breastfeeding", {"continue", "adjust_dose", "switch", "add_medicine",
                                        "talking_therapy", "tms", "ect", "esketamine",
                                        "iv_ketamine"}),
    ],
)
def test_each_safety_screen_raises_points_on_every_option_it_affects(
    fact: str, options: set[str]
) -> None:
    raised = {r.option_id for r in _real_content().point_rules if r.when == fact}
    assert raised == options
