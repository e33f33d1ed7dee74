"""The typed summary: what a person saw, saved as a snapshot and read back by the clinician side.

`Summary.from_dict(summary.to_dict()) == summary`. Every list is a tuple, every record frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision_aid.content.schema import Claim, ClinicClaim, Headline, Source

from .plain import from_plain, to_plain
from .trials import TrialAssessment, TrialCategory


@dataclass(frozen=True)
class Flags:
    item9_positive: bool
    item9_severity: str = ""  # scoring.Item9Severity value
    item9_answer: str = ""  # the person's answer to item 9, in the instrument's words


@dataclass(frozen=True)
class Phq9Score:
    total: int | None
    band: str | None
    item9: int | None


@dataclass(frozen=True)
class Gad7Score:
    total: int | None
    band: str | None


@dataclass(frozen=True)
class Scores:
    phq9: Phq9Score
    gad7: Gad7Score


@dataclass(frozen=True)
class TrialCounts:
    tried: int
    possibly_adequate_unsuccessful: int
    not_tolerated: int

    @classmethod
    def of(cls, trials: tuple[TrialAssessment, ...]) -> TrialCounts:
        return cls(
            tried=len(trials),
            possibly_adequate_unsuccessful=sum(1 for t in trials if t.may_count),
            not_tolerated=sum(
                1 for t in trials if t.category == TrialCategory.STOPPED_SIDE_EFFECTS_EARLY
            ),
        )


@dataclass(frozen=True)
class OtherTreatment:
    kind: str
    label: str
    sessions: str
    outcome: str


@dataclass(frozen=True)
class HealthItem:
    id: str
    label: str


@dataclass(frozen=True)
class PracticalItem:
    id: str
    label: str
    answer: str  # in the summary's wording
    value: str  # as stored, so the clinician side can word it its own way


@dataclass(frozen=True)
class PriorityItem:
    """A column of the grid: chosen by the person, or added so the grid has at least three."""

    id: str
    label: str
    short: str
    chosen: bool


@dataclass(frozen=True)
class Point:
    """A point to raise about one option, from the person's answers."""

    text: str
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class GridRow:
    """One option against the person's top priorities: one short cell per priority."""

    option_id: str
    name: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    priority_ids: tuple[str, ...]
    labels: tuple[str, ...]  # the priorities' short names, in the same order as the cells
    rows: tuple[GridRow, ...]


@dataclass(frozen=True)
class OptionSummary:
    """One option as the person saw it: the same rows for every option."""

    id: str
    name: str
    position: int
    what_it_is: str
    how_given: str
    schedule: str
    driving_work: str
    how_soon: str
    benefits: tuple[str, ...]
    harms: tuple[str, ...]
    longer_term: str
    cost: str
    evidence: str
    uncertainty: str
    grade: str
    grade_reason: str
    headline: Headline
    benefit_claims: tuple[Claim, ...]
    harm_claims: tuple[Claim, ...]
    shown_because: str
    points: tuple[Point, ...]
    source_ids: tuple[str, ...]
    at_a_glance: dict[str, str]  # short cells by priority id (the grid, and the card's rows)

    @property
    def claims(self) -> tuple[Claim, ...]:
        return (*self.benefit_claims, *self.harm_claims)

    @property
    def headline_source_ids(self) -> tuple[str, ...]:
        ids = (sid for _, figure in self.headline.rows() for sid in figure.source_ids)
        return tuple(dict.fromkeys(ids))

    @property
    def cited_source_ids(self) -> frozenset[str]:
        claims = (sid for c in self.claims for sid in c.source_ids)
        points = (sid for p in self.points for sid in p.source_ids)
        return frozenset((*self.source_ids, *self.headline_source_ids, *claims, *points))


@dataclass(frozen=True)
class Summary:
    content_version: str
    generated_on: date
    decision: str
    flags: Flags
    scores: Scores
    situation: tuple[str, ...]
    trial_counts: TrialCounts
    trials: tuple[TrialAssessment, ...]
    other_treatments: tuple[OtherTreatment, ...]
    health: tuple[HealthItem, ...]
    practical: tuple[PracticalItem, ...]
    options: tuple[OptionSummary, ...]
    priorities: tuple[PriorityItem, ...]  # the grid's columns, chosen ones first
    comparison: Grid
    questions_to_ask: tuple[str, ...]
    own_questions: str
    clinic_claims: tuple[ClinicClaim, ...]
    sources: tuple[Source, ...]

    @property
    def item9_positive(self) -> bool:
        return self.flags.item9_positive

    @property
    def chosen_priorities(self) -> tuple[PriorityItem, ...]:
        return tuple(p for p in self.priorities if p.chosen)

    @property
    def source_numbers(self) -> dict[str, int]:
        """Short references: each cited source's number in the sources list ([1], [2], ...)."""
        return {src.id: n for n, src in enumerate(self.sources, start=1)}

    @property
    def body_source_ids(self) -> frozenset[str]:
        """Sources the printed body cites: the grid rows' headline figures and the points."""
        return frozenset(sid for o in self.options
                         for sid in (*o.headline_source_ids,
                                     *(i for p in o.points for i in p.source_ids)))

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        return from_plain(cls, data)
