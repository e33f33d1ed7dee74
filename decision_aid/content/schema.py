"""Frozen, typed records for the clinical content, built and validated only by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Every option carries these fields, and every template renders them in this order.
OPTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("what_it_is", "What it is"),
    ("how_given", "How it is given"),
    ("schedule", "How often and how long each visit takes"),
    ("driving_work", "Driving and work on treatment days"),
    ("how_soon", "How soon it may help"),
    ("benefits", "Chance of benefit"),
    ("harms", "Common side effects and downsides"),
    ("longer_term", "Longer-term issues"),
    ("cost", "Cost and insurance"),
    ("evidence", "How strong the evidence is"),
)


@dataclass(frozen=True)
class Meta:
    version: str
    published: date
    next_review: date
    update_policy: str
    funding: str
    conflicts: str
    authors: str
    evidence_method: str
    decision: str
    condition: tuple[str, ...]
    reading_grade: float
    option_order_note: str


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    citation: str
    url: str


@dataclass(frozen=True)
class Claim:
    """A number shown to patients: always per 100 people, with who, what, when and where from."""

    id: str
    label: str
    value: int
    comparison_value: int | None
    comparison_group: str
    population: str
    outcome: str
    time_frame: str
    source_ids: tuple[str, ...]
    uncertainty: str
    show_both_frames: bool = True


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    what_it_is: str
    how_given: str
    schedule: str
    driving_work: str
    how_soon: str
    benefits: tuple[str, ...]
    benefit_claims: tuple[Claim, ...]
    harms: tuple[str, ...]
    harm_claims: tuple[Claim, ...]
    longer_term: str
    cost: str
    evidence: str
    uncertainty: str
    source_ids: tuple[str, ...]
    shown_because: str
    at_a_glance: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Medicine:
    id: str
    generic: str
    brands: tuple[str, ...]
    drug_class: str
    min_dose: float | None
    unit: str
    source_ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    definition: str


@dataclass(frozen=True)
class Crisis:
    heading: str
    call_text: str
    chat_url: str
    emergency: str
    extra: tuple[str, ...]
    clinician_today: str


@dataclass(frozen=True)
class ClinicClaim:
    """A claim people meet in clinic marketing, set against what the evidence shows."""

    id: str
    claim: str
    evidence_shows: str
    source_ids: tuple[str, ...]
    option_ids: tuple[str, ...]


@dataclass(frozen=True)
class PointRule:
    """When a fact about the person holds, a point to raise about one option."""

    option_id: str
    when: str
    text: str


@dataclass(frozen=True)
class Priority:
    id: str
    label: str
    short: str


@dataclass(frozen=True)
class QuestionToAsk:
    text: str
    when: str | None = None


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    stem: str
    attribution: str
    items: tuple[str, ...]
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Content:
    meta: Meta
    sources: dict[str, Source]
    options: tuple[Option, ...]
    medicines: dict[str, Medicine]
    glossary: tuple[GlossaryTerm, ...]
    crisis: Crisis
    clinic_claims: tuple[ClinicClaim, ...]
    point_rules: tuple[PointRule, ...]
    priorities: tuple[Priority, ...]
    questions_to_ask: tuple[QuestionToAsk, ...]
    instruments: dict[str, Instrument]
    questionnaire: object  # decision_aid.content.questionnaire.Questionnaire

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)
