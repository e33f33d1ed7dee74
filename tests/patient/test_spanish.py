"""The patient journey in Spanish through the Flask client (issue 13): first visit follows
Accept-Language, the whole three-medicine journey, the crisis path (page, banner, print, PDF),
save / share / print / download, switching language mid-journey without losing anything, the
language stored with the record, and the clinician's view of a Spanish summary."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import PASSWORD, make_clinician, sign_in
from tests.support.journey import Persona, current_record, finish, walk
from tests.support.journey_time import ANSWERS, THREE_MEDICINES
from tests.support.spanish import (
    OWN_QUESTION_ES,
    SPANISH_PERSON,
    english_words_in,
    html_lang,
    pdf_text,
    spanish_client,
    spanish_content,
)

# 988's Spanish line: "oprima 2" (press 2); "AYUDA" is the word to text; the Spanish chat.
SPANISH_OPTION = re.compile(r"\b(oprima|marque|presione|pulse)\s+(el\s+)?2\b", re.IGNORECASE)
SPANISH_CHAT = "988lineadevida.org"
CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')
SWITCH_RE = re.compile(r'<a class="language-switch" href="([^"]+)"[^>]*>')


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def banner(html: str) -> str:
    match = re.search(r'<aside[^>]*id="crisis-help".*?</aside>', html, re.S)
    assert match, "no crisis banner"
    return match.group(0)


def assert_spanish_crisis_help(html: str, where: str) -> None:
    words = text_of(html)
    assert "988" in words and "911" in words, where
    assert SPANISH_OPTION.search(words), f"{where}: no '988, oprima 2' (the Spanish line)"
    assert "AYUDA" in words, f"{where}: no 'text AYUDA to 988'"
    assert SPANISH_CHAT in html, f"{where}: no Spanish chat ({SPANISH_CHAT})"


def is_checked(html: str, field: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*id="f-{field}-{value}"[^>]*>', html)
    return tag is not None and " checked" in tag.group(0)


# --- choosing the language ---------------------------------------------------------------------


def test_first_visit_follows_accept_language(app: Flask) -> None:
    spanish = spanish_client(app).get("/").get_data(as_text=True)
    assert html_lang(spanish) == "es"
    assert html_lang(app.test_client().get("/").get_data(as_text=True)) == "en"
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    assert html_lang(other.get("/").get_data(as_text=True)) == "en"
    # The Spanish start page is in Spanish, and offers English in English.
    assert "Think through your next depression treatment" not in spanish
    link = SWITCH_RE.search(spanish)
    assert link, "no language switch link on the start page"
    assert link.group(1).startswith("/language/en?next=")
    assert 'lang="en"' in link.group(0) and 'hreflang="en"' in link.group(0)
    assert ">English</a>" in spanish


def test_unknown_language_is_404_and_unsafe_next_goes_to_start(app: Flask) -> None:
    client = spanish_client(app)
    assert client.get("/language/fr?next=/").status_code == 404
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        resp = client.get("/language/es", query_string={"next": target})
        assert resp.status_code == 303 and resp.headers["Location"] in ("/", "http://localhost/")


# --- the whole journey -------------------------------------------------------------------------


def test_whole_three_medicine_journey_in_spanish(app: Flask) -> None:
    es = spanish_content(app)
    client = spanish_client(app)
    visited = walk(client, app, SPANISH_PERSON)
    assert len(visited) >= 12
    for url in visited:
        page = client.get(url).get_data(as_text=True)
        assert html_lang(page) == "es", url
    # The official Spanish (USA) PHQ-9 and GAD-7, word for word from the Spanish content.
    for inst in ("phq9", "gad7"):
        page = html_lib.unescape(client.get(f"/q/{inst}").get_data(as_text=True))
        for item in (es.instruments[inst].stem, *es.instruments[inst].items):
            assert item in page, (inst, item)
        for item in app.extensions["content"].instruments[inst].items:
            assert item not in page, (inst, item)
    check = client.get("/check").get_data(as_text=True)
    assert html_lang(check) == "es"
    for med in ("sertraline", "escitalopram", "venlafaxine"):
        assert es.medicines[med].generic.lower() in html_lib.unescape(check).lower(), med
    summary = html_lib.unescape(finish(client))
    assert html_lang(summary) == "es"
    for opt in es.options:
        assert opt.name in summary, opt.id
    assert "Your treatment options to discuss" not in summary
    assert OWN_QUESTION_ES in summary  # shown as typed
    record = current_record(client, app)
    assert record.language == "es"


def test_the_spanish_summary_is_kept_in_spanish_when_reopened(app: Flask) -> None:
    client = spanish_client(app)
    walk(client, app, SPANISH_PERSON)
    finish(client)
    client.post("/summary/save")
    code = CODE_RE.search(client.get("/saved").get_data(as_text=True))
    assert code, "no code on the Spanish saved page"
    other = app.test_client()  # a browser with no language preference
    resp = other.post("/resume", data={"code": code.group(1)})
    assert resp.status_code == 303
    reopened = other.get("/summary").get_data(as_text=True)
    assert html_lang(reopened) == "es"  # the record's language, not the browser's default
    es = spanish_content(app)
    assert es.options[0].name in html_lib.unescape(reopened)


# --- crisis path -------------------------------------------------------------------------------


def test_crisis_path_in_spanish_page_banner_print_and_pdf(app: Flask, tmp_path: Path) -> None:
    client = spanish_client(app)
    client.post("/start")
    phq = {f"phq9_{i}": "1" for i in range(1, 10)} | {"phq9_9": "2"}
    resp = client.post("/q/phq9", data=phq)
    assert resp.status_code == 303 and resp.headers["Location"] == "/q/crisis"
    page = client.get("/q/crisis").get_data(as_text=True)
    assert html_lang(page) == "es"
    assert_spanish_crisis_help(page, "/q/crisis")
    assert "You can get help right now" not in page
    for href in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
        assert href in page

    person = Persona(answers=dict(ANSWERS) | {"phq9_9": "2", "own_questions": OWN_QUESTION_ES},
                     medicines=THREE_MEDICINES[:1])
    client = spanish_client(app)
    visited = walk(client, app, person)
    later = visited[visited.index("/q/crisis") + 1:]
    assert len(later) >= 8
    for url in [*later, "/check"]:
        html = client.get(url).get_data(as_text=True)
        assert "crisis-banner--prominent" in html, url
        assert_spanish_crisis_help(banner(html), f"banner on {url}")
    summary = finish(client)
    assert_spanish_crisis_help(summary, "/summary")
    client.post("/summary/save")
    for url in ("/saved", "/summary/print", "/summary/print?full=1", "/about"):
        html = client.get(url).get_data(as_text=True)
        assert html_lang(html) == "es", url
        assert_spanish_crisis_help(html, url)
    pdf = client.get("/summary/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data, tmp_path)
    flat = " ".join(text.split())
    assert "988" in flat and "911" in flat and "AYUDA" in flat
    assert SPANISH_OPTION.search(flat), "the PDF has no '988, oprima 2'"
    assert SPANISH_CHAT in flat


# --- save, share, print, download --------------------------------------------------------------


def test_save_share_print_and_download_in_spanish(app: Flask, tmp_path: Path) -> None:
    es = spanish_content(app)
    client = spanish_client(app)
    walk(client, app, SPANISH_PERSON)
    finish(client)
    assert client.post("/summary/save").headers["Location"] == "/saved"
    saved = client.get("/saved").get_data(as_text=True)
    assert html_lang(saved) == "es" and CODE_RE.search(saved)
    bad = client.post("/summary/share", data={})
    assert bad.status_code == 400
    error = bad.get_data(as_text=True)
    assert html_lang(error) == "es"
    assert "Select yes if you want to share" not in error  # the error is in Spanish too
    assert client.post("/summary/share", data={"share": "yes"}).status_code == 303
    assert current_record(client, app).shared is True
    printed = client.get("/summary/print").get_data(as_text=True)
    assert html_lang(printed) == "es"
    assert es.meta.version in printed
    for opt in es.options:
        assert opt.name in html_lib.unescape(printed), opt.id
    resp = client.get("/summary/pdf")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(resp.data, tmp_path).split())
    for opt in es.options:
        assert opt.name.split()[0] in text, opt.id
    assert "Your treatment options to discuss" not in text
    assert OWN_QUESTION_ES.split()[0] in text
    # No English in the PDF either, up to its list of sources (titles stay in their language).
    raw = pdf_text(resp.data, tmp_path)
    headings = list(re.finditer(r"^\s*Fuentes\s*$", raw, re.M))
    body = raw[:headings[-1].start()] if headings else raw
    assert not english_words_in(body), f"English in the Spanish PDF: {english_words_in(body)}"


# --- switching language mid-journey ------------------------------------------------------------


def _switch(client: FlaskClient, html: str, to: str) -> str:
    link = SWITCH_RE.search(html)
    assert link, "no language switch link"
    href = html_lib.unescape(link.group(1))
    assert href.startswith(f"/language/{to}?next="), href
    resp = client.get(href)
    assert resp.status_code == 303, resp.status_code
    return str(resp.headers["Location"])


def test_switching_language_mid_journey_keeps_the_place_and_every_answer(app: Flask) -> None:
    client = spanish_client(app)
    walk(client, app, SPANISH_PERSON, stop_at="other_treatments")
    before = dict(current_record(client, app).answers)
    assert len(before["medicines"]) == 3
    here = "/q/medicines_list"
    page = client.get(here).get_data(as_text=True)
    assert html_lang(page) == "es"

    # Spanish -> English: the same page, in English, and nothing lost.
    location = _switch(client, page, "en")
    assert location.split("?")[0].endswith(here)
    english = client.get(here).get_data(as_text=True)
    assert html_lang(english) == "en"
    record = current_record(client, app)
    assert record.answers == before and record.language == "en"
    phq9 = client.get("/q/phq9").get_data(as_text=True)
    assert html_lang(phq9) == "en"
    assert all(is_checked(phq9, f"phq9_{i}", before[f"phq9_{i}"]) for i in range(1, 10))
    this_episode = client.get("/q/this_episode").get_data(as_text=True)
    assert is_checked(this_episode, "episode_length", before["episode_length"])

    # English -> Spanish again, from another page: the place and the answers are kept.
    location = _switch(client, phq9, "es")
    assert location.split("?")[0].endswith("/q/phq9")
    again = client.get("/q/phq9").get_data(as_text=True)
    assert html_lang(again) == "es"
    assert all(is_checked(again, f"phq9_{i}", before[f"phq9_{i}"]) for i in range(1, 10))
    record = current_record(client, app)
    assert record.answers == before and record.language == "es"
    # Carry on where the person was: the next unanswered page.
    resp = client.get("/continue")
    assert resp.status_code in (302, 303)
    assert resp.headers["Location"].endswith("/q/other_treatments")


def test_switching_language_on_the_summary_keeps_it(app: Flask) -> None:
    client = spanish_client(app)
    walk(client, app, SPANISH_PERSON)
    summary = finish(client)
    answers = dict(current_record(client, app).answers)
    location = _switch(client, summary, "en")
    assert location.split("?")[0].endswith("/summary")
    english = client.get("/summary").get_data(as_text=True)
    assert html_lang(english) == "en"
    for opt in app.extensions["content"].options:
        assert opt.name in html_lib.unescape(english), opt.id
    assert current_record(client, app).answers == answers
    back = _switch(client, english, "es")
    assert back.split("?")[0].endswith("/summary")
    assert html_lang(client.get("/summary").get_data(as_text=True)) == "es"


def test_language_is_stored_with_the_record(app: Flask) -> None:
    spanish = spanish_client(app)
    walk(spanish, app, SPANISH_PERSON, stop_at="gad7")
    assert current_record(spanish, app).language == "es"
    english = app.test_client()
    walk(english, app, SPANISH_PERSON, stop_at="gad7")
    assert current_record(english, app).language == "en"


# --- clinicians --------------------------------------------------------------------------------


def test_clinician_sees_spanish_marked_and_the_summary_as_the_patient_saw_it(app: Flask) -> None:
    es = spanish_content(app)
    patient = spanish_client(app)
    walk(patient, app, SPANISH_PERSON)
    finish(patient)
    patient.post("/summary/save")
    assert patient.post("/summary/share", data={"share": "yes"}).status_code == 303
    rid = current_record(patient, app).id

    clinician = app.test_client()
    make_clinician(app, "dr.garcia@clinic.example")
    assert sign_in(clinician, "dr.garcia@clinic.example", PASSWORD).status_code == 303
    dashboard = clinician.get("/clinician/").get_data(as_text=True)
    row = re.search(rf"<tr\b(?:(?!</tr>).)*{rid}(?:(?!</tr>).)*</tr>", dashboard, re.S)
    assert row, "the shared Spanish summary is not on the dashboard"
    assert "Spanish" in text_of(row.group(0)), "the dashboard row does not mark Spanish"
    other_row = text_of(dashboard.replace(row.group(0), ""))
    assert html_lang(dashboard) == "en" and "Spanish" not in other_row

    review = clinician.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert html_lang(review) == "en"
    words = html_lib.unescape(text_of(review))
    assert "Spanish" in words, "the review does not say the patient used Spanish"
    # Clinician-facing parts stay English; their own question is shown as typed.
    assert "Medicine trials in detail" in words and "Scores" in words
    assert OWN_QUESTION_ES in words
    assert es.options[0].name not in words  # the option wording on the review is English
    # The review leads to the summary as the patient saw it: in Spanish, marked as Spanish.
    link = re.search(rf'href="(/clinician/summaries/{rid}/[^"]+)"[^>]*>[^<]*saw it', review)
    assert link, "the review has no link to the summary as the patient saw it"
    seen_page = clinician.get(html_lib.unescape(link.group(1)))
    assert seen_page.status_code == 200
    seen_html = seen_page.get_data(as_text=True)
    spanish_part = re.search(r'<(section|div|article)\b[^>]*\blang="es"[^>]*>.*', seen_html, re.S)
    assert spanish_part, 'no part of the page is marked lang="es" (the patient\'s summary)'
    seen = html_lib.unescape(spanish_part.group(0))
    for opt in es.options:
        assert opt.name in seen, opt.id
    assert OWN_QUESTION_ES in seen


def test_fhir_and_csv_exports_carry_the_records_language(app: Flask) -> None:
    import csv

    from decision_aid.clinician.exports import export
    from decision_aid.fhir import build
    from decision_aid.storage.db import get_session
    from decision_aid.storage.models import PatientRecord

    ids = {}
    for lang, client in (("es", spanish_client(app)), ("en", app.test_client())):
        walk(client, app, SPANISH_PERSON)
        finish(client)
        client.post("/summary/save")
        ids[lang] = current_record(client, app).id
    with app.test_request_context("/"):
        for lang, rid in ids.items():
            record = get_session().get(PatientRecord, rid)
            assert record is not None
            bundle = build.bundle_json(record, None)
            responses = [e["resource"] for e in bundle["entry"]
                         if e["resource"]["resourceType"] == "QuestionnaireResponse"]
            assert [r.get("language") for r in responses] == [lang], lang
        rows = list(csv.DictReader(export()))
    by_language = {row["language"]: row for row in rows}
    assert set(by_language) == {"en", "es"}, rows
    # Same answers, same scores and flags, whatever the language.
    for column in ("phq9_total", "phq9_band", "gad7_total", "gad7_band", "item9_flag"):
        assert by_language["es"][column] == by_language["en"][column], column


def test_switching_language_keeps_the_way_back_to_check_your_answers(app: Flask) -> None:
    client = spanish_client(app)
    walk(client, app, SPANISH_PERSON)
    page = client.get("/q/this_episode?return_to=check").get_data(as_text=True)
    location = _switch(client, page, "en")
    assert location.endswith("/q/this_episode?return_to=check"), location
    english = client.get(location).get_data(as_text=True)
    assert html_lang(english) == "en" and 'name="return_to" value="check"' in english


def test_pages_printed_from_the_browser_number_the_pages_in_spanish(app: Flask) -> None:
    spanish = spanish_client(app).get("/").get_data(as_text=True)
    english = app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "css/print-es.css" in spanish and "css/print-es.css" not in english
    response = app.test_client().get("/static/css/print-es.css")
    css = response.get_data(as_text=True)
    response.close()
    assert '"Página " counter(page) " de " counter(pages)' in css


def test_a_saved_summary_code_is_not_read_as_english() -> None:
    """The code is random letters and digits: "4AT4" made the PDF check fail once in a while."""
    assert english_words_in("Su código: BJ3X-W7CX-4AT4-MFRJ (no se lo muestre a nadie)") == {}
    assert set(english_words_in("Keep it at home")) >= {"at"}
