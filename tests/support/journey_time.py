"""How long the patient journey takes, estimated from what a person reads and does.

Walks the journey through the Flask test client, from the start page to Check your answers
(both counted), as a person with three medicines would, and counts on each page:
- words read: the visible text of <main> (closed disclosures such as "Why we ask",
  visually hidden text and the options of a drop-down list left out; radio and checkbox
  labels and hints counted, as people read them),
- answers given: one per radio, select or text answer, one per ticked checkbox,
- controls: every input, select, textarea and button in <main> (what a person scans past).
The estimate is words / 200 a minute + 3 s an answer + 2 s a page.

Two rules follow what a person actually sees and reads (both changed on 1 Dec 2026; the old
count is still printed, as `words_counting_everything`):
- A follow-up that opens only for some answers (a conditional reveal: the unit once a dose is
  typed, the name of a medicine not on the list) is counted only when the person's answers
  open it. With JavaScript on, as in nearly every browser, the others stay closed and unseen.
- The same list of choices repeated on one page is read once. The PHQ-9 and GAD-7 repeat their
  four answers ("Not at all" ... "Nearly every day") under every item only because each radio
  needs its own label; the paper forms print them once as column headings, and a person reads
  the scale once and then picks by place (likewise "Yes / No / I'm not sure" under two
  questions of one page). A list seen on an earlier page, even the same page for the next
  medicine, is counted again in full.

    python tests/support/journey_time.py     # prints the figures
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python tests/support/journey_time.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.journey import (
    THREE_MEDICINE_PERSONA,
    Persona,
    form_for,
    page_values,
)

# The medicine pages (what the person tried), measured on their own as well: 1,035 words for
# three medicines before their yes/no questions (1 Dec 2026; "how it went" 188 words each).
MEDICINE_PAGES = ("/q/medicines_any", "/q/medicine_details/", "/q/medicine_outcome/",
                  "/q/medicines_list", "/q/other_treatments")
WORDS_PER_MINUTE = 200
SECONDS_PER_ANSWER = 3
SECONDS_PER_PAGE = 2
PAGE_URL = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")
_CONTROLS = {"input", "select", "textarea", "button"}
_VOID = {"input", "br", "img", "hr", "meta", "link", "source", "wbr", "col", "area", "embed"}

# The persona lives in tests/support/journey.py (one source for every journey test).
THREE_MEDICINES: list[dict[str, Any]] = THREE_MEDICINE_PERSONA.medicines
ANSWERS: dict[str, Any] = THREE_MEDICINE_PERSONA.answers


class _MainText(HTMLParser):
    """Visible words and controls inside <main>.

    `opened` names the conditional reveals the person's answers open (their data-* trigger);
    None counts every reveal and every repeated list of choices, as the first version did.
    """

    def __init__(self, opened: set[str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.opened = opened
        self.in_main = 0
        self.words: list[str] = []
        self.controls = 0
        # Words of the lists of choices being read, innermost last, each with its stack depth.
        self.lists: list[tuple[int, list[str]]] = []
        self.lists_read: set[tuple[str, ...]] = set()

    def _closed_reveal(self, a: dict[str, str | None]) -> bool:
        if self.opened is None or "reveal" not in (a.get("class") or "").split():
            return False
        trigger = (a.get("data-reveal-for") or a.get("data-reveal-filled")
                   or f"{a.get('data-reveal-select')}={a.get('data-reveal-value')}")
        return trigger not in self.opened

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main += 1
        if self.in_main and tag in _CONTROLS and a.get("type") != "hidden":
            self.controls += 1
        if tag in _VOID:
            return
        classes = (a.get("class") or "").split()
        # A select's options are searched, not read: its label and hint are counted.
        hides = (
            tag in {"script", "style", "template", "select"}
            or "visually-hidden" in classes
            or (tag == "details" and "open" not in a)
            or self._closed_reveal(a)
        )
        self.stack.append((tag, hides))
        if self.opened is not None and "choices" in classes:
            self.lists.append((len(self.stack), []))

    def _hidden(self) -> bool:
        return any(h for t, h in self.stack if t != "details")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            depth = len(self.stack)
            top, _ = self.stack.pop()
            if self.lists and self.lists[-1][0] == depth:
                self._end_list()
            if top == tag:
                break
        if tag == "main":
            self.in_main -= 1

    def _end_list(self) -> None:
        _, words = self.lists.pop()
        if tuple(words) in self.lists_read:
            return
        self.lists_read.add(tuple(words))
        (self.lists[-1][1] if self.lists else self.words).extend(words)

    def handle_data(self, data: str) -> None:
        if not self.in_main:
            return
        in_summary = any(t == "summary" for t, _ in self.stack)
        # A closed <details> hides its body but not its <summary> line.
        hidden = self._hidden() or (
            any(t == "details" and h for t, h in self.stack) and not in_summary
        )
        if not hidden:
            found = re.findall(r"[\w’'-]+", data)
            (self.lists[-1][1] if self.lists else self.words).extend(found)


def opened_reveals(data: dict[str, Any]) -> set[str]:
    """The reveal triggers (as the templates write them) that these submitted answers open."""
    opened: set[str] = set()
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(v not in ("", None) for v in values):
            opened.add(f"f-{name}")  # data-reveal-filled: a follow-up once this is filled in
        for v in values:
            opened.update({f"f-{name}-{v}", f"f-{name}={v}"})
    return opened


@dataclass
class PageFigures:
    url: str
    words: int
    controls: int
    answers: int
    words_counting_everything: int = 0  # every reveal and every repeated list counted
    repeat: bool = False  # a loop page seen before for another item (medicine 2, 3, ...)


@dataclass
class Estimate:
    pages: list[PageFigures] = field(default_factory=list)

    @property
    def screens(self) -> int:
        return len(self.pages)

    @property
    def words(self) -> int:
        return sum(p.words for p in self.pages)

    @property
    def words_counting_everything(self) -> int:
        return sum(p.words_counting_everything for p in self.pages)

    @property
    def answers(self) -> int:
        return sum(p.answers for p in self.pages)

    @property
    def controls(self) -> int:
        return sum(p.controls for p in self.pages)

    @property
    def minutes(self) -> float:
        seconds = (self.words / WORDS_PER_MINUTE * 60 + self.answers * SECONDS_PER_ANSWER
                   + self.screens * SECONDS_PER_PAGE)
        return seconds / 60

    def words_on(self, prefixes: tuple[str, ...]) -> int:
        """Words read on the pages whose URL starts with one of these."""
        return sum(p.words for p in self.pages if p.url.startswith(prefixes))

    @property
    def minutes_skimming_repeats(self) -> float:
        """The same, if a loop page's words are read once and skimmed for later items."""
        skipped = sum(p.words for p in self.pages if p.repeat)
        return self.minutes - skipped / WORDS_PER_MINUTE


