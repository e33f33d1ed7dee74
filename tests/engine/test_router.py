from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_aid.content.questionnaire import Questionnaire
from decision_aid.engine.answer_writes import apply_values, remove_item
from decision_aid.engine.answers import Answers
from decision_aid.engine.router import (
    AnswersLike,
    PageRef,
    effective_answers,
    is_answered,
    max_items,
    page_values,
    routing_path,
)
from decision_aid.engine.validation import validate_page
from tests.expected import PRIORITY_IDS as PRIOS

# One question each, each working out its own path.


def applicable_pages(q: Questionnaire, answers: AnswersLike) -> list[PageRef]:
    return list(routing_path(q, answers).refs)


def is_applicable(q: Questionnaire, answers: AnswersLike, ref: PageRef) -> bool:
    return routing_path(q, answers).applies(ref)


def first_unanswered(q: Questionnaire, answers: AnswersLike) -> PageRef | None:
    return routing_path(q, answers).first_unanswered


def next_ref(q: Questionnaire, answers: AnswersLike, ref: PageRef) -> PageRef | None:
    return routing_path(q, answers).next(ref)


def previous_ref(q: Questionnaire, answers: AnswersLike, ref: PageRef) -> PageRef | None:
    return routing_path(q, answers).previous(ref)


PHQ9 = [f"phq9_{k}" for k in range(1, 10)]
GAD7 = [f"gad7_{k}" for k in range(1, 8)]

BASE: dict[str, Any] = {
    **{k: "1" for k in PHQ9[:-1]},
    "phq9_9": "0",
    **{k: "1" for k in GAD7},
    "episode_length": "1to2y",
    "taking_now": "yes",
    "therapy_now": "no",
    "medicines_any": "no",
    "other_treatments": ["none"],
    "health": ["none"],
    "visits_per_week": "2",
    "ride_home": "yes",
    "cost_worry": "some",
    "preference": "not_sure",
    "top_priorities": list(PRIOS[:3]),
    "own_questions": "",
}

MED = {
    "medicine": "sertraline",
    "dose": "100",
    "dose_unit": "mg",
    "weeks": "9to12",
    "adherence": "yes",
    "helped": "little_or_none",
    "side_effects_any": "no",
    "still_taking": "no",
    "stopped_reason": "did_not_help",
    "added_any": "no",
}


def form(values: dict[str, Any]) -> dict[str, list[str]]:
    """Answers as a browser would post them: every value a list of text."""
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif value is None:
            out[key] = [""]
        else:
            out[key] = [str(value)]
    return out


def refs(*ids: str) -> list[PageRef]:
    return [PageRef(i, None) for i in ids]


def tail(other_pages: tuple[str, ...] = ()) -> list[PageRef]:
    return refs(
        "other_treatments",
        *other_pages,
        "health",
        "practical",
        "values",
        "own_questions",
    )


def head(crisis: bool = False) -> list[PageRef]:
    return refs(
        "phq9",
        *(["crisis"] if crisis else []),
        "gad7",
        "this_episode",
        "medicines_any",
    )


