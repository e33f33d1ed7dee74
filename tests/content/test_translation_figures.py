"""Balance is counted in figures: every Spanish text carries exactly the figures of its English.

Each text leaf of data/es/*.toml is paired with the English leaf at the same path (the loader's
own shape rules guarantee the pairing) and the digit runs of both are compared as multisets,
so "4.5" and "4,5" or "1,500" and "1.500" match, but a changed, dropped or added figure fails.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from decision_aid.content.loader import DATA_DIR
from decision_aid.content.records import read_toml
from decision_aid.content.translation import ENGLISH_ONLY_FILES, is_text

DIGITS = re.compile(r"\d+")
# Texts whose figures differ on purpose: the crisis lines' phone menus differ by language (988
# then 2 for Spanish); an instrument's name may spell out its item count differently.
DIFFERENT_ON_PURPOSE = {"crisis.toml", "instruments.toml.instrument[1].name"}
SPANISH_FILES = sorted(p.name for p in (DATA_DIR / "es").glob("*.toml"))


def pairs(english: Any, spanish: Any, path: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(english, dict) and isinstance(spanish, dict):
        for key, value in english.items():
            if key in spanish and is_text(key, value):
                yield from pairs(value, spanish[key], f"{path}.{key}")
    elif isinstance(english, list) and isinstance(spanish, list):
        for i, (a, b) in enumerate(zip(english, spanish, strict=False)):
            yield from pairs(a, b, f"{path}[{i}]")
    elif isinstance(english, str) and isinstance(spanish, str):
        yield path, english, spanish


def test_every_translated_file_is_checked() -> None:
    english = {p.name for p in DATA_DIR.glob("*.toml")} - ENGLISH_ONLY_FILES
    assert set(SPANISH_FILES) == english


@pytest.mark.parametrize("name", SPANISH_FILES)
def test_spanish_texts_carry_the_english_figures(name: str) -> None:
    english = read_toml(DATA_DIR, name)
    spanish = read_toml(DATA_DIR / "es", name)
    wrong = [
        f"{path}: {sorted(Counter(DIGITS.findall(en)).elements())} in English, "
        f"{sorted(Counter(DIGITS.findall(es)).elements())} in Spanish"
        for path, en, es in pairs(english, spanish, name)
        if Counter(DIGITS.findall(en)) != Counter(DIGITS.findall(es))
        and name not in DIFFERENT_ON_PURPOSE and path not in DIFFERENT_ON_PURPOSE
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_changed_figure() -> None:
    found = list(pairs({"a": "About 59 in 100"}, {"a": "Unas 58 de cada 100"}, "t"))
    assert [Counter(DIGITS.findall(en)) == Counter(DIGITS.findall(es)) for _, en, es in found] \
        == [False]
