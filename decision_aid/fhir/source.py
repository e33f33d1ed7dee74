"""The one place that reads saved records and their snapshots for the FHIR and CSV outputs.

The snapshot is `Summary.to_dict()` as it was when the person saved; older snapshots may lack
newer keys, so every read here is defensive and falls back to the record's own columns.
If the Summary or trial shapes change, this module is the only one to update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from decision_aid.storage.models import PatientRecord

SIDE_EFFECT_CATEGORIES = frozenset({"stopped_side_effects_early", "stopped_side_effects_late"})
TOP_RATINGS = ("4", "3")


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TrialCounts:
    tried: int  # every trial assessed, medicines added to another one included
    may_count: int
    stopped_side_effects: int
    added: int = 0  # of those, medicines taken alongside another (augmentation)


@dataclass(frozen=True)
class SavedSummary:
    """What the FHIR and CSV outputs need from one saved record, typed."""

    id: str
    status: str
    shared: bool
    content_version: str
    language: str
    generated_on: str
    completed_at: datetime | None
    saved_at: datetime | None
    shared_at: datetime | None
    reviewed_at: datetime | None
    item9_positive: bool
    item9_value: int | None
    item9_severity: str
    phq9_total: int | None
    phq9_band: str | None
    gad7_total: int | None
    gad7_band: str | None
    trials: TrialCounts
    top_priorities: tuple[str, ...]
    sure_score: int | None
    own_questions: str

    @property
    def authored(self) -> datetime | None:
        return self.saved_at or self.completed_at


def trial_counts(snap: Mapping[str, Any]) -> TrialCounts:
    """Counts from the trial list when present (newer snapshots), else the saved counts."""
    trials = [_dict(t) for t in _list(snap.get("trials"))]
    counts = _dict(snap.get("trial_counts"))
    if trials:
        may = sum(
            1 for t in trials
            if t.get("may_count") is True
            or t.get("category") == "may_count"
            or t.get("possibly_adequate_unsuccessful") is True
        )
        stopped = sum(
            1 for t in trials
            if t.get("category") in SIDE_EFFECT_CATEGORIES
            or ("category" not in t and t.get("tolerated") is False)
        )
        added = sum(1 for t in trials if t.get("role") == "added")
        return TrialCounts(len(trials), may, stopped, added)
    return TrialCounts(
        _int(counts.get("tried")) or 0,
        _int(counts.get("may_count", counts.get("possibly_adequate_unsuccessful"))) or 0,
        _int(counts.get("stopped_side_effects", counts.get("not_tolerated"))) or 0,
    )


def top_priorities(snap: Mapping[str, Any]) -> tuple[str, ...]:
    """The priorities the person chose (newer snapshots), or rated 4 then 3 (older ones)."""
    items = [_dict(p) for p in _list(snap.get("priorities"))]
    items = [p for p in items if isinstance(p.get("id"), str)]
    if any("chosen" in p for p in items):
        return tuple(str(p["id"]) for p in items if p.get("chosen") is True)
    return tuple(
        str(p["id"]) for level in TOP_RATINGS for p in items if str(p.get("rating")) == level
    )


def from_record(record: PatientRecord) -> SavedSummary:
    snap = _dict(record.summary_snapshot)
    scores = _dict(snap.get("scores"))
    phq9 = _dict(scores.get("phq9"))
    gad7 = _dict(scores.get("gad7"))
    flags = _dict(snap.get("flags"))
    phq9_total = _int(phq9.get("total"))
    gad7_total = _int(gad7.get("total"))
    return SavedSummary(
        id=record.id,
        status=record.status,
        shared=bool(record.shared),
        content_version=str(snap.get("content_version") or record.content_version),
        language=str(record.language or "en"),
        generated_on=str(snap.get("generated_on") or ""),
        completed_at=as_utc(record.completed_at),
        saved_at=as_utc(record.saved_at),
        shared_at=as_utc(record.shared_at),
        reviewed_at=as_utc(record.reviewed_at),
        item9_positive=bool(flags.get("item9_positive")) or bool(record.flagged),
        item9_value=_int(phq9.get("item9")),
        item9_severity=str(flags.get("item9_severity") or ""),
        phq9_total=phq9_total if phq9_total is not None else record.phq9_total,
        phq9_band=phq9.get("band") if isinstance(phq9.get("band"), str) else None,
        gad7_total=gad7_total if gad7_total is not None else record.gad7_total,
        gad7_band=gad7.get("band") if isinstance(gad7.get("band"), str) else None,
        trials=trial_counts(snap),
        top_priorities=top_priorities(snap),
        sure_score=record.sure_score,
        own_questions=str(snap.get("own_questions") or "").strip(),
    )


def sure_answers(record: PatientRecord) -> dict[str, str]:
    raw = record.sure_answers
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}


def effective_answers(record: PatientRecord, questionnaire: Any) -> dict[str, Any]:
    """The answers on the person's current path (what the summary was built from)."""
    from ..engine.router import effective_answers as effective

    raw = record.answers if isinstance(record.answers, Mapping) else {}
    return effective(questionnaire, raw)
