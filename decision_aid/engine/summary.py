"""Answers + content -> the balanced summary a person takes to their clinician.

All nine options always appear, in the content's fixed order, with the same fields. Answers only
add "points to raise" and choose which priorities the comparison table shows; nothing here hides,
reorders, ranks or scores an option.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision_aid.content.facts import PRIORITY_IDS
from decision_aid.content.schema import Claim, ClinicClaim, Content, Option, Source

from . import scoring
from .facts import OTHER_TREATMENT_KINDS, facts_from, list_answer, text_answer, trial_assessments
from .trials import TrialAssessment

# Plain words for answers shown back to the person (the questionnaire holds the question wording).
OTHER_TREATMENT_LABELS: dict[str, str] = {
    "talking_therapy": "Talking therapy",
    "tms": "TMS (magnetic brain stimulation)",
    "ect": "ECT (electroconvulsive therapy)",
    "esketamine": "Esketamine nasal spray",
    "ketamine": "Ketamine",
}
SESSION_LABELS: dict[str, str] = {
    "1to5": "1 to 5 sessions",
    "6to11": "6 to 11 sessions",
    "12to20": "12 to 20 sessions",
    "gt20": "More than 20 sessions",
    "not_sure": "Not sure how many sessions",
}
OUTCOME_LABELS: dict[str, str] = {
    "little_or_none": "Helped little or not at all",
    "some": "Helped some",
    "a_lot": "Helped a lot",
    "not_sure": "Not sure if it helped",
}
HEALTH_LABELS: dict[str, str] = {
    "high_bp": "High blood pressure",
    "heart_vessel": "Heart or blood vessel disease",
    "psychosis_bipolar": "Past psychosis, mania or bipolar disorder",
    "substance_use": "Alcohol or drug problems",
    "pregnancy": "Pregnant, planning a pregnancy or breastfeeding",
    "seizures": "Has had seizures",
    "memory": "Memory problems",
}
PRACTICAL_LABELS: dict[str, tuple[str, dict[str, str]]] = {
    "visits_per_week": (
        "Visits you could manage each week",
        {
            "le1": "Once a week or less",
            "2": "2 times a week",
            "3": "3 times a week",
            "5": "Every weekday",
            "not_sure": "Not sure",
        },
    ),
    "ride_home": (
        "A ride home after a treatment",
        {"yes": "Yes", "no": "No", "not_sure": "Not sure"},
    ),
    "cost_worry": (
        "Worry about cost or insurance",
        {"a_lot": "A lot", "some": "Some", "no": "No", "not_sure": "Not sure"},
    ),
    "preference": (
        "The kind of treatment you lean towards",
        {
            "pills": "Medicine taken by mouth",
            "talking": "Talking therapy",
            "procedures": "A treatment given in a clinic, such as TMS, ketamine or ECT",
            "none": "No leaning either way",
            "not_sure": "Not sure",
        },
    ),
}
RATING_VALUES = frozenset({"0", "1", "2", "3", "4", "not_sure"})
DEFAULT_COMPARISON: tuple[str, ...] = ("chance", "speed", "duration")
MAX_COMPARISON = 5


@dataclass(frozen=True)
class TrialCounts:
    tried: int
    possibly_adequate_unsuccessful: int
    not_tolerated: int

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class OtherTreatment:
    kind: str
    label: str
    sessions: str | None
    outcome: str | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class HealthItem:
    id: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class PracticalItem:
    id: str
    label: str
    answer: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class OptionSummary:
    option: Option
    position: int
    points: tuple[str, ...]

    def to_dict(self, sources: Mapping[str, Source]) -> dict[str, Any]:
        opt = self.option
        return {
            "id": opt.id,
            "name": opt.name,
            "position": self.position,
            "fields": {
                "what_it_is": opt.what_it_is,
                "how_given": opt.how_given,
                "schedule": opt.schedule,
                "driving_work": opt.driving_work,
                "how_soon": opt.how_soon,
                "benefits": list(opt.benefits),
                "benefit_claims": [claim_dict(c, sources) for c in opt.benefit_claims],
                "harms": list(opt.harms),
                "harm_claims": [claim_dict(c, sources) for c in opt.harm_claims],
                "longer_term": opt.longer_term,
                "cost": opt.cost,
                "evidence": opt.evidence,
                "uncertainty": opt.uncertainty,
            },
            "shown_because": opt.shown_because,
            "points": list(self.points),
            "source_ids": list(opt.source_ids),
        }


@dataclass(frozen=True)
class PriorityRating:
    id: str
    label: str
    short: str
    rating: str | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ComparisonCell:
    option_id: str
    name: str
    text: str


@dataclass(frozen=True)
class ComparisonRow:
    priority_id: str
    label: str
    cells: tuple[ComparisonCell, ...]


@dataclass(frozen=True)
class Comparison:
    priority_ids: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "priority_ids": list(self.priority_ids),
            "rows": [
                {
                    "priority_id": row.priority_id,
                    "label": row.label,
                    "cells": [dataclasses.asdict(cell) for cell in row.cells],
                }
                for row in self.rows
            ],
        }


@dataclass(frozen=True)
class Summary:
    content_version: str
    generated_on: date
    decision: str
    item9_positive: bool
    phq9: scoring.Score
    phq9_item9: int | None
    gad7: scoring.Score
    situation: tuple[str, ...]
    trial_counts: TrialCounts
    trials: tuple[TrialAssessment, ...]
    other_treatments: tuple[OtherTreatment, ...]
    health: tuple[HealthItem, ...]
    practical: tuple[PracticalItem, ...]
    options: tuple[OptionSummary, ...]
    priorities: tuple[PriorityRating, ...]
    comparison: Comparison
    questions_to_ask: tuple[str, ...]
    own_questions: str
    clinic_claims: tuple[ClinicClaim, ...]
    sources: tuple[Source, ...]
    facts: frozenset[str]  # kept for the web layer; not part of the saved snapshot

    def to_dict(self) -> dict[str, Any]:
        source_map = {s.id: s for s in self.sources}
        return {
            "content_version": self.content_version,
            "generated_on": self.generated_on.isoformat(),
            "decision": self.decision,
            "flags": {"item9_positive": self.item9_positive},
            "scores": {
                "phq9": {
                    "total": self.phq9.total,
                    "band": self.phq9.band,
                    "item9": self.phq9_item9,
                },
                "gad7": {"total": self.gad7.total, "band": self.gad7.band},
            },
            "situation": list(self.situation),
            "trial_counts": self.trial_counts.to_dict(),
            "trials": [t.to_dict() for t in self.trials],
            "other_treatments": [o.to_dict() for o in self.other_treatments],
            "health": [h.to_dict() for h in self.health],
            "practical": [p.to_dict() for p in self.practical],
            "options": [o.to_dict(source_map) for o in self.options],
            "priorities": [p.to_dict() for p in self.priorities],
            "comparison": self.comparison.to_dict(),
            "questions_to_ask": list(self.questions_to_ask),
            "own_questions": self.own_questions,
            "clinic_claims": [
                {
                    "id": c.id,
                    "claim": c.claim,
                    "evidence_shows": c.evidence_shows,
                    "source_ids": list(c.source_ids),
                }
                for c in self.clinic_claims
            ],
            "sources": [
                {"id": s.id, "short": s.short, "citation": s.citation, "url": s.url}
                for s in self.sources
            ],
        }


def claim_dict(claim: Claim, sources: Mapping[str, Source]) -> dict[str, Any]:
    data = dataclasses.asdict(claim)
    data["source_ids"] = list(claim.source_ids)
    data["sources"] = [sources[sid].short for sid in claim.source_ids if sid in sources]
    return data


def build_summary(answers: Mapping[str, Any], content: Content, today: date) -> Summary:
    """The summary for these effective (already pruned) answers."""
    trials = tuple(trial_assessments(answers, content))
    phq9 = scoring.phq9(answers)
    gad7 = scoring.gad7(answers)
    item9_positive = scoring.item9_positive(answers)
    facts = facts_from(answers, trials, phq9, gad7, item9_positive)

    counts = TrialCounts(
        tried=len(trials),
        possibly_adequate_unsuccessful=sum(1 for t in trials if t.possibly_adequate_unsuccessful),
        not_tolerated=sum(1 for t in trials if not t.tolerated),
    )
    return Summary(
        content_version=content.meta.version,
        generated_on=today,
        decision=content.meta.decision,
        item9_positive=item9_positive,
        phq9=phq9,
        phq9_item9=_item_value(answers, "phq9_9"),
        gad7=gad7,
        situation=situation_sentences(text_answer(answers, "medicines_any"), counts),
        trial_counts=counts,
        trials=trials,
        other_treatments=_other_treatments(answers),
        health=_health(answers),
        practical=_practical(answers),
        options=_options(content, facts),
        priorities=_priorities(answers, content),
        comparison=_comparison(answers, content),
        questions_to_ask=tuple(
            q.text for q in content.questions_to_ask if q.when is None or q.when in facts
        ),
        own_questions=text_answer(answers, "own_questions").strip(),
        clinic_claims=content.clinic_claims,
        sources=_cited_sources(content),
        facts=facts,
    )


def situation_sentences(medicines_any: str, counts: TrialCounts) -> tuple[str, ...]:
    """Two to four neutral sentences on where the person stands. Never a diagnosis."""
    tried = counts.tried
    if tried == 0:
        if medicines_any == "no":
            first = "You said you have not tried an antidepressant medicine in this episode."
        elif medicines_any == "not_sure":
            first = "You were not sure if you have tried an antidepressant in this episode."
        else:
            first = "You have not listed any antidepressant medicines for this episode."
        return (first, "Your clinician can go over your past treatments with you.")

    medicines = "1 medicine" if tried == 1 else f"{tried} medicines"
    sentences = [f"You listed {medicines} tried in this episode."]
    full = counts.possibly_adequate_unsuccessful
    if full == 0:
        sentences.append("From your answers, none of these clearly counts as a full trial.")
    elif full == 1:
        sentences.append("From your answers, 1 may count as a full trial.")
    else:
        sentences.append(f"From your answers, {full} may count as full trials.")
    sentences.append("Your clinician can check whether these count.")
    stopped = counts.not_tolerated
    if stopped == 1:
        sentences.append(
            "You stopped 1 medicine early because of side effects, so it is not counted as a "
            "full trial."
        )
    elif stopped > 1:
        sentences.append(
            f"You stopped {stopped} medicines early because of side effects, so they are not "
            "counted as full trials."
        )
    return tuple(sentences)


def _item_value(answers: Mapping[str, Any], key: str) -> int | None:
    value = answers.get(key)
    if isinstance(value, str) and value.strip() in {"0", "1", "2", "3"}:
        return int(value)
    return None


def _other_treatments(answers: Mapping[str, Any]) -> tuple[OtherTreatment, ...]:
    chosen = set(list_answer(answers, "other_treatments"))
    items = []
    for kind in OTHER_TREATMENT_KINDS:
        if kind not in chosen:
            continue
        sessions = SESSION_LABELS.get(text_answer(answers, f"other_{kind}_sessions"))
        outcome = OUTCOME_LABELS.get(text_answer(answers, f"other_{kind}_outcome"))
        items.append(OtherTreatment(kind, OTHER_TREATMENT_LABELS[kind], sessions, outcome))
    return tuple(items)


def _health(answers: Mapping[str, Any]) -> tuple[HealthItem, ...]:
    ticked = set(list_answer(answers, "health"))
    return tuple(HealthItem(hid, label) for hid, label in HEALTH_LABELS.items() if hid in ticked)


def _practical(answers: Mapping[str, Any]) -> tuple[PracticalItem, ...]:
    items = []
    for key, (label, answer_labels) in PRACTICAL_LABELS.items():
        answer = answer_labels.get(text_answer(answers, key))
        if answer is not None:
            items.append(PracticalItem(key, label, answer))
    return tuple(items)


def _options(content: Content, facts: frozenset[str]) -> tuple[OptionSummary, ...]:
    return tuple(
        OptionSummary(
            option=opt,
            position=position,
            points=tuple(
                rule.text
                for rule in content.point_rules
                if rule.option_id == opt.id and rule.when in facts
            ),
        )
        for position, opt in enumerate(content.options, start=1)
    )


def _rating(answers: Mapping[str, Any], priority_id: str) -> str | None:
    value = text_answer(answers, f"prio_{priority_id}")
    return value if value in RATING_VALUES else None


def _priorities(answers: Mapping[str, Any], content: Content) -> tuple[PriorityRating, ...]:
    by_id = {p.id: p for p in content.priorities}
    return tuple(
        PriorityRating(pid, by_id[pid].label, by_id[pid].short, _rating(answers, pid))
        for pid in PRIORITY_IDS
    )


def comparison_priority_ids(answers: Mapping[str, Any]) -> tuple[str, ...]:
    """What matters most to the person: rated 4, then 3, in the fixed order; at most five."""
    ratings = {pid: _rating(answers, pid) for pid in PRIORITY_IDS}
    chosen = [pid for level in ("4", "3") for pid in PRIORITY_IDS if ratings[pid] == level]
    return tuple(chosen[:MAX_COMPARISON]) or DEFAULT_COMPARISON


def _comparison(answers: Mapping[str, Any], content: Content) -> Comparison:
    by_id = {p.id: p for p in content.priorities}
    ids = comparison_priority_ids(answers)
    rows = tuple(
        ComparisonRow(
            priority_id=pid,
            label=by_id[pid].short,
            cells=tuple(
                ComparisonCell(opt.id, opt.name, opt.at_a_glance[pid]) for opt in content.options
            ),
        )
        for pid in ids
    )
    return Comparison(priority_ids=ids, rows=rows)


def _cited_sources(content: Content) -> tuple[Source, ...]:
    cited: set[str] = set()
    for opt in content.options:
        cited.update(opt.source_ids)
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            cited.update(claim.source_ids)
    for cc in content.clinic_claims:
        cited.update(cc.source_ids)
    return tuple(src for sid, src in content.sources.items() if sid in cited)
