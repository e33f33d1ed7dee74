from __future__ import annotations

import json
from typing import Any

import pytest

from decision_aid.content.schema import Medicine
from decision_aid.engine.trials import assess_trials, format_amount


def trial(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "medicine": "sertraline",
        "dose": 100.0,
        "dose_unit": "mg",
        "weeks": "9to12",
        "adherence": "yes",
        "helped": "little_or_none",
        "side_effects": ["none"],
        "stopped_reason": "did_not_help",
        "added": ["none"],
    }
    item.update(overrides)
    return item


def one(catalogue: dict[str, Medicine], **overrides: Any):
    [result] = assess_trials([trial(**overrides)], catalogue)
    return result


@pytest.mark.parametrize(
    ("dose", "weeks", "helped", "dose_ok", "weeks_ok", "response", "possibly"),
    [
        (100.0, "9to12", "little_or_none", True, True, "little_or_none", True),
        (50.0, "6to8", "little_or_none", True, True, "little_or_none", True),
        (50.0, "gt12", "little_or_none", True, True, "little_or_none", True),
        (49.9, "9to12", "little_or_none", False, True, "little_or_none", False),
        (100.0, "3to5", "little_or_none", True, False, "little_or_none", False),
        (100.0, "0to2", "little_or_none", True, False, "little_or_none", False),
        (100.0, "not_sure", "little_or_none", True, None, "little_or_none", False),
        (None, "9to12", "little_or_none", None, True, "little_or_none", False),
        (100.0, "9to12", "some", True, True, "partial", False),
        (100.0, "9to12", "a_lot", True, True, "response", False),
        (100.0, "9to12", "back_to_normal", True, True, "response", False),
        (100.0, "9to12", "not_sure", True, True, "unknown", False),
    ],
)
def test_adequacy_and_response_combinations(
    catalogue: dict[str, Medicine],
    dose: float | None,
    weeks: str,
    helped: str,
    dose_ok: bool | None,
    weeks_ok: bool | None,
    response: str,
    possibly: bool,
) -> None:
    result = one(catalogue, dose=dose, weeks=weeks, helped=helped)
    assert result.dose_adequate is dose_ok
    assert result.duration_adequate is weeks_ok
    assert result.response == response
    assert result.possibly_adequate_unsuccessful is possibly
    assert result.tolerated is True


def test_reasons_name_the_dose_and_the_minimum(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, dose=50.0)
    assert "Dose 50 mg meets the commonly used minimum of 50 mg" in result.reasons
    low = one(catalogue, dose=25.0)
    assert "Dose 25 mg is below the commonly used minimum of 50 mg" in low.reasons
    assert result.dose_text == "50 mg"
    assert result.min_dose_text == "50 mg"


@pytest.mark.parametrize(
    ("medicine_id", "dose", "unit", "adequate"),
    [
        ("sertraline", 50000.0, "mcg", True),  # 50,000 mcg = 50 mg
        ("sertraline", 49000.0, "mcg", False),
        ("microdose", 0.5, "mg", True),  # catalogue in mcg: 0.5 mg = 500 mcg
        ("microdose", 0.4, "mg", False),
        ("microdose", 500.0, "mcg", True),
        ("sertraline", 50.0, "", None),  # unit not known: cannot compare
        ("sertraline", 50.0, "grains", None),
    ],
)
def test_unit_conversion(
    catalogue: dict[str, Medicine], medicine_id: str, dose: float, unit: str, adequate: bool | None
) -> None:
    assert one(catalogue, medicine=medicine_id, dose=dose, dose_unit=unit).dose_adequate is adequate


def test_other_medicine_dose_is_unknown(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, medicine="other", other_name="Phenelzine", dose=45.0)
    assert result.dose_adequate is None
    assert result.medicine_name == "Phenelzine"
    assert result.drug_class == ""
    assert result.possibly_adequate_unsuccessful is False
    assert result.min_dose_text == "not listed"
    unnamed = one(catalogue, medicine="other", dose=45.0)
    assert unnamed.medicine_name == "Another medicine"


