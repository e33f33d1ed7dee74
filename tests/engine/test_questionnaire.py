from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from decision_aid.content.loader import DATA_DIR, ContentError
from decision_aid.content.questionnaire import Field, Page, Questionnaire, load_questionnaire
from decision_aid.content.records import read_toml as _read
from decision_aid.content.schema import Instrument
from tests.expected import PRIORITY_IDS

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("talking_therapy", "tms", "ect", "esketamine", "ketamine")
MEDICINE_IDS = (
    "sertraline",
    "fluoxetine",
    "escitalopram",
    "citalopram",
    "paroxetine",
    "fluvoxamine",
    "venlafaxine",
    "duloxetine",
    "desvenlafaxine",
    "bupropion",
    "mirtazapine",
    "vortioxetine",
    "vilazodone",
    "levomilnacipran",
    "trazodone",
    "nortriptyline",
    "amitriptyline",
    "other",
)
NOT_SURE = "not_sure"
ITEM_SCALE = {"0", "1", "2", "3"}

# The answer vocabulary from the team contract: key -> allowed values (None = free text/number).
TOP_LEVEL: dict[str, set[str] | None] = {
    **{f"phq9_{k}": ITEM_SCALE for k in range(1, 10)},
    **{f"gad7_{k}": ITEM_SCALE for k in range(1, 8)},
    "episode_length": {"lt6m", "6to12m", "1to2y", "gt2y", NOT_SURE},
    "taking_now": {"yes", "no", NOT_SURE},
    "therapy_now": {"yes", "no"},
    "medicines_any": {"yes", "no", NOT_SURE},
    "medicines_more": {"yes", "no"},
    "other_treatments": {*KINDS, "none"},
    **{f"other_{k}_sessions": {"1to5", "6to11", "12to20", "gt20", NOT_SURE} for k in KINDS},
    **{f"other_{k}_outcome": {"little_or_none", "some", "a_lot", NOT_SURE} for k in KINDS},
    "health": {
        "high_bp",
        "heart_vessel",
        "psychosis_bipolar",
        "substance_use",
        "pregnancy",
        "seizures",
        "memory",
        "none",
        "prefer_not",
    },
    "visits_per_week": {"le1", "2", "3", "5", NOT_SURE},
    "ride_home": {"yes", "no", NOT_SURE},
    "cost_worry": {"a_lot", "some", "no", NOT_SURE},
    "preference": {"pills", "talking", "procedures", "none", NOT_SURE},
    "top_priorities": set(PRIORITY_IDS),
    "own_questions": None,
}
MEDICINE_ITEM: dict[str, set[str] | None] = {
    "medicine": set(MEDICINE_IDS),
    "other_name": None,
    # The dose is asked in mg; drafts from before Dec 2026 may also carry "dose_unit" (mg or
    # mcg), which engine/trials.py still reads.
    "dose": None,
    "weeks": {"0to2", "3to5", "6to8", "9to12", "gt12", NOT_SURE},
    "adherence": {"yes", "mostly", "often_missed", NOT_SURE},
    "helped": {"little_or_none", "some", "a_lot", "back_to_normal", NOT_SURE},
    # Three yes/no questions open their lists; drafts from before them said "none" and
    # "still_taking" in the lists instead (engine/medicine_items.py reads those the new way).
    "side_effects_any": {"yes", "no"},
    "side_effects": {"sexual", "weight", "sleep", "emotional_blunting", "stomach", "other"},
    "still_taking": {"yes", "no"},
    "stopped_reason": {
        "side_effects",
        "did_not_help",
        "felt_better",
        "cost",
        "other",
        NOT_SURE,
    },
    "added": {
        "aripiprazole",
        "lithium",
        "quetiapine",
        "bupropion",
        "mirtazapine",
        "thyroid",
        "other",
    },
    "added_any": {"yes", "no"},
    "added_weeks": {"0to2", "3to5", "6to8", "9to12", "gt12", NOT_SURE},
}
CHECKBOXES = {"other_treatments", "health", "side_effects", "added", "top_priorities"}
BANNED = (
    "you should",
    "we recommend",
    "best option",
    "best for you",
    "right for you",
    "most effective",
    "the answer is",
    "recommended",
)
ERROR_BANNED = ("please", "sorry", "invalid", "valid", "oops", "forbidden", "this field")


