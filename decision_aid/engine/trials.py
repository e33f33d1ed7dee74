"""Past antidepressant trials: was each one long enough, at a high enough dose, and did it help?

This mirrors the ideas behind the ATRQ and ATHF (dose at or above a commonly used minimum, at least
6 weeks at that dose, improvement of 25% or less counts as little or none). It never diagnoses: the
result is a list of *possibly* adequate, unsuccessful trials for a clinician to check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from decision_aid.content.schema import Medicine

ADEQUATE_WEEKS = frozenset({"6to8", "9to12", "gt12"})
SHORT_WEEKS = frozenset({"0to2", "3to5"})
WEEKS_LABELS: dict[str, str] = {
    "0to2": "0 to 2 weeks",
    "3to5": "3 to 5 weeks",
    "6to8": "6 to 8 weeks",
    "9to12": "9 to 12 weeks",
    "gt12": "more than 12 weeks",
    "not_sure": "not sure",
}
RESPONSES: dict[str, str] = {
    "little_or_none": "little_or_none",
    "some": "partial",
    "a_lot": "response",
    "back_to_normal": "response",
}
# How many of the catalogue unit make one of the entered unit.
_UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("mg", "mg"): 1.0,
    ("mcg", "mcg"): 1.0,
    ("mcg", "mg"): 0.001,
    ("mg", "mcg"): 1000.0,
}
_EPSILON = 1e-9


@dataclass(frozen=True)
class TrialAssessment:
    index: int
    medicine_id: str
    medicine_name: str
    drug_class: str
    dose_text: str
    min_dose_text: str
    weeks: str
    weeks_label: str
    adherence: str
    helped: str
    side_effects: tuple[str, ...]
    stopped_reason: str
    added: tuple[str, ...]
    dose_adequate: bool | None
    duration_adequate: bool | None
    tolerated: bool
    response: str
    possibly_adequate_unsuccessful: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("side_effects", "added", "reasons"):
            data[key] = list(data[key])
        return data


def format_amount(value: float) -> str:
    """50.0 -> "50", 37.5 -> "37.5", 1000 -> "1,000"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v for v in value if isinstance(v, str) and v)


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


def _dose_check(
    dose: float | None, unit: str, med: Medicine | None
) -> tuple[bool | None, str, str]:
    """(dose_adequate, min_dose_text, reason)."""
    dose_text = f"{format_amount(dose)} {unit}".strip() if dose is not None else ""
    if med is None:
        return None, "not listed", "Medicine is not in the list, so the dose cannot be checked"
    if med.min_dose is None:
        return None, "not listed", "No commonly used minimum dose is listed for this medicine"
    min_text = f"{format_amount(med.min_dose)} {med.unit}"
    if dose is None:
        return None, min_text, f"Dose not known (commonly used minimum is {min_text})"
    factor = _UNIT_FACTORS.get((unit, med.unit))
    if factor is None:
        return None, min_text, f"Dose {dose_text} cannot be compared with {min_text}"
    if dose * factor >= med.min_dose - _EPSILON:
        return True, min_text, f"Dose {dose_text} meets the commonly used minimum of {min_text}"
    return False, min_text, f"Dose {dose_text} is below the commonly used minimum of {min_text}"


def _duration(weeks: str) -> tuple[bool | None, str]:
    label = WEEKS_LABELS.get(weeks, "not known")
    if weeks in ADEQUATE_WEEKS:
        return True, f"Taken for {label} at the highest dose: meets the common 6-week definition"
    if weeks in SHORT_WEEKS:
        return False, f"Taken for {label} at the highest dose: shorter than 6 weeks"
    return None, "Time at the highest dose not known"


def _response_reason(response: str) -> str:
    return {
        "little_or_none": "Helped little or not at all (about 25% better or less)",
        "partial": "Helped some, but less than half (partial response)",
        "response": "Helped a lot (about half better or more)",
    }.get(response, "How much it helped is not known")


def assess_trial(
    index: int, item: Mapping[str, Any], catalogue: Mapping[str, Medicine]
) -> TrialAssessment:
    medicine_id = _text(item.get("medicine"))
    med = catalogue.get(medicine_id) if medicine_id != "other" else None
    if med is not None:
        name, drug_class = med.generic, med.drug_class
    elif medicine_id == "other":
        name, drug_class = _text(item.get("other_name")) or "Another medicine", ""
    else:
        name, drug_class = "Medicine not known", ""

    dose = _dose(item.get("dose"))
    unit = _text(item.get("dose_unit"))
    dose_text = f"{format_amount(dose)} {unit}".strip() if dose is not None else "Not known"
    dose_adequate, min_dose_text, dose_reason = _dose_check(dose, unit, med)

    weeks = _text(item.get("weeks"))
    duration_adequate, duration_reason = _duration(weeks)
    helped = _text(item.get("helped"))
    response = RESPONSES.get(helped, "unknown")
    stopped_reason = _text(item.get("stopped_reason"))
    adherence = _text(item.get("adherence"))

    tolerated = not (stopped_reason == "side_effects" and duration_adequate is not True)
    possibly = dose_adequate is True and duration_adequate is True and response == "little_or_none"

    reasons = [dose_reason, duration_reason]
    if adherence == "often_missed":
        reasons.append("Doses were often missed")
    reasons.append(_response_reason(response))
    if not tolerated:
        reasons.append(
            "Stopped because of side effects before 6 weeks: counts as not tolerated, "
            "not as an adequate trial"
        )
    elif stopped_reason == "side_effects":
        reasons.append("Stopped because of side effects")
    added = tuple(a for a in _texts(item.get("added")) if a != "none")
    if added:
        reasons.append("Another medicine was taken alongside it")
    if possibly:
        reasons.append("May count as an adequate trial that did not help; a clinician can check")

    return TrialAssessment(
        index=index,
        medicine_id=medicine_id,
        medicine_name=name,
        drug_class=drug_class,
        dose_text=dose_text,
        min_dose_text=min_dose_text,
        weeks=weeks,
        weeks_label=WEEKS_LABELS.get(weeks, "not known"),
        adherence=adherence,
        helped=helped,
        side_effects=tuple(s for s in _texts(item.get("side_effects")) if s != "none"),
        stopped_reason=stopped_reason,
        added=added,
        dose_adequate=dose_adequate,
        duration_adequate=duration_adequate,
        tolerated=tolerated,
        response=response,
        possibly_adequate_unsuccessful=possibly,
        reasons=tuple(reasons),
    )


def assess_trials(
    medicines: list[dict[str, Any]] | Any, catalogue: Mapping[str, Medicine]
) -> list[TrialAssessment]:
    """One assessment per medicine item, in the order given; malformed items count as unknowns."""
    if not isinstance(medicines, list):
        return []
    return [
        assess_trial(i, item if isinstance(item, Mapping) else {}, catalogue)
        for i, item in enumerate(medicines)
    ]
