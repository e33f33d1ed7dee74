"""Whole question pages kept per process (serving/fragments.py, whole_page): rendered once for
everyone who sees the same thing, each person's own CSRF token and revision filled in, and
nothing a person typed ever kept. A saved summary's page is kept per row version (record_page).
CSRF is on here, so a kept page's token is proved to work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import flask_babel  # type: ignore[import-untyped]
import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from decision_aid.serving.fragments import PAGE_EXTENSION, RECORD_EXTENSION
from tests.support.journey import current_record, finish, persona, walk
from tests.support.spanish import ACCEPT_SPANISH

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REV = re.compile(r'name="rev" value="(\d+)"')
PHQ9 = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_9": "0"}


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return app_config | {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def rendered(app: Flask) -> Iterator[list[str]]:
    names: list[str] = []

    def record(_sender: Any, template: Any, **_extra: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def _token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, html[:500]
    return match.group(1)


def _start(client: FlaskClient) -> str:
    token = _token(client.get("/").get_data(as_text=True))
    resp = client.post("/start", data={"csrf_token": token})
    assert resp.status_code == 303
    return str(resp.headers["Location"])


def _post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    page = client.get(url).get_data(as_text=True)
    rev = REV.search(page)
    form = data | {"csrf_token": _token(page), "rev": rev.group(1) if rev else "0"}
    return client.post(url, data=form)


def _kept(app: Flask) -> list[str]:
    return [html for html, _used in app.extensions[PAGE_EXTENSION]._items.values()]


def test_an_unanswered_page_is_rendered_once_and_carries_each_persons_own_token(
        app: Flask, rendered: list[str]) -> None:
    first, second = app.test_client(), app.test_client()
    page = _start(first)
    assert _start(second) == page
    mine = first.get(page).get_data(as_text=True)
    rendered.clear()
    theirs = second.get(page).get_data(as_text=True)
    assert rendered == []  # the second person's page came from the process's copy
    assert _token(mine) != _token(theirs)
    assert TOKEN.sub("", mine) == TOKEN.sub("", theirs)
    # The kept page's token is the second person's own: their answer is accepted with it.
    resp = second.post(page, data=PHQ9 | {"csrf_token": _token(theirs), "rev": "0"})
    assert resp.status_code == 303
    # And the first person's token does not work for the second.
    refused = second.post(page, data=PHQ9 | {"csrf_token": _token(mine), "rev": "0"})
    assert refused.status_code == 400


def test_two_people_with_the_same_answers_each_see_their_own_revision(app: Flask) -> None:
    first, second = app.test_client(), app.test_client()
    page = _start(first)
    _start(second)
    other = PHQ9 | {"phq9_1": "2"}
    for answers in (PHQ9, other, PHQ9):  # the first person changes their mind twice
        assert _post(first, page, answers).status_code == 303
    assert _post(second, page, PHQ9).status_code == 303
    mine, theirs = first.get(page).get_data(as_text=True), second.get(page).get_data(as_text=True)
    assert 'name="phq9_1" value="1" checked' in mine and 'name="phq9_1" value="1" checked' in theirs
    assert REV.findall(mine) == ["3"] and REV.findall(theirs) == ["1"]


def test_what_a_person_types_is_never_kept(app: Flask, client: FlaskClient,
                                           rendered: list[str]) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # the journey helper posts without tokens
    other = {"medicine": "other", "other_name": "Zorblex", "dose": "37", "weeks": "9to12",
             "adherence": "yes", "helped": "little_or_none", "side_effects_any": "no",
             "still_taking": "yes", "added_any": "no"}
    walk(client, app, persona(medicines=[other]), stop_at="medicines_list")
    for url in ("/q/medicine_details/0", "/q/medicine_outcome/0"):
        rendered.clear()
        html = client.get(url).get_data(as_text=True)
        assert "Zorblex" in html and rendered  # rendered fresh, with what they typed
    assert _kept(app), "the unanswered pages before were kept"
    assert not any("Zorblex" in html for html in _kept(app))
    assert not any('value="37"' in html for html in _kept(app))


def test_a_page_asked_with_another_query_is_not_kept(app: Flask, client: FlaskClient) -> None:
    page = _start(client)
    before = len(_kept(app))
    odd = client.get(page + "?x=@@slot-csrf@@").get_data(as_text=True)
    assert len(_kept(app)) == before  # made-up addresses do not fill (or empty) the cache
    # Nothing asked in the address is filled in: the person's token stays in its form field.
    assert odd.count(_token(odd)) == 1
    kept = client.get(page + "?return_to=check").get_data(as_text=True)
    assert len(_kept(app)) == before + 1 and kept.count(_token(kept)) == 1


def test_a_saved_summary_page_is_kept_per_version_with_each_requests_own_token(
        app: Flask, client: FlaskClient, rendered: list[str]) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # the journey helper posts without tokens
    walk(client, app, persona())
    finish(client)
    assert client.post("/summary/save").status_code == 303
    app.config["WTF_CSRF_ENABLED"] = True
    first = client.get("/summary").get_data(as_text=True)
    rendered.clear()
    again = client.get("/summary").get_data(as_text=True)
    assert rendered == []  # the whole page came from the record's kept copy
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "It is not shared with anyone." in again
    # The kept page's token is this request's own, and it works.
    shared = client.post("/summary/share", data={"csrf_token": _token(again), "share": "yes",
                                                 "label": ""})
    assert shared.status_code == 303
    after = client.get("/summary").get_data(as_text=True)
    assert "It is shared with your clinic." in after  # a new row version: made again
    record_id = current_record(client, app).id
    kept = app.extensions[RECORD_EXTENSION]
    assert any(key[0] == record_id for key in kept._items)
    rendered.clear()
    odd = client.get("/summary?x=@@slot-csrf@@").get_data(as_text=True)
    assert "patient/summary.html" in rendered  # asked with a query: rendered fresh
    assert odd.count(_token(odd)) == len(TOKEN.findall(odd)) == 3
    client.post("/finish", data={"csrf_token": _token(after)})
    assert not any(key[0] == record_id for key in kept._items)  # finish drops the pages


def test_a_kept_piece_finds_the_languages_catalog_once_per_render(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Flask-Babel's own template gettext finds the catalog again for every string (a summary
    # body has about 160); a piece rendered here is given gettext bound to one catalog.
    app.config["WTF_CSRF_ENABLED"] = False
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT_SPANISH
    walk(client, app, persona())
    finish(client)
    app.extensions[RECORD_EXTENSION]._items.clear()
    looked_up = []
    original = flask_babel.Domain.get_translations

    def counting(self: Any) -> Any:
        looked_up.append(1)
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    html = client.get("/summary").get_data(as_text=True)
    assert "Sus opciones para hablar con su médico" in html
    assert 0 < len(looked_up) <= 10, len(looked_up)
