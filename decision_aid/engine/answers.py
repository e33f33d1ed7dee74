"""The stored answers as one read-only value, parsed once per request and passed down.

A draft's answers are JSON written by the router: text for radios and selects, lists of text for
checkboxes, numbers for number fields and lists of tables for loops (medicines). Anything else
(an old or hand-edited draft) reads as missing, so no reader has to guard again.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from decision_aid.content.fact_names import PRIORITY_IDS


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Answers:
    raw: Mapping[str, Any] = field(default_factory=_empty)

    @classmethod
    def from_draft(cls, data: Mapping[str, Any] | Answers | None) -> Answers:
        if isinstance(data, Answers):
            return data
        if not isinstance(data, Mapping):
            return cls()
        return cls(MappingProxyType({str(k): v for k, v in data.items()}))

    def text(self, key: str) -> str:
        """The answer as text; "" when missing or not text."""
        value = self.raw.get(key)
        return value if isinstance(value, str) else ""

    def texts(self, key: str) -> tuple[str, ...]:
        """A checkbox answer: its text values, in the stored order."""
        value = self.raw.get(key)
        if not isinstance(value, list | tuple):
            return ()
        return tuple(v for v in value if isinstance(v, str))

    def number(self, key: str) -> float | None:
        value = self.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = float(value)
        return number if math.isfinite(number) else None

    def items(self, loop: str) -> tuple[Answers, ...]:
        """The items of a loop; a malformed item reads as an empty one."""
        value = self.raw.get(loop)
        if not isinstance(value, list | tuple):
            return ()
        return tuple(Answers.from_draft(v if isinstance(v, Mapping) else None) for v in value)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def to_dict(self) -> dict[str, Any]:
        """A plain, deep copy (for writing back to the draft)."""
        return {str(k): _plain(v) for k, v in self.raw.items()}


TOP_PRIORITIES = "top_priorities"
MAX_TOP_PRIORITIES = 3
_OLD_RATINGS = ("4", "3")  # drafts from before the values page: "prio_<id>" rated 0-4


def chosen_priorities(
    answers: Answers, priority_ids: tuple[str, ...] = PRIORITY_IDS
) -> tuple[str, ...]:
    """The priorities the person chose as mattering most, in priority order.

    Older drafts rated each priority on its own ("prio_chance" = "0".."4"); for those, the ones
    rated 4 and then 3 count as chosen, at most three, so their summaries still read the same.
    """
    chosen = set(answers.texts(TOP_PRIORITIES))
    if chosen:
        return tuple(p for p in priority_ids if p in chosen)
    by_rating = [
        p for rating in _OLD_RATINGS for p in priority_ids if answers.text(f"prio_{p}") == rating
    ]
    picked = set(by_rating[:MAX_TOP_PRIORITIES])
    return tuple(p for p in priority_ids if p in picked)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
