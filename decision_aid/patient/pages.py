"""Turn router page references into URLs and template context: keeps the views thin."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..content.questionnaire import Field, Page
from ..engine.router import PageRef


def ref_url(ref: PageRef | None, **params: Any) -> str:
    if ref is None:
        return url_for("patient.check", **params)
    if ref.index is None:
        return url_for("patient.question", page_id=ref.page_id, **params)
    return url_for("patient.loop_question", page_id=ref.page_id, index=ref.index, **params)


def slug(ref: PageRef) -> str:
    return ref.page_id if ref.index is None else f"{ref.page_id}/{ref.index}"


def field_anchor(field: Field) -> str:
    """The element an error summary link points at: the first input of the field."""
    if field.type in {"radio", "checkboxes"} and field.choices:
        return f"f-{field.id}-{field.choices[0].value}"
    return f"f-{field.id}"


def choice_label(field: Field, value: Any) -> str:
    labels = {c.value: c.label for c in field.choices}
    if value is None or value == "" or value == []:
        return "Not provided"
    if isinstance(value, list):
        return "\n".join(labels.get(v, str(v)) for v in value)
    if field.type == "number":
        number = float(value)
        return f"{number:g}"
    return labels.get(str(value), str(value))


def display_value(page: Page, field: Field, values: dict[str, Any]) -> str:
    value = values.get(field.id)
    text = choice_label(field, value)
    if field.type == "number" and value not in (None, ""):
        unit_field = next((f for f in page.fields if f.id == f"{field.id}_unit"), None)
        if unit_field is not None and values.get(unit_field.id):
            text = f"{text} {values[unit_field.id]}"
        elif field.suffix:
            text = f"{text} {field.suffix}"
    return text
