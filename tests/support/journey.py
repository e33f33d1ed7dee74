"""Drive the patient journey through the Flask test client, page by page, as a person would.

Values come from a persona (by field id; loop fields from the persona's medicines list); any
field the persona leaves out gets a neutral default: the first choice, the exclusive "none", or
for the medicine page's yes/no questions no side effects, still taking it, nothing added. A
medicine written the old way (side_effects ["none"], stopped_reason "still_taking") is read as
the pages ask it now (decision_aid.engine.medicine_items.upgrade_item).

This module is the one source of the test personas: ADEQUATE_UNSUCCESSFUL (three medicines) and
THREE_MEDICINE_PERSONA (the person tests/support/journey_time.py times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.engine.medicine_items import NEUTRAL_GATES, upgrade_item
from decision_aid.engine.validation import condition_holds

PAGE_URL = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")


@dataclass
class Persona:
    answers: dict[str, Any] = field(default_factory=dict)
    medicines: list[dict[str, Any]] = field(default_factory=list)


def default_value(f: Any) -> Any:
    if f.id in NEUTRAL_GATES:
        return NEUTRAL_GATES[f.id]
    if f.optional:
        return None
    if f.type == "radio" or f.type == "select":
        return f.choices[0].value
    if f.type == "checkboxes":
        exclusive = [c.value for c in f.choices if c.exclusive]
        return [exclusive[0]] if exclusive else [f.choices[0].value]
    if f.type == "number":
        return "10"
    return "Some text"


def form_for(page: Any, values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in page.fields:
        if f.reveal_if is not None:
            shown = {k: v for k, v in values.items() if v not in (None, "")} | data
            if not condition_holds(f.reveal_if, shown):
                continue
        value = values.get(f.id, default_value(f))
        if value is None:
            continue
        data[f.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def page_values(page: Any, persona: Persona, index: int | None) -> dict[str, Any]:
    if index is not None:
        item = persona.medicines[index] if index < len(persona.medicines) else {}
        return {**persona.answers, **upgrade_item(item)}
    return persona.answers


def walk(client: FlaskClient, app: Flask, persona: Persona, stop_at: str | None = None,
         max_pages: int = 200) -> list[str]:
    """Answer pages until Check your answers (or stop_at). Returns the URLs visited."""
    q = app.extensions["content"].questionnaire
    resp = client.post("/start")
    assert resp.status_code == 303, resp.status_code
    location = resp.headers["Location"]
    visited: list[str] = []
    for _ in range(max_pages):
        if location.endswith("/check"):
            return visited
        match = PAGE_URL.match(location)
        assert match, f"unexpected location {location}"
        page = q.page(match["page"])
        index = int(match["index"]) if match["index"] is not None else None
        if stop_at == page.id:
            return visited
        get = client.get(location)
        assert get.status_code == 200, (location, get.status_code)
        visited.append(location)
        if page.kind == "loop_list":
            more = "yes" if len(persona.medicines) > _items_saved(client, app) else "no"
            data = {"medicines_more": more}
        else:
            data = form_for(page, page_values(page, persona, index))
        resp = client.post(location, data=data)
        assert resp.status_code == 303, (location, resp.status_code, data,
                                         resp.get_data(as_text=True)[:3000])
        location = resp.headers["Location"]
    raise AssertionError("journey did not reach Check your answers")


def current_record(client: FlaskClient, app: Flask) -> Any:
    from decision_aid.patient.sessions import record_for

    with client.session_transaction() as sess:
        cookie = dict(sess)
    with app.app_context():
        return record_for(cookie)


def _items_saved(client: FlaskClient, app: Flask) -> int:
    record = current_record(client, app)
    return len(record.answers.get("medicines", []) or [])


def finish(client: FlaskClient) -> str:
    """Confirm Check your answers and return the summary page HTML."""
    resp = client.post("/check")
    assert resp.status_code == 303, resp.status_code
    summary = client.get(resp.headers["Location"])
    assert summary.status_code == 200
    return summary.get_data(as_text=True)


ADEQUATE_UNSUCCESSFUL: list[dict[str, Any]] = [
    {"medicine": "sertraline", "dose": "150", "dose_unit": "mg", "weeks": "9to12",
     "adherence": "yes", "helped": "little_or_none",
     "side_effects_any": "yes", "side_effects": ["sexual"],
     "still_taking": "no", "stopped_reason": "did_not_help", "added_any": "no"},
    {"medicine": "escitalopram", "dose": "20", "dose_unit": "mg", "weeks": "6to8",
     "adherence": "yes", "helped": "little_or_none", "side_effects_any": "no",
     "still_taking": "no", "stopped_reason": "did_not_help", "added_any": "no"},
    {"medicine": "venlafaxine", "dose": "225", "dose_unit": "mg", "weeks": "gt12",
     "adherence": "mostly", "helped": "little_or_none",
     "side_effects_any": "yes", "side_effects": ["sleep"],
     "still_taking": "yes", "added_any": "yes", "added": ["aripiprazole"]},
]
# The same three medicines as drafts saved before the yes/no questions held them.
ADEQUATE_UNSUCCESSFUL_OLD_FORM: list[dict[str, Any]] = [
    {"medicine": "sertraline", "dose": 150, "dose_unit": "mg", "weeks": "9to12",
     "adherence": "yes", "helped": "little_or_none", "side_effects": ["sexual"],
     "stopped_reason": "did_not_help", "added": ["none"]},
    {"medicine": "escitalopram", "dose": 20, "dose_unit": "mg", "weeks": "6to8",
     "adherence": "yes", "helped": "little_or_none", "side_effects": ["none"],
     "stopped_reason": "did_not_help", "added": ["none"]},
    {"medicine": "venlafaxine", "dose": 225, "dose_unit": "mg", "weeks": "gt12",
     "adherence": "mostly", "helped": "little_or_none", "side_effects": ["sleep"],
     "stopped_reason": "still_taking", "added": ["aripiprazole"]},
]

LOW_PHQ = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_9": "0"}
GAD = {f"gad7_{i}": "1" for i in range(1, 8)}


def persona(**answers: Any) -> Persona:
    meds = answers.pop("medicines", [])
    base = dict(LOW_PHQ) | dict(GAD) | {"medicines_any": "yes" if meds else "no"}
    return Persona(answers=base | answers, medicines=meds)


# The person the journey estimate times (tests/support/journey_time.py): three medicines.
THREE_MEDICINE_PERSONA = persona(medicines=ADEQUATE_UNSUCCESSFUL,
                                 top_priorities=["chance", "sexual", "cost"])
