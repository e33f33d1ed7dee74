"""Check your answers says each answer once: no row for a blank optional question, a heading's
own words not repeated as a row's key, no yes row when its follow-up says it."""

from __future__ import annotations

import re

from flask import Flask

from decision_aid.patient.pages import gates_shown
from tests.support.journey import persona, walk

VISIBLE_KEY = re.compile(r'<dt class="summary-list__key">([^<]+)</dt>')
HIDDEN_KEY = re.compile(r'<dt class="summary-list__key visually-hidden">([^<]+)</dt>')


def check_page(app: Flask, **answers: object) -> str:
    client = app.test_client()
    walk(client, app, persona(**answers))
    return client.get("/check").get_data(as_text=True)


def test_blank_optional_questions_get_no_row_until_answered(app: Flask) -> None:
    """Before: "Age: Not provided", "Other medicines now: Not provided" and
    "Your questions: Your questions: Not provided" (the heading said again)."""
    labels = {f.id: f.check_label for f in app.extensions["content"].questionnaire.page(
        "health").fields}
    html = check_page(app)
    keys = VISIBLE_KEY.findall(html)
    assert labels["health"] in keys
    assert labels["age_band"] not in keys and labels["other_medicines"] not in keys
    # The questions page has nothing else to show: its one row stays, so its Change link does,
    # and its key is left to the heading above it.
    assert "Your questions" not in keys and HIDDEN_KEY.findall(html) == ["Your questions"]
    assert html.count("Not provided") == 1
    answered = check_page(app, age_band="25to64", other_medicines=["maoi"],
                          own_questions="Can I drive after it?")
    keys = VISIBLE_KEY.findall(answered)
    assert labels["age_band"] in keys and labels["other_medicines"] in keys
    assert "Not provided" not in answered and "Can I drive after it?" in answered


def test_a_question_whose_follow_up_is_shown_gets_no_row_of_its_own(app: Flask) -> None:
    details = app.extensions["content"].questionnaire.page("medicine_details")
    assert gates_shown(details, {"medicine": "other", "other_name": "Zelquistinel"}) == {
        "medicine"}
    assert gates_shown(details, {"medicine": "sertraline"}) == set()
