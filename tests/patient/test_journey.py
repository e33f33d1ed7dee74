"""Whole patient journeys through the Flask test client (which is also the no-JavaScript test)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.expected import OPTION_IDS
from tests.support.journey import (
    ADEQUATE_UNSUCCESSFUL,
    LOW_PHQ,
    current_record,
    finish,
    persona,
    walk,
)

OPTION_NAMES_RE = re.compile(r'<section class="card" id="option-([a-z_]+)">')
ORDER = list(OPTION_IDS)


def option_section(html: str, option_id: str) -> str:
    start = html.index(f'id="option-{option_id}"')
    end = html.find('<section class="card" id="option-', start + 10)
    return html[start:end if end != -1 else None]


def test_no_medicines_tried_gets_all_nine_options_in_order(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    html = finish(client)
    assert OPTION_NAMES_RE.findall(html) == ORDER
    assert "Where you are now" in html
    record = current_record(client, app)
    assert record.status == "completed"
    assert record.summary_snapshot["trial_counts"]["tried"] == 0
    assert not record.flagged


def test_three_unsuccessful_trials_high_bp_no_ride(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL, health=["high_bp"],
                              ride_home="no"))
    html = finish(client)
    snap = current_record(client, app).summary_snapshot
    assert len([t for t in snap["trials"] if t["role"] == "main"]) == 3
    assert snap["trial_counts"]["possibly_adequate_unsuccessful"] == 3
    assert OPTION_NAMES_RE.findall(html) == ORDER
    esk = next(o for o in snap["options"] if o["id"] == "esketamine")
    points = " ".join(p["text"] for p in esk["points"]).lower()
    assert "blood pressure" in points
    assert re.search(r"drive|ride", points)
    assert "clinician can check" in html.lower()
    # Every option gets the same field headings (same depth for all).
    headings = [re.findall(r"<dt>([^<]+)</dt>", option_section(html, o)) for o in ORDER]
    assert all(h == headings[0] for h in headings) and len(headings[0]) == 9


def test_item9_positive_interrupts_at_once_and_stays_visible(client: FlaskClient,
                                                             app: Flask) -> None:
    client.post("/start")
    resp = client.post("/q/phq9", data=LOW_PHQ | {"phq9_9": "2"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/q/crisis"
    page = client.get("/q/crisis").get_data(as_text=True)
    assert "988" in page and "911" in page and "988lifeline.org" in page
    assert "clinician today" in page.lower()
    record = current_record(client, app)
    assert record.flagged is True
    # The person can carry on, and the crisis help stays on every later page.
    resp = client.post("/q/crisis")
    assert resp.status_code == 303 and resp.headers["Location"] == "/q/gad7"
    later = client.get("/q/gad7").get_data(as_text=True)
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
    assert any("pregnan" in p["text"].lower() for p in esk["points"])
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
    assert snap["trials"][0]["category"] == "stopped_side_effects_early"


def test_back_keeps_answers(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    client.post("/q/phq9", data=LOW_PHQ | {"phq9_1": "2"})
    page = client.get("/q/phq9").get_data(as_text=True)
    assert re.search(r'id="f-phq9_1-2" name="phq9_1" value="2" checked', page)
    nxt = client.get("/q/gad7").get_data(as_text=True)
    assert 'href="/q/phq9" class="back-link"' in nxt  # the Back link


def test_cannot_skip_ahead(client: FlaskClient) -> None:
    client.post("/start")
    resp = client.get("/q/gad7")
    assert resp.status_code == 302 and resp.headers["Location"] == "/q/phq9"
    resp = client.post("/q/own_questions", data={"own_questions": "x"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/q/phq9"


def test_check_answers_change_link_returns_to_check(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    check = client.get("/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert 'href="/q/this_episode?return_to=check"' in check
    resp = client.post("/q/this_episode", data={"episode_length": "gt2y", "therapy_now": "no",
                                                "return_to": "check"})
    assert resp.headers["Location"] == "/check"


def test_item9_changed_from_check_answers_still_interrupts(client: FlaskClient,
                                                          app: Flask) -> None:
    walk(client, app, persona())
    assert not current_record(client, app).flagged
    resp = client.post("/q/phq9", data=LOW_PHQ | {"phq9_9": "1", "return_to": "check"})
    assert resp.headers["Location"] == "/q/crisis?return_to=check"
    page = client.get("/q/crisis?return_to=check").get_data(as_text=True)
    assert "988" in page and 'href="/check"' in page
    resp = client.post("/q/crisis", data={"return_to": "check"})
    assert resp.headers["Location"] == "/check"
    assert current_record(client, app).flagged


def test_changing_an_answer_opens_the_new_branch_first(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    resp = client.post("/q/medicines_any", data={"medicines_any": "yes", "taking_now": "yes",
                                                 "return_to": "check"})
    assert resp.headers["Location"].startswith("/q/medicine_details/0")


def test_medicine_can_be_removed(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:2]))
    listing = client.get("/q/medicines_list").get_data(as_text=True)
    assert "/medicines/1/remove" in listing
    assert 'name="item" value="Escitalopram"' in client.get("/medicines/1/remove").get_data(True)
    bad = client.post("/medicines/1/remove", data={"item": "Escitalopram"})
    assert bad.status_code == 400 and "Select yes if you want to remove" in bad.get_data(True)
    resp = client.post("/medicines/1/remove", data={"confirm": "yes", "item": "Escitalopram"})
    assert resp.status_code == 303
    record = current_record(client, app)
    assert [m["medicine"] for m in record.answers["medicines"]] == ["sertraline"]


def test_remove_sent_twice_removes_only_the_medicine_it_named(client: FlaskClient,
                                                              app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL))
    click = {"confirm": "yes", "item": "Sertraline"}
    first = client.post("/medicines/0/remove", data=click)
    again = client.post("/medicines/0/remove", data=click)  # a double click, or another tab
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == "/q/medicines_list"
    record = current_record(client, app)
    assert [m["medicine"] for m in record.answers["medicines"]] == ["escitalopram", "venlafaxine"]


def test_same_answer_twice_is_stored_once(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    first = client.post("/q/phq9", data=LOW_PHQ | {"rev": "0"})
    second = client.post("/q/phq9", data=LOW_PHQ | {"rev": "0"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    record = current_record(client, app)
    assert record.page_revisions["phq9"] == 1


def test_two_tabs_later_different_save_is_refused(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    assert client.post("/q/phq9", data=LOW_PHQ | {"rev": "0"}).status_code == 303
    stale = client.post("/q/phq9", data=LOW_PHQ | {"phq9_1": "3", "rev": "0"})
    assert stale.status_code == 409
    assert "changed in another window" in stale.get_data(as_text=True)
    assert current_record(client, app).answers["phq9_1"] == "1"


# --- issue 9: the shorter journey ---------------------------------------------------------------

# Measured on the journey before this change (tests/support/journey_time.py on commit a85178b):
# 42 screens, 4,583 words, 68 answers, 356 controls, 27.7 minutes; on commit 335c21e: 20 screens,
# 3,108 words, 59 answers, 19.2 minutes. After the wording trim: 20 screens, 2,764 words,
# 17.4 minutes. Counting only the reveals a person opens and each page's repeated answer scale
# once (see the estimator's docstring), with shorter labels and fewer hints: 2,478 words
# (2,686 by the old count), 16.0 minutes. Yes/no questions that open the medicine lists, one-line
# priorities and shorter pages (4th round): 1,845 words, 64 answers, 13.1 minutes. The issue's
# target is 12. Fifth round: the dose asked in mg (no unit question, 3 answers fewer), shorter
# section titles and Check labels, "Why we ask" once per medicine page: 1,656 words, 61
# answers, 12.0 minutes (the target, met).
MAX_SCREENS = 20
MAX_MINUTES = 12.0
MAX_WORDS = 1_660


def test_three_medicine_journey_screens_and_time(client: FlaskClient, app: Flask) -> None:
    from tests.support.journey_time import measure

    estimate = measure(client, app)
    assert estimate.pages[0].url == "/" and estimate.pages[-1].url == "/check"
    assert estimate.screens <= MAX_SCREENS, [p.url for p in estimate.pages]
    assert estimate.minutes <= MAX_MINUTES, (estimate.minutes, estimate.words)
    assert estimate.words <= MAX_WORDS, [(p.url, p.words) for p in estimate.pages]


def test_journey_time_counts_what_a_person_sees() -> None:
    from tests.support.journey_time import read_page

    scale = ('<div class="choices"><label>Not at all</label><label>Several days</label>'
             '<label>Nearly every day</label></div>')
    html = (
        "<main><h1>Feeling</h1>"
        f"<fieldset><legend>Sleep</legend>{scale}</fieldset>"
        f"<fieldset><legend>Energy</legend>{scale}</fieldset>"
        '<input name="dose"><div class="reveal" data-reveal-filled="f-dose">'
        "<label>Is the dose in mg or mcg</label></div>"
        '<div class="reveal" data-reveal-select="f-medicine" data-reveal-value="other">'
        "<label>What is the name</label></div></main>"
    )
    # The answer scale is read once; the unit opens because a dose was typed; the name of a
    # medicine not on the list stays closed for a listed medicine.
    seen = read_page("/q/x", html, 2, {"dose": "150", "medicine": "sertraline"})
    assert seen.words == 1 + 1 + 8 + 1 + 7
    assert seen.words_counting_everything == 1 + 2 * (1 + 8) + 7 + 4
    assert read_page("/q/x", html, 0, {"dose": ""}).words == 1 + 1 + 8 + 1
    named = read_page("/q/x", html, 0, {"medicine": "other"})
    assert named.words == 1 + 1 + 8 + 1 + 4


def test_question_pages_carry_a_one_line_crisis_banner(client: FlaskClient, app: Flask) -> None:
    crisis = app.extensions["content"].crisis
    client.post("/start")
    pages = [client.get("/q/phq9").get_data(as_text=True)]
    walk(client, app, persona())
    pages.append(client.get("/check").get_data(as_text=True))
    for url, html in zip(("/q/phq9", "/check"), pages, strict=True):
        banner = html.split('id="crisis-help"', 1)[1].split("</aside>", 1)[0]
        assert "crisis-banner--compact" in html.split('id="crisis-help"', 1)[0][-200:]
        # 988 to call and to text, 911, and the rest of the help one tap away, in the banner.
        for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"', crisis.chat_url):
            assert link in banner, (url, link)
        assert '<details class="crisis-banner__more">' in banner
        assert 'class="page--question"' in html
    # The start page keeps the full one-line-per-link banner, with no fold.
    start = client.get("/").get_data(as_text=True)
    assert "crisis-banner--compact" not in start and crisis.chat_url in start


def test_phq9_and_gad7_each_on_one_page_in_standard_form(client: FlaskClient,
                                                         app: Flask) -> None:
    instruments = app.extensions["content"].instruments
    client.post("/start")
    html = client.get("/q/phq9").get_data(as_text=True)
    phq9 = instruments["phq9"]
    assert html.count('<fieldset class="fieldset"') == 9
    legends = re.findall(r'<legend class="fieldset__legend">\s*(.*?)\s*</legend>', html, re.S)
    assert [re.sub(r"&#39;", "'", x) for x in legends] == list(phq9.items)
    assert phq9.stem in html and phq9.attribution.split(".")[0] in html
    assert "Part 1 of 6: Your depression now" in html
    resp = client.post("/q/phq9", data=LOW_PHQ)
    assert resp.headers["Location"] == "/q/gad7"
    gad = client.get("/q/gad7").get_data(as_text=True)
    assert gad.count('<fieldset class="fieldset"') == 7 and instruments["gad7"].stem in gad


def test_a_missing_item_keeps_the_others(client: FlaskClient) -> None:
    client.post("/start")
    partial = {k: v for k, v in LOW_PHQ.items() if k != "phq9_4"} | {"phq9_1": "3"}
    resp = client.post("/q/phq9", data=partial)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'href="#f-phq9_4-0"' in html
    assert 'id="f-phq9_1-3" name="phq9_1" value="3" checked' in html


def test_medicine_on_two_pages_named_in_the_heading(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]), stop_at="medicine_details")
    details = client.get("/q/medicine_details/0").get_data(as_text=True)
    assert "<h1>Your antidepressant</h1>" in details
    # The dose is asked in mg: there is no unit question to open.
    assert "in mg" in details and 'name="dose_unit"' not in details
    resp = client.post("/q/medicine_details/0", data={"medicine": "sertraline",
                                                      "weeks": "6to8", "adherence": "yes"})
    assert resp.headers["Location"] == "/q/medicine_outcome/0"
    outcome = client.get("/q/medicine_outcome/0").get_data(as_text=True)
    assert "<h1>How sertraline went</h1>" in outcome
    assert "<h1>About sertraline</h1>" in client.get("/q/medicine_details/0").get_data(True)
    item = current_record(client, app).answers["medicines"][0]
    assert "dose" not in item and "dose_unit" not in item


def test_values_on_one_page_with_the_options_in_view(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(), stop_at="values")
    html = client.get("/q/values").get_data(as_text=True)
    assert "Choose up to 3 that matter most" in html
    names = [o.name for o in app.extensions["content"].options]
    glance = html.split('class="glance-list"', 1)[1].split("</ol>", 1)[0]
    assert [n.replace("'", "&#39;") in glance for n in names] == [True] * 9
    four = {"top_priorities": ["chance", "speed", "sexual", "cost"], "preference": "none"}
    resp = client.post("/q/values", data=four)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "Select no more than 3 things" in page
    assert all(f'value="{p}" checked' in page for p in four["top_priorities"])
    resp = client.post("/q/values", data={**four, "top_priorities": ["cost", "chance"]})
    assert resp.status_code == 303
    assert current_record(client, app).answers["top_priorities"] == ["chance", "cost"]


def test_check_answers_grouped_by_medicine(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:2]))
    html = client.get("/check").get_data(as_text=True)
    assert "<h3>Sertraline</h3>" in html and "<h3>Escitalopram</h3>" in html
    assert html.index("<h3>Sertraline</h3>") < html.index("<h3>Escitalopram</h3>")
    keys = re.findall(r'<dt class="summary-list__key">([^<]+)</dt>', html)
    assert not any(k.startswith(("Sertraline:", "Medicine 1:")) for k in keys)
    assert "Medicine" not in keys and "Another medicine to add" not in keys
    assert "150 mg" in html
    assert "Part " not in html  # no progress caption on Check your answers
    # One Change link per page of a medicine (its details, how it went), not one per row.
    group = html.split("<h3>Sertraline</h3>", 1)[1].split("<h3>", 1)[0]
    assert group.count(">Change<span") == 2, group.count(">Change<span")
    # The details page's Change also changes the name: no separate "Change the medicine".
    assert group.count('href="/q/medicine_details/0') == 1 and "Change the medicine" not in group
    assert group.count('href="/q/medicine_outcome/0') == 1


def test_one_routing_path_per_request(client: FlaskClient, app: Flask,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from decision_aid.engine import router

    walk(client, app, persona(), stop_at="practical")
    calls: list[int] = []
    real = router.routing_path

    def counting(*args: Any, **kwargs: Any) -> router.RoutingPath:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(router, "routing_path", counting)
    assert client.get("/q/practical").status_code == 200
    assert len(calls) == 1
    calls.clear()
    data = {"visits_per_week": "2", "ride_home": "yes", "cost_worry": "some"}
    assert client.post("/q/practical", data=data).status_code == 303
    assert len(calls) == 2  # before, and after the answers changed
