"""No directive or ranking words, no unconfirmed markers, and numbers only as 'N in 100'."""

from __future__ import annotations

import re

import pytest

from decision_aid.content import Content
from decision_aid.content.language import BANNED_PHRASES, find_banned, patient_text_sets

# Contract list (contract.md "Patient-facing words"); language.BANNED_PHRASES must keep them all.
CONTRACT_PHRASES = (
    "you should",
    "we recommend",
    "best option",
    "best for you",
    "right for you",
    "most effective",
    "the answer is",
    "recommended",
)


def _all_texts(content: Content) -> list[tuple[str, str]]:
    return [(name, t) for name, texts in patient_text_sets(content).items() for t in texts]


def test_banned_list_covers_the_contract() -> None:
    assert set(CONTRACT_PHRASES) <= set(BANNED_PHRASES)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You should try this.", ["you should"]),
        ("YOU  SHOULD try this.", ["you should"]),
        ("This is recommended.", ["recommended"]),
        ("It may be the best option for many.", ["best option"]),
        ("Esketamine is the most effective spray.", ["most effective"]),
        ("Ask what should happen next.", []),
        ("The order is not a ranking.", []),
        ("Some people choose this.", []),
    ],
)
def test_find_banned(text: str, found: list[str]) -> None:
    assert find_banned(text) == found


def test_no_banned_phrases_in_content(content: Content) -> None:
    hits = [(name, t, find_banned(t)) for name, t in _all_texts(content) if find_banned(t)]
    assert not hits, hits


def test_no_unconfirmed_or_verify_markers(content: Content) -> None:
    bad = re.compile(r"\[|\]|unconfirmed|\bverify\b|\bTODO\b|\bTBD\b", re.IGNORECASE)
    hits = [(name, text) for name, text in _all_texts(content) if bad.search(text)]
    assert not hits, hits


def test_no_percentages_in_patient_text(content: Content) -> None:
    # Figures are shown as "N out of 100" / "N in 100", never as percentages.
    bad = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
    hits = [(name, text) for name, text in _all_texts(content) if bad.search(text)]
    assert not hits, hits


def test_frequencies_in_text_use_a_denominator_of_100(content: Content) -> None:
    # "2 in 3", "1 in 7", "4 out of 10" would break the same-denominator rule (IPDAS; brief §7.7).
    freq = re.compile(r"\b\d+(?:\s+to\s+\d+)?\s+(?:in|out of)\s+(\d[\d,]*)\b", re.IGNORECASE)
    hits = [
        (name, text)
        for name, text in _all_texts(content)
        for m in freq.finditer(text)
        if m.group(1) != "100"
    ]
    assert not hits, hits


def test_the_frequency_check_can_fail() -> None:
    freq = re.compile(r"\b\d+(?:\s+to\s+\d+)?\s+(?:in|out of)\s+(\d[\d,]*)\b", re.IGNORECASE)
    assert [m.group(1) for m in freq.finditer("about 1 in 7 and 4 out of 10")] == ["7", "10"]
