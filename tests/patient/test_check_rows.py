"""Check your answers says each answer once: no row for a blank optional question, no yes row
when its follow-up says it."""

from __future__ import annotations

import re

from flask import Flask

from decision_aid.patient.pages import gates_shown
from tests.support.journey import persona, walk

VISIBLE_KEY = re.compile(r'<dt class="summary-list__key">([^<]+)</dt>')


def check_page(app: Flask, **answers: object) -> str:
    client = app.test_client()
    walk(client, app, persona(**answers))
    return client.get("/check").get_data(as_text=True)


def test_blank_optional_questions_get_no_row_until_answered(app: Flask) -> None:
    """Before: "Age: Not provided", "Other medicines now: Not provided" and
    "Your questions: Not provided"."""
    q = app.extensions["content"].questionnaire
    labels = {f.id: f.check_label for p in ("health", "own_questions") for f in q.page(p).fields}
    html = check_page(app)
    keys = VISIBLE_KEY.findall(html)
    assert labels["health"] in keys and labels["preference"] in keys
    for blank in ("age_band", "other_medicines", "own_questions"):
        assert labels[blank] not in keys, blank
    assert "Not provided" not in html
    answered = check_page(app, age_band="25to64", other_medicines=["maoi"],
                          own_questions="Can I drive after it?")
    keys = VISIBLE_KEY.findall(answered)
    for given in ("age_band", "other_medicines", "own_questions"):
        assert labels[given] in keys, given
    assert "Can I drive after it?" in answered


def test_a_question_whose_follow_up_is_shown_gets_no_row_of_its_own(app: Flask) -> None:
    details = app.extensions["content"].questionnaire.page("medicine_details")
    assert gates_shown(details, {"medicine": "other", "other_name": "Zelquistinel"}) == {
        "medicine"}
    assert gates_shown(details, {"medicine": "sertraline"}) == set()
