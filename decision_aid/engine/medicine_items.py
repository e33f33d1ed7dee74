"""One medicine of the "medicines" loop, read the same way from old drafts and new ones.

The "how it went" page asks three yes/no questions, each opening its list only when needed:
"Did you have side effects?" (which ones), "Do you still take it?" (why you stopped) and "Did
you add another medicine to help it work?" (which one, for how long). Drafts and saved records
from before held only the lists: side_effects ["none"], stopped_reason "still_taking" and
added ["none"] said what a "no" (or "yes, I still take it") says now.

upgrade_item turns an old item into the new form (the router reads every item through it, so
pages, Check your answers, FHIR and the next save see one vocabulary); trial_view gives the
engine the answers it reasons about, from either form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

YES, NO = "yes", "no"
NONE = "none"  # the old "None of these" / "None" checkbox
STILL_TAKING = "still_taking"  # the old first answer to "Why did you stop taking it?"

SIDE_EFFECTS_ANY, SIDE_EFFECTS = "side_effects_any", "side_effects"
STILL_TAKING_FIELD, STOPPED_REASON = "still_taking", "stopped_reason"
ADDED_ANY, ADDED, ADDED_WEEKS = "added_any", "added", "added_weeks"

# What a person who said "none" to everything answers now (test personas' neutral defaults).
NEUTRAL_GATES: Mapping[str, str] = {SIDE_EFFECTS_ANY: NO, STILL_TAKING_FIELD: YES, ADDED_ANY: NO}


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


def upgrade_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item in the current form: a yes/no answer derived from an old list where it is
    missing, and the old stand-in answers ("none", "still_taking") taken out. A new item, or
    one with nothing to derive, comes back as it was (as a new dict)."""
    out = dict(item)
    if SIDE_EFFECTS_ANY not in out:
        effects = _texts(out.get(SIDE_EFFECTS))
        if effects == [NONE]:
            out[SIDE_EFFECTS_ANY] = NO
            out.pop(SIDE_EFFECTS)
        elif effects:
            out[SIDE_EFFECTS_ANY] = YES
            out[SIDE_EFFECTS] = [e for e in effects if e != NONE]
    if STILL_TAKING_FIELD not in out:
        stopped = out.get(STOPPED_REASON)
        if stopped == STILL_TAKING:
            out[STILL_TAKING_FIELD] = YES
            out.pop(STOPPED_REASON)
        elif isinstance(stopped, str) and stopped:
            out[STILL_TAKING_FIELD] = NO
    if ADDED_ANY not in out:
        added = _texts(out.get(ADDED))
        if added == [NONE]:
            out[ADDED_ANY] = NO
            out.pop(ADDED)
            out.pop(ADDED_WEEKS, None)
        elif added:
            out[ADDED_ANY] = YES
            out[ADDED] = [a for a in added if a != NONE]
    return out


@dataclass(frozen=True)
class TrialAnswers:
    """What the engine reasons about for one medicine, in the engine's own vocabulary."""

    side_effects: tuple[str, ...]  # () when none
    stopped_reason: str  # "still_taking" while the person still takes it; "" if not answered
    added: tuple[str, ...]  # medicines added to help it work; () when none
    added_weeks: str


def trial_view(item: Mapping[str, Any]) -> TrialAnswers:
    """The answers of one item, old or new form; a "no" closes its list whatever was left."""
    new = upgrade_item(item)
    effects = () if new.get(SIDE_EFFECTS_ANY) == NO else tuple(_texts(new.get(SIDE_EFFECTS)))
    stopped = new.get(STOPPED_REASON)
    if new.get(STILL_TAKING_FIELD) == YES:
        stopped = STILL_TAKING
    adding = new.get(ADDED_ANY) != NO
    weeks = new.get(ADDED_WEEKS)
    return TrialAnswers(
        side_effects=tuple(e for e in effects if e != NONE),
        stopped_reason=stopped if isinstance(stopped, str) else "",
        added=tuple(a for a in _texts(new.get(ADDED)) if a != NONE) if adding else (),
        added_weeks=weeks if adding and isinstance(weeks, str) else "",
    )
