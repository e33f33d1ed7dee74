"""Answers + content -> the balanced summary a person takes to their clinician.

All nine options always appear, in the content's fixed order, with the same fields. Answers only
add "points to raise" and choose which priorities the grid shows; nothing here hides, reorders,
ranks or scores an option. Answer labels come from the questionnaire ("summary" wording), and the
sentences built here from content/data/wording.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from decision_aid.content.fact_names import PRIORITY_IDS
from decision_aid.content.questionnaire import Questionnaire
from decision_aid.content.schema import Content, Source
from decision_aid.content.wording import Situation, Wording, wording

from . import scoring
from .answers import Answers
from .facts import OTHER_TREATMENT_KINDS, facts_from
from .summary_model import (
    Flags,
    Gad7Score,
    Grid,
    GridRow,
    HealthItem,
    OptionSummary,
    OtherTreatment,
    Phq9Score,
    Point,
    PracticalItem,
    PriorityItem,
    Scores,
    Summary,
    TrialCounts,
)
from .trials import assess_trials

__all__ = ["Summary", "build_summary", "comparison_priority_ids", "situation_sentences"]

PRACTICAL_FIELDS: tuple[str, ...] = ("visits_per_week", "ride_home", "cost_worry", "preference")
DEFAULT_COMPARISON: tuple[str, ...] = ("chance", "speed", "duration")
MIN_COMPARISON = 3
MAX_COMPARISON = 5
WORDING = "summary"


def build_summary(
    answers: Answers | Mapping[str, Any], content: Content, today: date,
    words: Wording | None = None,
) -> Summary:
    """The summary for these effective (already pruned) answers."""
    a = answers if isinstance(answers, Answers) else Answers.from_draft(answers)
    words = words or wording(content.language)
    q = content.questionnaire
    trials = tuple(assess_trials(a, content))
    phq9 = scoring.phq9(a.raw)
    gad7 = scoring.gad7(a.raw)
    item9_positive = scoring.item9_positive(a.raw)
    facts = facts_from(a, trials, phq9, gad7, item9_positive)
    item9 = _item_value(a.text("phq9_9"))
    counts = TrialCounts.of(trials)
    priorities = _priorities(a, content)
    return Summary(
        content_version=content.meta.version,
        generated_on=today,
        decision=content.meta.decision,
        flags=Flags(
            item9_positive=item9_positive,
            item9_severity=str(scoring.item9_severity(a).value),
            item9_answer=_instrument_choice(content, "phq9", a.text("phq9_9")),
        ),
        scores=Scores(
            phq9=Phq9Score(phq9.total, phq9.band, item9),
            gad7=Gad7Score(gad7.total, gad7.band),
        ),
        situation=situation_sentences(a.text("medicines_any"), counts, words.situation),
        trial_counts=counts,
        trials=trials,
        other_treatments=_other_treatments(a, q),
        health=tuple(
            HealthItem(v, choice_label(q, "health", v)) for v in a.texts("health") if v != "none"
        ),
        practical=_practical(a, q),
        options=_options(content, facts),
        priorities=priorities,
        comparison=_grid(content, priorities),
        questions_to_ask=tuple(
            item.text for item in content.questions_to_ask
            if item.when is None or item.when in facts
        ),
        own_questions=a.text("own_questions").strip(),
        clinic_claims=content.clinic_claims,
        sources=_cited_sources(content),
    )


def situation_sentences(
    medicines_any: str, counts: TrialCounts, words: Situation | None = None
) -> tuple[str, ...]:
    """Neutral sentences on where the person stands; the medicine table gives the details."""
    w = words or wording().situation
    if counts.tried == 0:
        first = {"no": w.none_tried_no, "not_sure": w.none_tried_not_sure}.get(
            medicines_any, w.none_tried_unanswered)
        return (first, w.none_tried_next)
    listed = w.listed_one if counts.tried == 1 else w.listed_many.format(count=counts.tried)
    full = counts.possibly_adequate_unsuccessful
    judged = (w.full_none if full == 0 else w.full_one if full == 1
              else w.full_many.format(count=full))
    return (listed, judged, w.clinician_check)


def choice_label(q: Questionnaire, field_id: str, value: str, wording: str = WORDING) -> str:
    """The questionnaire's words for an answer value ("" when the value is not a choice)."""
    label: str = q.choice_label(field_id, value, wording=wording)
    return label


def _item_value(text: str) -> int | None:
    return int(text) if text in {"0", "1", "2", "3"} else None


def _instrument_choice(content: Content, instrument: str, value: str) -> str:
    for choice_value, label in content.instruments[instrument].choices:
        if choice_value == value:
            return label
    return ""


