"""Meta, crisis help, clinic claims, points, priorities and questions say what they must."""

from __future__ import annotations

import re
from datetime import timedelta

from decision_aid.content import Content
from decision_aid.content.fact_names import KNOWN_FACTS, PRIORITY_IDS


def test_meta_version_and_dates(content: Content) -> None:
    meta = content.meta
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", meta.version)
    assert meta.version.startswith(f"{meta.published.year}.{meta.published.month}.")
    # Reviewed every 6 months: the next review is about 6 months after publication.
    assert timedelta(days=150) <= meta.next_review - meta.published <= timedelta(days=200)
    assert "6 months" in meta.update_policy
    assert "version" in meta.update_policy


def test_meta_discloses_funding_conflicts_and_authors(content: Content) -> None:
    meta = content.meta
    assert "no money from drug or device makers" in meta.funding
    assert meta.conflicts.lower().startswith("none")
    authors = meta.authors.lower()
    assert "not yet been checked by independent clinicians" in authors
    assert "not yet been tested with patients" in authors
    assert "does not claim any clinical qualifications" in authors


def test_meta_states_the_decision_and_condition(content: Content) -> None:
    meta = content.meta
    assert meta.decision.startswith("The decision:")
    assert "clinician" in meta.decision
    assert 2 <= len(meta.condition) <= 4
    assert any("treatment-resistant depression" in p for p in meta.condition)


def test_meta_describes_evidence_method_and_order(content: Content) -> None:
    meta = content.meta
    assert "November 2026" in meta.evidence_method
    assert "not shown" in meta.evidence_method  # unconfirmed figures are left out
    assert meta.option_order_note == (
        "Options are listed from least to most intensive. The order is not a ranking."
    )


def test_crisis_help_is_complete(content: Content) -> None:
    crisis = content.crisis
    assert "988" in crisis.call_text and "text" in crisis.call_text.lower()
    assert crisis.chat_url == "https://988lifeline.org/chat/"
    assert "911" in crisis.emergency
    extra = " ".join(crisis.extra)
    assert "press 1" in extra and "838255" in extra  # veterans
    assert "press 2" in extra  # Spanish
    assert "711" in extra  # TTY / relay
    assert "press 3" not in extra  # discontinued in July 2025
    assert "today" in crisis.clinician_today


def test_clinic_claims_cover_the_seed_claims(content: Content) -> None:
    option_ids = {o.id for o in content.options}
    claims = {c.id: c for c in content.clinic_claims}
    assert len(claims) == 12
    for c in claims.values():
        assert c.claim.strip() and c.evidence_shows.strip() and c.source_ids
        assert c.option_ids and set(c.option_ids) <= option_ids
    all_text = " ".join(c.claim for c in claims.values())
    for phrase in ("50 and 70", "One third", "4 to 6 weeks", "45 to 60 minutes"):
        assert phrase in all_text
    # The seven seed claims the review found unanswered (addendum A11), plus the serotonin claim.
    for phrase in (
        "rewires",
        "process trauma",
        "few sessions for lasting benefit",
        "once a week or less",
        "FDA approval shows that ketamine is safe",
        "part of the healing process",
        "mask symptoms",
        "chemical imbalance",
    ):
        assert phrase in all_text, phrase


def test_clinic_claims_answer_in_the_same_calm_format(content: Content) -> None:
    # Same shape as the first four: the claim as people hear it, then what studies show, in plain
    # words, with numbers only as "N in 100" and no verdict words.
    verdict = re.compile(r"\b(false|lie|myth|debunked|scam|wrong)\b", re.IGNORECASE)
    for c in content.clinic_claims:
        assert c.claim.endswith("."), c.id
        assert 25 <= len(c.evidence_shows.split()) <= 160, c.id
        assert not verdict.search(c.evidence_shows), c.id


def test_points_cover_the_key_safety_and_practical_facts(content: Content) -> None:
    pairs = {(p.when, p.option_id) for p in content.point_rules}
    for pair in [
        ("high_blood_pressure", "esketamine"),
        ("high_blood_pressure", "iv_ketamine"),
        ("no_ride_home", "esketamine"),
        ("pregnancy_or_breastfeeding", "esketamine"),
        ("psychosis_or_bipolar", "esketamine"),
        ("psychosis_or_bipolar", "iv_ketamine"),
        ("substance_use", "iv_ketamine"),
        ("seizures", "ect"),
        ("seizures", "tms"),
        ("memory_concerns", "ect"),
        ("any_trial_short", "adjust_dose"),
        ("any_trial_short", "continue"),
        ("two_or_more_possibly_adequate_unsuccessful", "esketamine"),
        ("two_or_more_possibly_adequate_unsuccessful", "tms"),
        ("two_or_more_possibly_adequate_unsuccessful", "ect"),
        ("visits_once_a_week_or_less", "tms"),
        ("cost_worry", "iv_ketamine"),
    ]:
        assert pair in pairs, pair
    assert {p.when for p in content.point_rules} <= set(KNOWN_FACTS)


def test_points_are_things_to_raise_not_verdicts(content: Content) -> None:
    verdict = re.compile(
        r"\b(not suitable|unsuitable|cannot have|can't have|is not for you|"
        r"rules you out|you qualify|you are eligible)\b",
        re.IGNORECASE,
    )
    for p in content.point_rules:
        assert not verdict.search(p.text), p.text


def test_priorities_have_labels_and_short_headers(content: Content) -> None:
    assert tuple(p.id for p in content.priorities) == PRIORITY_IDS
    for p in content.priorities:
        assert p.label.strip() and p.short.strip()
        assert len(p.short.split()) <= 4, p.short


def test_questions_to_ask_include_the_core_list(content: Content) -> None:
    always = [q.text for q in content.questions_to_ask if q.when is None]
    assert len(always) >= 9
    joined = " ".join(always).lower()
    for phrase in (
        "staying on my current treatment",
        "out of 100 people like me",
        "cost",
        "drive",
        "talking therapy",
        "short time",
        "harming myself",
    ):
        assert phrase in joined, phrase
    conditional = [q for q in content.questions_to_ask if q.when is not None]
    assert conditional and all(q.when in KNOWN_FACTS for q in conditional)


def test_glossary_terms_are_unique_and_defined(content: Content) -> None:
    terms = [t.term for t in content.glossary]
    assert len(terms) == len(set(terms))
    for needed in ("Response", "Remission", "Relapse", "Off-label", "REMS", "Dissociation"):
        assert any(t.startswith(needed) for t in terms), needed


def test_meta_says_who_the_numbers_are_about(content: Content) -> None:
    text = " ".join(content.meta.who_numbers_are_about).lower()
    for needed in ("adults", "unipolar", "bipolar", "psychosis", "pregnant", "under 18"):
        assert needed in text, needed
    assert "not test the options against each other" in content.meta.headline_note
