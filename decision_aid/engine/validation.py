"""Check one posted question page against its fields, in the question's own words.

validate_page never raises, whatever the form holds: unknown keys are ignored, odd values become
errors. It keeps what the person typed (raw) so the page can be shown again with their answers.
Fields hidden by reveal_if are neither required nor kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from decision_aid.content.questionnaire import Condition, Field, Page

# Plain numbers only: "50", "50.5", ".5", "-3" (then too small). Not "75 mg", "1e3", "1,000".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def N_(text: str) -> str:
    """Marks an English message for the translation catalog (N_ is a name pybabel extracts by
    default); the web layer translates it."""
    return text


_FALLBACKS = {
    "required": N_("Answer this question"),
    "invalid": N_("Select one of the choices shown"),
    "not_number": N_("Enter a number, like 50"),
    "too_small": N_("Enter a bigger number"),
    "too_large": N_("Enter a smaller number"),
    "too_long": N_("Enter fewer characters"),
    "too_many": N_("Select fewer"),
}


@dataclass(frozen=True)
class ValidationResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def message(f: Field, key: str) -> str:
    """The field's own message for this problem, falling back to the required message."""
    if key in f.errors:
        return f.errors[key]
    if key == "invalid" and "required" in f.errors:
        return f.errors["required"]
    return _FALLBACKS[key]


def condition_holds(cond: Condition, values: Mapping[str, Any]) -> bool:
    """Does a condition hold for these answers? Shared by the router and validation."""
    value = values.get(cond.field)
    if cond.op == "answered":
        return has_value(value)
    if cond.op == "equals":
        return bool(value == cond.value)
    if cond.op == "not_equals":
        return bool(value != cond.value)
    if cond.op == "in":
        return isinstance(cond.value, tuple | list) and value in cond.value
    if cond.op == "contains":
        return isinstance(value, list | tuple) and cond.value in value
    if cond.op == "not_contains":
        return not (isinstance(value, list | tuple) and cond.value in value)
    return False


def revealed_values(page: Page, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the page's fields that are shown (a reveal_if field only when it holds)."""
    return {
        f.id: values[f.id]
        for f in page.fields
        if f.id in values and (f.reveal_if is None or condition_holds(f.reveal_if, values))
    }


def has_value(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return True


def _strings(form: Mapping[str, Any], key: str) -> list[str]:
    try:
        raw = form.get(key)
    except Exception:  # a hostile Mapping must not turn into a server error
        return []
    if raw is None:
        return []
    if isinstance(raw, str | bytes):
        raw = [raw]
    try:
        items = list(raw)
    except TypeError:
        items = [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, str):
            out.append(item.replace("\x00", ""))
    return out


def _choice_field(f: Field, typed: list[str]) -> tuple[Any, str | None, str]:
    raw = typed[0] if typed else ""
    value = raw.strip()
    if not value:
        return None, None if f.optional else message(f, "required"), raw
    if value not in {c.value for c in f.choices}:
        return None, message(f, "invalid"), raw
    return value, None, raw


def _checkbox_field(f: Field, typed: list[str]) -> tuple[Any, str | None, list[str]]:
    chosen = {t.strip() for t in typed if t.strip()}
    if not chosen:
        return None, None if f.optional else message(f, "required"), list(typed)
    known = {c.value for c in f.choices}
    if not chosen <= known:
        return None, message(f, "invalid"), list(typed)
    exclusive = {c.value for c in f.choices if c.exclusive}
    if chosen & exclusive and len(chosen) > 1:
        return None, message(f, "invalid"), list(typed)
    if f.max_choices is not None and len(chosen) > f.max_choices:
        return None, message(f, "too_many"), list(typed)
    return [c.value for c in f.choices if c.value in chosen], None, list(typed)


def _number_field(f: Field, typed: list[str]) -> tuple[Any, str | None, str]:
    raw = typed[0] if typed else ""
    text = raw.strip()
    if not text:
        return None, None if f.optional else message(f, "required"), raw
    if f.suffix and text.lower().endswith(f.suffix.lower()):
        text = text[: -len(f.suffix)].rstrip()  # "150 mg" in a box that already says mg
    if len(text) > 30 or not _NUMBER.fullmatch(text):
        return None, message(f, "not_number"), raw
    number = float(text)
    if not math.isfinite(number):
        return None, message(f, "not_number"), raw
    if f.minimum is not None and number < f.minimum:
        return None, message(f, "too_small"), raw
    if f.maximum is not None and number > f.maximum:
        return None, message(f, "too_large"), raw
    return number, None, raw


def _text_field(f: Field, typed: list[str]) -> tuple[Any, str | None, str]:
    raw = typed[0] if typed else ""
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        return None, None if f.optional else message(f, "required"), raw
    if f.max_length is not None and len(text) > f.max_length:
        return None, message(f, "too_long"), raw
    return text, None, raw


def validate_page(page: Page, form: Mapping[str, Any]) -> ValidationResult:
    """Parse and check the fields of one page from a form of {field id: [typed values]}.

    values holds the parsed answers of fields that passed and have an answer (empty optional
    fields and hidden reveal_if fields are left out); errors maps field id to its message.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw: dict[str, str | list[str]] = {}
    for f in page.fields:
        typed = _strings(form, f.id)
        parsed: Any
        if f.type == "checkboxes":
            parsed, error, raw[f.id] = _checkbox_field(f, typed)
        elif f.type in {"radio", "select"}:
            parsed, error, raw[f.id] = _choice_field(f, typed)
        elif f.type == "number":
            parsed, error, raw[f.id] = _number_field(f, typed)
        else:
            parsed, error, raw[f.id] = _text_field(f, typed)
        # The controlling field comes earlier on the same page (the loader checks this).
        if f.reveal_if is not None and not condition_holds(f.reveal_if, values):
            continue
        if error is not None:
            errors[f.id] = error
        elif parsed is not None:
            values[f.id] = parsed
    return ValidationResult(values=values, errors=errors, raw=raw)
