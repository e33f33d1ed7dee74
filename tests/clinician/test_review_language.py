"""Clinicians and the patient's language: the dashboard marks it, the review is English with a
link to the summary as the person saw it (Spanish), their own questions as typed."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.engine import router
from decision_aid.engine.summary import build_summary
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.clinicians import PASSWORD, add_response, answers, make_clinician, sign_in

OWN = "¿Puedo seguir trabajando? Me preocupa el costo."


def _spanish_record(app: Flask) -> str:
    person = answers(own_questions=OWN)
    with app.app_context():
        spanish = app.extensions["contents"]["es"]
        effective = router.effective_answers(spanish.questionnaire, person)
        snap = build_summary(effective, spanish, date(2026, 11, 30)).to_dict()
    rid, _ = add_response(app, person=person, snap=snap)
    with app.app_context():
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        record.language = "es"
        get_session().commit()
    return rid


def _signed_in(app: Flask, client: FlaskClient) -> None:
    make_clinician(app, "dr.rivera@clinic.example")
    assert sign_in(client, "dr.rivera@clinic.example", PASSWORD).status_code == 303


def test_the_dashboard_marks_the_language(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    _spanish_record(app)
    add_response(app)
    page = client.get("/clinician/").text
    assert '<th scope="col">Language</th>' in page
    assert '<strong class="tag tag--grey">Spanish</strong>' in page
    assert re.search(r"<td>English</td>", page)


def test_the_review_is_english_and_names_the_language(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid = _spanish_record(app)
    page = client.get(f"/clinician/summaries/{rid}").text
    assert '<html lang="en"' in page
    assert 'id="record-language"' in page and "The person used the guide in Spanish" in page
    assert f"/clinician/summaries/{rid}/as-seen" in page
    english = app.extensions["contents"]["en"]
    spanish = app.extensions["contents"]["es"]
    # Clinician-facing words come from the English content, not the Spanish snapshot.
    en_label = english.questionnaire.choice_label("medicine", "sertraline")
    es_label = spanish.questionnaire.choice_label("medicine", "sertraline")
    assert en_label != es_label
    assert en_label in page and es_label not in page
    assert "1 (several days)" in page  # item 9 in English
    assert OWN in page  # their own questions, as typed
    assert re.search(r'id="language">Spanish', page)


def test_as_seen_shows_the_spanish_summary(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid = _spanish_record(app)
    page = client.get(f"/clinician/summaries/{rid}/as-seen")
    assert page.status_code == 200
    text = page.text
    spanish = app.extensions["contents"]["es"]
    english = app.extensions["contents"]["en"]
    assert '<html lang="en"' in text and '<div class="patient-view" lang="es">' in text
    assert spanish.meta.decision in text and english.meta.decision not in text
    assert spanish.options[0].name in text
    assert OWN in text
    # The clinician chrome around it stays English.
    assert "Back to the summary for review" in text


def test_an_english_record_has_no_language_notice(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    page = client.get(f"/clinician/summaries/{rid}").text
    assert 'id="record-language"' not in page
    assert re.search(r'id="language">English', page)
