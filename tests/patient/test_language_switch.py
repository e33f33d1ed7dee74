"""GET /language/<code>: the switch link keeps the person's place and answers."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.journey import current_record, finish, persona, walk


def test_switch_sets_the_language_and_returns_to_the_page(client: FlaskClient) -> None:
    page = client.get("/language/es?next=/about")
    assert page.status_code == 303
    assert page.headers["Location"] == "/about"
    with client.session_transaction() as sess:
        assert sess["lang"] == "es"
    assert '<html lang="es"' in client.get("/", headers={"Accept-Language": "en"}).text
    client.get("/language/en?next=/")
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "es"}).text


def test_unknown_language_is_a_404_page(client: FlaskClient) -> None:
    page = client.get("/language/fr?next=/")
    assert page.status_code == 404
    assert "<html" in page.text
    with client.session_transaction() as sess:
        assert "lang" not in sess


def test_unsafe_next_goes_to_the_start_page(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                   "javascript:alert(1)", "", "q/phq9"):
        page = client.get("/language/es", query_string={"next": target})
        assert page.status_code == 303, target
        assert page.headers["Location"] == "/", target


def test_switching_mid_journey_keeps_answers_and_updates_the_record(
        app: Flask, client: FlaskClient) -> None:
    walk(client, app, persona(), stop_at="this_episode")
    before = current_record(client, app)
    assert before.language == "en"
    page = client.get("/language/es", query_string={"next": "/q/this_episode?"})
    assert page.headers["Location"].startswith("/q/this_episode")
    after = current_record(client, app)
    assert after.id == before.id and after.answers == before.answers
    assert after.language == "es"


def test_a_record_started_in_spanish_is_stored_as_spanish(
        app: Flask, client: FlaskClient) -> None:
    client.get("/language/es?next=/")
    walk(client, app, persona(), stop_at="this_episode")
    assert current_record(client, app).language == "es"
    with client.session_transaction() as sess:
        assert sess["lang"] == "es"


def test_a_new_browser_opening_the_record_follows_its_language(
        app: Flask, client: FlaskClient) -> None:
    client.get("/language/es?next=/")
    walk(client, app, persona(), stop_at="this_episode")
    with client.session_transaction() as sess:
        del sess["lang"]
    assert '<html lang="es"' in client.get("/", headers={"Accept-Language": "en"}).text


def test_switching_after_the_summary_remakes_it_in_the_new_language(
        app: Flask, client: FlaskClient) -> None:
    walk(client, app, persona(medicines_any="no"))
    finish(client)
    before = current_record(client, app).summary_snapshot
    english = app.extensions["contents"]["en"]
    spanish = app.extensions["contents"]["es"]
    assert before["decision"] == english.meta.decision
    client.get("/language/es?next=/summary")
    after = current_record(client, app).summary_snapshot
    assert after["decision"] == spanish.meta.decision != english.meta.decision
    assert after["generated_on"] == before["generated_on"]
    assert after["scores"] == before["scores"]
    page = client.get("/summary")
    assert page.status_code == 200 and '<html lang="es"' in page.text
    assert spanish.options[0].name in page.text


def test_opening_a_saved_summary_after_choosing_spanish_shows_it_in_spanish(
        app: Flask, client: FlaskClient) -> None:
    walk(client, app, persona(medicines_any="no"))
    finish(client)
    assert client.post("/summary/save").status_code == 303
    page = client.get("/saved").text  # the code is shown once, here
    match = re.search(r'id="resume-code">([^<]+)<', page)
    assert match, "the saved page shows the code"
    fresh = app.test_client()
    fresh.get("/language/es?next=/resume")
    assert fresh.post("/resume", data={"code": match.group(1).strip()}).status_code == 303
    record = current_record(fresh, app)
    assert record.language == "es"
    spanish = app.extensions["contents"]["es"]
    assert record.summary_snapshot["decision"] == spanish.meta.decision
    assert '<html lang="es"' in fresh.get("/summary").text
