"""Trial adequacy: each rule has a case that meets it and one that fails it."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from decision_aid.content.loader import DATA_DIR, ContentError, load_content
from decision_aid.content.schema import Content, Medicine
from decision_aid.content.trial_wording import (
    CATEGORIES,
    TrialWording,
    load_trial_wording,
    trial_wording,
)
from decision_aid.engine.answers import Answers
from decision_aid.engine.trials import (
    TrialAssessment,
    TrialCategory,
    assess_items,
    assess_trials,
    format_amount,
)

C = TrialCategory


def trial(**overrides: Any) -> dict[str, Any]:
    """An adequate (100 mg sertraline, 9-12 weeks, taken as planned) trial that did not help."""
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


def one(catalogue: dict[str, Medicine], **overrides: Any) -> TrialAssessment:
    [result] = assess_items([trial(**overrides)], catalogue)
    return result


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


# --- The rules, each met and failed ---------------------------------------------------------


def test_an_adequate_trial_that_did_not_help_may_count(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue)
    assert result.category is C.MAY_COUNT
    assert result.may_count is True
    assert result.role == "main"
    assert "may count" in result.reason and "clinician can check" in result.reason


@pytest.mark.parametrize(
    ("adherence", "category"),
    [("yes", C.MAY_COUNT), ("mostly", C.MAY_COUNT), ("not_sure", C.MAY_COUNT),
     ("often_missed", C.MISSED_DOSES)],
)
def test_adherence_often_missed_is_not_a_full_trial(
    catalogue: dict[str, Medicine], adherence: str, category: TrialCategory
) -> None:
    result = one(catalogue, adherence=adherence)
    assert result.category is category
    assert result.may_count is (category is C.MAY_COUNT)
    if category is C.MISSED_DOSES:
        assert "often missed doses" in result.reason
    if adherence == "not_sure":
        assert "Adherence not confirmed" in result.clinician_reason


@pytest.mark.parametrize(
    ("weeks", "category"),
    [("6to8", C.MAY_COUNT), ("9to12", C.MAY_COUNT), ("gt12", C.MAY_COUNT),
     ("3to5", C.TOO_SHORT), ("0to2", C.TOO_SHORT), ("not_sure", C.NOT_SURE), ("", C.NOT_SURE)],
)
def test_six_weeks_or_more_at_the_dose_or_higher(
    catalogue: dict[str, Medicine], weeks: str, category: TrialCategory
) -> None:
    result = one(catalogue, weeks=weeks)
    assert result.category is category
    assert result.duration_adequate is {C.MAY_COUNT: True, C.TOO_SHORT: False}.get(category)


def test_weeks_are_asked_at_the_dose_or_higher_not_only_at_the_highest(
    content: Content, catalogue: dict[str, Medicine]
) -> None:
    """10 weeks at 100 mg then 2 at 150 mg: the person gives 100 mg and more than 12 weeks."""
    q = content.questionnaire
    assert "this dose or higher" in q.field("weeks").label
    assert "highest" not in q.field("weeks").label
    assert "longest" in q.field("dose").label + q.field("dose").hint
    assert one(catalogue, dose=100.0, weeks="gt12").category is C.MAY_COUNT


@pytest.mark.parametrize(
    ("dose", "category", "adequate"),
    [(50.0, C.MAY_COUNT, True), (100.0, C.MAY_COUNT, True), (49.9, C.DOSE_LOW, False),
     (None, C.NOT_SURE, None)],
)
def test_dose_at_or_above_the_listed_minimum(
    catalogue: dict[str, Medicine], dose: float | None, category: TrialCategory,
    adequate: bool | None,
) -> None:
    result = one(catalogue, dose=dose)
    assert result.category is category
    assert result.dose_adequate is adequate
    if category is C.DOSE_LOW:
        assert "49.9 mg a day" in result.reason and "50 mg" in result.reason


@pytest.mark.parametrize(
    ("medicine", "below", "at_minimum"),
    [("venlafaxine", 75.0, 150.0), ("bupropion", 150.0, 300.0), ("mirtazapine", 15.0, 30.0),
     ("fluvoxamine", 50.0, 100.0), ("sertraline", 25.0, 50.0)],
)
def test_real_minimum_doses_follow_addendum_a3(
    content: Content, medicine: str, below: float, at_minimum: float
) -> None:
    low, = assess_items([trial(medicine=medicine, dose=below)], content.medicines)
    ok, = assess_items([trial(medicine=medicine, dose=at_minimum)], content.medicines)
    assert low.category is C.DOSE_LOW
    assert ok.category is C.MAY_COUNT


def test_every_minimum_dose_comes_from_one_named_table(content: Content) -> None:
    wording = trial_wording()
    assert wording.table.source_ids == ("ementalhealth2022",)
    assert set(wording.exceptions) == {"venlafaxine"}
    with_minimum = [m for m in content.medicines.values() if m.min_dose is not None]
    assert len(with_minimum) >= 12
    for med in with_minimum:
        # The table the minimum comes from is the medicine's first source.
        assert med.source_ids[0] in wording.dose_source(med.id).source_ids, med.id
    venlafaxine, = assess_items([trial(medicine="venlafaxine", dose=150.0)], content.medicines)
    assert "TRANSFORM-1" in venlafaxine.clinician_reason
    sertraline, = assess_items([trial()], content.medicines)
    assert "eMentalHealth" in sertraline.clinician_reason


@pytest.mark.parametrize(
    ("weeks", "category"),
    [("6to8", C.STOPPED_SIDE_EFFECTS_LATE), ("gt12", C.STOPPED_SIDE_EFFECTS_LATE),
     ("3to5", C.STOPPED_SIDE_EFFECTS_EARLY), ("0to2", C.STOPPED_SIDE_EFFECTS_EARLY),
     ("not_sure", C.NOT_SURE)],
)
def test_stopped_for_side_effects_after_an_adequate_time_is_its_own_category(
    catalogue: dict[str, Medicine], weeks: str, category: TrialCategory
) -> None:
    result = one(catalogue, weeks=weeks, stopped_reason="side_effects")
    assert result.category is category
    assert result.may_count is False
    assert result.tolerated is (category is not C.STOPPED_SIDE_EFFECTS_EARLY)
    # Stopped for another reason, the same trial is judged on the other rules.
    other = one(catalogue, weeks=weeks, stopped_reason="did_not_help")
    assert other.category not in {C.STOPPED_SIDE_EFFECTS_LATE, C.STOPPED_SIDE_EFFECTS_EARLY}


@pytest.mark.parametrize(
    ("helped", "category"),
    [("little_or_none", C.MAY_COUNT), ("some", C.PARTIAL), ("a_lot", C.HELPED),
     ("back_to_normal", C.HELPED), ("not_sure", C.NOT_SURE)],
)
def test_how_much_it_helped(
    catalogue: dict[str, Medicine], helped: str, category: TrialCategory
) -> None:
    assert one(catalogue, helped=helped).category is category


@pytest.mark.parametrize(
    ("added_weeks", "adherence", "helped", "category"),
    [
        ("6to8", "yes", "little_or_none", C.MAY_COUNT),
        ("gt12", "mostly", "little_or_none", C.MAY_COUNT),
        ("3to5", "yes", "little_or_none", C.TOO_SHORT),
        ("", "yes", "little_or_none", C.NOT_SURE),
        ("6to8", "often_missed", "little_or_none", C.MISSED_DOSES),
        ("6to8", "yes", "a_lot", C.HELPED),
        ("6to8", "yes", "some", C.PARTIAL),
    ],
)
def test_a_medicine_added_to_an_antidepressant_is_assessed_too(
    catalogue: dict[str, Medicine], added_weeks: str, adherence: str, helped: str,
    category: TrialCategory,
) -> None:
    main, added = assess_items(
        [trial(added=["aripiprazole"], added_weeks=added_weeks, adherence=adherence,
               helped=helped)],
        catalogue,
    )
    assert (main.role, added.role) == ("main", "added")
    assert added.category is category
    assert added.may_count is (category is C.MAY_COUNT)
    assert added.index == main.index == 0
    assert added.added_to == main.medicine_name
    if category is C.MAY_COUNT:
        assert "adding this medicine may count" in added.reason


def test_none_added_gives_no_added_trial(catalogue: dict[str, Medicine]) -> None:
    assert len(assess_items([trial(added=["none"], added_weeks="6to8")], catalogue)) == 1
    assert len(assess_items([trial(added=["lithium", "other"])], catalogue)) == 3


# --- Words come from content, and never diagnose --------------------------------------------


def test_reasons_come_from_the_content_file(catalogue: dict[str, Medicine]) -> None:
    wording = trial_wording()
    custom = replace(
        wording,
        reasons={**wording.reasons,
                 "may_count": replace(wording.reasons["may_count"], patient="Edited {dose}.")},
    )
    [result] = assess_items([trial()], catalogue, custom)
    assert result.reason == "Edited 100 mg a day."


def test_no_patient_sentence_is_written_in_python() -> None:
    source = (Path(__file__).parents[2] / "decision_aid/engine/trials.py").read_text()
    for reason in trial_wording().reasons.values():
        assert reason.patient.split("{")[0][:30] not in source


@pytest.mark.parametrize("reason_id", sorted(trial_wording().reasons))
def test_reasons_never_diagnose(reason_id: str) -> None:
    reason = trial_wording().reasons[reason_id]
    text = f"{reason.patient} {reason.clinician}".lower()
    assert not re.search(r"resistant|\btrd\b|you have depression|diagnos", text)
    if reason.category in {"may_count", "partial", "too_short", "dose_low", "missed_doses",
                           "stopped_side_effects_late", "not_sure"}:
        assert "clinician" in reason.patient.lower()


def test_every_category_has_a_reason() -> None:
    assert tuple(c.value for c in TrialCategory) == CATEGORIES
    assert {r.category for r in trial_wording().reasons.values()} == set(CATEGORIES)


# --- Display values -------------------------------------------------------------------------


def test_display_values_use_the_questionnaire_words(content: Content) -> None:
    answers = Answers.from_draft({"medicines": [trial(weeks="6to8", helped="some")]})
    [result] = assess_trials(answers, content)
    assert result.medicine_name == "Sertraline (Zoloft)"
    assert result.dose_text == "100 mg a day"
    assert result.weeks_text == content.questionnaire.choice_label(
        "weeks", "6to8", "summary")
    assert result.weeks_text == "6 to 8 weeks"  # the question gives the unit; the summary must
    assert result.outcome_text == content.questionnaire.choice_label(
        "helped", "some", "summary")
    assert assess_trials({"medicines": [trial()]}, content) == assess_trials(
        Answers.from_draft({"medicines": [trial()]}), content)


def test_not_provided_and_other_medicines(catalogue: dict[str, Medicine]) -> None:
    result = one(catalogue, dose=None)
    assert result.dose_text == "Not provided"
    assert result.reason_id == "not_sure_dose"
    other = one(catalogue, medicine="other", other_name="Phenelzine", dose=45.0)
    assert other.medicine_name == "Phenelzine"
    assert other.category is C.NOT_SURE and other.reason_id == "not_sure_medicine"
    assert one(catalogue, medicine="trazodone").reason_id == "not_sure_no_minimum"
    assert one(catalogue, medicine="other").medicine_name == "A medicine not named"


@pytest.mark.parametrize(
    ("medicine_id", "dose", "unit", "adequate"),
    [
        ("sertraline", 50000.0, "mcg", True),  # 50,000 mcg = 50 mg
        ("sertraline", 49000.0, "mcg", False),
        ("microdose", 0.5, "mg", True),  # catalogue in mcg: 0.5 mg = 500 mcg
        ("microdose", 0.4, "mg", False),
        ("sertraline", 50.0, "", True),  # no unit: the dose is asked in mg
        ("sertraline", 49.0, "", False),
        ("sertraline", 50.0, "grains", None),
    ],
)
def test_unit_conversion(
    catalogue: dict[str, Medicine], medicine_id: str, dose: float, unit: str, adequate: bool | None
) -> None:
    assert one(catalogue, medicine=medicine_id, dose=dose, dose_unit=unit).dose_adequate is adequate


def test_format_amount() -> None:
    assert [format_amount(v) for v in (50.0, 37.5, 1000.0, 0.125)] == ["50", "37.5", "1,000",
                                                                        "0.125"]


def test_round_trip_and_json(catalogue: dict[str, Medicine]) -> None:
    results = assess_items([trial(added=["lithium"], added_weeks="6to8"), trial(dose=None)],
                           catalogue)
    for result in results:
        data = json.loads(json.dumps(result.to_dict()))
        assert TrialAssessment.from_dict(data) == result
        assert data["category"] == str(result.category)
        assert data["tolerated"] is result.tolerated
        assert data["possibly_adequate_unsuccessful"] is result.may_count


@pytest.mark.parametrize("value", [None, "x", {"a": 1}, 3])
def test_not_a_list_gives_no_trials(catalogue: dict[str, Medicine], value: Any) -> None:
    assert assess_items(value, catalogue) == ()


def test_malformed_items_read_as_unknown(catalogue: dict[str, Medicine]) -> None:
    results = assess_items(["x", None, {"medicine": 5, "dose": "abc", "added": "lithium"}],
                           catalogue)
    assert [r.category for r in results] == [C.NOT_SURE] * 3
    assert [r.index for r in results] == [0, 1, 2]


# --- The content file is checked ------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    for name in ("trials.toml", "medicines.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_the_real_wording_loads_against_the_real_sources(content: Content) -> None:
    wording = load_trial_wording(DATA_DIR, frozenset(content.sources),
                                 frozenset(content.medicines))
    assert isinstance(wording, TrialWording)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "partial"\n', 'id = "partial_x"\n', "reasons must be exactly"),
        ("(listed minimum {min_dose}", "(listed minimum {minimum}", "unknown placeholder"),
        ('category = "helped"', 'category = "cured"', "unknown category"),
        ("[notes]\n", "[notes]\nextra = \"x\"\n", "trials.notes"),
    ],
)
def test_incomplete_wording_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    data = _copy(tmp_path)
    path = data / "trials.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError, match=message):
        load_trial_wording(data)


def test_a_missing_dose_table_is_refused(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    path = data / "medicines.toml"
    path.write_text(path.read_text().replace("[dose_table]", "[not_the_table]"))
    with pytest.raises(ContentError, match="dose_table"):
        load_trial_wording(data)
    with pytest.raises(ContentError, match="unknown source"):
        load_trial_wording(DATA_DIR, frozenset({"nct02417064"}))


def test_patient_reasons_read_at_grade_8_and_smog_9_or_lower(textstat: Any) -> None:
    from decision_aid.content.language import as_prose

    texts = [r.patient for r in trial_wording().reasons.values()]
    prose = as_prose(t.replace("{dose}", "100 mg a day").replace("{min_dose}", "50 mg")
                     for t in texts)
    assert textstat.flesch_kincaid_grade(prose) <= 8
    assert textstat.smog_index(prose) <= 9
