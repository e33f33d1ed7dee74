from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_aid.content.questionnaire import Choice, Condition, Field, Page, Questionnaire
from decision_aid.engine.validation import condition_holds, validate_page

DETAILS_OK = {
    "medicine": ["sertraline"],
    "dose": ["50"],
    "weeks": ["6to8"],
    "adherence": ["yes"],
}


@pytest.fixture()
def details(questionnaire: Questionnaire) -> Page:
    return questionnaire.page("medicine_details")


@pytest.fixture()
def outcome(questionnaire: Questionnaire) -> Page:
    return questionnaire.page("medicine_outcome")


def details_field(page: Page, field_id: str) -> Field:
    return next(f for f in page.fields if f.id == field_id)


def errors_for(page: Page, form: dict[str, Any]) -> dict[str, str]:
    return validate_page(page, form).errors


# --- radios and selects ---------------------------------------------------------------------


def test_radio_required(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("this_episode")
    result = validate_page(page, {})
    assert result.errors == {
        "episode_length": "Select how long this episode of depression has lasted",
        "therapy_now": "Select if you are having talking therapy now",
    }
    assert result.values == {}
    assert result.raw == {"episode_length": "", "therapy_now": ""}


def test_radio_blank_and_whitespace_count_as_missing(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("this_episode")
    assert "episode_length" in errors_for(page, {"episode_length": ["   "]})
    assert "episode_length" in errors_for(page, {"episode_length": []})


def test_radio_value_must_be_a_choice(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("this_episode")
    result = validate_page(page, {"episode_length": ["forever"], "therapy_now": ["no"]})
    # No invalid message of its own: falls back to the question's required message.
    assert result.errors == {
        "episode_length": "Select how long this episode of depression has lasted"
    }
    assert result.raw == {"episode_length": "forever", "therapy_now": "no"}


def test_radio_accepts_a_choice(questionnaire: Questionnaire) -> None:
    result = validate_page(questionnaire.page("this_episode"),
                           {"episode_length": ["gt2y"], "therapy_now": ["no"]})
    assert result.ok
    assert result.values == {"episode_length": "gt2y", "therapy_now": "no"}


def test_instrument_item_required_message(questionnaire: Questionnaire) -> None:
    phq9 = questionnaire.page("phq9")
    result = validate_page(phq9, {})
    assert set(result.errors) == {f"phq9_{k}" for k in range(1, 10)}
    assert result.errors["phq9_9"].startswith("Select how often you have been bothered by this")
    assert "phq9_9" in validate_page(phq9, {"phq9_9": ["4"]}).errors


def test_select_value_must_be_a_listed_medicine(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "medicine": ["aspirin"]})
    assert result.errors == {"medicine": "Select a medicine from the list"}


def test_select_required(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "medicine": [""]})
    assert result.errors == {"medicine": "Select which medicine you took"}


def test_unknown_keys_are_ignored(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "csrf_token": ["abc"], "phq9_1": ["3"]})
    assert result.ok
    assert set(result.values) == {"medicine", "dose", "weeks", "adherence"}


# --- checkboxes ---------------------------------------------------------------------------


OUTCOME_OK = {
    "helped": ["some"],
    "side_effects_any": ["yes"],
    "side_effects": ["sexual"],
    "still_taking": ["yes"],
    "added_any": ["yes"],
    "added": ["lithium"],
}


def test_checkboxes_required(outcome: Page) -> None:
    result = validate_page(outcome, {**OUTCOME_OK, "added": []})
    assert result.errors == {"added": "Select the medicine you added"}


