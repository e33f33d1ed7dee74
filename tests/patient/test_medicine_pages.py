"""The two medicine pages: the lists that open after a yes or no, with JavaScript off, old
drafts, and the words a person reads on the medicine pages."""

from __future__ import annotations

import copy
import re

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.journey import (
    ADEQUATE_UNSUCCESSFUL,
    ADEQUATE_UNSUCCESSFUL_OLD_FORM,
    current_record,
    finish,
    persona,
    walk,
)
from tests.support.journey_time import MEDICINE_PAGES, measure

OUTCOME = "/q/medicine_outcome/0"
GOOD = {"helped": "some", "side_effects_any": "yes", "side_effects": "sexual",
        "still_taking": "no", "stopped_reason": "cost", "added_any": "no"}


def _at_outcome(client: FlaskClient, app: Flask) -> str:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]), stop_at="medicine_outcome")
    return client.get(OUTCOME).get_data(as_text=True)


def _checked(html: str, field: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*id="f-{field}-{value}"[^>]*>', html)
    assert tag is not None, (field, value)
    return " checked" in tag.group(0)


def test_every_list_is_on_the_page_under_the_answer_that_opens_it(
        client: FlaskClient, app: Flask) -> None:
    """Without JavaScript the reveals stay open (app.js hides them): all is there to answer."""
    html = _at_outcome(client, app)
    heading = re.search(r"<h1>([^<]+)</h1>", html)
    assert heading is not None and heading.group(1) == "How sertraline went"
    for gate, value, fields in (("side_effects_any", "yes", ["side_effects"]),
                                ("still_taking", "no", ["stopped_reason"]),
                                ("added_any", "yes", ["added", "added_weeks"])):
        reveal = re.search(
            rf'<div class="reveal" id="reveal-{gate}-{value}" '
            rf'data-reveal-for="f-{gate}-{value}">(.*?)</fieldset>\s*</div>\s*</div>', html, re.S)
        assert reveal is not None, gate
        assert " hidden" not in reveal.group(0).split(">", 1)[0]
        assert f'aria-controls="reveal-{gate}-{value}"' in html
        for f in fields:
            assert f'name="{f}"' in html.split(f'id="reveal-{gate}-{value}"', 1)[1], f


def test_a_no_closes_its_list_and_what_was_ticked_in_it_is_not_kept(
        client: FlaskClient, app: Flask) -> None:
    _at_outcome(client, app)
    resp = client.post(OUTCOME, data={
        "helped": "some", "side_effects_any": "no", "side_effects": ["sexual", "weight"],
        "still_taking": "yes", "stopped_reason": "cost",
        "added_any": "no", "added": "lithium", "added_weeks": "6to8"})
    assert resp.status_code == 303
    item = current_record(client, app).answers["medicines"][0]
    assert {k: item.get(k) for k in ("side_effects_any", "still_taking", "added_any")} == {
        "side_effects_any": "no", "still_taking": "yes", "added_any": "no"}
    assert not {"side_effects", "stopped_reason", "added", "added_weeks"} & set(item)


def test_an_opened_list_is_required_and_the_page_keeps_what_was_typed(
        client: FlaskClient, app: Flask) -> None:
    _at_outcome(client, app)
    resp = client.post(OUTCOME, data={**GOOD, "side_effects": [], "added_any": "yes"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    summary = html.split("error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert "Select the side effects you had" in summary
    assert "Select the medicine you added" in summary
    assert "Select why you stopped" not in summary  # answered: "cost"
    for field, value in (("helped", "some"), ("side_effects_any", "yes"), ("still_taking", "no"),
                         ("stopped_reason", "cost"), ("added_any", "yes")):
        assert _checked(html, field, value), field
    assert not _checked(html, "side_effects", "sexual")
    # Nothing of the page was stored.
    assert "helped" not in current_record(client, app).answers["medicines"][0]


def _store(app: Flask, record_id: str, answers: dict[str, object]) -> None:
    with app.app_context():
        session = get_session()
        record = session.get(PatientRecord, record_id)
        assert record is not None
        record.answers = answers
        session.commit()


def test_an_old_draft_reads_the_same_on_every_page_and_in_the_summary(
        client: FlaskClient, app: Flask) -> None:
    """A draft saved before the yes/no questions: nothing is asked again, Check your answers
    shows the new questions answered, and the summary is the one the new form gives."""
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL))
    record = current_record(client, app)
    new_check = _page(client, "/check")
    new_summary = _without_tokens(finish(client))
    new_answers = copy.deepcopy(record.answers)
    old_answers = copy.deepcopy(new_answers)
    old_answers["medicines"] = copy.deepcopy(ADEQUATE_UNSUCCESSFUL_OLD_FORM)
    for old, new in zip(old_answers["medicines"], new_answers["medicines"], strict=True):
        old["dose"] = new["dose"]
    _store(app, record.id, old_answers)

    html = client.get("/q/medicine_outcome/1").get_data(as_text=True)
    assert _checked(html, "side_effects_any", "no") and _checked(html, "still_taking", "no")
    assert _checked(html, "stopped_reason", "did_not_help") and _checked(html, "added_any", "no")
    html = client.get("/q/medicine_outcome/2").get_data(as_text=True)
    assert _checked(html, "still_taking", "yes") and _checked(html, "added", "aripiprazole")
    assert _page(client, "/check") == new_check
    assert _without_tokens(finish(client)) == new_summary


def _without_tokens(html: str) -> str:
    return re.sub(r'name="(csrf_token|rev)" value="[^"]*"', "", html)


def _page(client: FlaskClient, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return _without_tokens(resp.get_data(as_text=True))


# Words a person with three medicines reads on the medicine pages (tests/support/journey_time.py,
# closed reveals unread): 1,035 before the yes/no questions ("how it went" 188 words each,
# "about" 86, the list 34-40, medicines_any 44, other treatments 58); 763 after.
MAX_MEDICINE_WORDS = 780
MAX_OUTCOME_WORDS = 140


def test_medicine_pages_stay_within_their_word_budget(client: FlaskClient, app: Flask) -> None:
    estimate = measure(client, app)
    pages = [p for p in estimate.pages if p.url.startswith(MEDICINE_PAGES)]
    assert [p.url for p in pages][:4] == [
        "/q/medicines_any", "/q/medicine_details/0", "/q/medicine_outcome/0", "/q/medicines_list"]
    assert len(pages) == 1 + 3 * 3 + 1  # two pages a medicine and the list, for three
    assert estimate.words_on(MEDICINE_PAGES) <= MAX_MEDICINE_WORDS, [
        (p.url, p.words) for p in pages]
    outcome = [p.words for p in pages if p.url.startswith("/q/medicine_outcome/")]
    assert max(outcome) <= MAX_OUTCOME_WORDS, outcome
    assert estimate.screens <= 20
