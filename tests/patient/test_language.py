"""Every rendered patient page reads at grade 8 or lower and never advises or ranks."""

from __future__ import annotations

from html.parser import HTMLParser
from types import ModuleType

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.content.language import find_banned
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, PAGE_URL, finish, persona, walk

MAX_GRADE = 8.0
# Verbatim instruments and citations are not our words and are not held to the grade target.
SKIP_CLASSES = {"sources-list", "hint", "claim__meta", "footer-meta", "code-display"}


class MainText(HTMLParser):
    """Collect the text inside <main>, leaving out verbatim instrument text and citations."""

    def __init__(self, verbatim: set[str]) -> None:
        super().__init__()
        self.verbatim = verbatim
        self.depth_main = 0
        self.skip_stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "main":
            self.depth_main += 1
        if self.skip_stack or classes & SKIP_CLASSES or tag in {"script", "style"}:
            self.skip_stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_stack and self.skip_stack[-1] == tag:
            self.skip_stack.pop()
        if tag == "main":
            self.depth_main -= 1
        if tag in {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "legend", "label", "td", "th"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.depth_main and not self.skip_stack:
            text = data.strip()
            if text and text not in self.verbatim:
                self.parts.append(text + (" " if text.endswith((".", "?", "!", ":")) else ". "))

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def _verbatim(app: Flask) -> set[str]:
    instruments = app.extensions["content"].instruments.values()
    return {item for inst in instruments for item in inst.items} | {
        inst.stem for inst in instruments}


def _pages(client: FlaskClient, app: Flask) -> dict[str, str]:
    visited = walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL[:1],
                                        other_treatments=["tms"], health=["high_bp"]))
    pages = {url: client.get(url).get_data(as_text=True) for url in visited}
    pages["/check"] = client.get("/check").get_data(as_text=True)
    pages["/summary"] = finish(client)
    client.post("/summary/save")
    for url in ["/saved", "/summary/print", "/sure", "/delete", "/about", "/privacy",
                "/resume", "/"]:
        pages[url] = client.get(url).get_data(as_text=True)
    return pages


def test_every_patient_page_reads_at_grade_8_or_lower(client: FlaskClient, app: Flask,
                                                      textstat: ModuleType) -> None:
    verbatim = _verbatim(app)
    grades = {}
    for url, html in _pages(client, app).items():
        parser = MainText(verbatim)
        parser.feed(html)
        text = parser.text()
        # Readability formulas mean little on a few words (a heading and Yes/No): those pages
        # are checked through their content strings in tests/content instead.
        if len(text.split()) < 30:
            continue
        grades[url] = textstat.flesch_kincaid_grade(text)
    assert len(grades) > 12
    too_hard = {u: g for u, g in grades.items() if g > MAX_GRADE}
    assert not too_hard, too_hard


def test_no_page_advises_or_ranks(client: FlaskClient, app: Flask) -> None:
    verbatim = _verbatim(app)
    for url, html in _pages(client, app).items():
        parser = MainText(verbatim)
        parser.feed(html)
        found = find_banned(parser.text())
        assert not found, (url, found)


def test_question_urls_match_pattern(client: FlaskClient, app: Flask) -> None:
    assert all(PAGE_URL.match(u) for u in walk(client, app, persona()))
