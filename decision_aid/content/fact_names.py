"""The facts about a person that tailoring rules may refer to.

The engine derives these from answers (decision_aid.engine.facts); content rules name them.
Keeping the vocabulary here lets the loader reject a rule that names a fact nobody computes.
"""

from __future__ import annotations

from .clinical_facts import CLINICAL_FACTS

PRIORITY_IDS: tuple[str, ...] = (
    "chance",
    "speed",
    "duration",
    "sexual",
    "weight",
    "flat",
    "strange_days",
    "memory",
    "visit_time",
    "driving",
    "cost",
    "talking_vs_medicine",
)

KNOWN_FACTS: dict[str, str] = {
    "item9_positive": "PHQ-9 item 9 answered above 0",
    "phq9_moderately_severe_or_more": "PHQ-9 total 15 or more",
    "phq9_severe": "PHQ-9 total 20 or more",
    "gad7_moderate_or_more": "GAD-7 total 10 or more",
    "no_medicines_tried": "no antidepressant tried in this episode",
    "one_medicine_tried": "exactly one antidepressant tried",
    "two_or_more_medicines_tried": "two or more antidepressants tried",
    "any_possibly_adequate_unsuccessful": "a trial may count as adequate and unsuccessful",
    "two_or_more_possibly_adequate_unsuccessful": "two or more such trials",
    "any_trial_short": "a trial lasted under 6 weeks at its top dose, not stopped for side effects",
    "any_trial_dose_below_minimum": "a trial's highest dose was below the listed minimum",
    "any_trial_dose_unknown": "a trial's dose or medicine is not known",
    "any_partial_response": "a medicine helped some but not fully",
    "stopped_for_side_effects": "a medicine was stopped because of side effects",
    "side_effects_sexual_before": "sexual side effects on a past medicine",
    "side_effects_weight_before": "weight gain on a past medicine",
    "side_effects_blunting_before": "felt emotionally flat on a past medicine",
    "taking_antidepressant_now": "taking an antidepressant now",
    "not_taking_antidepressant_now": "not taking an antidepressant now",
    "in_therapy_now": "in talking therapy now",
    "not_in_therapy_now": "not in talking therapy now",
    "long_episode": "this episode has lasted more than 2 years",
    "tried_talking_therapy": "had talking therapy in this episode",
    "tried_tms": "had TMS in this episode",
    "tried_ect": "had ECT in this episode",
    "tried_esketamine": "had esketamine in this episode",
    "tried_ketamine": "had ketamine in this episode",
    "high_blood_pressure": "has high blood pressure",
    "heart_vessel_disease": "has heart or blood-vessel disease",
    "psychosis_or_bipolar": "past psychosis, mania or bipolar disorder",
    "substance_use": "alcohol or drug problems",
    "pregnancy_or_breastfeeding": "pregnant, planning pregnancy or breastfeeding",
    "seizures": "has had seizures",
    "memory_concerns": "has memory concerns",
    "visits_once_a_week_or_less": "can manage at most one visit a week",
    "visits_twice_a_week_or_less": "can manage at most two visits a week",
    "visits_every_weekday_ok": "could manage a visit every weekday",
    "no_ride_home": "has no ride home after a treatment",
    "ride_home_unsure": "not sure about a ride home",
    "cost_worry": "worried about cost or insurance",
    "prefers_pills": "prefers medicine taken by mouth",
    "prefers_talking": "prefers talking therapy",
    "prefers_procedures": "open to procedures",
    **{f"priority_{p}_high": f"rated '{p}' 3 or 4 out of 4" for p in PRIORITY_IDS},
    **CLINICAL_FACTS,
}