def fields_by_id(q: Questionnaire, loop: bool) -> dict[str, tuple[Page, Field]]:
    return {
        f.id: (p, f)
        for p in q.pages
        for f in p.fields
        if (p.loop == "medicines" and p.kind != "loop_list") is loop
    }


def patient_texts(q: Questionnaire) -> list[str]:
    texts: list[str] = []
    for p in q.pages:
        texts += [p.heading, p.why, p.button, *p.body]
        for f in p.fields:
            texts += [f.label, f.hint, *f.errors.values()]
            texts += [t for c in f.choices for t in (c.label, c.hint)]
    return [t for t in texts if t]


# --- loading and shape --------------------------------------------------------------------------


def test_sections_in_order(questionnaire: Questionnaire) -> None:
    # The titles are the words helper's to word ("Part 2 of 6: <title>" on every page): short.
    assert [s.id for s in questionnaire.sections] == [
        "about_you", "medicines", "health", "practical", "priorities", "questions"]
    assert all(0 < len(s.title.split()) <= 3 for s in questionnaire.sections)


def test_every_page_has_a_known_section_and_sections_run_in_order(
    questionnaire: Questionnaire,
) -> None:
    order = [s.id for s in questionnaire.sections]
    seen = [order.index(p.section) for p in questionnaire.pages]
    assert seen == sorted(seen)
    assert set(order) == {p.section for p in questionnaire.pages}


def test_headings_are_unique(questionnaire: Questionnaire) -> None:
    headings = [p.heading for p in questionnaire.pages]
    assert len(headings) == len(set(headings))


def test_every_page_says_why_we_ask(questionnaire: Questionnaire) -> None:
    for page in questionnaire.pages:
        assert page.why.strip(), page.id


JOURNEY = [
    "phq9",
    "crisis",
    "gad7",
    "this_episode",
    "medicines_any",
    "medicine_details",
    "medicine_outcome",
    "medicines_list",
    "other_treatments",
    *(f"other_{k}" for k in KINDS),
    "health",
    "practical",
    "values",
    "own_questions",
]


def test_journey_order(questionnaire: Questionnaire) -> None:
    ids = [p.id for p in questionnaire.pages]
    # Safety screens may sit in the health section after "health"; these run in this order.
    assert [i for i in ids if i in JOURNEY] == JOURNEY
    extra = [p for p in questionnaire.pages if p.id not in JOURNEY]
    assert all(p.section == "health" for p in extra), [p.id for p in extra]


def test_crisis_interruption(questionnaire: Questionnaire) -> None:
    page = questionnaire.page("crisis")
    assert page.kind == "interruption"
    assert page.fields == ()
    assert [(c.field, c.op, c.value) for c in page.applies_if] == [
        ("phq9_9", "in", ("1", "2", "3"))
    ]
    assert "help" in page.heading.lower()


def test_loop_pages(questionnaire: Questionnaire) -> None:
    for page_id in ("medicine_details", "medicine_outcome", "medicines_list"):
        page = questionnaire.page(page_id)
        assert page.loop == "medicines"
        assert [(c.field, c.op, c.value) for c in page.applies_if] == [
            ("medicines_any", "equals", "yes")
        ]
    assert questionnaire.page("medicines_list").kind == "loop_list"
    assert questionnaire.page("medicines_list").fields[0].label == "Did you try another?"
    other_name = fields_by_id(questionnaire, loop=True)["other_name"][1]
    assert other_name.reveal_if is not None
    assert (other_name.reveal_if.field, other_name.reveal_if.op, other_name.reveal_if.value) == (
        "medicine",
        "equals",
        "other",
    )


