"""Small valid content records for engine tests that build their own Content."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from decision_aid.content.schema import Meta

_META = Meta(
    version="test",
    published=date(2026, 1, 1),
    next_review=date(2027, 1, 1),
    update_policy="u",
    funding="f",
    conflicts="c",
    authors="a",
    evidence_method="e",
    decision="d",
    condition=("c",),
    reading_grade=7.0,
    option_order_note="n",
)


def make_meta(**overrides: Any) -> Meta:
    return replace(_META, **overrides)
