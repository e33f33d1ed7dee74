"""Facts about the person, derived from their answers, that content rules (points, questions) name.

Every fact returned is a key of decision_aid.content.fact_names.KNOWN_FACTS. Facts only pick which
extra points and questions to show; they never hide, reorder, rank or score an option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from decision_aid.content.fact_names import PRIORITY_IDS
from decision_aid.content.schema import Content

from . import scoring
from .answers import Answers, chosen_priorities
from .scoring import AnswersLike, Item9Severity, answer_values
from .trials import TrialAssessment, TrialCategory, assess_trials

OTHER_TREATMENT_KINDS: tuple[str, ...] = ("talking_therapy", "tms", "ect", "esketamine", "ketamine")

HEALTH_FACTS: dict[str, str] = {
    "high_bp": "high_blood_pressure",
    "heart_vessel": "heart_vessel_disease",
    "psychosis_bipolar": "psychosis_or_bipolar",
    "substance_use": "substance_use",
    "pregnancy": "pregnancy_or_breastfeeding",
    "seizures": "seizures",
    "eating_disorder": "eating_disorder",
    "metal_implant": "metal_in_head_or_implant",
    "kidney_thyroid": "kidney_or_thyroid_problems",
    "memory": "memory_concerns",
    "not_sure": "health_not_sure",
}
AGE_FACTS: dict[str, str] = {
    "under18": "age_under_18",
    "18to24": "age_18_to_24",
    "65plus": "age_65_or_over",
}
OTHER_MEDICINE_FACTS: dict[str, str] = {
    "maoi": "takes_maoi",
    "sedative": "takes_sedative_or_seizure_medicine",
    "lithium_raising": "takes_lithium_raising_medicine",
    "not_sure": "other_medicines_not_sure",
}
ITEM9_FACTS: dict[Item9Severity, str] = {
    Item9Severity.SEVERAL_DAYS: "item9_several_days",
    Item9Severity.MORE_THAN_HALF: "item9_most_days",
    Item9Severity.NEARLY_EVERY_DAY: "item9_most_days",
}

_PREFERENCE_FACTS = {
    "pills": "prefers_pills",
    "talking": "prefers_talking",
    "procedures": "prefers_procedures",
}


def text_answer(answers: AnswersLike, key: str) -> str:
    """A single-choice answer, or "" when missing or not text (stored answers are not trusted)."""
    value = answer_values(answers).get(key)
    return value if isinstance(value, str) else ""


def list_answer(answers: AnswersLike, key: str) -> list[str]:
    """A checkbox answer as a list of strings; anything else reads as no answer."""
    value = answer_values(answers).get(key)
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value if isinstance(v, str)]


def medicine_items(answers: AnswersLike) -> list[Any]:
    """The medicines loop as stored; trials.assess_trials treats a malformed item as unknown and
    keeps each item's index, which the pages use to link back to it."""
    value = answer_values(answers).get("medicines")
    return list(value) if isinstance(value, list | tuple) else []


def trial_assessments(answers: AnswersLike, content: Content) -> list[TrialAssessment]:
    return list(assess_trials(answers, content))


