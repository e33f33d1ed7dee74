"""The summary's own sentences (content/data/wording.toml), loaded once and checked for gaps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .records import ContentError, build
from .translation import DEFAULT_LANGUAGE, read_translated

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Situation:
    none_tried_no: str
    none_tried_not_sure: str
    none_tried_unanswered: str
    none_tried_next: str
    listed_one: str
    listed_many: str
    full_none: str
    full_one: str
    full_many: str
    clinician_check: str


@dataclass(frozen=True)
class Wording:
    situation: Situation
    trial_categories: dict[str, str]  # clinician wording, by TrialCategory value


def load_wording(data_dir: Path = DATA_DIR, language: str = DEFAULT_LANGUAGE) -> Wording:
    raw = read_translated(data_dir, "wording.toml", language)
    wording: Wording = build(Wording, raw, "wording")
    for name in ("listed_many", "full_many"):
        if "{count}" not in getattr(wording.situation, name):
            raise ContentError(f"wording.situation.{name}: needs a {{count}}")
    return wording


@cache
def wording(language: str = DEFAULT_LANGUAGE) -> Wording:
    """The bundled wording in `language` (content files do not change while the app runs).
    trial_categories is clinician wording: clinician pages use wording() (English)."""
    return load_wording(language=language)
