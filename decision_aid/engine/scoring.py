"""Scores for the PHQ-9, GAD-7 and SURE test.

A total is only given when every item is answered: a partial PHQ-9 is not a PHQ-9 score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

PHQ9_BANDS: tuple[tuple[int, str], ...] = (
    (20, "severe"),
    (15, "moderately severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
GAD7_BANDS: tuple[tuple[int, str], ...] = (
    (15, "severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
SURE_ITEMS: tuple[str, ...] = ("sure_1", "sure_2", "sure_3", "sure_4")


class _HasRaw(Protocol):
    @property
    def raw(self) -> Mapping[str, Any]: ...


AnswersLike = Mapping[str, Any] | _HasRaw


def answer_values(answers: AnswersLike | None) -> Mapping[str, Any]:
    """The stored answers behind an Answers value (INTERFACES §2) or a plain mapping."""
    if answers is None:
        return {}
    if isinstance(answers, Mapping):
        return answers
    raw = answers.raw
    return raw if isinstance(raw, Mapping) else {}


class Item9Severity(StrEnum):
    """PHQ-9 item 9 ("thoughts that you would be better off dead, or of hurting yourself")."""

    NOT_ANSWERED = "not_answered"
    NONE = "none"                          # "Not at all" (0)
    SEVERAL_DAYS = "several_days"          # 1
    MORE_THAN_HALF = "more_than_half"      # 2: "More than half the days"
    NEARLY_EVERY_DAY = "nearly_every_day"  # 3

    @property
    def positive(self) -> bool:
        return self in _POSITIVE


_POSITIVE = frozenset(
    {Item9Severity.SEVERAL_DAYS, Item9Severity.MORE_THAN_HALF, Item9Severity.NEARLY_EVERY_DAY}
)
_ITEM9_BY_VALUE = {
    0: Item9Severity.NONE,
    1: Item9Severity.SEVERAL_DAYS,
    2: Item9Severity.MORE_THAN_HALF,
    3: Item9Severity.NEARLY_EVERY_DAY,
}


@dataclass(frozen=True)
class Score:
    total: int | None
    band: str | None
    answered: int
    complete: bool


def _item_value(value: Any) -> int | None:
    """An item answer as 0-3, or None when missing or not a valid answer."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 3 else None
    if isinstance(value, str) and value.strip() in {"0", "1", "2", "3"}:
        return int(value.strip())
    return None


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    for lower, name in bands:
        if total >= lower:
            return name
    raise ValueError(total)


def _score(
    answers: AnswersLike, prefix: str, n: int, bands: tuple[tuple[int, str], ...]
) -> Score:
    raw = answer_values(answers)
    values = [_item_value(raw.get(f"{prefix}_{k}")) for k in range(1, n + 1)]
    given = [v for v in values if v is not None]
    if len(given) < n:
        return Score(total=None, band=None, answered=len(given), complete=False)
    total = sum(given)
    return Score(total=total, band=_band(total, bands), answered=n, complete=True)


def phq9(answers: AnswersLike) -> Score:
    """PHQ-9 total 0-27 with its band (Kroenke 2001)."""
    return _score(answers, "phq9", 9, PHQ9_BANDS)


def gad7(answers: AnswersLike) -> Score:
    """GAD-7 total 0-21 with its band (Spitzer 2006)."""
    return _score(answers, "gad7", 7, GAD7_BANDS)


def item9_severity(answers: AnswersLike) -> Item9Severity:
    """How often item 9 was answered: every answer above "Not at all" is positive."""
    value = _item_value(answer_values(answers).get("phq9_9"))
    if value is None:
        return Item9Severity.NOT_ANSWERED
    return _ITEM9_BY_VALUE[value]


def item9_positive(answers: AnswersLike) -> bool:
    """PHQ-9 item 9 answered above 0: any thoughts of being better off dead or of self-harm."""
    return item9_severity(answers).positive


def sure_score(sure_answers: Mapping[str, Any] | None) -> int | None:
    """SURE test 0-4 (yes = 1, no = 0); None unless all four items are answered."""
    if not sure_answers:
        return None
    total = 0
    for key in SURE_ITEMS:
        value = sure_answers.get(key)
        if value == "yes":
            total += 1
        elif value != "no":
            return None
    return total


def sure_flags_conflict(score: int | None) -> bool:
    """A SURE score of 3 or less flags possible decisional conflict (Légaré 2010)."""
    return score is not None and score <= 3