def facts_from(
    answers: AnswersLike,
    trials: Sequence[TrialAssessment],
    phq9: scoring.Score,
    gad7: scoring.Score,
    item9_positive: bool,
) -> frozenset[str]:
    """The facts, from scores and trial assessments already worked out (the summary reuses them)."""
    facts: set[str] = set()

    if item9_positive:
        facts.add("item9_positive")
        severity_fact = ITEM9_FACTS.get(scoring.item9_severity(answers))
        if severity_fact:
            facts.add(severity_fact)
    if phq9.total is not None:
        if phq9.total >= 15:
            facts.add("phq9_moderately_severe_or_more")
        if phq9.total >= 20:
            facts.add("phq9_severe")
    if gad7.total is not None and gad7.total >= 10:
        facts.add("gad7_moderate_or_more")

    facts |= _trial_facts(text_answer(answers, "medicines_any"), trials)

    taking_now = text_answer(answers, "taking_now")
    if taking_now == "yes":
        facts.add("taking_antidepressant_now")
    elif taking_now == "no":
        facts.add("not_taking_antidepressant_now")
    therapy_now = text_answer(answers, "therapy_now")
    if therapy_now == "yes":
        facts.add("in_therapy_now")
    elif therapy_now == "no":
        facts.add("not_in_therapy_now")
    if text_answer(answers, "episode_length") == "gt2y":
        facts.add("long_episode")

    other = set(list_answer(answers, "other_treatments"))
    facts |= {f"tried_{kind}" for kind in OTHER_TREATMENT_KINDS if kind in other}

    health = set(list_answer(answers, "health"))
    facts |= {fact for value, fact in HEALTH_FACTS.items() if value in health}
    age = AGE_FACTS.get(text_answer(answers, "age_band"))
    if age:
        facts.add(age)
    other_medicines = set(list_answer(answers, "other_medicines"))
    facts |= {fact for value, fact in OTHER_MEDICINE_FACTS.items() if value in other_medicines}

    visits = text_answer(answers, "visits_per_week")
    if visits == "le1":
        facts.add("visits_once_a_week_or_less")
    if visits in {"le1", "2"}:
        facts.add("visits_twice_a_week_or_less")
    if visits == "5":
        facts.add("visits_every_weekday_ok")

    ride_home = text_answer(answers, "ride_home")
    if ride_home == "no":
        facts.add("no_ride_home")
    elif ride_home == "not_sure":
        facts.add("ride_home_unsure")
    if text_answer(answers, "cost_worry") in {"a_lot", "some"}:
        facts.add("cost_worry")
    preference = _PREFERENCE_FACTS.get(text_answer(answers, "preference"))
    if preference:
        facts.add(preference)

    chosen = chosen_priorities(Answers.from_draft(answer_values(answers)), PRIORITY_IDS)
    facts |= {f"priority_{pid}_high" for pid in chosen}

    return frozenset(facts)


def _trial_facts(medicines_any: str, trials: Sequence[TrialAssessment]) -> set[str]:
    facts: set[str] = set()
    tried = len({t.index for t in trials if t.role == "main"})
    if tried == 0:
        # "not sure" or an unanswered question is not the same as having tried none.
        if medicines_any == "no":
            facts.add("no_medicines_tried")
    elif tried == 1:
        facts.add("one_medicine_tried")
    else:
        facts.add("two_or_more_medicines_tried")

    adequate_unsuccessful = sum(1 for t in trials if t.may_count)
    if adequate_unsuccessful >= 1:
        facts.add("any_possibly_adequate_unsuccessful")
    if adequate_unsuccessful >= 2:
        facts.add("two_or_more_possibly_adequate_unsuccessful")

    for t in trials:
        if t.category is TrialCategory.MISSED_DOSES:
            facts.add("any_trial_missed_doses")
        if t.category is TrialCategory.STOPPED_SIDE_EFFECTS_LATE:
            facts.add("any_stopped_side_effects_late")
        if t.role == "added":
            facts.add("any_added_medicine_trial")
            continue
        stopped_for_side_effects = t.stopped_reason == "side_effects"
        if t.duration_adequate is False and not stopped_for_side_effects:
            facts.add("any_trial_short")
        if t.dose_adequate is False:
            facts.add("any_trial_dose_below_minimum")
        if t.dose_adequate is None:
            facts.add("any_trial_dose_unknown")
        if t.response == "partial":
            facts.add("any_partial_response")
        if stopped_for_side_effects:
            facts.add("stopped_for_side_effects")
        side_effects = set(t.side_effects)
        if "sexual" in side_effects:
            facts.add("side_effects_sexual_before")
        if "weight" in side_effects:
            facts.add("side_effects_weight_before")
        if "emotional_blunting" in side_effects:
            facts.add("side_effects_blunting_before")
    return facts


def derive_facts(answers: AnswersLike, content: Content) -> frozenset[str]:
    """All facts that hold for these (effective) answers; each is a KNOWN_FACTS key."""
    return facts_from(
        answers,
        trial_assessments(answers, content),
        scoring.phq9(answers),
        scoring.gad7(answers),
        scoring.item9_positive(answers),
    )
