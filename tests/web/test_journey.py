"""Whole patient journeys through the Flask test client (which is also the no-JavaScript test)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.expected import OPTION_IDS
from tests.web.journey import (
    ADEQUATE_UNSUCCESSFUL,
    current_record,
    finish,
    persona,
    walk,
)

OPTION_NAMES_RE = re.compile(r'<h3 class="option__heading" id="option-([a-z_]+)-heading">')
ORDER = list(OPTION_IDS)


def option_section(html: str, option_id: str) -> str:
    start = html.index(f'id="option-{option_id}"')
    end = html.find('<section class="option"', start + 10)
    return html[start:end if end != -1 else None]


def test_no_medicines_tried_gets_all_nine_options_in_order(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    html = finish(client)
    assert OPTION_NAMES_RE.findall(html) == ORDER
    assert "What you are deciding" in html
    record = current_record(client, app)
    assert record.status == "completed"
    assert record.summary_snapshot["trial_counts"]["tried"] == 0
    assert not record.flagged


def test_three_unsuccessful_trials_high_bp_no_ride(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL, health=["high_bp"],
                              ride_home="no"))
    html = finish(client)
    snap = current_record(client, app).summary_snapshot
    assert snap["trial_counts"]["tried"] == 3
    assert snap["trial_counts"]["possibly_adequate_unsuccessful"] == 3
    assert OPTION_NAMES_RE.findall(html) == ORDER
    esk = option_section(html, "esketamine")
    assert "blood pressure" in esk.lower()
    assert re.search(r"drive|ride", esk.lower())
    assert "clinician can check" in html.lower()
    # Every option gets the same field headings (same depth for all).
    headings = [re.findall(r"<dt>([^<]+)</dt>", option_section(html, o)) for o in ORDER]
    assert all(h == headings[0] for h in headings) and len(headings[0]) == 10


def test_item9_positive_interrupts_at_once_and_stays_visible(client: FlaskClient,
                                                             app: Flask) -> None:
    client.post("/start")
    for i in range(1, 9):
        resp = client.post(f"/q/phq9_{i}", data={f"phq9_{i}": "1"})
        assert resp.status_code == 303
    resp = client.post("/q/phq9_9", data={"phq9_9": "2"})
    assert resp.headers["Location"] == "/q/crisis"
    page = client.get("/q/crisis").get_data(as_text=True)
    assert "988" in page and "911" in page and "988lifeline.org" in page
    assert "clinician today" in page.lower()
    record = current_record(client, app)
    assert record.flagged is True
    # The person can carry on, and the crisis help stays on every later page.
    resp = client.post("/q/crisis")
    assert resp.status_code == 303 and resp.headers["Location"] == "/q/gad7_1"
    later = client.get("/q/gad7_1").get_data(as_text=True)
    assert "crisis-banner--prominent" in later
    walk_rest = persona(phq9_9="2")
    walk(client, app, walk_rest)
    html = finish(client)
    assert "care-card--emergency" in html


def test_pregnancy_raises_points(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(health=["pregnancy"]))
    html = finish(client)
    points = current_record(client, app).summary_snapshot["options"]
    esk = next(o for o in points if o["id"] == "esketamine")
    assert any("pregnan" in p.lower() for p in esk["points"])
    assert OPTION_NAMES_RE.findall(html) == ORDER


def test_stopped_after_one_week_for_side_effects_is_not_a_full_trial(client: FlaskClient,
                                                                     app: Flask) -> None:
    med = {"medicine": "paroxetine", "dose": "20", "dose_unit": "mg", "weeks": "0to2",
           "adherence": "yes", "helped": "little_or_none", "side_effects": ["stomach"],
           "stopped_reason": "side_effects", "added": ["none"]}
    walk(client, app, persona(medicines=[med]))
    finish(client)
    snap = current_record(client, app).summary_snapshot
    assert snap["trial_counts"]["tried"] == 1
    assert snap["trial_counts"]["possibly_adequate_unsuccessful"] == 0
    assert snap["trial_counts"]["not_tolerated"] == 1
    assert snap["trials"][0]["tolerated"] is False


def test_back_keeps_answers(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    client.post("/q/phq9_1", data={"phq9_1": "2"})
    page = client.get("/q/phq9_1").get_data(as_text=True)
    assert re.search(r'value="2" checked', page)
    nxt = client.get("/q/phq9_2").get_data(as_text=True)
    assert 'href="/q/phq9_1"' in nxt  # the Back link


def test_cannot_skip_ahead(client: FlaskClient) -> None:
    client.post("/start")
    resp = client.get("/q/gad7_3")
    assert resp.status_code == 302 and resp.headers["Location"] == "/q/phq9_1"
    resp = client.post("/q/own_questions", data={"own_questions": "x"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/q/phq9_1"


def test_check_answers_change_link_returns_to_check(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    check = client.get("/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert 'href="/q/episode_length?return_to=check"' in check
    resp = client.post("/q/episode_length", data={"episode_length": "gt2y",
                                                  "return_to": "check"})
    assert resp.headers["Location"] == "/check"


def test_item9_changed_from_check_answers_still_interrupts(client: FlaskClient,
                                                          app: Flask) -> None:
    walk(client, app, persona())
    assert not current_record(client, app).flagged
    resp = client.post("/q/phq9_9", data={"phq9_9": "1", "return_to": "check"})
    assert resp.headers["Location"] == "/q/crisis?return_to=check"
    page = client.get("/q/crisis?return_to=check").get_data(as_text=True)
    assert "988" in page and 'href="/check"' in page
    resp = client.post("/q/crisis", data={"return_to": "check"})
    assert resp.headers["Location"] == "/check"
    assert current_record(client, app).flagged


def test_changing_an_answer_opens_the_new_branch_first(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    resp = client.post("/q/medicines_any", data={"medicines_any": "yes", "return_to": "check"})
    assert resp.headers["Location"].startswith("/q/medicine_details/0")


def test_medicine_can_be_removed(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:2]))
    listing = client.get("/q/medicines_list").get_data(as_text=True)
    assert "/medicines/1/remove" in listing
    bad = client.post("/medicines/1/remove", data={})
    assert bad.status_code == 400 and "Select yes if you want to remove" in bad.get_data(True)
    resp = client.post("/medicines/1/remove", data={"confirm": "yes"})
    assert resp.status_code == 303
    record = current_record(client, app)
    assert [m["medicine"] for m in record.answers["medicines"]] == ["sertraline"]


def test_same_answer_twice_is_stored_once(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    first = client.post("/q/phq9_1", data={"phq9_1": "1", "rev": "0"})
    second = client.post("/q/phq9_1", data={"phq9_1": "1", "rev": "0"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    record = current_record(client, app)
    assert record.page_revisions["phq9_1"] == 1


def test_two_tabs_later_different_save_is_refused(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    assert client.post("/q/phq9_1", data={"phq9_1": "1", "rev": "0"}).status_code == 303
    stale = client.post("/q/phq9_1", data={"phq9_1": "3", "rev": "0"})
    assert stale.status_code == 409
    assert "changed in another window" in stale.get_data(as_text=True)
    assert current_record(client, app).answers["phq9_1"] == "1"