def _other_treatments(a: Answers, q: Questionnaire) -> tuple[OtherTreatment, ...]:
    chosen = set(a.texts("other_treatments"))
    return tuple(
        OtherTreatment(
            kind=kind,
            label=choice_label(q, "other_treatments", kind),
            sessions=_label_if(q, f"other_{kind}_sessions", a.text(f"other_{kind}_sessions")),
            outcome=_label_if(q, f"other_{kind}_outcome", a.text(f"other_{kind}_outcome")),
        )
        for kind in OTHER_TREATMENT_KINDS
        if kind in chosen
    )


def _label_if(q: Questionnaire, field_id: str, value: str) -> str:
    return choice_label(q, field_id, value) if value else ""


def _practical(a: Answers, q: Questionnaire) -> tuple[PracticalItem, ...]:
    items = []
    for key in PRACTICAL_FIELDS:
        answer = _label_if(q, key, a.text(key))
        if answer:
            items.append(PracticalItem(key, _field_label(q, key), answer, a.text(key)))
    return tuple(items)


def _field_label(q: Questionnaire, field_id: str) -> str:
    f = q.field(field_id)
    return f.check_label or f.label


def _options(content: Content, facts: frozenset[str]) -> tuple[OptionSummary, ...]:
    return tuple(
        OptionSummary(
            id=opt.id,
            name=opt.name,
            position=position,
            what_it_is=opt.what_it_is,
            how_given=opt.how_given,
            schedule=opt.schedule,
            driving_work=opt.driving_work,
            how_soon=opt.how_soon,
            benefits=opt.benefits,
            harms=opt.harms,
            longer_term=opt.longer_term,
            cost=opt.cost,
            evidence=opt.evidence,
            uncertainty=opt.uncertainty,
            grade=opt.grade,
            grade_reason=opt.grade_reason,
            headline=opt.headline,
            benefit_claims=opt.benefit_claims,
            harm_claims=opt.harm_claims,
            shown_because=opt.shown_because,
            points=_points(content, opt.id, facts),
            source_ids=opt.source_ids,
            at_a_glance=dict(opt.at_a_glance),
        )
        for position, opt in enumerate(content.options, start=1)
    )


def comparison_priority_ids(answers: Answers | Mapping[str, Any]) -> tuple[str, ...]:
    """The grid's columns: what the person chose (in the fixed order), topped up to three from
    the default ones so there is always something to compare. Never a ranking or a score."""
    a = answers if isinstance(answers, Answers) else Answers.from_draft(answers)
    picked = set(a.texts("top_priorities"))
    chosen = [pid for pid in PRIORITY_IDS if pid in picked][:MAX_COMPARISON]
    for pid in DEFAULT_COMPARISON:
        if len(chosen) >= MIN_COMPARISON:
            break
        if pid not in chosen:
            chosen.append(pid)
    return tuple(chosen)


def _points(content: Content, option_id: str, facts: frozenset[str]) -> tuple[Point, ...]:
    """The rules that hold, in file order; a point two rules both raise is shown once."""
    points: dict[str, Point] = {}
    for rule in content.point_rules:
        if rule.option_id == option_id and rule.when in facts and rule.text not in points:
            points[rule.text] = Point(rule.text, rule.source_ids)
    return tuple(points.values())


def _priorities(a: Answers, content: Content) -> tuple[PriorityItem, ...]:
    by_id = {p.id: p for p in content.priorities}
    picked = set(a.texts("top_priorities"))
    return tuple(
        PriorityItem(pid, by_id[pid].label, by_id[pid].short, pid in picked)
        for pid in comparison_priority_ids(a)
    )


def _grid(content: Content, priorities: tuple[PriorityItem, ...]) -> Grid:
    priority_ids = tuple(p.id for p in priorities)
    return Grid(
        priority_ids=priority_ids,
        labels=tuple(p.short for p in priorities),
        rows=tuple(
            GridRow(opt.id, opt.name, tuple(opt.at_a_glance[pid] for pid in priority_ids))
            for opt in content.options
        ),
    )


def _cited_sources(content: Content) -> tuple[Source, ...]:
    cited: set[str] = set()
    for opt in content.options:
        cited.update(opt.source_ids)
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            cited.update(claim.source_ids)
        for figure in (opt.headline.benefit, opt.headline.side_effect, opt.headline.stopping,
                       opt.headline.relapse):
            cited.update(figure.source_ids)
    for cc in content.clinic_claims:
        cited.update(cc.source_ids)
    return tuple(src for sid, src in content.sources.items() if sid in cited)
