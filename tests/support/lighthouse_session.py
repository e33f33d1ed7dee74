"""Drive the patient journey over HTTP (with CSRF tokens, as a browser would) and print the
session cookies Lighthouse needs to audit pages that only exist inside a session.

Usage: python tests/support/lighthouse_session.py http://127.0.0.1:PORT
Prints JSON: {"question": {"path", "cookie"}, "summary": {"path", "cookie"}}.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from decision_aid.content import load_content  # noqa: E402
from tests.support.journey import PAGE_URL, form_for, persona  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
QUESTION_PAGE = "episode_length"
MEDICINE = {"medicine": "sertraline", "dose": "150", "dose_unit": "mg", "weeks": "9to12",
            "adherence": "yes", "helped": "little_or_none", "side_effects": ["sexual"],
            "stopped_reason": "did_not_help", "added": ["none"]}


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as resp:
            return urllib.parse.urlsplit(resp.geturl()).path, resp.read().decode()

    def post(self, path: str, html: str, data: dict[str, object]) -> tuple[str, str]:
        token = CSRF.search(html)
        assert token, f"no CSRF token on {path}"
        pairs: list[tuple[str, str]] = [("csrf_token", token.group(1))]
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((key, str(v)) for v in values)
        body = urllib.parse.urlencode(pairs).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        with self.opener.open(request, timeout=60) as resp:
            return urllib.parse.urlsplit(resp.geturl()).path, resp.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def walk(browser: Browser, stop_at: str | None) -> str:
    """Start, then answer every page until stop_at (or Check your answers). Returns the path."""
    q = load_content().questionnaire
    who = persona(medicines=[MEDICINE])
    _, html = browser.get("/")
    path, html = browser.post("/start", html, {})
    for _ in range(200):
        match = PAGE_URL.match(path)
        if match is None:
            return path
        page = q.page(match["page"])
        if page.id == stop_at:
            return path
        if page.kind == "loop_list":
            data: dict[str, object] = {"medicines_more": "no"}
        else:
            index = int(match["index"]) if match["index"] is not None else None
            values = who.answers | (who.medicines[index] if index is not None else {})
            data = form_for(page, values)
        path, html = browser.post(path, html, data)
    raise RuntimeError("the journey did not end")


def main(base: str) -> None:
    question = Browser(base)
    question_path = walk(question, QUESTION_PAGE)
    summary = Browser(base)
    check_path, html = summary.get(walk(summary, None))
    assert check_path == "/check", check_path
    summary_path, _ = summary.post("/check", html, {})
    assert summary_path == "/summary", summary_path
    print(json.dumps({
        "question": {"path": question_path, "cookie": question.cookie_header()},
        "summary": {"path": summary_path, "cookie": summary.cookie_header()},
    }))


if __name__ == "__main__":
    main(sys.argv[1])
