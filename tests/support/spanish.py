"""Helpers for the Spanish tests: a Spanish-speaking visitor, the Spanish journey and its pages,
the "no English left" word check, the Spanish banned phrases and the PDF's text.

A Spanish visitor is a test client whose browser asks for Spanish (Accept-Language), as a
person's browser set to Spanish would; nothing else tells the app which language to use.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import need
from tests.support.crisis import crisis_pages
from tests.support.journey import Persona, current_record, finish, walk
from tests.support.journey_time import ANSWERS, THREE_MEDICINES

ACCEPT_SPANISH = "es-US,es;q=0.9,en;q=0.3"
OWN_QUESTION_ES = "¿Puedo seguir con mi trabajo durante el tratamiento?"
# Three medicines tried, one own question typed in Spanish (what a person types is shown as typed).
SPANISH_PERSON = Persona(answers=dict(ANSWERS) | {"own_questions": OWN_QUESTION_ES},
                         medicines=THREE_MEDICINES)

# Common English words that are not also Spanish words (so none of them can appear in a Spanish
# sentence), and the English month and day names (dates are written per locale). Left out on
# purpose: words Spanish shares or borrows (no, plan, doctor, sexual, crisis, chat, email, final,
# normal, total, error, control, a, me, he, has, son, sin, once...).
_ENGLISH_WORDS = """
the and you your yours with what this that these those have are for from about will would
could should can may might which when where how who why they them their our we there is it its
of to or if but be been was were not any some each other more only also than then because does
did get make keep here now today yes back next page skip save print download share start change
check answer answers question questions summary source sources help people person medicine
medicines treatment treatments option options week weeks month months year years day days
chance better worse feel know need want tried taking take side effects clinician open
close call text free private depression anxiety weight sleep own one two three out all on at by
an up every number mostly little none
january february march april june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
"""
ENGLISH_WORDS = frozenset(_ENGLISH_WORDS.split())

# Advice or ranking in Spanish (accents optional, case ignored, on word boundaries).
BANNED_ES = ("debería", "deberían", "le recomendamos", "les recomendamos", "recomendamos",
             "la mejor opción", "el mejor tratamiento", "lo mejor para usted", "usted necesita",
             "usted tiene que")

_SKIPPED_TAGS = {"script", "style", "template", "code", "noscript"}
_SKIP_CLASSES = {"sources-list", "code-display"}  # citations (their own language); codes
_VOID = {"input", "br", "img", "hr", "meta", "link", "source", "wbr", "col", "area", "embed"}
_READ_ATTRS = ("alt", "aria-label", "placeholder", "title")
_URL = re.compile(r"https?://\S+|\S+@\S+|\b[\w.-]+\.(?:org|com|gov|net|ca|es)(?:/\S*)?",
                  re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# A literature reference written in running text (as in the instruments' attributions): authors
# ("Kroenke K, Spitzer RL, Williams JBW." or "Légaré F, ... et al."), its title, then the journal's
# year;volume. Titles of sources stay in their own language.
_CODE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b")
_CITATION = re.compile(
    r"(?:\b[A-ZÀ-Ý][\w'’-]+ [A-Z]{1,4}\b[,.]?\s+(?:(?:y|and|&)\s+)?)+(?:et al\.?\s+)?"
    r".{0,300}?\b(?:19|20)\d{2};\S*", re.S)


class SpanishText(HTMLParser):
    """What a Spanish reader gets from a page: visible text, the title and the words read out
    by screen readers (alt, aria-label, placeholder, title), but not scripts, <code>, the source
    citations, codes to copy, or anything marked as another language (lang="en")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        lang = (a.get("lang") or "").lower()
        skip = (tag in _SKIPPED_TAGS or "hidden" in a or bool(classes & _SKIP_CLASSES)
                or (tag != "html" and bool(lang) and not lang.startswith("es")))
        if not skip and not self._skipping():
            self.parts.extend(str(a[k]) for k in _READ_ATTRS if a.get(k))
            if tag == "input" and a.get("type") in {"submit", "button"} and a.get("value"):
                self.parts.append(str(a["value"]))
        if tag not in _VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(t == tag for t, _ in self.stack):
            return
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def spanish_text(html: str) -> str:
    parser = SpanishText()
    parser.feed(html)
    parser.close()
    return parser.text()


