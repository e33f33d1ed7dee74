"""The words for past-medicine assessments (data/trials.toml) and the dose table they cite.

The engine (decision_aid.engine.trials) picks a reason id; every sentence a patient or clinician
reads about a past medicine comes from here, so a content editor can reach all of it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .records import ContentError
from .translation import DEFAULT_LANGUAGE, read_translated

DATA_DIR = Path(__file__).resolve().parent / "data"

# The trial categories, as engine.trials.TrialCategory values (a test keeps the two in step).
CATEGORIES: tuple[str, ...] = (
    "may_count",
    "helped",
    "partial",
    "too_short",
    "dose_low",
    "missed_doses",
    "stopped_side_effects_early",
    "stopped_side_effects_late",
    "not_sure",
)
REASON_IDS: tuple[str, ...] = (
    "may_count",
    "may_count_added",
    "helped",
    "helped_added",
    "partial",
    "partial_added",
    "too_short",
    "too_short_added",
    "dose_low",
    "missed_doses",
    "stopped_side_effects_early",
    "stopped_side_effects_late",
    "not_sure_medicine",
    "not_sure_no_minimum",
    "not_sure_dose",
    "not_sure_unit",
    "not_sure_weeks",
    "not_sure_helped",
)
NOTE_IDS: tuple[str, ...] = (
    "dose_low",
    "too_short",
    "weeks_unknown",
    "dose_unknown",
    "missed_doses",
    "adherence_unsure",
    "adherence_mostly",
    "added_outcome",
)
WORD_IDS: tuple[str, ...] = ("not_provided", "dose", "added_name", "another_medicine", "not_named")
PLACEHOLDERS = frozenset({"dose", "min_dose", "table", "medicine", "added_to", "amount", "unit"})


@dataclass(frozen=True)
class TrialReason:
    id: str
    category: str
    patient: str
    clinician: str


@dataclass(frozen=True)
class DoseSource:
    """Where a medicine's listed minimum dose comes from."""

    name: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class TrialWording:
    reasons: dict[str, TrialReason]
    notes: dict[str, str]
    words: dict[str, str]
    table: DoseSource  # the one dose table used for every listed minimum ...
    exceptions: dict[str, DoseSource]  # ... except these medicines (addendum A3: venlafaxine)

    def dose_source(self, medicine_id: str) -> DoseSource:
        return self.exceptions.get(medicine_id, self.table)


def fill(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; one the caller did not give reads as "" rather than failing."""
    return string.Formatter().vformat(template, (), _Blank(values))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _check_text(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ContentError(f"{where}: expected non-empty text")
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise ContentError(f"{where}: unknown placeholder {{{name}}}")
    return text.strip()


def _dose_source(raw: Any, where: str) -> DoseSource:
    if not isinstance(raw, dict) or set(raw) != {"name", "source_ids"}:
        raise ContentError(f"{where}: needs exactly name and source_ids")
    ids = raw["source_ids"]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ContentError(f"{where}.source_ids: expected a list of source ids")
    return DoseSource(name=_check_text(raw["name"], f"{where}.name"), source_ids=tuple(ids))


def _table_of_ids(raw: Any, ids: tuple[str, ...], where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(ids):
        have = set(raw) if isinstance(raw, dict) else set()
        raise ContentError(
            f"{where}: needs exactly {sorted(ids)} (missing {sorted(set(ids) - have)}, "
            f"unknown {sorted(have - set(ids))})"
        )
    return {k: _check_text(raw[k], f"{where}.{k}") for k in ids}


def load_trial_wording(data_dir: Path = DATA_DIR, source_ids: frozenset[str] | None = None,
                       medicine_ids: frozenset[str] | None = None,
                       language: str = DEFAULT_LANGUAGE) -> TrialWording:
    """Read and check trials.toml and the [dose_table] of medicines.toml; fails loudly."""
    raw = read_translated(data_dir, "trials.toml", language)
    reasons: dict[str, TrialReason] = {}
    for i, row in enumerate(raw.get("reason") or []):
        where = f"trials.reason[{i}]"
        if not isinstance(row, dict) or set(row) != {"id", "category", "patient", "clinician"}:
            raise ContentError(f"{where}: needs exactly id, category, patient and clinician")
        if row["id"] in reasons:
            raise ContentError(f"{where}: duplicate id {row['id']!r}")
        if row["category"] not in CATEGORIES:
            raise ContentError(f"{where}: unknown category {row['category']!r}")
        reasons[row["id"]] = TrialReason(
            id=row["id"],
            category=row["category"],
            patient=_check_text(row["patient"], f"{where}.patient"),
            clinician=_check_text(row["clinician"], f"{where}.clinician"),
        )
    if set(reasons) != set(REASON_IDS):
        raise ContentError(
            f"trials.toml: reasons must be exactly {sorted(REASON_IDS)} "
            f"(missing {sorted(set(REASON_IDS) - set(reasons))}, "
            f"unknown {sorted(set(reasons) - set(REASON_IDS))})"
        )
    notes = _table_of_ids(raw.get("notes"), NOTE_IDS, "trials.notes")
    words = _table_of_ids(raw.get("words"), WORD_IDS, "trials.words")

    table_raw = read_translated(data_dir, "medicines.toml", language).get("dose_table")
    if not isinstance(table_raw, dict):
        raise ContentError("medicines.toml: needs a [dose_table] naming the one table used")
    exceptions_raw = table_raw.get("exceptions", {})
    table = _dose_source({k: v for k, v in table_raw.items() if k != "exceptions"}, "dose_table")
    if not isinstance(exceptions_raw, dict):
        raise ContentError("dose_table.exceptions: expected a table")
    exceptions = {
        med: _dose_source(v, f"dose_table.exceptions.{med}") for med, v in exceptions_raw.items()
    }
    for where, src in (("dose_table", table), *exceptions.items()):
        unknown = [s for s in src.source_ids if source_ids is not None and s not in source_ids]
        if unknown:
            raise ContentError(f"{where}: unknown source id(s) {unknown}")
    if medicine_ids is not None and not set(exceptions) <= medicine_ids:
        raise ContentError(f"dose_table.exceptions: unknown medicine(s) "
                           f"{sorted(set(exceptions) - medicine_ids)}")
    return TrialWording(reasons=reasons, notes=notes, words=words, table=table,
                        exceptions=exceptions)


@lru_cache(maxsize=8)
def trial_wording(data_dir: Path = DATA_DIR, language: str = DEFAULT_LANGUAGE) -> TrialWording:
    """The checked wording, read once per data directory and language."""
    return load_trial_wording(data_dir, language=language)