def test_other_treatment_pages_follow_the_ticks(questionnaire: Questionnaire) -> None:
    for kind in KINDS:
        page = questionnaire.page(f"other_{kind}")
        assert [(c.field, c.op, c.value) for c in page.applies_if] == [
            ("other_treatments", "contains", kind)
        ]
        assert [f.id for f in page.fields] == [f"other_{kind}_sessions", f"other_{kind}_outcome"]


def test_instrument_pages_are_verbatim(
    questionnaire: Questionnaire, instruments: dict[str, Instrument]
) -> None:
    """Each instrument on ONE page in its standard form: one fieldset (radio field) per item."""
    for inst_id, n in (("phq9", 9), ("gad7", 7)):
        inst = instruments[inst_id]
        assert len(inst.items) == n
        page = questionnaire.page(inst_id)
        assert page.instrument == inst_id
        assert [f.id for f in page.fields] == [f"{inst_id}_{k}" for k in range(1, n + 1)]
        for item, f in zip(inst.items, page.fields, strict=True):
            assert f.label == item and f.type == "radio" and not f.hint
            assert [(c.value, c.label) for c in f.choices] == [
                ("0", "Not at all"),
                ("1", "Several days"),
                ("2", "More than half the days"),
                ("3", "Nearly every day"),
            ]


