"""The Spanish mirror files laid over the English: what the loader accepts and what it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from decision_aid.content import Content, ContentError, load_content, load_contents
from decision_aid.content.translation import overlay
from decision_aid.content.trial_wording import load_trial_wording
from decision_aid.content.wording import load_wording
from tests.content.conftest import EditFn


@pytest.fixture(scope="module")
def spanish() -> Content:
    return load_content(language="es")


def _refusal(data_copy: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_content(data_copy, "es")
    return str(info.value)


def test_spanish_content_keeps_the_english_ids_and_numbers(
        content: Content, spanish: Content) -> None:
    assert spanish.language == "es" and content.language == "en"
    assert [o.id for o in spanish.options] == [o.id for o in content.options]
    assert spanish.crisis.heading != content.crisis.heading
    for en_opt, es_opt in zip(content.options, spanish.options, strict=True):
        assert [(c.id, c.value, c.source_ids) for c in es_opt.benefit_claims] == [
            (c.id, c.value, c.source_ids) for c in en_opt.benefit_claims]
    assert spanish.sources == content.sources  # source titles stay in their own language
    assert [p.id for p in spanish.questionnaire.pages] == [
        p.id for p in content.questionnaire.pages]


def test_load_contents_gives_every_language() -> None:
    contents = load_contents()
    assert sorted(contents) == ["en", "es"]
    assert contents["es"].crisis.chat_url == "https://988lineadevida.org/"
    assert contents["en"].crisis.chat_url == "https://988lifeline.org/chat/"


def test_a_missing_spanish_string_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/crisis.toml", lambda d: d["crisis"].pop("heading"))
    message = _refusal(data_copy)
    assert "es/crisis.toml" in message and "crisis.heading: missing translation" in message


def test_every_problem_is_named_at_once(data_copy: Path, edit: EditFn) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["crisis"].pop("heading")
        doc["crisis"]["emergency"] = "  "

    edit("es/crisis.toml", change)
    message = _refusal(data_copy)
    assert "crisis.heading: missing translation" in message
    assert "crisis.emergency: missing translation" in message


def test_an_empty_spanish_file_names_every_missing_path(data_copy: Path) -> None:
    (data_copy / "es" / "priorities.toml").write_text("", encoding="utf-8")
    assert "priority: missing translation" in _refusal(data_copy)


def test_a_missing_spanish_file_is_refused(data_copy: Path) -> None:
    (data_copy / "es" / "glossary.toml").unlink()
    assert "es/missing content file glossary.toml" in _refusal(data_copy)


def test_an_extra_key_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/crisis.toml", lambda d: d["crisis"].update(nota="algo más"))
    assert "crisis.nota: extra key, not in the English" in _refusal(data_copy)


def test_an_id_mismatch_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/priorities.toml", lambda d: d["priority"][0].update(id="oportunidad"))
    message = _refusal(data_copy)
    assert "priority[0].id: must equal the English ('chance')" in message


def test_a_changed_number_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/medicines.toml", lambda d: d["medicine"][0].update(min_dose=25))
    assert "medicine[0].min_dose: must equal the English (50)" in _refusal(data_copy)


def test_a_list_of_another_length_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/glossary.toml", lambda d: d["term"].pop())
    assert "term: " in _refusal(data_copy)


def test_a_changed_placeholder_is_refused(data_copy: Path, edit: EditFn) -> None:
    edit("es/wording.toml",
         lambda d: d["situation"].update(listed_many="Anotó varios medicamentos."))
    assert "situation.listed_many: placeholders differ" in _refusal(data_copy)


def test_non_text_values_may_be_left_out(
        data_copy: Path, edit: EditFn, content: Content) -> None:
    def drop_ids(doc: dict[str, Any]) -> None:
        for med in doc["medicine"]:
            for key in ("id", "min_dose", "unit", "source_ids", "brands"):
                med.pop(key, None)

    edit("es/medicines.toml", drop_ids)
    loaded = load_content(data_copy, "es")
    assert list(loaded.medicines) == list(content.medicines)
    for med_id, med in loaded.medicines.items():
        english = content.medicines[med_id]
        assert (med.min_dose, med.unit, med.source_ids, med.brands) == (
            english.min_dose, english.unit, english.source_ids, english.brands)


def test_a_table_under_an_id_key_is_still_text() -> None:
    english = {"headline": {"stopping": {"id": "x", "label": "Stopping", "source_ids": ["a"]}}}
    problems: list[str] = []
    overlay(english, {"headline": {"stopping": {"id": "x"}}}, "", problems)
    assert problems == ["headline.stopping.label: missing translation"]
    problems = []
    merged = overlay(english, {"headline": {"stopping": {"label": "Dejarlo"}}}, "", problems)
    assert problems == []
    assert merged == {"headline": {"stopping": {"id": "x", "label": "Dejarlo",
                                                "source_ids": ["a"]}}}


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ContentError, match="unknown language 'fr'"):
        load_content(language="fr")


def test_wording_and_trial_wording_come_in_the_language() -> None:
    english, spanish = load_wording(), load_wording(language="es")
    assert english.situation.listed_one != spanish.situation.listed_one
    en_trials, es_trials = load_trial_wording(), load_trial_wording(language="es")
    assert en_trials.reasons["may_count"].patient != es_trials.reasons["may_count"].patient
    # Clinician wording stays English in both.
    assert en_trials.reasons["may_count"].clinician == es_trials.reasons["may_count"].clinician


def test_medicine_names_are_known_in_both_languages() -> None:
    from decision_aid.content.medicine_names import normalise_name

    contents = load_contents()
    for content in contents.values():
        names = content.medicine_names
        for typed in ("Sertralina", "sertraline", "ZOLOFT®", "  sertralina  "):
            assert names[normalise_name(typed)] == "sertraline", typed
        assert "sert" not in names  # no guessing from part of a name
    assert normalise_name("Fluoxetína") == "fluoxetina"


def test_instrument_item_errors_come_from_the_content(spanish: Content, content: Content) -> None:
    es_error = spanish.questionnaire.page("phq9").fields[0].errors["required"]
    en_error = content.questionnaire.page("phq9").fields[0].errors["required"]
    assert en_error == ("Select how often you have been bothered by this: "
                        "little interest or pleasure in doing things")
    assert es_error.startswith("Elija") and spanish.instruments["phq9"].items[0].lower() in es_error


def test_an_instrument_page_without_its_error_wording_is_refused(
        data_copy: Path, edit: EditFn) -> None:
    edit("instruments.toml", lambda d: d["instrument"][0].pop("item_required"))
    with pytest.raises(ContentError, match="instrument phq9: item_required"):
        load_content(data_copy)
