"""Every patient page, as rendered, reads at Flesch-Kincaid 8 or lower AND SMOG 9 or lower.

What is measured is what a person reads: the visible text of <main>, split into units. Each
paragraph, list item, heading (h1-h4), table cell, dt/dd, legend, label, <summary> line and
figure caption is ONE sentence, whatever full stops it holds (the strict count of issue 10).
Text that sits in no such element counts as a unit of its own. Left out: verbatim instrument
text (marked `data-readability="skip"` in the templates), citations (links to a numbered source,
"#sN", and the numbered sources lists), scripts, and the entries of a drop-down list (searched,
not read).
Closed disclosures ("Why we ask") are measured: a person may open them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

from tests.support.crisis import crisis_pages
from tests.support.journey import Persona, current_record, finish, walk
from tests.support.journey_time import ANSWERS, THREE_MEDICINES

MAX_FK = 8.0
MAX_SMOG = 9.0
# Pages whose words live in files this test's author could not change; each still fails and is
# listed so that the test stays honest: once a page passes, the check below asks for it to go.
PENDING: dict[str, str] = {}
UNITS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "dt", "dd", "legend", "label",
         "summary", "figcaption", "caption",
         # other blocks: text sitting loose in one is read as a line of its own
         "h5", "h6", "div", "section", "article", "aside", "header", "footer", "nav", "form",
         "fieldset", "details", "ul", "ol", "dl", "table", "tr", "blockquote", "button"}
BLOCK_CLASSES = {"hint", "caption", "error-message", "choice__hint"}  # spans shown as lines
HIDDEN = {"script", "style", "template", "option", "noscript"}
SKIP_CLASSES = {"sources-list", "visually-hidden"}  # citation lists; text only screen readers get
_VOID = {"input", "br", "img", "hr", "meta", "link", "source", "wbr", "col", "area", "embed"}
CITATION = re.compile(r"#s\d+$")  # a link to a numbered source, e.g. /summary/sources#s15


def is_citation(attrs: dict[str, str | None]) -> bool:
    return bool(CITATION.search(attrs.get("href") or ""))


class Units(HTMLParser):
    """The units of text a person reads inside <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, is a unit)
        self.buffers: list[list[str]] = [[]]  # innermost open unit last; [0] is loose text
        self.units: list[str] = []

    def _flush(self, buf: list[str]) -> None:
        text = " ".join("".join(buf).split())
        if re.search(r"\w", text):
            self.units.append(text)
        buf.clear()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "main":
            self.in_main += 1
        skipped = (tag in HIDDEN or a.get("data-readability") == "skip"
                   or bool(classes & SKIP_CLASSES) or (tag == "a" and is_citation(a)))
        unit = tag in UNITS or bool(classes & BLOCK_CLASSES)
        self.stack.append((tag, skipped, unit))
        if unit:
            self._flush(self.buffers[-1])  # text before a nested unit is a unit of its own
            self.buffers.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            top, _, unit = self.stack.pop()
            if unit:
                self._flush(self.buffers.pop())
            if top == "main":
                self.in_main -= 1
                self._flush(self.buffers[0])
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_main and not any(s for _, s, _ in self.stack):
            self.buffers[-1].append(data)


def units_of(html: str) -> list[str]:
    parser = Units()
    parser.feed(html)
    parser.close()
    return parser.units


def one_sentence_each(units: list[str]) -> str:
    return " ".join(re.sub(r"[.!?:;]+(\s|$)", " ", u).strip() + "." for u in units)


