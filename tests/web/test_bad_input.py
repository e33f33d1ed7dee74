"""Bad input on every page: a clear error, typed values kept, never a 500."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.journey import ADEQUATE_UNSUCCESSFUL, PAGE_URL, persona, walk


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
    for url in visited:
        m = PAGE_URL.match(url)
        assert m
        page = q.page(m["page"])
        if page.kind != "question" or all(f.optional for f in page.fields):
            continue
        resp = client.post(url, data={})
        assert resp.status_code == 400, url
        _check_error_page(resp.get_data(as_text=True), page)
        checked += 1
    assert checked > 30


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
    resp = client.post("/q/phq9_1", data={"phq9_1": "x" * (2 * 1024 * 1024)})
    assert resp.status_code == 413
    assert "too long" in resp.get_data(as_text=True)


def test_unknown_page_is_404_not_500(client: FlaskClient) -> None:
    client.post("/start")
    assert client.get("/q/nope").status_code == 404
    assert client.get("/q/phq9_1/3").status_code == 404
    assert client.post("/q/medicine_details/99", data={}).status_code in (302, 404)


def test_mass_assignment_is_ignored(client: FlaskClient, app: Flask) -> None:
    from tests.web.journey import current_record

    client.post("/start")
    client.post("/q/phq9_1", data={"phq9_1": "1", "status": "saved", "shared": "yes",
                                   "flagged": "1", "code_hash": "x"})
    record = current_record(client, app)
    assert record.status == "draft" and not record.shared and not record.code_hash
    assert set(record.answers) == {"phq9_1"}


text = st.text(max_size=40)
form_values = st.dictionaries(st.sampled_from(
    ["phq9_1", "medicine", "dose", "dose_unit", "weeks", "health", "own_questions", "rev",
     "return_to", "medicines_more", "other_name", "code", "confirm", "share", "sure_1", "x"]),
    st.lists(text, max_size=3), max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form_values, target=st.sampled_from([
    "/q/phq9_1", "/q/medicine_details/0", "/q/medicines_any", "/q/own_questions", "/resume",
    "/delete", "/summary/share", "/sure", "/check", "/start", "/medicines/0/remove"]))
def test_fuzzed_forms_never_500(client: FlaskClient, data, target) -> None:  # type: ignore[no-untyped-def]
    client.post("/start")
    resp = client.post(target, data=data)
    assert resp.status_code < 500, (target, data)
