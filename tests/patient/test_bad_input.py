"""Bad input on every page: a clear error, typed values kept, never a 500."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.journey import (
    ADEQUATE_UNSUCCESSFUL,
    LOW_PHQ,
    PAGE_URL,
    current_record,
    form_for,
    page_values,
    persona,
    walk,
)


def _check_error_page(html: str, page) -> None:  # type: ignore[no-untyped-def]
    assert "<title>Error: " in html
    assert "There is a problem" in html
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert links, "error summary links to the fields"
    for anchor, message in links:
        assert f'id="{anchor}"' in html, anchor
        assert message in html.split("error-summary__list", 1)[1].split("</ul>", 1)[1]
        assert "please" not in message.lower() and "invalid" not in message.lower()


def test_empty_post_on_every_page_shows_errors(client: FlaskClient, app: Flask) -> None:
    q = app.extensions["content"].questionnaire
    visited = walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1],
                                        other_treatments=["tms", "talking_therapy"]))
    checked = 0
    expected = 0
    for url in visited:
        m = PAGE_URL.match(url)
        assert m
        page = q.page(m["page"])
        if page.kind != "question" or all(f.optional for f in page.fields):
            continue
        expected += 1
        resp = client.post(url, data={})
        assert resp.status_code == 400, url
        _check_error_page(resp.get_data(as_text=True), page)
        checked += 1
    assert checked == expected >= 10


def test_typed_values_come_back_with_the_error(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]), stop_at="medicines_list")
    resp = client.post("/q/medicine_details/0", data={
        "medicine": "sertraline", "dose": "fifty", "dose_unit": "mg", "weeks": "6to8"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'value="fifty"' in html
    assert re.search(r'value="6to8" checked', html)
    assert re.search(r'<option value="sertraline" selected>', html)


def test_too_long_free_text_is_refused_and_kept(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    long_text = "word " * 400
    resp = client.post("/q/own_questions", data={"own_questions": long_text})
    assert resp.status_code == 400
    assert long_text.strip()[:200] in resp.get_data(as_text=True)


def test_huge_request_gets_413(client: FlaskClient) -> None:
    client.post("/start")
    resp = client.post("/q/phq9", data={"phq9_1": "x" * (2 * 1024 * 1024)})
    assert resp.status_code == 413
    assert "too long" in resp.get_data(as_text=True)


def test_unknown_page_is_404_not_500(client: FlaskClient) -> None:
    client.post("/start")
    assert client.get("/q/nope").status_code == 404
    assert client.get("/q/phq9/3").status_code == 404
    assert client.get("/q/phq9_1").status_code == 404
    assert client.post("/q/medicine_details/99", data={}).status_code in (302, 404)


def test_mass_assignment_is_ignored(client: FlaskClient, app: Flask) -> None:
    client.post("/start")
    client.post("/q/phq9", data=LOW_PHQ | {"status": "saved", "shared": "yes",
                                           "flagged": "1", "code_hash": "x"})
    record = current_record(client, app)
    assert record.status == "draft" and not record.shared and not record.code_hash
    assert set(record.answers) == set(LOW_PHQ)


text = st.text(max_size=40)
form_values = st.dictionaries(st.sampled_from(
    ["phq9_1", "phq9_9", "medicine", "dose", "dose_unit", "weeks", "health", "own_questions", "rev",
     "return_to", "medicines_more", "other_name", "code", "confirm", "share", "sure_1", "x"]),
    st.lists(text, max_size=3), max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form_values, target=st.sampled_from([
    "/q/phq9", "/q/medicine_details/0", "/q/values", "/q/medicines_list", "/q/medicines_any",
    "/q/own_questions", "/resume",
    "/delete", "/summary/share", "/sure", "/check", "/start", "/medicines/0/remove"]))
def test_fuzzed_forms_never_500(client: FlaskClient, data, target) -> None:  # type: ignore[no-untyped-def]
    client.post("/start")
    resp = client.post(target, data=data)
    assert resp.status_code < 500, (target, data)


# --- issue 12: odd digits, huge numbers, bounds ------------------------------------------------

ODD_NUMBERS = ["²", "٣", "１２", "Ⅻ", "9" * 400, "-1", "1e9", "0x10", " 3 ", "\x00", "3\n4"]


def test_odd_revision_numbers_never_500(client: FlaskClient, app: Flask) -> None:
    """'²'.isdigit() is true but int('²') fails: that was a 500 on every question page."""
    q = app.extensions["content"].questionnaire
    someone = persona(medicines=ADEQUATE_UNSUCCESSFUL[:1])
    visited = walk(client, app, someone)
    for url in visited:
        m = PAGE_URL.match(url)
        assert m
        page = q.page(m["page"])
        index = int(m["index"]) if m["index"] is not None else None
        data = (form_for(page, page_values(page, someone, index))
                if page.kind != "loop_list" else {"medicines_more": "no"})
        for odd in ODD_NUMBERS:
            resp = client.post(url, data={**data, "rev": odd, "return_to": odd})
            assert resp.status_code in (303, 409), (url, odd, resp.status_code)


def test_odd_numbers_in_number_fields_get_a_clear_error(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]), stop_at="medicines_list")
    for odd in ["²", "٣", "１２", "Ⅻ", "9" * 400, "1" * 5000, "1e9", "0x10", "3\n4", "-1"]:
        resp = client.post("/q/medicine_details/0", data={
            "medicine": "sertraline", "dose": odd, "dose_unit": "mg", "weeks": "6to8"})
        assert resp.status_code == 400, odd
        html = resp.get_data(as_text=True)
        assert "There is a problem" in html and 'id="f-dose"' in html


def test_huge_item_numbers_in_urls_never_500(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]))
    huge = "9" * 40
    for url in (f"/q/medicine_details/{huge}", f"/q/medicine_outcome/{huge}",
                f"/medicines/{huge}/remove"):
        assert client.get(url).status_code < 500, url
        assert client.post(url, data={"confirm": "yes"}).status_code < 500, url


def test_medicines_are_capped_with_a_clear_message(client: FlaskClient, app: Flask) -> None:
    """300 medicines made Check your answers 1.18 MB; the loop now stops at 12."""
    cap = app.extensions["content"].questionnaire.page("medicines_list").max_items
    assert cap == 12
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1] * cap),
         stop_at="other_treatments")
    listing = client.get("/q/medicines_list").get_data(as_text=True)
    assert "the most this guide can hold" in listing
    resp = client.post("/q/medicines_list", data={"medicines_more": "yes"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "There is a problem" in html and "the most this guide can hold" in html
    assert client.get(f"/q/medicine_details/{cap}").status_code == 302
    assert len(current_record(client, app).answers["medicines"]) == cap


def test_too_long_medicine_name_is_refused_and_kept(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1]), stop_at="medicines_list")
    name = "N" * 101
    resp = client.post("/q/medicine_details/0", data={
        "medicine": "other", "other_name": name, "weeks": "6to8"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "100 characters or fewer" in html and f'value="{name}"' in html