def english_words(html: str) -> dict[str, str]:
    """English words on the page, each with a little of the text around its first use."""
    return english_words_in(spanish_text(html))


def english_words_in(text: str) -> dict[str, str]:
    """English words in plain text (such as a PDF's), leaving out web addresses, citations and
    saved-summary codes (random letters: "4AT4" once read as the English "at")."""
    text = _CODE.sub(" ", _CITATION.sub(" ", _URL.sub(" ", " ".join(text.split()))))
    found: dict[str, str] = {}
    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        if word in ENGLISH_WORDS and word not in found:
            found[word] = text[max(0, m.start() - 40):m.end() + 40]
    return found


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_banned_es(text: str) -> list[str]:
    folded = _fold(text)
    return [p for p in BANNED_ES
            if re.search(r"\b" + re.escape(_fold(p)).replace(r"\ ", r"\s+") + r"\b", folded)]


def spanish_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT_SPANISH
    return client


def html_lang(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=\"([^\"]*)\"", html)
    return match.group(1) if match else None


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "summary.pdf") -> str:
    need("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    target = tmp_path / name
    target.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout


def spanish_pages(app: Flask) -> dict[str, str]:
    """Every patient page a Spanish speaker meets, rendered in Spanish: start, each question
    page (loop pages once), the crisis page, Check your answers, the summary and its parts,
    print, SURE, saved, delete, About, Privacy, finished, resume, deleted and the 404 page."""
    client = spanish_client(app)
    pages = {"/": client.get("/").get_data(as_text=True)}
    pages |= crisis_pages(client, app)
    for url in walk(client, app, SPANISH_PERSON):
        pages.setdefault(re.sub(r"/\d+$", "/n", url), client.get(url).get_data(as_text=True))
    pages["/check"] = client.get("/check").get_data(as_text=True)
    pages["/summary"] = finish(client)
    assert current_record(client, app) is not None
    for opt in app.extensions["content"].options:
        url = f"/summary/options/{opt.id}"
        pages[url] = client.get(url).get_data(as_text=True)
    for url in ["/summary/sources", "/summary/print", "/summary/print?full=1", "/sure"]:
        pages[url] = client.get(url).get_data(as_text=True)
    client.post("/summary/save")
    for url in ["/saved", "/delete", "/about", "/privacy"]:
        pages[url] = client.get(url).get_data(as_text=True)
    client.post("/finish")
    for url in ["/finished", "/resume", "/deleted", "/no-such-page"]:
        pages[url] = client.get(url).get_data(as_text=True)
    return pages | error_pages(app)


def error_pages(app: Flask) -> dict[str, str]:
    """Pages with the errors a person can make: a question left out, a wrong code, no choice."""
    client = spanish_client(app)
    client.post("/start")
    partial = {f"phq9_{i}": "1" for i in range(1, 8)}
    pages = {"/q/phq9 (errors)": client.post("/q/phq9", data=partial).get_data(as_text=True)}
    pages["/resume (wrong code)"] = client.post(
        "/resume", data={"code": "0000-0000-0000-0000"}).get_data(as_text=True)
    walk(client, app, SPANISH_PERSON)
    finish(client)
    client.post("/summary/save")
    pages["/summary/share (no choice)"] = client.post(
        "/summary/share", data={}).get_data(as_text=True)
    return pages


def spanish_content(app: Flask) -> Any:
    """The Spanish Content the app serves to Spanish pages (I18N.md: app.extensions["contents"])."""
    contents = app.extensions.get("contents")
    assert contents is not None and "es" in contents, (
        'app.extensions["contents"]["es"] is missing (I18N-CORE: load_contents())')
    return contents["es"]
