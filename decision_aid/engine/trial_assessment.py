"""The assessment of one past medicine (INTERFACES §3): the record the summary, the clinician
review and FHIR read, with a dict form that round-trips exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class TrialCategory(StrEnum):
    MAY_COUNT = "may_count"  # possibly a full trial that did not help enough
    HELPED = "helped"  # full length and dose, and it helped a lot
    PARTIAL = "partial"  # full length and dose, and it helped some (not a ≤25% nonresponse)
    TOO_SHORT = "too_short"
    DOSE_LOW = "dose_low"
    MISSED_DOSES = "missed_doses"
    STOPPED_SIDE_EFFECTS_EARLY = "stopped_side_effects_early"
    STOPPED_SIDE_EFFECTS_LATE = "stopped_side_effects_late"  # after an adequate duration
    NOT_SURE = "not_sure"  # not enough information


RESPONSES: dict[str, str] = {
    "little_or_none": "little_or_none",
    "some": "partial",
    "a_lot": "response",
    "back_to_normal": "response",
}
_TUPLE_FIELDS = ("side_effects", "added")


@dataclass(frozen=True)
class TrialAssessment:
    medicine_name: str  # display name, e.g. "Sertraline (Zoloft)" or what the person typed
    role: str  # "main" | "added" (augmentation)
    dose_text: str  # "100 mg a day" or "Not provided"
    weeks_text: str  # the questionnaire's summary wording
    outcome_text: str  # how it helped, summary wording
    category: TrialCategory
    may_count: bool  # category == MAY_COUNT
    reason: str  # plain patient sentence from content
    clinician_reason: str  # short clinician wording from content
    # Details for the clinician review and for facts; all have defaults so from_dict is lenient.
    index: int = 0  # the medicine loop item this came from
    reason_id: str = ""
    medicine_id: str = ""
    drug_class: str = ""
    min_dose_text: str = ""
    dose_table: str = ""
    weeks: str = ""
    adherence: str = ""
    helped: str = ""
    side_effects: tuple[str, ...] = ()
    stopped_reason: str = ""
    added: tuple[str, ...] = ()
    added_to: str = ""
    dose_adequate: bool | None = None
    duration_adequate: bool | None = None

    @property
    def response(self) -> str:
        return RESPONSES.get(self.helped, "unknown")

    @property
    def possibly_adequate_unsuccessful(self) -> bool:
        return self.may_count

    @property
    def tolerated(self) -> bool:
        return self.category is not TrialCategory.STOPPED_SIDE_EFFECTS_EARLY

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["category"] = str(self.category)
        for key in _TUPLE_FIELDS:
            data[key] = list(data[key])
        # Derived values, for readers of older snapshots; from_dict ignores them.
        data["possibly_adequate_unsuccessful"] = self.may_count
        data["tolerated"] = self.tolerated
        data["response"] = self.response
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrialAssessment:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["category"] = TrialCategory(str(values.get("category", "not_sure")))
        for key in _TUPLE_FIELDS:
            values[key] = tuple(values.get(key) or ())
        return cls(**values)
