"""Rules for the words patients read: banned directive or ranking phrases, and the texts to check.

Kept in the package (not in one test) because content, engine and web tests share the banned list
and the grouping of patient texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .schema import Claim, Content, NotKnown, Option

# Phrases that tell people what to choose, or rank the options. Matched case-insensitively on
# word boundaries. Citations are not patient text and are not checked.
BANNED_PHRASES: tuple[str, ...] = (
    "you should",
    "you ought to",
    "you must choose",
    "we recommend",
    "we suggest",
    "recommended",
    "best option",
    "best choice",
    "best treatment",
    "best for you",
    "right for you",
    "right choice",
    "ideal for you",
    "perfect for you",
    "most effective",
    "works best",
    "better choice",
    "first choice",
    "top choice",
    "the answer is",
    "your match",
    "match score",
    "guaranteed",
    "miracle",
    "breakthrough",
)

_BANNED_RE = tuple(
    (phrase, re.compile(r"\b" + re.escape(phrase).replace(r"\ ", r"\s+") + r"\b", re.IGNORECASE))
    for phrase in BANNED_PHRASES
)


def find_banned(text: str) -> list[str]:
    """The banned phrases found in text (empty when the text is clean)."""
    return [phrase for phrase, rx in _BANNED_RE if rx.search(text)]


def _claim_texts(claim: Claim) -> list[str]:
    return [
        claim.label,
        claim.comparison_group,
        claim.population,
        claim.outcome,
        claim.time_frame,
        claim.uncertainty,
    ]


def _option_prose(option: Option) -> list[str]:
    """The option's own section: every paragraph, list item and claim field, in display order.

    The short at-a-glance cells are read in the comparison grid, so they form their own set.
    """
    texts = [
        option.name,
        option.what_it_is,
        option.how_given,
        option.schedule,
        option.driving_work,
        option.how_soon,
        *option.benefits,
        *option.harms,
        option.longer_term,
        option.cost,
        option.evidence,
        option.grade_reason,
        option.uncertainty,
        option.shown_because,
    ]
    for _, figure in option.headline.rows():
        if isinstance(figure, NotKnown):
            texts.extend((figure.label, figure.text))
    for claim in (*option.benefit_claims, *option.harm_claims):
        texts.extend(_claim_texts(claim))
    return texts


def patient_text_sets(content: Content) -> dict[str, list[str]]:
    """Patient-facing content strings, one list per part of a page that is read together.

    Each string is one text unit: a paragraph, list item, heading or table cell. Leaves out the
    verbatim instruments (PHQ-9, GAD-7, SURE), the questionnaire, citations, medicine names and
    URLs.
    """
    meta = content.meta
    crisis = content.crisis
    sets: dict[str, list[str]] = {
        "meta": [
            meta.decision,
            *meta.condition,
            *meta.who_numbers_are_about,
            meta.headline_note,
            *meta.grade_rule,
            meta.update_policy,
            meta.funding,
            meta.conflicts,
            meta.authors,
            meta.evidence_method,
            meta.option_order_note,
        ],
    }
    for opt in content.options:
        sets[f"option:{opt.id}"] = _option_prose(opt)
    sets["comparison_table"] = [
        *(p.short for p in content.priorities),
        *(cell for opt in content.options for cell in opt.at_a_glance.values()),
    ]
    sets["medicine_notes"] = [m.note for m in content.medicines.values() if m.note]
    # The About page shows each term and its definition in separate cells.
    sets["glossary"] = [t for term in content.glossary for t in (term.term, term.definition)]
    sets["crisis"] = [
        crisis.heading,
        crisis.call_text,
        crisis.emergency,
        *crisis.extra,
        crisis.clinician_today,
        crisis.safety_plan_text,
        crisis.not_watched,
    ]
    sets["clinic_claims"] = [t for c in content.clinic_claims for t in (c.claim, c.evidence_shows)]
    sets["points"] = [p.text for p in content.point_rules]
    sets["priorities"] = [p.label for p in content.priorities]
    sets["questions_to_ask"] = [q.text for q in content.questions_to_ask]
    return {name: [t for t in texts if t] for name, texts in sets.items()}


def as_prose(texts: Iterable[str]) -> str:
    """Join text units so that each ends a sentence: a cell or heading never runs into the next."""
    parts = []
    for text in texts:
        text = " ".join(text.split())
        if text and text[-1] not in ".!?":
            text += "."
        parts.append(text)
    return " ".join(parts)


__all__ = ["BANNED_PHRASES", "as_prose", "find_banned", "patient_text_sets"]