def test_checkboxes_exclusive_choice_must_stand_alone(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("other_treatments")
    result = validate_page(page, {"other_treatments": ["none", "tms"]})
    assert result.errors == {"other_treatments": "Select the treatments you have had, or select "
                                                 "'None of these' on its own"}
    assert result.raw["other_treatments"] == ["none", "tms"]


def test_checkboxes_two_exclusive_choices_together(questionnaire: Questionnaire) -> None:
    result = validate_page(questionnaire.page("health"), {"health": ["none", "prefer_not"]})
    assert "health" in result.errors


def test_checkboxes_unknown_value(outcome: Page) -> None:
    result = validate_page(outcome, {**OUTCOME_OK, "side_effects": ["sexual", "hair_loss"]})
    assert set(result.errors) == {"side_effects"}


def test_checkboxes_are_deduplicated_and_kept_in_choice_order(outcome: Page) -> None:
    result = validate_page(
        outcome, {**OUTCOME_OK, "side_effects": ["weight", "sexual", "weight", " sleep "]}
    )
    assert result.ok
    assert result.values["side_effects"] == ["sexual", "weight", "sleep"]


def test_outcome_page_all_good(outcome: Page) -> None:
    result = validate_page(outcome, OUTCOME_OK)
    assert result.ok
    assert result.values == {
        "helped": "some",
        "side_effects_any": "yes",
        "side_effects": ["sexual"],
        "still_taking": "yes",
        "added_any": "yes",
        "added": ["lithium"],
    }


def test_outcome_lists_are_asked_only_after_their_yes_or_no(outcome: Page) -> None:
    """Without JavaScript every list is shown; what a "no" (or "I still take it") closes is
    neither required nor kept, whatever was ticked in it."""
    closed = {**OUTCOME_OK, "side_effects_any": ["no"], "added_any": ["no"],
              "added_weeks": ["6to8"], "stopped_reason": ["cost"]}
    result = validate_page(outcome, closed)
    assert result.ok
    assert result.values == {"helped": "some", "side_effects_any": "no", "still_taking": "yes",
                             "added_any": "no"}
    # Opened by the other answer: required, and what was typed is kept for the page again.
    opened = {**OUTCOME_OK, "side_effects": [], "still_taking": ["no"], "added": []}
    result = validate_page(outcome, opened)
    assert result.errors == {
        "side_effects": "Select the side effects you had",
        "stopped_reason": "Select why you stopped taking it",
        "added": "Select the medicine you added",
    }
    assert result.raw["still_taking"] == "no" and result.values["still_taking"] == "no"
    assert "added_weeks" not in result.errors  # optional
    # The old stand-in answers are no longer choices.
    stale = validate_page(outcome, {**OUTCOME_OK, "side_effects": ["none"],
                                    "still_taking": ["no"], "stopped_reason": ["still_taking"]})
    assert set(stale.errors) == {"side_effects", "stopped_reason"}


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("50", 50.0), ("50.5", 50.5), (" 75 ", 75.0), ("0.5", 0.5), (".5", 0.5), ("100000", 100000.0)],
)
def test_number_parses_plain_numbers(details: Page, typed: str, value: float) -> None:
    result = validate_page(details, {**DETAILS_OK, "dose": [typed]})
    assert result.ok
    assert result.values["dose"] == value
    assert result.raw["dose"] == typed


@pytest.mark.parametrize(
    "typed", ["75 mcg", "abc", "1e3", "1,000", "nan", "inf", "--5", "5.5.5", "½", "٥٠"]
)
def test_number_rejects_anything_else(details: Page, typed: str) -> None:
    result = validate_page(details, {**DETAILS_OK, "dose": [typed]})
    assert result.errors == {"dose": details_field(details, "dose").errors["not_number"]}
    assert result.raw["dose"] == typed


@pytest.mark.parametrize("typed", ["0", "-5", "0.001"])
def test_number_too_small(details: Page, typed: str) -> None:
    result = validate_page(details, {**DETAILS_OK, "dose": [typed]})
    assert result.errors == {"dose": details_field(details, "dose").errors["too_small"]}


def test_number_too_large(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "dose": ["100001"]})
    assert result.errors == {"dose": details_field(details, "dose").errors["too_large"]}


def test_optional_number_left_blank(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "dose": ["  "]})
    assert result.ok
    assert "dose" not in result.values


def test_required_number() -> None:
    page = Page(
        id="p",
        section="s",
        heading="h",
        fields=(Field(id="n", type="number", label="N", errors={"required": "Enter N"}),),
    )
    assert validate_page(page, {}).errors == {"n": "Enter N"}


# --- text and reveal_if -------------------------------------------------------------------


def test_other_name_required_when_revealed(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "medicine": ["other"]})
    assert result.errors == {"other_name": "Enter the name of the medicine"}


