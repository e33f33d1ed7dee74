"""Past antidepressant trials: was each one possibly a full trial, and did it help?

This mirrors the ideas behind the ATRQ and ATHF (brief §3.3, §7.2; addendum A3): taken on most
days, at or above the lowest usual dose in one cited table, for at least 6 weeks at that dose or
higher, and improved by a quarter or less. A medicine added to another antidepressant
(augmentation) is assessed as its own trial. It never diagnoses: a trial "may count", and the
clinician checks. Every sentence shown comes from content/data/trials.toml.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from decision_aid.content.medicine_names import normalise_name
from decision_aid.content.questionnaire import Questionnaire
from decision_aid.content.schema import Content, Medicine
from decision_aid.content.trial_wording import TrialWording, fill, trial_wording

from .medicine_items import trial_view
from .scoring import AnswersLike, answer_values
from .trial_assessment import RESPONSES, TrialAssessment, TrialCategory

__all__ = ["TrialAssessment", "TrialCategory", "assess_items", "assess_trials", "format_amount"]


ADEQUATE_WEEKS = frozenset({"6to8", "9to12", "gt12"})
SHORT_WEEKS = frozenset({"0to2", "3to5"})
_RESPONSE_REASON = {"little_or_none": "may_count", "partial": "partial", "response": "helped"}
# How many of the catalogue unit make one of the entered unit.
DOSE_UNIT = "mg"
_UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("mg", "mg"): 1.0,
    ("mcg", "mcg"): 1.0,
    ("mcg", "mg"): 0.001,
    ("mg", "mcg"): 1000.0,
}
_EPSILON = 1e-9


def format_amount(value: float) -> str:
    """50.0 -> "50", 37.5 -> "37.5", 1000 -> "1,000"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dose(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    return number


def choice_label(questionnaire: Questionnaire | None, field_id: str, value: str,
                 wording: str = "summary") -> str:
    """The questionnaire's words for a stored choice (the value itself without a questionnaire)."""
    return questionnaire.choice_label(field_id, value, wording) if questionnaire else value


@dataclass(frozen=True)
class _Context:
    catalogue: Mapping[str, Medicine]
    wording: TrialWording
    questionnaire: Questionnaire | None
    names: Mapping[str, str] = field(default_factory=dict)  # typed name -> medicine id

    def label(self, field_id: str, value: str) -> str:
        if not value:
            return self.wording.words["not_provided"]
        return choice_label(self.questionnaire, field_id, value)


def _dose_status(
    dose: float | None, unit: str, med: Medicine | None, medicine_id: str
) -> tuple[bool | None, str]:
    """(dose meets the listed minimum, reason id when it cannot be checked or is low)."""
    if med is None:
        return None, "not_sure_medicine"
    if med.min_dose is None:
        return None, "not_sure_no_minimum"
    if dose is None:
        return None, "not_sure_dose"
    factor = _UNIT_FACTORS.get((unit, med.unit))
    if factor is None:
        return None, "not_sure_unit"
    if dose * factor >= med.min_dose - _EPSILON:
        return True, ""
    return False, "dose_low"


def _duration(weeks: str) -> bool | None:
    if weeks in ADEQUATE_WEEKS:
        return True
    if weeks in SHORT_WEEKS:
        return False
    return None


def _main_reason(
    stopped: str, adherence: str, dose_ok: bool | None, dose_reason: str,
    weeks_ok: bool | None, response: str,
) -> tuple[str, list[str]]:
    """The reason id for a main trial, and the clinician notes for other rules that also fail."""
    notes: list[str] = []
    if stopped == "side_effects" and weeks_ok is not None:
        return ("stopped_side_effects_late" if weeks_ok else "stopped_side_effects_early"), notes
    if adherence == "often_missed":
        if dose_ok is False:
            notes.append("dose_low")
        if weeks_ok is False:
            notes.append("too_short")
        return "missed_doses", notes
    if dose_ok is False:
        if weeks_ok is not True:
            notes.append("too_short" if weeks_ok is False else "weeks_unknown")
        return "dose_low", notes
    if weeks_ok is False:
        return "too_short", ["dose_unknown"] if dose_ok is None else []
    if dose_ok is None:
        return dose_reason, ["weeks_unknown"] if weeks_ok is None else []
    if weeks_ok is None:
        return "not_sure_weeks", notes
    reason = _RESPONSE_REASON.get(response, "not_sure_helped")
    if adherence == "not_sure":
        notes.append("adherence_unsure")
    elif adherence == "mostly":
        notes.append("adherence_mostly")
    return reason, notes


def _added_reason(adherence: str, weeks_ok: bool | None, response: str) -> tuple[str, list[str]]:
    if adherence == "often_missed":
        return "missed_doses", []
    if weeks_ok is False:
        return "too_short_added", []
    if weeks_ok is None:
        return "not_sure_weeks", []
    base = _RESPONSE_REASON.get(response)
    notes = ["added_outcome"] + (["adherence_unsure"] if adherence == "not_sure" else [])
    return (f"{base}_added" if base else "not_sure_helped"), notes


def _assessment(ctx: _Context, reason_id: str, notes: list[str], values: dict[str, str],
                **details: Any) -> TrialAssessment:
    reason = ctx.wording.reasons[reason_id]
    category = TrialCategory(reason.category)
    clinician = " ".join(
        [fill(reason.clinician, values)] + [fill(ctx.wording.notes[n], values) for n in notes]
    )
    return TrialAssessment(
        category=category,
        may_count=category is TrialCategory.MAY_COUNT,
        reason=fill(reason.patient, values),
        clinician_reason=clinician,
        reason_id=reason_id,
        **details,
    )


def _assess_item(ctx: _Context, index: int, item: Mapping[str, Any]) -> list[TrialAssessment]:
    words = ctx.wording.words
    medicine_id = _text(item.get("medicine"))
    typed = _text(item.get("other_name")) if medicine_id == "other" else ""
    if typed:  # "not on this list", but named as one that is (in English or Spanish)
        medicine_id = ctx.names.get(normalise_name(typed), "other")
    med = ctx.catalogue.get(medicine_id) if medicine_id != "other" else None
    if typed or medicine_id == "other":
        name = typed or words["not_named"]
    elif medicine_id:
        name = choice_label(ctx.questionnaire, "medicine", medicine_id, "patient")
        if name == medicine_id and med is not None:
            name = med.generic.capitalize()
    else:
        name = words["not_named"]

    dose = _dose(item.get("dose"))
    # Doses are asked in mg (every listed antidepressant is dosed in mg); drafts from before
    # Dec 2026 may still carry the unit they were asked for.
    unit = _text(item.get("dose_unit")) or DOSE_UNIT
    dose_text = (
        " ".join(fill(words["dose"], {"amount": format_amount(dose), "unit": unit}).split())
        if dose is not None else words["not_provided"]
    )
    dose_ok, dose_reason = _dose_status(dose, unit, med, medicine_id)
    table = ctx.wording.dose_source(medicine_id).name
    min_dose_text = (
        f"{format_amount(med.min_dose)} {med.unit}"
        if med is not None and med.min_dose is not None else words["not_provided"]
    )
    weeks = _text(item.get("weeks"))
    weeks_ok = _duration(weeks)
    helped = _text(item.get("helped"))
    adherence = _text(item.get("adherence"))
    told = trial_view(item)  # old drafts' lists and the new yes/no questions alike
    stopped = told.stopped_reason
    added = told.added
    values = {"dose": dose_text, "min_dose": min_dose_text, "table": table, "medicine": name}

    reason_id, notes = _main_reason(
        stopped, adherence, dose_ok, dose_reason, weeks_ok, RESPONSES.get(helped, "unknown")
    )
    common = {
        "index": index,
        "adherence": adherence,
        "helped": helped,
        "outcome_text": ctx.label("helped", helped),
        "side_effects": told.side_effects,
    }
    out = [
        _assessment(
            ctx, reason_id, notes, values,
            medicine_name=name, role="main", dose_text=dose_text,
            weeks_text=ctx.label("weeks", weeks), medicine_id=medicine_id,
            drug_class=med.drug_class if med is not None else "", min_dose_text=min_dose_text,
            dose_table=table if med is not None and med.min_dose is not None else "",
            weeks=weeks, stopped_reason=stopped, added=added,
            dose_adequate=dose_ok, duration_adequate=weeks_ok, **common,
        )
    ]
    added_weeks = told.added_weeks
    for agent in added:
        agent_name = (
            words["another_medicine"] if agent == "other" else ctx.label("added", agent)
        )
        added_id, added_notes = _added_reason(
            adherence, _duration(added_weeks), RESPONSES.get(helped, "unknown")
        )
        out.append(_assessment(
            ctx, added_id, added_notes, {**values, "added_to": name, "medicine": agent_name},
            medicine_name=fill(words["added_name"], {"medicine": agent_name, "added_to": name}),
            role="added", dose_text=words["not_provided"],
            weeks_text=ctx.label("weeks", added_weeks), medicine_id=agent, weeks=added_weeks,
            added_to=name, duration_adequate=_duration(added_weeks), **common,
        ))
    return out


def assess_items(
    items: Any, catalogue: Mapping[str, Medicine], wording: TrialWording | None = None,
    questionnaire: Questionnaire | None = None, names: Mapping[str, str] | None = None,
) -> tuple[TrialAssessment, ...]:
    """One assessment per medicine item (and one per medicine added to it), in order; a
    malformed item reads as an unknown one."""
    if not isinstance(items, list | tuple):
        return ()
    ctx = _Context(catalogue, wording or trial_wording(), questionnaire, names or {})
    return tuple(
        a
        for i, item in enumerate(items)
        for a in _assess_item(ctx, i, item if isinstance(item, Mapping) else {})
    )


def assess_trials(answers: AnswersLike, content: Content) -> tuple[TrialAssessment, ...]:
    """INTERFACES §3: every past medicine in the answers, assessed against the content."""
    return assess_items(
        answer_values(answers).get("medicines"), content.medicines,
        trial_wording(language=content.language), content.questionnaire,
        content.medicine_names,
    )
