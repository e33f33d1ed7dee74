"""Scores for the PHQ-9, GAD-7 and SURE test.

A total is only given when every item is answered: a partial PHQ-9 is not a PHQ-9 score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    answers: Mapping[str, Any], prefix: str, n: int, bands: tuple[tuple[int, str], ...]
) -> Score:
    values = [_item_value(answers.get(f"{prefix}_{k}")) for k in range(1, n + 1)]
    given = [v for v in values if v is not None]
    if len(given) < n:
        return Score(total=None, band=None, answered=len(given), complete=False)
    total = sum(given)
    return Score(total=total, band=_band(total, bands), answered=n, complete=True)


def phq9(answers: Mapping[str, Any]) -> Score:
    """PHQ-9 total 0-27 with its band (Kroenke 2001)."""
    return _score(answers, "phq9", 9, PHQ9_BANDS)


def gad7(answers: Mapping[str, Any]) -> Score:
    """GAD-7 total 0-21 with its band (Spitzer 2006)."""
    return _score(answers, "gad7", 7, GAD7_BANDS)


def item9_positive(answers: Mapping[str, Any]) -> bool:
    """PHQ-9 item 9 answered above 0: any thoughts of being better off dead or of self-harm."""
    value = _item_value(answers.get("phq9_9"))
    return value is not None and value > 0


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