def _pages(app: Flask) -> dict[str, str]:
    client = app.test_client()
    pages = {"/": client.get("/").get_data(as_text=True)}
    pages |= crisis_pages(client, app)
    visited = walk(client, app, Persona(answers=dict(ANSWERS), medicines=THREE_MEDICINES))
    for url in visited:  # a loop page is read again for each medicine; the first one counts
        key = re.sub(r"/\d+$", "/n", url)
        pages.setdefault(key, client.get(url).get_data(as_text=True))
    pages["/check"] = client.get("/check").get_data(as_text=True)
    pages["/summary"] = finish(client)
    summary = current_record(client, app)
    assert summary is not None
    for opt in app.extensions["content"].options:
        pages[f"/summary/options/{opt.id}"] = client.get(
            f"/summary/options/{opt.id}").get_data(as_text=True)
    pages["/summary/sources"] = client.get("/summary/sources").get_data(as_text=True)
    pages["/summary/print"] = client.get("/summary/print").get_data(as_text=True)
    pages["/summary/print?full=1"] = client.get("/summary/print?full=1").get_data(as_text=True)
    pages["/sure"] = client.get("/sure").get_data(as_text=True)
    client.post("/summary/save")
    for url in ["/saved", "/delete", "/about", "/privacy"]:
        pages[url] = client.get(url).get_data(as_text=True)
    client.post("/finish")
    pages["/finished"] = client.get("/finished").get_data(as_text=True)
    pages["/resume"] = client.get("/resume").get_data(as_text=True)
    pages["/deleted"] = client.get("/deleted").get_data(as_text=True)
    return pages


@pytest.fixture
def measured(app: Flask, textstat: ModuleType) -> dict[str, tuple[float, float, int]]:
    figures = {}
    for url, html in _pages(app).items():
        prose = one_sentence_each(units_of(html))
        figures[url] = (float(textstat.flesch_kincaid_grade(prose)),
                        float(textstat.smog_index(prose)), len(prose.split()))
    return figures


def _table(figures: dict[str, Any]) -> str:
    rows = sorted(figures.items(), key=lambda kv: -max(kv[1][0], kv[1][1] - 1))
    return "\n".join(f"{u:44} FK {fk:5.1f}  SMOG {sm:5.1f}  {w:5} words"
                     for u, (fk, sm, w) in rows)


def test_every_patient_page_reads_at_fk_8_and_smog_9(
        measured: dict[str, tuple[float, float, int]]) -> None:
    expected = {"/", "/check", "/summary", "/summary/sources", "/summary/print", "/about",
                "/privacy", "/saved", "/resume", "/delete", "/finished", "/sure", "/deleted"}
    assert expected <= set(measured), set(measured)
    assert sum("(crisis" in u for u in measured) == 2
    assert sum(u.startswith("/summary/options/") for u in measured) >= 5
    assert sum(u.startswith("/q/") for u in measured) >= 10
    too_hard = {u: f for u, f in measured.items() if f[0] > MAX_FK or f[1] > MAX_SMOG}
    new = {u: f for u, f in too_hard.items() if u not in PENDING}
    assert not new, "pages above FK 8 or SMOG 9:\n" + _table(new) + (
        "\n\nall pages:\n" + _table(measured))
    fixed = set(PENDING) - set(too_hard)
    assert not fixed, f"these pages pass now; take them out of PENDING: {sorted(fixed)}"


def test_units_split_as_a_reader_sees_them() -> None:
    html = (
        "<header><p>Not main.</p></header><main><h1>Your options</h1>"
        "<p>One. Two <a href='#s1' data-readability='skip'>[1]</a> three.</p>"
        "<p>Low <a href='/summary/sources#s15'>[15]</a><a href='#s4'>[4]</a></p>"
        "<ul><li>Item <strong>bold</strong></li><li><p>Inner.</p> tail</li></ul>"
        "<div data-readability='skip'><p>Over the last 2 weeks</p></div>"
        "<table><tr><th>Chance</th><td>30 in 100</td></tr></table>"
        "<select><option>sertraline</option></select>Loose text"
        "<script>var x;</script></main>"
    )
    assert units_of(html) == ["Your options", "One. Two three.", "Low", "Item bold", "Inner.",
                              "tail", "Chance", "30 in 100", "Loose text"]
    assert one_sentence_each(["One. Two three.", "Chance"]) == "One Two three. Chance."


def test_the_measure_can_fail(textstat: ModuleType) -> None:
    # One long paragraph of several sentences fails once it counts as one sentence.
    long_para = ("<main><p>" + "People who took the medicine felt better. " * 6
                 + "Some stopped because of the side effects they had.</p></main>")
    prose = one_sentence_each(units_of(long_para))
    assert textstat.flesch_kincaid_grade(prose) > MAX_FK