def test_other_name_too_long(details: Page) -> None:
    posted = {**DETAILS_OK, "medicine": ["other"], "other_name": ["x" * 101]}
    result = validate_page(details, posted)
    assert result.errors == {"other_name": "Name of the medicine must be 100 characters or fewer"}


def test_other_name_is_stripped(details: Page) -> None:
    result = validate_page(
        details, {**DETAILS_OK, "medicine": ["other"], "other_name": ["  Phenelzine \n"]}
    )
    assert result.ok
    assert result.values["other_name"] == "Phenelzine"


def test_hidden_field_is_dropped_and_not_checked(details: Page) -> None:
    result = validate_page(details, {**DETAILS_OK, "other_name": ["x" * 500]})
    assert result.ok
    assert "other_name" not in result.values
    assert result.raw["other_name"] == "x" * 500  # kept so the page can show it again


def _own_questions(questionnaire: Questionnaire) -> Page:
    """The free-text field on a page of its own (whatever else its page asks)."""
    return Page(id="p", section="s", heading="h", fields=(questionnaire.field("own_questions"),))


def test_textarea_optional_and_max_length(questionnaire: Questionnaire) -> None:
    page = _own_questions(questionnaire)
    assert validate_page(page, {}).ok
    assert validate_page(page, {}).values == {}
    assert validate_page(page, {"own_questions": ["x" * 1000]}).ok
    too_long = validate_page(page, {"own_questions": ["x" * 1001]})
    assert too_long.errors == {"own_questions": "Your questions must be 1000 characters or fewer"}
    assert too_long.raw == {"own_questions": "x" * 1001}


def test_textarea_windows_line_ends_count_once(questionnaire: Questionnaire) -> None:
    page = _own_questions(questionnaire)
    text = "ab\r\n" * 333 + "a"  # 1,333 typed; 1,000 once each \r\n becomes \n
    result = validate_page(page, {"own_questions": [text]})
    assert result.ok
    assert len(result.values["own_questions"]) == 1000


def test_fallback_messages_never_say_invalid() -> None:
    page = Page(
        id="p",
        section="s",
        heading="h",
        fields=(
            Field(id="t", type="text", label="T", max_length=2, errors={"required": "Enter T"}),
            Field(id="n", type="number", label="N", optional=True, minimum=1, maximum=2),
            Field(id="r", type="radio", label="R", optional=True, choices=(Choice("a", "A"),)),
        ),
    )
    result = validate_page(page, {"t": ["abc"], "n": ["x"], "r": ["b"]})
    assert set(result.errors) == {"t", "n", "r"}
    for text in result.errors.values():
        assert "valid" not in text.lower()
        assert "please" not in text.lower()
    assert validate_page(page, {"t": ["ab"], "n": ["3"]}).errors == {"n": "Enter a smaller number"}
    assert validate_page(page, {"t": ["ab"], "n": ["0"]}).errors == {"n": "Enter a bigger number"}


def test_odd_form_shapes_do_not_raise(details: Page) -> None:
    odd: dict[str, Any] = {
        "medicine": "sertraline",
        "dose": (b"50",),
        "weeks": None,
    }
    result = validate_page(details, odd)
    assert result.values["medicine"] == "sertraline"
    assert result.values["dose"] == 50.0
    assert "weeks" in result.errors


# --- conditions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cond", "values", "holds"),
    [
        (Condition("a", "equals", "yes"), {"a": "yes"}, True),
        (Condition("a", "equals", "yes"), {"a": "no"}, False),
        (Condition("a", "equals", "yes"), {}, False),
        (Condition("a", "not_equals", "yes"), {"a": "no"}, True),
        (Condition("a", "not_equals", "yes"), {"a": "yes"}, False),
        (Condition("a", "in", ("1", "2")), {"a": "2"}, True),
        (Condition("a", "in", ("1", "2")), {"a": "0"}, False),
        (Condition("a", "contains", "tms"), {"a": ["ect", "tms"]}, True),
        (Condition("a", "contains", "tms"), {"a": ["ect"]}, False),
        (Condition("a", "contains", "tms"), {"a": "tms"}, False),
        (Condition("a", "not_contains", "tms"), {"a": ["ect"]}, True),
        (Condition("a", "not_contains", "tms"), {}, True),
        (Condition("a", "not_contains", "tms"), {"a": ["tms"]}, False),
        (Condition("a", "answered"), {"a": "x"}, True),
        (Condition("a", "answered"), {"a": []}, False),
        (Condition("a", "answered"), {}, False),
        (Condition("a", "nonsense", "x"), {"a": "x"}, False),
    ],
)
def test_condition_holds(cond: Condition, values: dict[str, Any], holds: bool) -> None:
    assert condition_holds(cond, values) is holds