def walk(
    q: Questionnaire,
    persona: dict[str, Any],
    medicines: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> tuple[list[PageRef], dict[str, Any]]:
    """Go through the journey as the web layer would: validate each page, save, go on."""
    answers: dict[str, Any] = {}
    ref: PageRef | None = applicable_pages(q, answers)[0]
    visited: list[PageRef] = []
    while ref is not None:
        assert is_applicable(q, answers, ref), ref
        visited.append(ref)
        assert len(visited) < 200
        page = q.page(ref.page_id)
        if page.kind == "loop_list":
            if len(answers.get("medicines", [])) < len(medicines):
                # "Yes, add another" is an intent passed through, not stored.
                ref = next_ref(q, {**answers, "medicines_more": "yes"}, ref)
                continue
            source: dict[str, Any] = {"medicines_more": "no"}
        elif page.loop:
            assert ref.index is not None
            source = medicines[ref.index]
        else:
            source = persona
        posted = form({f.id: source[f.id] for f in page.fields if f.id in source})
        result = validate_page(page, posted)
        assert result.ok, (ref, result.errors)
        answers = apply_values(q, answers, ref, result.values)
        ref = next_ref(q, answers, ref)
    return visited, answers


# --- full sequences -------------------------------------------------------------------------


def test_persona_without_medicines(questionnaire: Questionnaire) -> None:
    visited, answers = walk(questionnaire, BASE)
    assert visited == head() + tail()
    assert applicable_pages(questionnaire, answers) == visited
    assert first_unanswered(questionnaire, answers) is None
    assert "medicines" not in answers
    assert "own_questions" not in answers  # left blank: optional, not stored


def test_persona_with_three_medicines(questionnaire: Questionnaire) -> None:
    persona = {**BASE, "medicines_any": "yes"}
    meds = [
        MED,
        {**MED, "medicine": "venlafaxine", "dose": "", "weeks": "3to5", "helped": "some"},
        {**MED, "medicine": "other", "other_name": "Phenelzine", "dose": "45"},
    ]
    visited, answers = walk(questionnaire, persona, meds)
    loop = []
    for i in range(3):
        loop += [
            PageRef("medicine_details", i),
            PageRef("medicine_outcome", i),
            PageRef("medicines_list", None),
        ]
    assert visited == head() + loop + tail()
    assert (
        applicable_pages(questionnaire, answers)
        == head()
        + [PageRef(p, i) for i in range(3) for p in ("medicine_details", "medicine_outcome")]
        + refs("medicines_list")
        + tail()
    )
    assert [m["medicine"] for m in answers["medicines"]] == ["sertraline", "venlafaxine", "other"]
    assert answers["medicines"][0]["dose"] == 100.0
    assert "dose" not in answers["medicines"][1]
    assert answers["medicines"][2]["other_name"] == "Phenelzine"
    assert answers["medicines_more"] == "no"
    assert first_unanswered(questionnaire, answers) is None


def test_item9_positive_inserts_crisis_right_after_item9(questionnaire: Questionnaire) -> None:
    for value in ("1", "2", "3"):
        visited, answers = walk(questionnaire, {**BASE, "phq9_9": value})
        assert visited == head(crisis=True) + tail()
        assert visited[visited.index(PageRef("phq9")) + 1] == PageRef("crisis")
        assert first_unanswered(questionnaire, answers) is None  # crisis asks nothing


def test_item9_zero_has_no_crisis_page(questionnaire: Questionnaire) -> None:
    answers = {"phq9_9": "0"}
    assert PageRef("crisis") not in applicable_pages(questionnaire, answers)
    assert not is_applicable(questionnaire, answers, PageRef("crisis"))
    assert next_ref(questionnaire, answers, PageRef("phq9")) == PageRef("gad7")


@pytest.mark.parametrize(
    ("ticked", "pages"),
    [
        (["none"], ()),
        (["tms"], ("other_tms",)),
        (["ect", "tms"], ("other_tms", "other_ect")),
        (
            ["talking_therapy", "tms", "ect", "esketamine", "ketamine"],
            (
                "other_talking_therapy",
                "other_tms",
                "other_ect",
                "other_esketamine",
                "other_ketamine",
            ),
        ),
    ],
)
def test_other_treatments_branching(
    questionnaire: Questionnaire, ticked: list[str], pages: tuple[str, ...]
) -> None:
    persona = {**BASE, "other_treatments": ticked}
    for kind in ("talking_therapy", "tms", "ect", "esketamine", "ketamine"):
        persona[f"other_{kind}_sessions"] = "6to11"
        persona[f"other_{kind}_outcome"] = "some"
    visited, answers = walk(questionnaire, persona)
    assert visited == head() + tail(pages)
    kinds = [t for t in ticked if t != "none"]
    assert {k for k in answers if k.endswith("_sessions")} == {f"other_{k}_sessions" for k in kinds}


# --- back and next -------------------------------------------------------------------------


def _personas(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    three = walk(questionnaire, {**BASE, "medicines_any": "yes"}, [MED, MED, MED])[1]
    crisis = walk(
        questionnaire,
        {
            **BASE,
            "phq9_9": "2",
            "other_treatments": ["tms"],
            "other_tms_sessions": "gt20",
            "other_tms_outcome": "a_lot",
        },
    )[1]
    return [{}, walk(questionnaire, BASE)[1], three, crisis, {"medicines_any": "yes"}]


def test_back_and_next_are_symmetric(questionnaire: Questionnaire) -> None:
    for answers in _personas(questionnaire):
        seq = applicable_pages(questionnaire, answers)
        assert previous_ref(questionnaire, answers, seq[0]) is None
        assert next_ref(questionnaire, answers, seq[-1]) is None
        for a, b in itertools.pairwise(seq):
            assert next_ref(questionnaire, answers, a) == b
            assert previous_ref(questionnaire, answers, b) == a


def test_no_medicines_yet_asks_for_the_first_one(questionnaire: Questionnaire) -> None:
    answers = {"medicines_any": "yes"}
    assert next_ref(questionnaire, answers, PageRef("medicines_any")) == PageRef(
        "medicine_details", 0
    )
    assert next_ref(questionnaire, answers, PageRef("medicine_details", 0)) == PageRef(
        "medicine_outcome", 0
    )
    assert next_ref(questionnaire, answers, PageRef("medicine_outcome", 0)) == PageRef(
        "medicines_list"
    )


def test_add_another_goes_to_a_new_item_and_back_returns_to_the_list(
    questionnaire: Questionnaire,
) -> None:
    answers = {"medicines_any": "yes", "medicines": [MED, MED], "medicines_more": "no"}
    intent = {**answers, "medicines_more": "yes"}
    new = PageRef("medicine_details", 2)
    assert next_ref(questionnaire, intent, PageRef("medicines_list")) == new
    assert next_ref(questionnaire, answers, PageRef("medicines_list")) == PageRef(
        "other_treatments"
    )
    assert is_applicable(questionnaire, answers, new)
    assert previous_ref(questionnaire, answers, new) == PageRef("medicines_list")
    assert not is_applicable(questionnaire, answers, PageRef("medicine_details", 3))
    assert not is_applicable(questionnaire, answers, PageRef("medicine_outcome", 2))


def test_next_from_a_page_that_no_longer_applies(questionnaire: Questionnaire) -> None:
    answers = {"medicines_any": "no"}
    assert next_ref(questionnaire, answers, PageRef("medicine_outcome", 1)) == PageRef(
        "other_treatments"
    )
    assert previous_ref(questionnaire, answers, PageRef("medicines_list")) == PageRef(
        "medicines_any"
    )


# --- answered, applicable -------------------------------------------------------------------


def test_first_unanswered_follows_the_journey(questionnaire: Questionnaire) -> None:
    q = questionnaire
    assert first_unanswered(q, {}) == PageRef("phq9")
    answers = {k: v for k, v in BASE.items() if k != "taking_now"}
    assert first_unanswered(q, answers) == PageRef("medicines_any")
    answers = {**BASE, "medicines_any": "yes"}
    assert first_unanswered(q, answers) == PageRef("medicine_details", 0)
    answers = apply_values(
        q,
        answers,
        PageRef("medicine_details", 0),
        {"medicine": "sertraline", "dose_unit": "mg", "weeks": "6to8", "adherence": "yes"},
    )
    assert first_unanswered(q, answers) == PageRef("medicine_outcome", 0)
    item = answers["medicines"][0]
    item.update({k: v for k, v in MED.items() if k not in item})
    assert first_unanswered(q, answers) == PageRef("medicines_list")
    assert first_unanswered(q, {**answers, "medicines_more": "yes"}) == PageRef("medicines_list")
    assert first_unanswered(q, {**answers, "medicines_more": "no"}) is None


def test_revealed_field_must_be_answered(questionnaire: Questionnaire) -> None:
    item = {"medicine": "other", "dose_unit": "mg", "weeks": "6to8", "adherence": "yes"}
    answers = {"medicines_any": "yes", "medicines": [item]}
    ref = PageRef("medicine_details", 0)
    assert not is_answered(questionnaire, answers, ref)
    item["other_name"] = "Phenelzine"
    assert is_answered(questionnaire, answers, ref)


def test_unknown_pages_and_odd_indexes_are_not_applicable(questionnaire: Questionnaire) -> None:
    answers = {"medicines_any": "yes", "medicines": [MED]}
    assert not is_applicable(questionnaire, answers, PageRef("nope"))
    assert not is_applicable(questionnaire, answers, PageRef("medicine_details", None))
    assert not is_applicable(questionnaire, answers, PageRef("medicine_details", -1))
    assert not is_applicable(questionnaire, answers, PageRef("medicine_details", True))
    assert not is_applicable(questionnaire, answers, PageRef("this_episode", 0))
    assert is_applicable(questionnaire, answers, PageRef("medicine_details", 0))
    assert not is_applicable(questionnaire, {"medicines_any": "no"}, PageRef("medicine_details", 0))


# --- reading and writing answers ---------------------------------------------------------------


def test_page_values(questionnaire: Questionnaire) -> None:
    answers = {**BASE, "medicines_any": "yes", "medicines": [{"medicine": "sertraline"}]}
    assert page_values(questionnaire, answers, PageRef("this_episode")) == {
        "episode_length": "1to2y", "therapy_now": "no"
    }
    assert page_values(questionnaire, answers, PageRef("medicine_details", 0)) == {
        "medicine": "sertraline"
    }
    assert page_values(questionnaire, answers, PageRef("medicine_details", 1)) == {}


def test_apply_values_does_not_change_its_input(questionnaire: Questionnaire) -> None:
    answers = {"medicines_any": "yes", "medicines": [dict(MED)]}
    before = {"medicines_any": "yes", "medicines": [dict(MED)]}
    new = apply_values(
        questionnaire,
        answers,
        PageRef("medicine_details", 0),
        {"medicine": "other", "other_name": "X", "dose_unit": "mg", "weeks": "gt12",
         "adherence": "mostly"},
    )
    assert answers == before
    assert new["medicines"][0]["medicine"] == "other"
    assert new["medicines"][0]["helped"] == "little_or_none"  # outcome fields untouched


def test_apply_values_replaces_the_page_fields(questionnaire: Questionnaire) -> None:
    q = questionnaire
    answers = {"medicines_any": "yes", "medicines": [{**MED, "dose": 100.0}]}
    ref = PageRef("medicine_details", 0)
    new = apply_values(
        q,
        answers,
        ref,
        {
            "medicine": "sertraline",
            "dose": None,
            "dose_unit": "mg",
            "weeks": "6to8",
            "other_name": "X",
        },
    )
    assert "dose" not in new["medicines"][0]  # cleared
    assert "other_name" not in new["medicines"][0]  # not shown for sertraline
    assert new["medicines"][0]["weeks"] == "6to8"


def test_apply_values_creates_an_item_and_asks_another_again(questionnaire: Questionnaire) -> None:
    q = questionnaire
    answers = {"medicines_any": "yes", "medicines": [MED], "medicines_more": "no"}
    new = apply_values(
        q,
        answers,
        PageRef("medicine_details", 1),
        {"medicine": "fluoxetine", "dose_unit": "mg", "weeks": "0to2"},
    )
    assert len(new["medicines"]) == 2
    # The unit is asked only with a dose, so on its own it is not kept.
    assert new["medicines"][1] == {"medicine": "fluoxetine", "weeks": "0to2"}
    assert "medicines_more" not in new
    with pytest.raises(IndexError):
        apply_values(q, answers, PageRef("medicine_details", 3), {"medicine": "fluoxetine"})


def test_remove_item(questionnaire: Questionnaire) -> None:
    answers = {"medicines": [{"medicine": "a"}, {"medicine": "b"}, {"medicine": "c"}]}
    new = remove_item(answers, "medicines", 1)
    assert [m["medicine"] for m in new["medicines"]] == ["a", "c"]
    assert len(answers["medicines"]) == 3
    assert remove_item(answers, "medicines", 5) == answers
    assert remove_item(answers, "medicines", -1) == answers
    emptied = remove_item({"medicines_any": "yes", "medicines": [MED]}, "medicines", 0)
    assert first_unanswered(questionnaire, {**BASE, **emptied}) == PageRef("medicine_details", 0)


# --- effective answers -----------------------------------------------------------------------


def test_effective_answers_drop_medicines_after_no(questionnaire: Questionnaire) -> None:
    q = questionnaire
    answers = walk(q, {**BASE, "medicines_any": "yes"}, [MED, MED])[1]
    assert len(effective_answers(q, answers)["medicines"]) == 2
    changed = apply_values(q, answers, PageRef("medicines_any"), {"medicines_any": "no"})
    effective = effective_answers(q, changed)
    assert "medicines" not in effective
    assert "medicines_more" not in effective
    assert effective["medicines_any"] == "no"
    assert len(changed["medicines"]) == 2  # kept in the draft, in case they change back
    back = apply_values(q, changed, PageRef("medicines_any"), {"medicines_any": "yes"})
    assert len(effective_answers(q, back)["medicines"]) == 2


def test_effective_answers_drop_unticked_treatments(questionnaire: Questionnaire) -> None:
    q = questionnaire
    persona = {
        **BASE,
        "other_treatments": ["tms", "ect"],
        "other_tms_sessions": "gt20",
        "other_tms_outcome": "some",
        "other_ect_sessions": "6to11",
        "other_ect_outcome": "a_lot",
    }
    answers = walk(q, persona)[1]
    assert effective_answers(q, answers)["other_tms_sessions"] == "gt20"
    changed = apply_values(q, answers, PageRef("other_treatments"), {"other_treatments": ["ect"]})
    effective = effective_answers(q, changed)
    assert "other_tms_sessions" not in effective
    assert "other_tms_outcome" not in effective
    assert effective["other_ect_outcome"] == "a_lot"


def test_effective_answers_drop_hidden_fields_unknown_keys_and_intents(
    questionnaire: Questionnaire,
) -> None:
    answers = {
        **BASE,
        "medicines_any": "yes",
        "medicines": [{**MED, "other_name": "left over", "junk": 1}],
        "medicines_more": "yes",
        "not_a_question": "x",
        "phq9_9": "0",
    }
    effective = effective_answers(questionnaire, answers)
    assert "other_name" not in effective["medicines"][0]
    assert "junk" not in effective["medicines"][0]
    assert effective["medicines"][0]["medicine"] == "sertraline"
    assert "medicines_more" not in effective
    assert "not_a_question" not in effective
    assert effective["phq9_9"] == "0"


def test_effective_answers_of_a_full_persona_are_the_answers(questionnaire: Questionnaire) -> None:
    answers = walk(questionnaire, {**BASE, "medicines_any": "yes"}, [MED])[1]
    assert effective_answers(questionnaire, answers) == answers


# --- robustness --------------------------------------------------------------------------------

_junk = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.integers(),
    st.lists(st.text(max_size=10), max_size=3),
    st.lists(
        st.one_of(st.dictionaries(st.text(max_size=8), st.text(max_size=8)), st.integers()),
        max_size=3,
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_router_never_raises_on_stored_answers(
    questionnaire: Questionnaire, data: st.DataObject
) -> None:
    keys = sorted({f.id for p in questionnaire.pages for f in p.fields} | {"medicines"})
    answers = data.draw(st.dictionaries(st.sampled_from(keys), _junk, max_size=10))
    seq = applicable_pages(questionnaire, answers)
    assert seq
    effective_answers(questionnaire, answers)
    first_unanswered(questionnaire, answers)
    for ref in seq:
        assert is_applicable(questionnaire, answers, ref)
        next_ref(questionnaire, answers, ref)
        previous_ref(questionnaire, answers, ref)


# --- one routing path; the loop's cap ----------------------------------------------------------


def test_routing_path_answers_every_question_from_one_computation(
    questionnaire: Questionnaire,
) -> None:
    q = questionnaire
    answers = {**BASE, "medicines_any": "yes", "medicines": [MED, MED], "medicines_more": "no"}
    path = routing_path(q, Answers.from_draft(answers))
    assert list(path.refs) == applicable_pages(q, answers)
    for ref in path.refs:
        assert path.applies(ref)
        assert path.next(ref) == next_ref(q, answers, ref)
        assert path.previous(ref) == previous_ref(q, answers, ref)
    assert path.first_unanswered is None and path.allows(PageRef("own_questions"))
    assert path.part(q.page("phq9")) == (1, 6)
    assert path.part(q.page("medicine_outcome")) == (2, 6)
    assert path.part(q.page("own_questions")) == (6, 6)


def test_pages_are_found_by_id_not_by_search(questionnaire: Questionnaire) -> None:
    q = questionnaire
    assert q.page("values") is q.pages[q.position("values")]
    assert q.has_page("values") and not q.has_page("phq9_1")
    with pytest.raises(KeyError):
        q.page("nowhere")


def test_a_loop_holds_at_most_max_items(questionnaire: Questionnaire) -> None:
    q = questionnaire
    cap = max_items(q, "medicines")
    assert cap == 12
    full = {**BASE, "medicines_any": "yes", "medicines": [MED] * cap, "medicines_more": "yes"}
    path = routing_path(q, full)
    assert path.new_item("medicines") is None
    assert not path.applies(PageRef("medicine_details", cap))
    # "Yes, another" from a full list goes on past the loop, never to item 13.
    assert path.next(PageRef("medicines_list")) == PageRef("other_treatments")
    with pytest.raises(IndexError):
        apply_values(q, full, PageRef("medicine_details", cap), {"medicine": "fluoxetine"})
    one_less = {**full, "medicines": [MED] * (cap - 1)}
    assert routing_path(q, one_less).new_item("medicines") == PageRef(
        "medicine_details", cap - 1
    )


def test_old_ratings_survive_effective_answers(questionnaire: Questionnaire) -> None:
    old = {**BASE, "prio_cost": "4", "prio_chance": "3"}
    kept = effective_answers(questionnaire, old)
    assert kept["prio_cost"] == "4" and kept["prio_chance"] == "3"