def test_medicine_missing_from_catalogue_is_unknown(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, medicine="not_in_catalogue")
    assert result.dose_adequate is None
    assert result.possibly_adequate_unsuccessful is False


def test_no_listed_minimum_gives_unknown_dose(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, medicine="trazodone", dose=300.0)
    assert result.dose_adequate is None
    assert "No commonly used minimum dose is listed for this medicine" in result.reasons


def test_dose_not_known(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, dose=None)
    assert result.dose_text == "Not known"
    assert result.dose_adequate is None


def test_stopped_after_one_week_for_side_effects_is_intolerance_not_a_trial(
    catalogue: dict[str, Medicine],
) -> None:
    result = one(
        catalogue,
        weeks="0to2",
        stopped_reason="side_effects",
        side_effects=["stomach", "sleep"],
        helped="little_or_none",
    )
    assert result.tolerated is False
    assert result.duration_adequate is False
    assert result.possibly_adequate_unsuccessful is False
    assert result.side_effects == ("stomach", "sleep")
    assert any("not tolerated" in r for r in result.reasons)


def test_side_effects_with_unknown_duration_is_not_tolerated(
    catalogue: dict[str, Medicine],
) -> None:
    assert one(catalogue, weeks="not_sure", stopped_reason="side_effects").tolerated is False


def test_stopped_for_side_effects_after_an_adequate_time_is_still_a_trial(
    catalogue: dict[str, Medicine],
) -> None:
    result = one(catalogue, weeks="6to8", stopped_reason="side_effects")
    assert result.tolerated is True
    assert result.possibly_adequate_unsuccessful is True


def test_often_missed_doses_is_noted(catalogue: dict[str, Medicine]) -> None:
    assert "Doses were often missed" in one(catalogue, adherence="often_missed").reasons


def test_none_is_not_listed_as_a_side_effect_or_added_medicine(
    catalogue: dict[str, Medicine],
) -> None:
    result = one(catalogue)
    assert result.side_effects == ()
    assert result.added == ()
    added = one(catalogue, added=["aripiprazole"])
    assert added.added == ("aripiprazole",)


def test_several_trials_keep_their_order_and_index(catalogue: dict[str, Medicine]) -> None:
    results = assess_trials(
        [trial(), trial(medicine="venlafaxine", dose=37.5), trial(medicine="other")], catalogue
    )
    assert [r.index for r in results] == [0, 1, 2]
    assert [r.medicine_id for r in results] == ["sertraline", "venlafaxine", "other"]
    assert [r.dose_adequate for r in results] == [True, False, None]
    assert results[1].dose_text == "37.5 mg"
    assert results[1].drug_class == "SNRI"


def test_to_dict_is_json_ready(catalogue: dict[str, Medicine]) -> None:
    data = one(catalogue, side_effects=["sexual"]).to_dict()
    assert data["side_effects"] == ["sexual"]
    assert isinstance(data["reasons"], list)
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize("medicines", [None, "x", {}, 3])
def test_not_a_list_gives_no_trials(catalogue: dict[str, Medicine], medicines: Any) -> None:
    assert assess_trials(medicines, catalogue) == []


def test_malformed_items_do_not_raise(catalogue: dict[str, Medicine]) -> None:
    results = assess_trials(
        ["junk", {"dose": "abc", "weeks": 5, "side_effects": "sexual"}, {"dose": True}], catalogue
    )
    assert len(results) == 3
    assert all(r.dose_adequate is None and r.response == "unknown" for r in results)


@pytest.mark.parametrize(
    ("value", "text"), [(50.0, "50"), (37.5, "37.5"), (50000.0, "50,000"), (0.125, "0.125")]
)
def test_format_amount(value: float, text: str) -> None:
    assert format_amount(value) == text
