"""Hypothesis: for any answers in the contract vocabulary the summary stays whole and balanced."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_aid.content import load_content
from decision_aid.content.fact_names import KNOWN_FACTS, PRIORITY_IDS
from decision_aid.content.schema import Content
from decision_aid.engine.facts import derive_facts
from decision_aid.engine.summary import build_summary
from decision_aid.engine.summary_model import Summary
from tests.expected import OPTION_IDS

BANNED = (
    "you should",
    "we recommend",
    "best option",
    "best for you",
    "right for you",
    "most effective",
    "recommended",
    "the answer is",
)


def _local_find_banned(text: str) -> list[str]:
    lowered = text.lower()
    return [phrase for phrase in BANNED if phrase in lowered]


def _banned_finder() -> Callable[[str], Any]:
    try:
        from decision_aid.content.language import find_banned
    except ImportError:
        return _local_find_banned
    return find_banned


find_banned = _banned_finder()


@functools.cache
def content() -> Content:
    return load_content()


SINGLE: dict[str, list[str]] = {
    "episode_length": ["lt6m", "6to12m", "1to2y", "gt2y", "not_sure"],
    "taking_now": ["yes", "no", "not_sure"],
    "therapy_now": ["yes", "no"],
    "medicines_any": ["yes", "no", "not_sure"],
    "medicines_more": ["yes", "no"],
    "visits_per_week": ["le1", "2", "3", "5", "not_sure"],
    "ride_home": ["yes", "no", "not_sure"],
    "cost_worry": ["a_lot", "some", "no", "not_sure"],
    "preference": ["pills", "talking", "procedures", "none", "not_sure"],
    **{f"phq9_{i}": ["0", "1", "2", "3"] for i in range(1, 10)},
    **{f"gad7_{i}": ["0", "1", "2", "3"] for i in range(1, 8)},
}
KINDS = ["talking_therapy", "tms", "ect", "esketamine", "ketamine"]
for _kind in KINDS:
    SINGLE[f"other_{_kind}_sessions"] = ["1to5", "6to11", "12to20", "gt20", "not_sure"]
    SINGLE[f"other_{_kind}_outcome"] = ["little_or_none", "some", "a_lot", "not_sure"]
MULTI: dict[str, list[str]] = {
    "top_priorities": list(PRIORITY_IDS),
    "other_treatments": [*KINDS, "none"],
    "health": [
        "high_bp",
        "heart_vessel",
        "psychosis_bipolar",
        "substance_use",
        "pregnancy",
        "seizures",
        "memory",
        "none",
        "prefer_not",
    ],
}
MEDICINE_SINGLE: dict[str, list[str]] = {
    "dose_unit": ["mg", "mcg"],
    "weeks": ["0to2", "3to5", "6to8", "9to12", "gt12", "not_sure"],
    "adherence": ["yes", "mostly", "often_missed", "not_sure"],
    "helped": ["little_or_none", "some", "a_lot", "back_to_normal", "not_sure"],
    "stopped_reason": [
        "still_taking",
        "side_effects",
        "did_not_help",
        "felt_better",
        "cost",
        "other",
        "not_sure",
    ],
}
MEDICINE_MULTI: dict[str, list[str]] = {
    "side_effects": ["sexual", "weight", "sleep", "emotional_blunting", "stomach", "other", "none"],
    "added": [
        "aripiprazole",
        "lithium",
        "quetiapine",
        "bupropion",
        "mirtazapine",
        "thyroid",
        "other",
        "none",
    ],
}


def _some_of(draw: st.DrawFn, spec: dict[str, list[str]], multi: dict[str, list[str]]) -> dict:
    out: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(sorted(spec)), unique=True)):
        out[key] = draw(st.sampled_from(spec[key]))
    for key, values in multi.items():
        if draw(st.booleans()):
            out[key] = draw(st.lists(st.sampled_from(values), unique=True, max_size=4))
    return out


@st.composite
def medicine_items(draw: st.DrawFn) -> dict[str, Any]:
    item = _some_of(draw, MEDICINE_SINGLE, MEDICINE_MULTI)
    item["medicine"] = draw(st.sampled_from([*sorted(content().medicines), "other"]))
    if item["medicine"] == "other":
        item["other_name"] = draw(st.text(max_size=40))
    if draw(st.booleans()):
        item["dose"] = draw(
            st.one_of(st.none(), st.floats(min_value=0, max_value=5000, allow_nan=False))
        )
    return item


@st.composite
def answer_dicts(draw: st.DrawFn) -> dict[str, Any]:
    answers = _some_of(draw, SINGLE, MULTI)
    if draw(st.booleans()):
        answers["medicines"] = draw(st.lists(medicine_items(), max_size=5))
    if draw(st.booleans()):
        answers["own_questions"] = draw(st.text(max_size=200))
    return answers


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@functools.cache
def baseline_options() -> list[dict[str, Any]]:
    return _without_points(build_summary({}, content(), date(2026, 1, 1)).to_dict()["options"])


def _without_points(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in o.items() if k != "points"} for o in options]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(answers=answer_dicts())
def test_summary_always_lists_the_nine_options_the_same_way(answers: dict[str, Any]) -> None:
    summary = build_summary(answers, content(), date(2026, 11, 21))
    data = summary.to_dict()

    assert [o["id"] for o in data["options"]] == list(OPTION_IDS)
    assert [o["position"] for o in data["options"]] == list(range(1, 10))
    assert len({frozenset(o) for o in data["options"]}) == 1
    # Answers may add points to raise; everything else about the options is identical for all.
    assert _without_points(data["options"]) == baseline_options()

    # The snapshot is plain JSON and reads back to the same typed summary.
    assert json.loads(json.dumps(data)) == data
    assert Summary.from_dict(json.loads(json.dumps(data))) == summary

    for option in data["options"]:
        for text in _strings(option):
            assert not find_banned(text), (option["id"], text)
    for text in data["situation"]:
        assert not find_banned(text), text
        assert "resistant" not in text.lower()
    assert 2 <= len(data["situation"]) <= 4

    grid = data["comparison"]
    assert 3 <= len(grid["priority_ids"]) <= 5
    assert [p["id"] for p in data["priorities"]] == grid["priority_ids"]
    order = list(PRIORITY_IDS)
    chosen = [p["id"] for p in data["priorities"] if p["chosen"]]
    assert chosen == sorted(chosen, key=order.index)  # fixed order, never a ranking
    assert [r["option_id"] for r in grid["rows"]] == list(OPTION_IDS)
    for row in grid["rows"]:
        assert len(row["cells"]) == len(grid["priority_ids"])

    counts = data["trial_counts"]
    assert counts["tried"] == len(data["trials"]) >= len(answers.get("medicines", []))
    assert 0 <= counts["possibly_adequate_unsuccessful"] <= counts["tried"]
    assert 0 <= counts["not_tolerated"] <= counts["tried"]
    assert data["flags"]["item9_positive"] == (answers.get("phq9_9") in {"1", "2", "3"})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_dicts())
def test_derived_facts_are_known(answers: dict[str, Any]) -> None:
    assert derive_facts(answers, content()) <= KNOWN_FACTS.keys()
