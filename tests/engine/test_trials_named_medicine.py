"""A medicine entered as "not on this list" but named as one that is (English or Spanish) is
assessed against that medicine's listed minimum, and keeps the name the person typed."""

from __future__ import annotations

import pytest

from decision_aid.content import Content, load_contents
from decision_aid.engine.trials import TrialCategory, assess_trials


@pytest.fixture(scope="module")
def contents() -> dict[str, Content]:
    return load_contents()


ITEM = {"medicine": "other", "dose": 100.0, "dose_unit": "mg", "weeks": "9to12",
        "adherence": "yes", "helped": "little_or_none", "stopped_reason": "did_not_help",
        "added": ["none"]}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("typed", ["Sertralina", "sertraline", "Zoloft"])
def test_a_typed_name_is_matched(contents: dict[str, Content], language: str, typed: str) -> None:
    (trial,) = assess_trials({"medicines": [{**ITEM, "other_name": typed}]}, contents[language])
    assert trial.medicine_id == "sertraline"
    assert trial.medicine_name == typed
    assert trial.category is TrialCategory.MAY_COUNT


def test_an_unknown_name_stays_unknown(contents: dict[str, Content]) -> None:
    (trial,) = assess_trials({"medicines": [{**ITEM, "other_name": "Phenelzine"}]},
                             contents["es"])
    assert trial.medicine_id == "other" and trial.medicine_name == "Phenelzine"
    assert trial.category is TrialCategory.NOT_SURE