def test_instruments(instruments: dict[str, Instrument]) -> None:
    assert set(instruments) == {"phq9", "gad7", "sure"}
    phq9 = instruments["phq9"]
    assert (
        phq9.items[8]
        == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert phq9.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert instruments["gad7"].items[0] == "Feeling nervous, anxious, or on edge"
    for inst in (phq9, instruments["gad7"]):
        assert "with an educational grant from Pfizer Inc." in inst.attribution
        # The brief marks the "no permission required" wording unconfirmed; state the fact only.
        assert "Pfizer made it free to use in 2010." in inst.attribution
    assert "Kroenke" in phq9.attribution and "2001" in phq9.attribution
    assert (
        "Spitzer" in instruments["gad7"].attribution and "2006" in instruments["gad7"].attribution
    )
    sure = instruments["sure"]
    assert sure.items == (
        "Do you feel SURE about the best choice for you?",
        "Do you know the benefits and risks of each option?",
        "Are you clear about which benefits and risks matter most to you?",
        "Do you have enough support and advice to make a choice?",
    )
    assert sure.choices == (("yes", "Yes"), ("no", "No"))
    assert "O'Connor" in sure.attribution and "Légaré" in sure.attribution


# --- the answer vocabulary ----------------------------------------------------------------------


@pytest.mark.parametrize(("loop", "vocabulary"), [(False, TOP_LEVEL), (True, MEDICINE_ITEM)])
def test_fields_produce_exactly_the_contract_vocabulary(
    questionnaire: Questionnaire, loop: bool, vocabulary: dict[str, set[str] | None]
) -> None:
    """The engine reads these keys and values: none may go or change meaning. (Fields and
    values may be added, such as the clinical helper's safety screens.)"""
    fields = fields_by_id(questionnaire, loop)
    assert set(vocabulary) <= set(fields)
    for key, values in vocabulary.items():
        _, f = fields[key]
        if values is None:
            assert f.type in {"text", "textarea", "number"}, key
            assert not f.choices
        else:
            assert values <= {c.value for c in f.choices}, key
            assert (f.type == "checkboxes") is (key in CHECKBOXES), key


def test_values_on_one_page(questionnaire: Questionnaire) -> None:
    """Choose up to 3 of the priorities, on one page that shows the options at a glance."""
    pages = [p for p in questionnaire.pages if p.section == "priorities"]
    assert [p.id for p in pages] == ["values"]
    page = pages[0]
    assert page.glance
    f = page.fields[0]
    assert (f.id, f.type, f.max_choices) == ("top_priorities", "checkboxes", 3)
    assert f.label == "Choose up to 3 that matter most"
    assert "too_many" in f.errors
    assert not any(f.id.startswith("prio_") for p in questionnaire.pages for f in p.fields)


def test_exclusive_choices(questionnaire: Questionnaire) -> None:
    everything = {**fields_by_id(questionnaire, False), **fields_by_id(questionnaire, True)}
    expected = {
        "other_treatments": {"none"},
        "health": {"none", "prefer_not"},
    }
    for key, want in expected.items():
        _, f = everything[key]
        assert want <= {c.value for c in f.choices if c.exclusive}, key
    # A "no" before the list says "none" now: the lists have no "None of these".
    for key in ("top_priorities", "side_effects", "added"):
        assert not any(c.exclusive for c in everything[key][1].choices), key


def test_medicine_choices_match_the_catalogue_when_present(questionnaire: Questionnaire) -> None:
    if not (DATA_DIR / "medicines.toml").exists():
        pytest.skip("medicines.toml is not written yet")
    catalogue = {m["id"] for m in _read(DATA_DIR, "medicines.toml")["medicine"]}
    _, f = fields_by_id(questionnaire, loop=True)["medicine"]
    assert {c.value for c in f.choices} - {"other"} <= catalogue


def test_priority_questions_match_the_priorities_file_when_present(
    questionnaire: Questionnaire,
) -> None:
    """The values question and the summary's priority list use the same ids and words."""
    _, f = fields_by_id(questionnaire, loop=False)["top_priorities"]
    rows = _read(DATA_DIR, "priorities.toml")["priority"]
    assert [(c.value, c.label, c.summary_label) for c in f.choices] == [
        (row["id"], row["label"], row["short"]) for row in rows
    ]
    assert questionnaire.choice_label("top_priorities", "sexual", "summary") == (
        "Sexual side effects"
    )


# --- wording ------------------------------------------------------------------------------------


def test_required_fields_have_messages_in_the_question_words(questionnaire: Questionnaire) -> None:
    for page in questionnaire.pages:
        for f in page.fields:
            messages = f.errors.values()
            if not f.optional:
                assert f.errors.get("required", "").startswith(("Select", "Enter")), f.id
            if f.type == "number":
                assert {"not_number", "too_small", "too_large"} <= set(f.errors), f.id
            if f.type in {"text", "textarea"}:
                assert f.max_length, f.id
                assert "too_long" in f.errors, f.id
            for text in messages:
                assert not text.endswith("."), f.id
                assert not any(w in re.findall(r"[a-z]+", text.lower()) for w in ERROR_BANNED)


def test_optional_labels_say_so(questionnaire: Questionnaire) -> None:
    for page in questionnaire.pages:
        for f in page.fields:
            assert f.label.endswith("(optional)") is f.optional, f.id


def test_own_questions(questionnaire: Questionnaire) -> None:
    _, f = fields_by_id(questionnaire, loop=False)["own_questions"]
    assert (f.type, f.optional, f.max_length) == ("textarea", True, 1000)


def test_hints_are_one_short_sentence(questionnaire: Questionnaire) -> None:
    for page in questionnaire.pages:
        for f in page.fields:
            if page.instrument:
                continue
            hint = f.hint
            assert len(hint) <= 100, f.id
            assert "<" not in hint and "http" not in hint, f.id
            assert len(re.findall(r"[.?!](\s|$)", hint)) <= 1, f.id


def test_question_pages_are_short_to_read_on_a_phone(questionnaire: Questionnaire) -> None:
    """Issue 9: a question page opens with at most one sentence of introduction (the rest goes
    in "Why we ask"), hints fit about two phone lines and choice hints one or two."""
    for page in questionnaire.pages:
        if page.kind != "interruption":
            assert len(page.body) <= 1, page.id
        for f in page.fields:
            assert len(f.hint) <= 75, f.id
            for c in f.choices:
                assert len(c.hint) <= 65, (f.id, c.value)


def test_no_asterisks_or_directive_words(questionnaire: Questionnaire) -> None:
    for text in patient_texts(questionnaire):
        assert "*" not in text
        lowered = text.lower()
        assert not any(b in lowered for b in BANNED), text


def test_not_sure_is_offered_where_it_is_a_real_answer(questionnaire: Questionnaire) -> None:
    for key in (
        "episode_length",
        "taking_now",
        "medicines_any",
        "visits_per_week",
        "ride_home",
        "cost_worry",
        "preference",
    ):
        _, f = fields_by_id(questionnaire, loop=False)[key]
        assert ("not_sure", "I'm not sure") in [(c.value, c.label) for c in f.choices], key


def _textstat() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_nltk_cmudict", ROOT / "tests" / "support" / "make_nltk_cmudict.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = ROOT / ".nltk_data"
    module.ensure(data)
    import nltk  # type: ignore[import-untyped]

    if str(data) not in nltk.data.path:
        nltk.data.path.insert(0, str(data))
    import textstat  # type: ignore[import-untyped]

    return textstat


def test_reading_grade_is_8_or_below(questionnaire: Questionnaire) -> None:
    textstat = _textstat()
    own = [p for p in questionnaire.pages if not p.instrument]
    prose = " ".join(
        t if t.rstrip().endswith((".", "?", "!")) else t + "."
        for p in own
        for t in (p.heading, p.why, *p.body, *(x for f in p.fields for x in (f.label, f.hint)))
        if t
    )
    grade = textstat.flesch_kincaid_grade(prose)
    assert grade <= 8, grade
    for page in own:
        text = " ".join((page.why, *page.body))
        assert textstat.flesch_kincaid_grade(text) <= 8, page.id


# --- the loader's handling of conditions -------------------------------------------------------


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    for name in ("instruments.toml", "priorities.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    text = (DATA_DIR / "questionnaire.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "questionnaire.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('op = "in", value = ["1", "2", "3"]', 'op = "in", value = "1"', "list of text"),
        ('op = "contains", value = "tms"', 'op = "near", value = "tms"', "unknown condition op"),
        (
            'reveal_if = { field = "medicine", op = "equals", value = "other" }',
            'reveal_if = { field = "weeks", op = "equals", value = "other" }',
            "earlier field",
        ),
        ('section = "health"\nheading', 'section = "nowhere"\nheading', "unknown section"),
        (
            'errors = { required = "Select how much ECT helped" }',
            'errors = { required = "Please select how much ECT helped" }',
            "please",
        ),
    ],
)
def test_loader_rejects_bad_questionnaires(
    tmp_path: Path, instruments: dict[str, Instrument], old: str, new: str, problem: str
) -> None:
    data_dir = _copy_with(tmp_path, old, new)
    with pytest.raises(ContentError, match=problem):
        load_questionnaire(data_dir, instruments)


def test_dose_is_asked_in_mg_without_a_unit_question(questionnaire: Questionnaire) -> None:
    """Every listed antidepressant is dosed in mg, so the unit is not a question of its own."""
    fields = fields_by_id(questionnaire, True)
    _, dose = fields["dose"]
    assert dose.suffix == "mg" and "mg" in dose.label
    assert "dose_unit" not in fields


def test_missed_doses_say_so_on_the_page_the_summary_and_to_the_clinician(
    questionnaire: Questionnaire,
) -> None:
    """Not "No": the summary and the clinician read it as often missed doses, so it says so."""
    for wording in ("patient", "summary", "clinician"):
        assert questionnaire.choice_label("adherence", "often_missed", wording) == (
            "Often missed doses")
