"""Patient-facing content reads at grade 8 or lower (Flesch-Kincaid), and meta reports the grade."""

from __future__ import annotations

from types import ModuleType

import pytest

from decision_aid.content import Content, load_content
from decision_aid.content.language import as_prose, patient_text_sets

MAX_GRADE = 8.0
_SETS = tuple(patient_text_sets(load_content()))


def overall_grade(content: Content, textstat: ModuleType) -> float:
    sets = patient_text_sets(content)
    everything = as_prose(t for texts in sets.values() for t in texts)
    return float(textstat.flesch_kincaid_grade(everything))


@pytest.mark.parametrize("name", _SETS)
def test_each_text_set_reads_at_grade_8_or_lower(name: str, content: Content, textstat) -> None:
    text = as_prose(patient_text_sets(content)[name])
    assert text, f"{name} has no text"
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{name}: Flesch-Kincaid grade {grade:.1f} is above {MAX_GRADE}"


def test_every_option_and_core_set_is_checked(content: Content) -> None:
    names = set(patient_text_sets(content))
    expected = {f"option:{o.id}" for o in content.options} | {
        "meta",
        "glossary",
        "crisis",
        "clinic_claims",
        "points",
        "questions_to_ask",
        "priorities",
    }
    assert expected <= names


def test_meta_reports_the_measured_grade(content: Content, textstat) -> None:
    measured = overall_grade(content, textstat)
    assert abs(content.meta.reading_grade - measured) <= 0.5, (
        f"meta.reading_grade is {content.meta.reading_grade}; measured {measured:.1f}"
    )


def test_the_check_can_fail(textstat) -> None:
    # Guards against a textstat that silently returns 0 (e.g. no syllable data).
    dense = (
        "Pharmacological augmentation strategies demonstrate heterogeneous effectiveness "
        "considering methodological limitations characterising randomised investigations."
    )
    assert textstat.flesch_kincaid_grade(dense) > MAX_GRADE
    assert textstat.syllable_count("esketamine") >= 3


def test_as_prose_keeps_cells_as_separate_sentences() -> None:
    assert as_prose(["Chance of benefit", "Ends here.", "  Spaced   out "]) == (
        "Chance of benefit. Ends here. Spaced out."
    )
