"""Engine test fixtures: the real questionnaire, built without the other content files."""

from __future__ import annotations

import pytest

from decision_aid.content.loader import DATA_DIR
from decision_aid.content.questionnaire import Questionnaire, load_questionnaire
from decision_aid.content.records import build
from decision_aid.content.records import read_toml as _read
from decision_aid.content.schema import Instrument, Medicine


def _instruments() -> dict[str, Instrument]:
    rows = _read(DATA_DIR, "instruments.toml")["instrument"]
    return {row["id"]: build(Instrument, row, f"instrument[{i}]") for i, row in enumerate(rows)}


@pytest.fixture(scope="session")
def instruments() -> dict[str, Instrument]:
    return _instruments()


@pytest.fixture(scope="session")
def questionnaire(instruments: dict[str, Instrument]) -> Questionnaire:
    return load_questionnaire(DATA_DIR, instruments)


def medicine(
    id: str, min_dose: float | None, unit: str = "mg", drug_class: str = "SSRI"
) -> Medicine:
    return Medicine(
        id=id,
        generic=id.capitalize(),
        brands=(),
        drug_class=drug_class,
        min_dose=min_dose,
        unit=unit,
        source_ids=("test",),
    )


@pytest.fixture()
def catalogue() -> dict[str, Medicine]:
    """A small made-up catalogue, so trial rules are tested apart from the content."""
    meds = [
        medicine("sertraline", 50.0),
        medicine("venlafaxine", 75.0, drug_class="SNRI"),
        medicine("microdose", 500.0, unit="mcg", drug_class="test"),
        medicine("trazodone", None, drug_class="other"),
    ]
    return {m.id: m for m in meds}
