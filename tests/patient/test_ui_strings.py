"""Every word of the patient UI that lives in templates or Python goes through gettext, so the
Spanish catalog reaches it; English pages read as before (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import Environment

from tests.support.journey import finish, persona, walk

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
PATIENT_TEMPLATES = sorted(
    p for pattern in ("base.html", "patient/*.html", "partials/*.html", "errors/*.html")
    for p in TEMPLATES.glob(pattern))

# Words a patient page may show without a translation: numbers, the crisis lines and each
# language's own name on the language link.
UNTRANSLATED = {"English", "Español"}
WORD = re.compile(r"[A-Za-z]{2,}")
TAG = re.compile(r"<[^>]*>")
# Attributes people read (screen readers, tooltips, the stacked table's cell labels).
READ_ATTRIBUTES = re.compile(r'\b(aria-label|alt|title|placeholder|data-label)="([^"{]*)"')
# An attribute outside a tag in the source (a macro writes it into a tag elsewhere), a CSS class.
NOT_TEXT = re.compile(r'[\w-]+="[^"]*"|\w+--[\w-]+')


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in UNTRANSLATED]


def literal_text(source: str) -> list[str]:
    """Text in a template that a reader sees but gettext never gets: template data outside
    {% trans %} blocks (tags stripped), read attributes, and multi-word string literals in
    expressions that are not an argument of _() (nor an id compared with ==)."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: list[str] = []
    visible: list[str] = []  # template data outside trans blocks; "\0" where an expression was
    in_trans = False
    previous: list[tuple[str, str]] = []
    for _lineno, kind, value in env.lex(source):
        if kind == "name" and value == "trans" and previous[-1:] == [("block_begin", "{%")]:
            in_trans = True
        if kind == "name" and value == "endtrans":
            in_trans = False
        if kind == "data" and not in_trans:
            visible.append(value)
        elif kind in ("variable_begin", "block_begin"):
            visible.append("\0")
        if kind == "string":
            text = value[1:-1]
            before = [v for _k, v in previous[-2:]]
            wrapped = before == ["_", "("]
            compared = before[-1:] in (["=="], ["!="])
            css = "counter(" in text  # the PDF's page footer, put into a translated sentence
            if " " in text.strip() and len(_words(text)) >= 2 and not (wrapped or compared or css):
                found.append(text)
        if kind != "whitespace":
            previous.append((kind, value))
    page = re.sub(r"<style>.*?</style>", " ", "".join(visible), flags=re.S)
    found += [m.group(2) for m in READ_ATTRIBUTES.finditer(page) if _words(m.group(2))]
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", NOT_TEXT.sub(" ", TAG.sub(" ", page)))
    if _words(text):
        found.append(" ".join(text.split()))
    return found


