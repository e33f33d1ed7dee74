"""The languages the content is written in, and the Spanish mirror files laid over the English.

data/es/<name>.toml has the same tables, keys, list lengths and order as data/<name>.toml, with
every text translated. Ids and other non-text values (numbers, dates, source ids, choice values)
may be left out, and then come from the English; given, they must equal it. Anything missing,
extra or changed is refused, every problem named at once: a missing translation is never
silently shown in English.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .records import ContentError, read_toml

LANGUAGES: tuple[str, ...] = ("en", "es")
DEFAULT_LANGUAGE = "en"
# How clinician pages (English) name each language.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish"}
# Kept in their own language: source titles are cited as published.
ENGLISH_ONLY_FILES = frozenset({"sources.toml"})
# Keys that hold ids or other values that are not words a patient reads (when they hold a
# scalar or a list of scalars; a table under such a key, e.g. headline.stopping, is recursed).
NON_TEXT = frozenset({
    "id", "option_ids", "source_ids", "option_id", "when", "design", "benefit", "relapse",
    "side_effect", "stopping", "value", "type", "op", "field", "section", "choice_set",
    "choices_from", "loop", "instrument_items", "kind", "category", "version",
    "safety_plan_url", "url", "unit", "grade", "brands", "clinician", "citation", "short_id",
})
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _nested(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(x, dict) for x in value))


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(_has_text(x) for x in value)
    if isinstance(value, dict):
        return any((k not in NON_TEXT or _nested(x)) and _has_text(x) for k, x in value.items())
    return False


def is_text(key: str, value: Any) -> bool:
    """Whether the translation must give this value (rather than may leave it out)."""
    return (key not in NON_TEXT or _nested(value)) and _has_text(value)


def overlay(english: Any, translated: Any, path: str, problems: list[str]) -> Any:
    """The translated value with the English non-text values it leaves out filled in; each
    difference in shape is appended to `problems`."""
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            problems.append(f"{path or '(file)'}: expected a table")
            return english
        problems.extend(f"{path}.{k}".lstrip(".") + ": extra key, not in the English"
                        for k in translated if k not in english)
        merged: dict[str, Any] = {}
        for key, value in english.items():
            at = f"{path}.{key}".lstrip(".")
            if not is_text(key, value):
                if key in translated and translated[key] != value:
                    problems.append(f"{at}: must equal the English ({value!r})")
                merged[key] = value
            elif key not in translated:
                problems.append(f"{at}: missing translation")
                merged[key] = value
            else:
                merged[key] = overlay(value, translated[key], at, problems)
        return merged
    if isinstance(english, list):
        if not isinstance(translated, list) or len(translated) != len(english):
            have = len(translated) if isinstance(translated, list) else "no list"
            problems.append(f"{path}: {have} entries where the English has {len(english)}")
            return english
        return [overlay(a, b, f"{path}[{i}]", problems)
                for i, (a, b) in enumerate(zip(english, translated, strict=True))]
    if isinstance(english, str):
        if not isinstance(translated, str) or not translated.strip():
            problems.append(f"{path}: missing translation")
            return english
        if set(_PLACEHOLDER.findall(english)) != set(_PLACEHOLDER.findall(translated)):
            problems.append(f"{path}: placeholders differ from the English "
                            f"{sorted(set(_PLACEHOLDER.findall(english)))}")
        return translated
    if translated != english:
        problems.append(f"{path}: must equal the English ({english!r})")
    return english


def read_translated(data_dir: Path, name: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """data/<name> in `language`: the English itself, or data/<language>/<name> laid over it."""
    if language not in LANGUAGES:
        raise ContentError(f"unknown language {language!r} (expected one of {LANGUAGES})")
    english = read_toml(data_dir, name)
    if language == DEFAULT_LANGUAGE or name in ENGLISH_ONLY_FILES:
        return english
    try:
        translated = read_toml(data_dir / language, name)
    except ContentError as exc:
        raise ContentError(f"{language}/{exc}") from exc
    problems: list[str] = []
    merged: dict[str, Any] = overlay(english, translated, "", problems)
    if problems:
        raise ContentError(f"{language}/{name}: " + "; ".join(problems))
    return merged