# --- fuzz -----------------------------------------------------------------------------------

_text = st.text(max_size=40)
_value = st.one_of(
    st.lists(_text, max_size=4),
    _text,
    st.none(),
    st.integers(),
    st.binary(max_size=8),
    st.lists(st.one_of(_text, st.integers(), st.none()), max_size=3),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_validate_page_never_raises(questionnaire: Questionnaire, data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(questionnaire.pages))
    ids = [f.id for f in page.fields]
    choices = [c.value for f in page.fields for c in f.choices]
    keys = st.one_of(st.sampled_from(ids or ["x"]), _text)
    values = st.one_of(st.lists(st.one_of(st.sampled_from(choices or ["x"]), _text)), _value)
    form = data.draw(st.dictionaries(keys, values, max_size=8))
    result = validate_page(page, form)
    assert set(result.values) <= set(ids)
    assert set(result.errors) <= set(ids)
    assert not set(result.values) & set(result.errors)
    assert set(result.raw) == set(ids)
    for f in page.fields:
        if f.id in result.values and f.choices:
            chosen = result.values[f.id]
            allowed = {c.value for c in f.choices}
            assert set(chosen if isinstance(chosen, list) else [chosen]) <= allowed


# --- the dose in mg; bounded choices and text -----------------------------------


def test_dose_unit_is_not_asked_and_a_stale_one_is_not_kept(details: Page) -> None:
    """The dose is asked in mg; a unit sent by a page from before Dec 2026 is ignored."""
    result = validate_page(details, {**DETAILS_OK, "dose_unit": ["mcg"]})
    assert result.ok and "dose_unit" not in result.values and result.values["dose"] == 50.0
    no_dose = validate_page(details, {**DETAILS_OK, "dose": [""]})
    assert no_dose.ok and no_dose.values.get("dose") is None


def test_values_page_allows_up_to_three(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("values")
    ok = validate_page(page, {"top_priorities": ["cost", "chance"], "preference": ["none"]})
    assert ok.ok and ok.values["top_priorities"] == ["chance", "cost"]  # priorities order
    four = {"top_priorities": ["chance", "speed", "cost", "memory"], "preference": ["none"]}
    result = validate_page(page, four)
    assert result.errors == {"top_priorities": "Select no more than 3 things"}
    assert result.raw["top_priorities"] == four["top_priorities"]  # what was ticked is kept
    assert "top_priorities" in validate_page(page, {"preference": ["none"]}).errors


def test_every_free_text_field_is_bounded(questionnaire: Questionnaire) -> None:
    for page in questionnaire.pages:
        for f in page.fields:
            if f.type in {"text", "textarea"}:
                assert f.max_length is not None and "too_long" in f.errors, f.id
                typed = "a" * (f.max_length + 1)
                result = validate_page(page, {f.id: [typed]})
                assert result.errors.get(f.id) == f.errors["too_long"] or (
                    f.reveal_if is not None
                )
                if f.id in result.errors:
                    assert result.raw[f.id] == typed  # nothing typed is lost


@pytest.mark.parametrize("typed", ["150 mg", "150mg", " 150 MG "])
def test_a_dose_typed_with_its_unit_is_read(details: Page, typed: str) -> None:
    """The box says mg beside it; a person who types "150 mg" as well is not told off."""
    result = validate_page(details, {**DETAILS_OK, "dose": [typed]})
    assert result.ok and result.values["dose"] == 150.0


def test_only_the_boxs_own_unit_is_read(details: Page) -> None:
    for typed in ("150 mcg", "mg", "150 mg mg"):
        result = validate_page(details, {**DETAILS_OK, "dose": [typed]})
        assert "dose" in result.errors, typed
