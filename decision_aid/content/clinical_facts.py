"""Facts about a person that the clinical engine derives for the safety screens, item 9 by
severity and the trial rules (decision_aid.engine.facts). content/fact_names.py merges them into
KNOWN_FACTS, so points and questions may name them and the loader rejects any other name.
"""

from __future__ import annotations

CLINICAL_FACTS: dict[str, str] = {
    # PHQ-9 item 9 by severity (every positive answer is also "item9_positive").
    "item9_several_days": "PHQ-9 item 9 answered 'several days'",
    "item9_most_days": "PHQ-9 item 9 answered 'more than half the days' or 'nearly every day'",
    # Trials.
    "any_trial_missed_doses": "a trial where doses were often missed",
    "any_stopped_side_effects_late": "a medicine stopped for side effects after 6 weeks or more",
    "any_added_medicine_trial": "a medicine was added to an antidepressant (augmentation)",
    # Safety screens: things to tell the clinician, never a gate.
    "age_under_18": "age band 17 or younger",
    "age_18_to_24": "age band 18 to 24",
    "age_65_or_over": "age band 65 or older",
    "eating_disorder": "an eating disorder now or in the past",
    "metal_in_head_or_implant": "metal in or near the head, or an implanted device",
    "kidney_or_thyroid_problems": "kidney or thyroid problems",
    "health_not_sure": "not sure which health things apply",
    "takes_maoi": "takes an MAOI antidepressant now",
    "takes_sedative_or_seizure_medicine": "takes sleeping or seizure medicine",
    "takes_lithium_raising_medicine": "takes water pills, ACE inhibitors or NSAIDs most days",
    "other_medicines_not_sure": "not sure which of the listed medicines they take",
}
