"""Old drafts and saved records of the "how it went" page read the same way as new ones.

Before the three yes/no questions, the lists held the answer: side effects ["none"], why you
stopped "still_taking", medicines added ["none"]. Those drafts must still load, count as
answered, and give the same summary, trials, Check rows and clinician words.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from decision_aid.content import load_content
from decision_aid.content.questionnaire import Questionnaire
from decision_aid.content.schema import Content
from decision_aid.engine.medicine_items import trial_view, upgrade_item
from decision_aid.engine.router import (
    PageRef,
    effective_answers,
    is_answered,
    page_values,
    routing_path,
)
from decision_aid.engine.summary import build_summary
from decision_aid.engine.trials import assess_trials
from tests.support.journey import (
    ADEQUATE_UNSUCCESSFUL,
    ADEQUATE_UNSUCCESSFUL_OLD_FORM,
    THREE_MEDICINE_PERSONA,
)

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def _answers(medicines: list[dict[str, Any]]) -> dict[str, Any]:
    base = {k: v for k, v in THREE_MEDICINE_PERSONA.answers.items()}
    return base | {
        "episode_length": "1to2y", "taking_now": "yes", "therapy_now": "no",
        "other_treatments": ["none"], "health": ["none"], "visits_per_week": "2",
        "ride_home": "yes", "cost_worry": "some", "preference": "not_sure",
        "medicines": copy.deepcopy(medicines),
    }


def _new_form(item: dict[str, Any]) -> dict[str, Any]:
    """A persona item as the pages store it (numbers as numbers)."""
    return {k: float(v) if k == "dose" else v for k, v in item.items()}


NEW_FORM = [_new_form(m) for m in ADEQUATE_UNSUCCESSFUL]


def test_old_items_are_read_in_the_new_form() -> None:
    assert [upgrade_item(m) for m in ADEQUATE_UNSUCCESSFUL_OLD_FORM] == [
        {k: v for k, v in m.items() if k != "dose"} | {"dose": o["dose"]}
        for m, o in zip(NEW_FORM, ADEQUATE_UNSUCCESSFUL_OLD_FORM, strict=True)
    ]
    # New items, and items with nothing to derive from, come back unchanged.
    for item in (*NEW_FORM, {}, {"medicine": "sertraline"}):
        assert upgrade_item(item) == item
    # A hand-edited "none" beside real answers is dropped, not read as "no".
    assert upgrade_item({"side_effects": ["none", "sleep"], "added": ["lithium", "none"]}) == {
        "side_effects_any": "yes", "side_effects": ["sleep"],
        "added_any": "yes", "added": ["lithium"],
    }
    # An old "None" also drops the weeks of a medicine never added.
    assert upgrade_item({"added": ["none"], "added_weeks": "6to8"}) == {"added_any": "no"}


def test_a_no_closes_its_list_whatever_was_left_in_it() -> None:
    told = trial_view({"side_effects_any": "no", "side_effects": ["sexual"],
                       "still_taking": "yes", "stopped_reason": "cost",
                       "added_any": "no", "added": ["lithium"], "added_weeks": "gt12"})
    assert (told.side_effects, told.stopped_reason, told.added, told.added_weeks) == (
        (), "still_taking", (), "")
    told = trial_view({"side_effects_any": "yes", "side_effects": ["sexual"],
                       "still_taking": "no", "stopped_reason": "cost",
                       "added_any": "yes", "added": ["lithium"], "added_weeks": "gt12"})
    assert (told.side_effects, told.stopped_reason, told.added, told.added_weeks) == (
        ("sexual",), "cost", ("lithium",), "gt12")


def test_an_old_draft_is_answered_where_it_was(content: Content) -> None:
    q: Questionnaire = content.questionnaire
    old = _answers(ADEQUATE_UNSUCCESSFUL_OLD_FORM) | {"medicines_more": "no"}
    for i in range(3):
        assert is_answered(q, old, PageRef("medicine_outcome", i))
    assert routing_path(q, old).first_unanswered == routing_path(
        q, _answers(NEW_FORM) | {"medicines_more": "no"}).first_unanswered
    # The page is filled in again with the new questions answered.
    assert page_values(q, old, PageRef("medicine_outcome", 1)) == {
        "helped": "little_or_none", "side_effects_any": "no", "still_taking": "no",
        "stopped_reason": "did_not_help", "added_any": "no"}
    assert page_values(q, old, PageRef("medicine_outcome", 2))["still_taking"] == "yes"


def test_old_and_new_drafts_give_the_same_trials_and_summary(content: Content) -> None:
    q = content.questionnaire
    old = effective_answers(q, _answers(ADEQUATE_UNSUCCESSFUL_OLD_FORM))
    new = effective_answers(q, _answers(NEW_FORM))
    assert old == new  # what the summary, FHIR and the clinician review are built from
    raw_old = assess_trials(_answers(ADEQUATE_UNSUCCESSFUL_OLD_FORM), content)
    raw_new = assess_trials(_answers(NEW_FORM), content)
    assert [t.to_dict() for t in raw_old] == [t.to_dict() for t in raw_new]
    venlafaxine = [t for t in raw_new if t.index == 2]
    assert venlafaxine[0].stopped_reason == "still_taking"  # the clinician's "Why stopped"
    assert [t.role for t in venlafaxine] == ["main", "added"]
    assert raw_new[1].side_effects == () and raw_new[0].side_effects == ("sexual",)
    assert (build_summary(old, content, TODAY).to_dict()
            == build_summary(new, content, TODAY).to_dict())
    # A summary built straight from an old draft's stored answers reads the same too.
    assert (build_summary(_answers(ADEQUATE_UNSUCCESSFUL_OLD_FORM), content, TODAY).trials
            == build_summary(new, content, TODAY).trials)
