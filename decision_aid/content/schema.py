"""Frozen, typed records for the clinical content, built and validated only by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .questionnaire import Questionnaire

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
    # Defaults keep hand-built test records short; the loader refuses them empty.
    smog_grade: float = 0.0
    grade_rule: tuple[str, ...] = ()
    who_numbers_are_about: tuple[str, ...] = ()
    headline_note: str = ""


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    citation: str
    url: str


# Claim.design: "controlled" = a trial with a comparison group; "uncontrolled" = everyone got the
# treatment, no comparison group; "observational" = records or surveys, not a trial.
CLAIM_DESIGNS: tuple[str, ...] = ("controlled", "uncontrolled", "observational")
CLAIM_KINDS: tuple[str, ...] = ("benefit", "harm")
GRADES: tuple[str, ...] = ("High", "Moderate", "Low", "Very low")
# The four headline rows every option carries, in display order.
HEADLINE_ROWS: tuple[str, ...] = ("benefit", "side_effect", "stopping", "relapse")


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
    design: str = "controlled"
    # A plain range per 100 for value, from the source's confidence interval, when it gives one.
    low: int | None = None
    high: int | None = None
    kind: str = "benefit"  # set by the loader from the list the claim is in; relapse is a harm


@dataclass(frozen=True)
class NotKnown:
    """The required record for a headline row where no checked figure exists."""

    id: str
    label: str
    text: str
    source_ids: tuple[str, ...] = ()


Figure = Claim | NotKnown


@dataclass(frozen=True)
class Headline:
    """The same four rows for every option, in this order."""

    benefit: Figure
    side_effect: Figure
    stopping: Figure
    relapse: Figure

    def rows(self) -> tuple[tuple[str, Figure], ...]:
        return tuple((name, getattr(self, name)) for name in HEADLINE_ROWS)


# The one rule for "how sure" (meta.grade_rule says it in words): the design of the trials behind
# the benefit row sets the starting grade; each problem below takes it down one step.
_START = {"blinded": 0, "open": 1, "none": 2}


@dataclass(frozen=True)
class GradeBasis:
    design: str  # "blinded" / "open" controlled trial, or "none": no comparison group
    largest_trial: int  # people in the largest study behind the benefit row
    consistent: bool  # more than one study, and they agree
    maker_paid: bool  # the maker of the treatment paid for the main trials

    def grade(self) -> str:
        step = _START[self.design]
        step += self.largest_trial < 300
        step += not self.consistent
        step += self.maker_paid
        return GRADES[min(step, len(GRADES) - 1)]


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
    headline: Headline
    grade: str
    grade_reason: str
    grade_basis: GradeBasis
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
    safety_plan_text: str = ""
    safety_plan_url: str = ""
    not_watched: str = ""


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
    source_ids: tuple[str, ...] = ()  # required when the text gives a figure


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
    item_required: str = ""  # the error for an item left out, with {item}; needed for a page


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
    questionnaire: Questionnaire
    language: str = "en"  # the language its patient-facing words are in
    # Typed medicine names (English and Spanish generics, brands) -> medicine id; see
    # content/medicine_names.py.
    medicine_names: dict[str, str] = field(default_factory=dict)

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)
