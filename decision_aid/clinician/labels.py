"""Clinician-facing words for the answer codes kept in a summary snapshot."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CODE = re.compile(r"[a-z0-9_]+")

NOT_KNOWN = "Not known"

ADHERENCE = {
    "yes": "Yes",
    "mostly": "Mostly",
    "often_missed": "Often missed doses",
    "not_sure": "Not sure",
}

HELPED = {
    "little_or_none": "Little or none",
    "some": "Some",
    "a_lot": "A lot",
    "back_to_normal": "Back to normal",
    "not_sure": "Not sure",
}

RESPONSE = {
    "little_or_none": "Little or no response",
    "partial": "Partial response",
    "response": "Response",
    "unknown": "Not known",
}

SIDE_EFFECTS = {
    "sexual": "Sexual side effects",
    "weight": "Weight gain",
    "sleep": "Sleep problems",
    "emotional_blunting": "Emotional blunting",
    "stomach": "Stomach problems",
    "other": "Other",
    "none": "None",
}

STOPPED = {
    "still_taking": "Still taking it",
    "side_effects": "Side effects",
    "did_not_help": "Did not help",
    "felt_better": "Felt better",
    "cost": "Cost",
    "other": "Other reason",
    "not_sure": "Not sure",
}

ADDED = {
    "aripiprazole": "Aripiprazole",
    "lithium": "Lithium",
    "quetiapine": "Quetiapine",
    "bupropion": "Bupropion",
    "mirtazapine": "Mirtazapine",
    "thyroid": "Thyroid hormone",
    "other": "Another medicine",
}

WEEKS = {
    "0to2": "0 to 2 weeks",
    "3to5": "3 to 5 weeks",
    "6to8": "6 to 8 weeks",
    "9to12": "9 to 12 weeks",
    "gt12": "More than 12 weeks",
    "not_sure": "Not sure",
}

SESSIONS = {
    "1to5": "1 to 5",
    "6to11": "6 to 11",
    "12to20": "12 to 20",
    "gt20": "More than 20",
    "not_sure": "Not sure",
}

GENERAL = {
    "yes": "Yes",
    "no": "No",
    "not_sure": "Not sure",
    "a_lot": "A lot",
    "some": "Some",
    "le1": "Once a week or less",
    "2": "2 days a week",
    "3": "3 days a week",
    "5": "5 days a week",
    "pills": "Medicines",
    "talking": "Talking therapy",
    "procedures": "Procedures such as TMS or ECT",
    "none": "No preference",
    "prefer_not": "Prefer not to say",
}

PHQ_ITEM = {
    "0": "0 (not at all)",
    "1": "1 (several days)",
    "2": "2 (more than half the days)",
    "3": "3 (nearly every day)",
}

PRIORITY_RATING = {"4": "Matters a lot", "3": "Matters quite a bit"}


def label(mapping: dict[str, str], value: object, default: str = NOT_KNOWN) -> str:
    """The mapped label; text that is already words shows as it is, missing values as `default`.
    """
    if value is None or value == "":
        return default
    text = str(value)
    if text in mapping:
        return mapping[text]
    if _CODE.fullmatch(text):
        return text.replace("_", " ").capitalize()
    return text


def labels(
    mapping: dict[str, str], values: Iterable[object] | None, *, skip: str = "none"
) -> list[str]:
    return [label(mapping, v) for v in (values or []) if str(v) != skip]


def yes_no(value: object) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return NOT_KNOWN
