"""Which language a request is served in: the locale selector and the `lang` template global."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from decision_aid.serving.i18n import current_language, uncompiled_catalogs


def _lang(app: Flask, path: str = "/", **kwargs: object) -> str:
    with app.test_request_context(path, **kwargs):
        return current_language()


def test_first_visit_follows_accept_language(app: Flask) -> None:
    assert _lang(app, headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"}) == "es"
    assert _lang(app, headers={"Accept-Language": "en-GB,en;q=0.8,es;q=0.5"}) == "en"


def test_unknown_languages_fall_back_to_english(app: Flask) -> None:
    assert _lang(app, headers={"Accept-Language": "fr-FR,de;q=0.8"}) == "en"
    assert _lang(app) == "en"


def test_the_session_choice_wins_over_the_browser(app: Flask, client: FlaskClient) -> None:
    with client.session_transaction() as sess:
        sess["lang"] = "es"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="es"' in page.get_data(as_text=True)


def test_clinician_pages_are_english_whatever_the_patient_chose(
        app: Flask, client: FlaskClient) -> None:
    assert _lang(app, "/clinician/login", headers={"Accept-Language": "es"}) == "en"
    with client.session_transaction() as sess:
        sess["lang"] = "es"
    page = client.get("/clinician/login")
    assert '<html lang="en"' in page.get_data(as_text=True)


def test_lang_query_names_the_language_after_the_session_ends(app: Flask) -> None:
    assert _lang(app, "/finished?lang=es", headers={"Accept-Language": "en"}) == "es"
    assert _lang(app, "/finished?lang=xx", headers={"Accept-Language": "en"}) == "en"


def test_templates_get_lang_and_locale_formatting(app: Flask) -> None:
    day = date(2026, 12, 1)
    source = "{{ lang }}|{{ format_date(day) }}|{{ format_number(12345.5) }}"
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert render_template_string(source, day=day) == "es|1 de diciembre de 2026|12.345,5"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(source, day=day) == "en|1 December 2026|12,345.5"


def test_pages_say_their_language_in_the_content_language_header(client: FlaskClient) -> None:
    assert client.get("/", headers={"Accept-Language": "es"}).headers["Content-Language"] == "es"
    assert client.get("/", headers={"Accept-Language": "en"}).headers["Content-Language"] == "en"
    static = client.get("/static/css/app.css")
    static.close()
    assert "Content-Language" not in static.headers


def test_a_catalog_left_uncompiled_is_found(tmp_path: Path) -> None:
    po = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    assert uncompiled_catalogs(tmp_path) == ["es"]
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"")
    os.utime(mo, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    assert uncompiled_catalogs(tmp_path) == []
