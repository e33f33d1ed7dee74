"""Rules for the words patients read: banned directive or ranking phrases, and the text to check.

Kept here (not in a test) so content tests, web tests and any content tooling share one list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .schema import Claim, Content, Option

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


# Benefits and harms must be told in equal detail (IPDAS C1): their word counts may differ by at
# most this share of the larger one.
BALANCE_TOLERANCE = 0.25


def balance_word_counts(option: Option) -> tuple[int, int]:
    """(words in benefits + benefit claim labels, words in harms + harm claim labels)."""

    def words(texts: Iterable[str]) -> int:
        return sum(len(t.split()) for t in texts)

    benefits = words(option.benefits) + words(c.label for c in option.benefit_claims)
    harms = words(option.harms) + words(c.label for c in option.harm_claims)
    return benefits, harms


def is_balanced(option: Option) -> bool:
    benefits, harms = balance_word_counts(option)
    return abs(benefits - harms) <= BALANCE_TOLERANCE * max(benefits, harms)


def claim_texts(claim: Claim) -> list[str]:
    return [
        claim.label,
        claim.comparison_group,
        claim.population,
        claim.outcome,
        claim.time_frame,
        claim.uncertainty,
    ]


def option_texts(option: Option) -> list[str]:
    """Every string a patient reads about one option, in display order."""
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
        option.uncertainty,
        option.shown_because,
        *option.at_a_glance.values(),
    ]
    for claim in (*option.benefit_claims, *option.harm_claims):
        texts.extend(claim_texts(claim))
    return texts


def patient_text_sets(content: Content) -> dict[str, list[str]]:
    """Patient-facing content strings grouped into the sets that readability is judged on.

    Excludes verbatim instruments (PHQ-9, GAD-7, SURE), the questionnaire, source citations,
    medicine names and URLs.
    """
    meta = content.meta
    crisis = content.crisis
    sets: dict[str, list[str]] = {
        "meta": [
            meta.decision,
            *meta.condition,
            meta.update_policy,
            meta.funding,
            meta.conflicts,
            meta.authors,
            meta.evidence_method,
            meta.option_order_note,
        ],
    }
    for opt in content.options:
        sets[f"option:{opt.id}"] = option_texts(opt)
    sets["medicine_notes"] = [m.note for m in content.medicines.values() if m.note]
    sets["glossary"] = [f"{t.term}: {t.definition}" for t in content.glossary]
    sets["crisis"] = [
        crisis.heading,
        crisis.call_text,
        crisis.emergency,
        *crisis.extra,
        crisis.clinician_today,
    ]
    sets["clinic_claims"] = [t for c in content.clinic_claims for t in (c.claim, c.evidence_shows)]
    sets["points"] = [p.text for p in content.point_rules]
    sets["priorities"] = [t for p in content.priorities for t in (p.label, p.short)]
    sets["questions_to_ask"] = [q.text for q in content.questions_to_ask]
    return {name: [t for t in texts if t] for name, texts in sets.items()}


def as_prose(texts: Iterable[str]) -> str:
    """Join strings as separate sentences, so headings and table cells are not run together."""
    parts = []
    for text in texts:
        text = " ".join(text.split())
        if text and text[-1] not in ".!?":
            text += "."
        parts.append(text)
    return " ".join(parts)


__all__ = [
    "BALANCE_TOLERANCE",
    "BANNED_PHRASES",
    "as_prose",
    "balance_word_counts",
    "claim_texts",
    "find_banned",
    "is_balanced",
    "option_texts",
    "patient_text_sets",
]
