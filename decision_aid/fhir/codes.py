"""Standard codes used in the FHIR output, and only codes confirmed against published sources.

PHQ-9 and GAD-7 item, panel and total codes and the LOINC answer list LL358-3 are as used in the
HL7 Personal Health Record IG's PHQ-9 Questionnaire and GAD-7 QuestionnaireResponse examples.
"""

from __future__ import annotations

from typing import Final

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
OBS_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ITEM_CONTROL: Final = "http://hl7.org/fhir/questionnaire-item-control"
EXT_ITEM_CONTROL: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
EXT_OPTION_EXCLUSIVE: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
EXT_ORDINAL: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_MIN: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_MAX_OCCURS: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
EXT_HIDDEN: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
EXT_ENABLE_WHEN_EXPRESSION: Final = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)
SDC_QUESTIONNAIRE: Final = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|3.0.0"
SDC_RESPONSE: Final = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse|3.0.0"
)

# LOINC answer list LL358-3, in order of the instruments' own values 0..3.
FREQUENCY_ANSWERS: Final[tuple[tuple[str, str], ...]] = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)

PANELS: Final[dict[str, tuple[str, str]]] = {
    "phq9": ("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]"),
    "gad7": ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
}
TOTALS: Final[dict[str, tuple[str, str]]] = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
TOTAL_MAXIMUM: Final[dict[str, int]] = {"phq9": 27, "gad7": 21}
# Item codes in the instruments' item order (phq9_1 .. phq9_9, gad7_1 .. gad7_7).
ITEMS: Final[dict[str, tuple[str, ...]]] = {
    "phq9": (
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    ),
    "gad7": ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
}
ITEM9: Final = "44260-8"


def item_code(field_id: str) -> str | None:
    """The LOINC code of a PHQ-9 or GAD-7 item field such as "phq9_3", else None."""
    inst, _, number = field_id.partition("_")
    codes = ITEMS.get(inst)
    if codes is None or not number.isdigit() or not 1 <= int(number) <= len(codes):
        return None
    return codes[int(number) - 1]


def is_scored_instrument(instrument: str) -> bool:
    return instrument in ITEMS