@pytest.mark.parametrize("path", PATIENT_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_patient_text_outside_gettext(path: Path) -> None:
    assert literal_text(path.read_text(encoding="utf-8")) == []


def test_the_check_catches_unwrapped_text() -> None:
    assert literal_text("<p>Hello there</p>") == ["Hello there"]
    assert literal_text('<aside aria-label="Help now">') == ["Help now"]
    assert literal_text('{% set c = "The part " ~ n ~ " of it" %}') == ["The part ", " of it"]
    wrapped = '<p>{{ _("Hello there") }}</p>{% trans n=1 %}{{ n }} more{% endtrans %}'
    assert literal_text(wrapped) == []


def spanish(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def test_english_start_page_is_unchanged_and_names_the_other_language(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Think through your next depression treatment</h1>" in html
    assert re.search(r'<a class="language-switch" href="/language/es\?next=/"[^>]*'
                     r'lang="es" hreflang="es">Español</a>', html)


def test_spanish_start_page_comes_from_the_catalog(client: FlaskClient) -> None:
    html = spanish(client).get("/").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "<h1>Piense en su próximo tratamiento para la depresión</h1>" in html
    assert ">English</a>" in html and 'hreflang="en"' in html
    assert "Think through" not in html


def test_dates_follow_the_language(client: FlaskClient, app: Flask) -> None:
    published = app.extensions["content"].meta.published
    english = client.get("/about").get_data(as_text=True)
    assert f"{published.day} {published:%B} {published.year}" in english
    html = spanish(client).get("/about").get_data(as_text=True)
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]
    assert f"{published.day} de {months[published.month - 1]} de {published.year}" in html


def test_spanish_about_page_explains_the_study_designs_and_grades(
        client: FlaskClient, app: Flask) -> None:
    html = spanish(client).get("/about").get_data(as_text=True)
    how_numbers = html.split('id="how-numbers"')[1].split('id="how-sure"')[0]
    terms = re.findall(r'<dt class="summary-list__key">([^<]+)</dt>', how_numbers)
    es_glossary = app.extensions["contents"]["es"].glossary
    english = [t.term for t in app.extensions["content"].glossary]
    wanted = [es_glossary[english.index(t)].term
              for t in ("Controlled trial", "No comparison group", "Observational study")]
    assert terms == wanted
    table = html.split('class="grade-table"')[1].split("</table>")[0]
    assert ">Moderada<" in table and ">Moderate<" not in table


def test_form_and_resume_messages_in_spanish(client: FlaskClient) -> None:
    html = spanish(client).post("/resume", data={"code": ""}).get_data(as_text=True)
    assert "Escriba su código" in html and "Enter your code" not in html
    html = client.post("/resume", data={"code": "NOPE-NOPE-NOPE-NOPE"}).get_data(as_text=True)
    assert "No encontramos un resumen con ese código" in html


def test_engine_fallback_messages_are_translated(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from decision_aid.engine import validation
    from decision_aid.patient import journey

    # Today every field has its own messages, so the engine's English fallbacks are a safety
    # net: make validation return one, as it would for a field without its own message.
    def fallback_error(page: object, form: object) -> validation.ValidationResult:
        return validation.ValidationResult(errors={"age_band": validation._FALLBACKS["invalid"]})

    walk(spanish(client), app, persona(), stop_at="health")
    monkeypatch.setattr(journey, "validate_page", fallback_error)
    resp = client.post("/q/health", data={"age_band": "not-a-choice"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert validation._FALLBACKS["invalid"] not in html
    assert "Elija una de las opciones que se muestran" in html
    with app.test_request_context(headers={"Accept-Language": "es"}):
        from flask_babel import gettext  # type: ignore[import-untyped]

        untranslated = [m for m in validation._FALLBACKS.values() if gettext(m) == m]
    assert untranslated == []


def test_finishing_keeps_the_language(client: FlaskClient) -> None:
    spanish(client).post("/start")
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    with client.session_transaction() as sess:
        sess["lang"] = "es"
    resp = client.post("/finish")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/finished?lang=es")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Ya terminó en este aparato" in html


def test_english_finish_redirect_is_unchanged(client: FlaskClient) -> None:
    client.post("/start")
    resp = client.post("/finish")
    assert resp.headers["Location"].endswith("/finished")


def test_other_error_pages_name_the_problem_in_spanish(app: Flask, client: FlaskClient) -> None:
    from flask import abort

    def gone() -> str:
        abort(410)

    app.add_url_rule("/test-gone", "test_gone", gone)
    assert "<p>Gone</p>" in client.get("/test-gone").get_data(as_text=True)
    html = spanish(client).get("/test-gone").get_data(as_text=True)
    assert "<p>Esta página ya no existe</p>" in html and "<h1>Algo salió mal</h1>" in html


def test_spanish_summary_dates_in_words(client: FlaskClient, app: Flask) -> None:
    walk(spanish(client), app, persona())
    html = finish(client)
    assert re.search(r"Resumen hecho el \d{1,2} de [a-z]+ de \d{4}\.", html)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    english = client.get("/summary").get_data(as_text=True)
    assert re.search(r"Summary made on \d{4}-\d\d-\d\d\.", english)
