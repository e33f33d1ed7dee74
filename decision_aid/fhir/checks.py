"""Checks shared by `fhir-check` and the tests: parse with the FHIR library, then round-trip."""

from __future__ import annotations

from typing import Any

from flask import current_app

from decision_aid.storage.models import PatientRecord

from ..content.schema import Content
from . import build, capability
from . import response as R
from .questionnaire_read import NotReadable, read_fields

COMPARED = ("type", "label", "optional", "minimum", "maximum", "max_length", "max_choices")


def questionnaire_problems(content: Content, data: dict[str, Any]) -> list[str]:
    """What differs between the content's questions and the Questionnaire read back."""
    from pydantic import ValidationError

    try:
        fields = read_fields(data)
    except (ValidationError, NotReadable) as exc:
        return [f"Questionnaire does not read back: {exc}"]
    problems = []
    for page in content.questionnaire.pages:
        for f in page.fields:
            got = fields.get(f.id)
            if got is None:
                problems.append(f"{f.id}: missing from the Questionnaire")
                continue
            for attr in COMPARED:
                if getattr(got.field, attr) != getattr(f, attr):
                    problems.append(f"{f.id}: {attr} differs")
            mine = [(c.value, c.label, c.exclusive) for c in f.choices]
            back = [(c.value, c.label, c.exclusive) for c in got.field.choices]
            if mine != back:
                problems.append(f"{f.id}: answer options differ")
            expected = set(page.applies_if) | ({f.reveal_if} if f.reveal_if else set())
            if set(got.conditions) != expected:
                problems.append(f"{f.id}: enableWhen differs from applies_if/reveal_if")
    return problems


def comparable(answers: Any) -> Any:
    """Answers without empty values (a QuestionnaireResponse holds no empty answers)."""
    if isinstance(answers, dict):
        kept = {k: comparable(v) for k, v in answers.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(answers, list):
        return [comparable(v) for v in answers]
    if isinstance(answers, str):
        return answers if answers.strip() else ""
    return answers


def link_ids(node: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for item in node.get("item", []):
        found.add(str(item["linkId"]))
        found |= link_ids(item)
    return found


def asked(answers: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Only answers to questions the Questionnaire has (older drafts may hold retired keys)."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in known:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            value = [asked(v, known) for v in value]
        out[key] = value
    return out


def record_problems(record: PatientRecord) -> list[str]:
    """Build this record's Bundle (no PDF), parse it, and read its answers back."""
    from pydantic import ValidationError

    from .source import effective_answers, sure_answers

    problems = []
    try:
        bundle = build.bundle_json(record, None)
    except ValidationError as exc:
        return [f"Bundle does not parse: {exc.error_count()} error(s)"]
    qr = bundle["entry"][0]["resource"]
    content = current_app.extensions["content"]
    expected = {**effective_answers(record, content.questionnaire), **sure_answers(record)}
    q = build.questionnaire_json()
    back = R.answers_from_response(q, qr)
    if back != comparable(asked(expected, link_ids(q))):
        problems.append("answers do not read back from the QuestionnaireResponse")
    return problems


def capability_ok() -> None:
    capability.capability_statement(build.api_base())
