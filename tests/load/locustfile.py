"""Patients completing whole journeys, as a browser would: CSRF tokens read from each page,
redirects followed, every Continue checked to have landed on the next page.

    locust -f tests/load/locustfile.py --headless -u 100 -r 20 -t 2m \\
        --host http://127.0.0.1:8000 --only-summary

(`python tests/load/run_load.py` starts a loopback gunicorn and runs exactly that.)
The run exits non-zero on any failed save, any 5xx or any other failed request. Every page
is timed on its own (a POST and the GET of the page it redirects to are two entries), and the
end prints p50/p95/p99 per page against the 300 ms p99 target (the PDF excepted).
Only loopback hosts are accepted.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from decision_aid.content import load_content  # noqa: E402
from tests.support.journey import form_for, page_values, persona  # noqa: E402

QUESTIONNAIRE = load_content().questionnaire
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')
PAGE_URL = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PERSONAS = [
    persona(),
    persona(preference="talking", own_questions="How long would I wait for therapy?"),
    persona(medicines=[{"medicine": "sertraline", "dose": "100", "dose_unit": "mg",
                        "weeks": "9to12", "adherence": "yes", "helped": "some",
                        "side_effects": ["sleep"], "stopped_reason": "still_taking",
                        "added": ["none"]}]),
]

P99_TARGET_MS = 300
# One person in ten downloads the PDF; LOAD_PDF_EVERY=0 for none (to see what PDFs cost others).
PDF_EVERY = int(os.environ.get("LOAD_PDF_EVERY", "10"))
UNTARGETED = {"GET /summary/pdf"}
COUNTS = {"journeys": 0, "summaries": 0, "saves": 0, "failed_saves": 0, "broken_journeys": 0,
          "server_errors": 0}


class JourneyFailed(Exception):
    pass


@events.test_start.add_listener  # type: ignore[untyped-decorator]
def _loopback_only(environment: Environment, **_kw: Any) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load-test {host!r}: only 127.0.0.1 is allowed")


@events.request.add_listener  # type: ignore[untyped-decorator]
def _count_5xx(response: Any = None, **_kw: Any) -> None:
    if response is not None and getattr(response, "status_code", 0) >= 500:
        COUNTS["server_errors"] += 1


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _exit_code(environment: Environment, **_kw: Any) -> None:
    total = environment.stats.total
    elapsed = max(total.last_request_timestamp - total.start_time, 1e-9) \
        if total.last_request_timestamp else 0
    print(f"\nload result: {COUNTS['journeys']} journeys completed, {COUNTS['summaries']} "
          f"summaries saved, {COUNTS['saves']} saves, {COUNTS['failed_saves']} failed saves, "
          f"{COUNTS['broken_journeys']} broken journeys, {COUNTS['server_errors']} 5xx, "
          f"{total.num_requests} requests, {total.num_failures} failures, "
          f"{total.num_requests / elapsed if elapsed else 0:.1f} req/s, "
          f"median {total.median_response_time} ms, "
          f"p95 {total.get_response_time_percentile(0.95)} ms")
    print_page_percentiles(environment)
    if (COUNTS["failed_saves"] or COUNTS["broken_journeys"] or COUNTS["server_errors"]
            or total.num_failures):
        environment.process_exit_code = 1


def print_page_percentiles(environment: Environment) -> None:
    entries = sorted(environment.stats.entries.values(), key=lambda e: (e.name, e.method))
    rows = [(f"{e.name}", e.num_requests, e.get_response_time_percentile(0.5),
             e.get_response_time_percentile(0.95), e.get_response_time_percentile(0.99),
             e.max_response_time) for e in entries if e.num_requests]
    print(f"\nper page (ms): p99 target {P99_TARGET_MS} ms for every page but the PDF")
    print(f"{'page':40} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  verdict")
    for name, n, p50, p95, p99, top in rows:
        verdict = "-" if name in UNTARGETED else ("met" if p99 <= P99_TARGET_MS else "MISSED")
        print(f"{name:40} {n:6} {p50:6.0f} {p95:6.0f} {p99:6.0f} {top:7.0f}  {verdict}")


def page_name(path: str) -> str:
    """GET /q/<page> per page; loop items share one name per page."""
    match = PAGE_URL.match(path)
    if match:
        return f"GET /q/{match['page']}" + ("/[i]" if match["index"] is not None else "")
    return f"GET {path}"


class Patient(HttpUser):
    wait_time = between(1, 3)

    def _token(self, html: str) -> str:
        match = TOKEN_RE.search(html)
        if not match:
            raise JourneyFailed("no CSRF token on the page")
        return match.group(1)

    def _save(self, path: str, data: dict[str, Any], html: str, name: str,
              expect_not: str | None = None) -> Any:
        """POST a form with the page's token; a save only counts once it sends us elsewhere.
        The page it redirects to is then fetched (and timed) on its own."""
        with self.client.post(path, data={**data, "csrf_token": self._token(html)}, name=name,
                              catch_response=True, timeout=60, allow_redirects=False) as resp:
            landed = urlsplit(resp.headers.get("Location", "")).path
            if resp.status_code != 303 or (expect_not is not None and landed == expect_not):
                COUNTS["failed_saves"] += 1
                resp.failure(f"save on {path} ended with {resp.status_code} at {landed}")
                raise JourneyFailed(path)
            COUNTS["saves"] += 1
            resp.success()
        page = self.client.get(landed, name=page_name(landed), timeout=60)
        if page.status_code != 200:
            raise JourneyFailed(f"GET {landed} gave {page.status_code}")
        return page

    @task
    def whole_journey(self) -> None:
        who = PERSONAS[COUNTS["journeys"] % len(PERSONAS)]
        try:
            start = self.client.get("/", name="GET /")
            resp = self._save("/start", {}, start.text, "POST /start")
            items = 0
            for _ in range(200):
                path = urlsplit(resp.url).path
                if path == "/check":
                    break
                match = PAGE_URL.match(path)
                if not match:
                    raise JourneyFailed(f"unexpected page {path}")
                page = QUESTIONNAIRE.page(match["page"])
                index = int(match["index"]) if match["index"] is not None else None
                if page.kind == "loop_list":
                    more = "yes" if len(who.medicines) > items else "no"
                    data: dict[str, Any] = {"medicines_more": more}
                else:
                    data = form_for(page, page_values(page, who, index))
                    if page.loop and index is not None and page.id == "medicine_outcome":
                        items = index + 1
                self.wait()  # type: ignore[no-untyped-call]
                name = "POST " + page_name(path).removeprefix("GET ")
                resp = self._save(path, data, resp.text, name, expect_not=path)
            else:
                raise JourneyFailed("never reached Check your answers")
            summary = self._save("/check", {}, resp.text, "POST /check", expect_not="/check")
            saved = self._save("/summary/save", {}, summary.text, "POST /summary/save",
                               expect_not="/summary")
            if not CODE_RE.search(saved.text):
                COUNTS["failed_saves"] += 1
                raise JourneyFailed("no retrieval code shown after saving")
            COUNTS["summaries"] += 1
            if PDF_EVERY and COUNTS["summaries"] % PDF_EVERY == 1 % PDF_EVERY:
                self.client.get("/summary/pdf", name="GET /summary/pdf", timeout=120)
            self.wait()  # type: ignore[no-untyped-call]
            summary = self.client.get("/summary", name="GET /summary")
            self._save("/finish", {}, summary.text, "POST /finish", expect_not="/summary")
            COUNTS["journeys"] += 1
        except JourneyFailed as exc:
            # A journey that cannot go on is a failure too, never a silent restart.
            COUNTS["broken_journeys"] += 1
            self.environment.events.request.fire(
                request_type="JOURNEY", name="whole journey", response_time=0,
                response_length=0, exception=exc, context={}, response=None)
            self.client.cookies.clear()