def read_page(url: str, html: str, answers: int,
              data: dict[str, Any] | None = None) -> PageFigures:
    """Figures for one page, `data` being what the person submits on it."""
    parser = _MainText(opened_reveals(data or {}))
    parser.feed(html)
    everything = _MainText()
    everything.feed(html)
    return PageFigures(url, len(parser.words), parser.controls, answers,
                       words_counting_everything=len(everything.words))


def measure(client: Any, app: Any, answers: dict[str, Any] | None = None,
            medicines: list[dict[str, Any]] | None = None) -> Estimate:
    """Walk start page → Check your answers and count what a person reads and does."""
    who = Persona(answers=dict(ANSWERS if answers is None else answers),
                  medicines=THREE_MEDICINES if medicines is None else medicines)
    medicines = who.medicines
    q = app.extensions["content"].questionnaire
    estimate = Estimate()
    estimate.pages.append(read_page("/", client.get("/").get_data(as_text=True), 0))
    location = client.post("/start").headers["Location"]
    lists_seen = 0
    seen_ids: set[str] = set()
    for _ in range(200):
        if location.split("?")[0].endswith("/check"):
            html = client.get("/check").get_data(as_text=True)
            estimate.pages.append(read_page("/check", html, 0))
            return estimate
        match = PAGE_URL.match(location)
        if match is None:
            raise AssertionError(f"unexpected location {location}")
        page = q.page(match["page"])
        index = int(match["index"]) if match["index"] is not None else None
        html = client.get(location).get_data(as_text=True)
        if page.kind == "loop_list":
            lists_seen += 1
            data: dict[str, Any] = {
                page.fields[0].id: "yes" if lists_seen < len(medicines) else "no"}
        else:
            data = form_for(page, page_values(page, who, index))
        given = sum(len(v) if isinstance(v, list) else 1 for v in data.values())
        figures = read_page(location, html, given, data)
        figures.repeat = bool(page.loop) and page.id in seen_ids
        seen_ids.add(page.id)
        estimate.pages.append(figures)
        resp = client.post(location, data=data)
        if resp.status_code != 303:
            raise AssertionError((location, resp.status_code, data))
        location = resp.headers["Location"]
    raise AssertionError("the journey did not reach Check your answers")


def _app(tmp: Path) -> Any:
    from cryptography.fernet import Fernet

    from decision_aid import create_app
    from decision_aid.storage.migrate import upgrade

    url = f"sqlite:///{tmp / 'journey.sqlite3'}"
    upgrade(url)
    app = create_app({
        "TESTING": True, "APP_ENV": "testing", "SECRET_KEY": "k" * 48, "CODE_PEPPER": "p" * 48,
        "DATA_KEYS": Fernet.generate_key().decode(), "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "PASSWORD_HASH_PROFILE": "fast",
        "SERVER_NAME": None,
    })
    app.instance_path = str(tmp / "instance")
    return app


def main() -> None:
    import os

    os.environ.setdefault("APP_ENV", "testing")
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        estimate = measure(app.test_client(), app)
        for p in estimate.pages:
            print(f"{p.url:32} {p.words:5} words {p.controls:4} controls {p.answers:3} answers")
        print(f"screens {estimate.screens}, words {estimate.words} "
              f"({estimate.words_counting_everything} counting every reveal and repeated list), "
              f"answers {estimate.answers}, "
              f"controls {estimate.controls}, about {estimate.minutes:.1f} minutes "
              f"({estimate.minutes_skimming_repeats:.1f} if repeated loop pages are skimmed)")
        print(f"medicine pages: {estimate.words_on(MEDICINE_PAGES)} words "
              f"(1,035 before their yes/no questions)")
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
