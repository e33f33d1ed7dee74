"""`make bench`: throughput of the real app against a bare Flask "hello" under the same gunicorn.

Starts gunicorn (gthread workers = cores, as `make serve`) on loopback ports for a bare Flask
app (the baseline) and for the decision aid on a migrated temporary SQLite database (and on
PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set; in its own `bench` schema).
It seeds data, runs short wrk runs and prints every result as a ratio to the baseline, then
the same four requests in-process through the Flask test client (tests/bench/profile_pages.py,
ratios to bare Flask in that run) and the journey time estimate (tests/support/journey_time.py)
when that script exists.

Exit status: 0 when the harness ran (missed targets are reported, not fatal); 1 when the
harness itself failed. Only 127.0.0.1 is contacted. Typical wall time: 4-6 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.harness import (
    ROOT,
    USER_AGENT,
    Browser,
    HarnessError,
    Server,
    alternatives,
    app_env,
    clinician_browser,
    content,
    create_clinician,
    first_page,
    migrate,
    page_form,
    rss_mb,
    save_summary,
)

HELLO_APP = '''
from flask import Flask
app = Flask(__name__)
BODY = ("<!doctype html><html><head><title>Hello</title></head><body>"
        + "<p>Hello, world.</p>" * 100 + "</body></html>")
@app.get("/")
def hello():
    return BODY
@app.get("/healthz")
def healthz():
    return "ok"
'''

WRK = shutil.which("wrk") or "wrk"
SAVED_SMALL = 1_000
SAVED_LARGE = 1_000_000
TARGETS = {"question": 0.35, "answer_post": 0.25, "summary": 0.25, "open_code": 0.25}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int

    @property
    def ok(self) -> bool:
        return self.bad == 0 and self.requests > 0


@dataclass
class Pair:
    """An app measurement and the bare-Flask baseline measured right before it."""

    app: WrkResult
    base: WrkResult

    @property
    def ratio(self) -> float:
        return self.app.rps / self.base.rps


@dataclass
class Row:
    backend: str
    name: str
    value: str
    ratio: str
    target: str
    verdict: str


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, script: Path | None, duration: int, connections: int = 16) -> WrkResult:
    base = [WRK, "-t2", f"-c{connections}"]
    if script is not None:
        base += ["-s", str(script)]
    subprocess.run([*base, "-d1s", url], capture_output=True, timeout=60, check=True)  # warm-up
    out = subprocess.run([*base, f"-d{duration}s", "--latency", url], capture_output=True,
                         text=True, timeout=duration + 60, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not rps or not total:
        raise HarnessError(f"could not read wrk output:\n{out}")
    p50 = re.search(r"^\s+50%\s+(\S+)$", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)$", out, re.MULTILINE)
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # gunicorn sync workers close every connection, which wrk may count as read errors.
    bad = int(non_ok.group(1)) if non_ok else 0
    if sock:
        bad += int(sock.group(1)) + int(sock.group(4))
    return WrkResult(float(rps.group(1)), _ms(p50.group(1)) if p50 else float("nan"),
                     _ms(p99.group(1)) if p99 else float("nan"), int(total.group(1)), bad)


def _lua(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


Request = tuple[str, str, str, str]


def lua_script(path: Path, requests: list[Request], per_thread: bool = False) -> Path:
    """A wrk script cycling through (method, path, cookie header, form body) requests.

    With per_thread, wrk's two threads cycle through disjoint halves, so no two connections
    write to one draft at the same moment (a real person does not either).
    """
    halves = ([requests[: len(requests) // 2], requests[len(requests) // 2:]] if per_thread
              else [requests, requests])
    tables = ",\n".join(
        "  {\n" + ",\n".join(f"    {{{_lua(m)}, {_lua(p)}, {_lua(c)}, {_lua(b)}}}"
                              for m, p, c, b in half) + "\n  }"
        for half in halves)
    path.write_text(f"""
local tables = {{
{tables}
}}
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local i = 0
local reqs = nil
function init(args)
  reqs = tables[(tid or 0) % 2 + 1]
  i = (tid or 0) * 7
end
request = function()
  i = i + 1
  local r = reqs[(i % #reqs) + 1]
  local headers = {{["User-Agent"] = "{USER_AGENT}", ["Cookie"] = r[3]}}
  local body = nil
  if r[4] ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = r[4]
  end
  return wrk.format(r[1], r[2], headers, body)
end
""")
    return path


def form(data: dict[str, str]) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in data.items())


# --- Seeding ----------------------------------------------------------------------------------

@dataclass
class Blobs:
    answers: str
    revisions: str
    summary: str


def make_blobs(data_keys: str) -> Blobs:
    from decision_aid.security import crypto

    crypto.configure(data_keys)
    return Blobs(crypto.encrypt_json({}), crypto.encrypt_json({}),
                 crypto.encrypt_json({"seeded": True}))


COLUMNS = ("id, status, answers, page_revisions, summary_snapshot, content_version, "
           "consent_version, consent_at, code_hash, shared, flagged, phq9_total, gad7_total, "
           "created_at, updated_at, completed_at, saved_at, shared_at, version")


def seed_rows(start: int, count: int, blobs: Blobs, aware: bool) -> Iterator[tuple[Any, ...]]:
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    for i in range(start, start + count):
        when = now - timedelta(seconds=i)
        ts: Any = when if aware else when.strftime("%Y-%m-%d %H:%M:%S.%f")
        shared = i % 4 != 0
        yield (str(uuid.UUID(bytes=os.urandom(16), version=4)), "saved", blobs.answers,
               blobs.revisions, blobs.summary, "seed", "seed", ts, os.urandom(32).hex(), shared,
               i % 10 == 0, i % 28, i % 22, ts, ts, ts, ts, ts if shared else None, 1)


def seed_sqlite(path: str, start: int, count: int, blobs: Blobs) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    try:
        conn.execute("PRAGMA busy_timeout=60000")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-500000")
        conn.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" * len(COLUMNS.split(",")))
        conn.executemany(f"INSERT INTO responses ({COLUMNS}) VALUES ({marks})",
                         seed_rows(start, count, blobs, aware=False))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def seed_postgres(url: str, start: int, count: int, blobs: Blobs) -> None:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY responses ({COLUMNS}) FROM STDIN") as copy:
            for row in seed_rows(start, count, blobs, aware=True):
                copy.write_row(row)
        conn.commit()
    # Settle the bulk load as autovacuum eventually would (hint bits, visibility map, stats),
    # so the large run does not time a one-off vacuum.
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE responses")


def drop_bench_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench CASCADE")


def postgres_bench_url(url: str) -> str:
    """The same database, but a private `bench` schema, rebuilt from scratch."""
    import psycopg

    parts = urlsplit(url)
    query = "options=-csearch_path%3Dbench"
    bench = urlunsplit((parts.scheme, parts.netloc, parts.path,
                        f"{parts.query}&{query}" if parts.query else query, ""))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        conn.execute("CREATE SCHEMA bench")
    return bench


def count_saved(backend: str, url: str) -> int:
    if backend == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=60)
        try:
            return int(conn.execute("SELECT count(*) FROM responses WHERE status = 'saved'")
                       .fetchone()[0])
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SELECT count(*) FROM responses WHERE status = 'saved'").fetchone()
        return int(row[0]) if row else 0


def seed_to(backend: str, url: str, total: int, blobs: Blobs) -> float:
    have = count_saved(backend, url)
    started = time.monotonic()
    if total > have:
        (seed_sqlite(url.removeprefix("sqlite:///"), have, total - have, blobs)
         if backend == "sqlite" else seed_postgres(url, have, total - have, blobs))
    return time.monotonic() - started


# --- Measurements -----------------------------------------------------------------------------

def timed_get(browser: Browser, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, _, body = browser.get(path)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise HarnessError(f"GET {path} gave {status}")
    return elapsed, body


def warm_pdf_workers(port: int, questionnaire: Any) -> None:
    """Render one throwaway PDF in every worker, so first renders below exclude imports."""
    browsers = []
    for _ in range(2):
        b = Browser(port)
        save_summary(b, questionnaire)
        browsers.append(b)
    for _ in range(2):
        threads = [threading.Thread(target=b.get, args=("/summary/pdf",)) for b in browsers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)


BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br"}


def page_weight(browser: Browser, path: str) -> tuple[int, int]:
    """(raw bytes, bytes sent to a browser that accepts compression) of the page and its styles
    and scripts. http.client does not decode, so the second is what went over the wire."""
    status, _, body = browser.get(path)
    if status != 200:
        raise HarnessError(f"GET {path} gave {status}")
    html = body.decode()
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    status, _, sent_body = browser.request("GET", path, extra_headers=BROWSER_ENCODINGS)
    raw, sent = len(body), len(sent_body)
    for asset in dict.fromkeys(assets):
        status, _, data = browser.get(asset)
        if status != 200:
            raise HarnessError(f"GET {asset} gave {status}")
        raw += len(data)
        _, _, packed = browser.request("GET", asset, extra_headers=BROWSER_ENCODINGS)
        sent += len(packed)
    return raw, sent


def mixed_requests(n: int, drafts: list[Browser], done: list[Browser],
                   clinician: Browser, code: str, dash_token: str, page: str,
                   answer: dict[str, Any], alternate: tuple[str, str, str]) -> None:
    key, one, other = alternate
    for i in range(n):
        kind = i % 8
        draft = drafts[i % len(drafts)]
        finished = done[i % len(done)]
        if kind == 0:
            draft.get(page)
        elif kind == 1:
            draft.post(page, {**answer, key: (one, other)[(i // 8) % 2],
                              "csrf_token": draft.form_token})
        elif kind == 2:
            finished.get("/summary")
        elif kind == 3:
            finished.get("/summary/pdf")
        elif kind == 4:
            clinician.get("/clinician/")
        elif kind == 5:
            clinician.post("/clinician/open", {"code": code, "csrf_token": dash_token})
        elif kind == 6:
            draft.get("/static/css/app.css")
        else:
            finished.get("/check")


@dataclass
class Latency:
    """Sequential requests, each right after one to the bare app: medians in ms."""

    app_ms: float
    base_ms: float

    @property
    def normalised(self) -> float:
        return self.app_ms / self.base_ms


def interleaved_latency(browser: Browser, method: str, path: str, data: dict[str, str] | None,
                        hello_port: int, n: int = 60) -> Latency:
    hello = Browser(hello_port)
    app_times, base_times = [], []
    for _ in range(n):
        started = time.perf_counter()
        hello.get("/")
        base_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        status, _, _ = browser.request(method, path, data)
        app_times.append(time.perf_counter() - started)
        if status not in (200, 303):
            raise HarnessError(f"{method} {path} gave {status}")
    return Latency(statistics.median(app_times) * 1000, statistics.median(base_times) * 1000)


def query_times(url: str, code_hash: str, n: int = 200) -> dict[str, float]:
    """The dashboard's first page and the open-by-code lookup, straight at the database."""
    from flask import Flask
    from sqlalchemy import create_engine, select

    from decision_aid.clinician.access import live_condition
    from decision_aid.clinician.dashboard import feed_query
    from decision_aid.storage.models import PatientRecord

    app = Flask(__name__)
    app.config["SAVED_RETENTION_DAYS"] = 365
    engine = create_engine(url)
    out = {}
    try:
        with app.app_context(), engine.connect() as conn:
            for name, stmt in [("dashboard", feed_query("all", None)),
                               ("open", select(PatientRecord.id).where(
                                   PatientRecord.code_hash == code_hash, live_condition()))]:
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    conn.execute(stmt).all()
                    times.append(time.perf_counter() - started)
                out[name] = statistics.median(times) * 1000
    finally:
        engine.dispose()
    return out


@dataclass
class AppResults:
    question: Pair
    answer_post: Pair
    summary: Pair
    pdf_wrk: Pair
    pdf_first_ms: list[float]
    pdf_repeat_ms: float
    dashboard: dict[int, Pair]
    open_code: dict[int, Pair]
    dashboard_latency: dict[int, Latency]
    open_latency: dict[int, Latency]
    query_ms: dict[int, dict[str, float]]
    seed_seconds: float
    weights: dict[str, tuple[int, int]]
    rss_start_mb: float
    rss_after_mb: float


def bench_app(backend: str, url: str, workdir: Path, workers: int, duration: int,
              large: int, hello: Server) -> AppResults:
    env = app_env(url)
    migrate(url)
    email, password = "clinician@clinic.example", "Pw-" + uuid.uuid4().hex
    create_clinician(env, email, password)
    blobs = make_blobs(env["DATA_KEYS"])
    q = content().questionnaire
    server = Server(f"app-{backend}", "decision_aid.wsgi:app", env, workers, workdir).start()
    try:
        port = server.port
        print(f"[{backend}] preparing drafts and saved summaries", flush=True)
        drafts = []
        page = ""
        for _ in range(16):
            b = Browser(port)
            page = first_page(b)
            b.form_token, _ = b.token(page)
            drafts.append(b)
        answer = page_form(q, page)
        alternate = alternatives(q, answer)
        done = []
        codes = []
        for _ in range(6):
            b = Browser(port)
            codes.append(save_summary(b, q))
            done.append(b)
        seed_to(backend, url, SAVED_SMALL, blobs)

        def cookie(b: Browser) -> str:
            return b.cookie_header()

        def measure(path: str, script: Path) -> Pair:
            # Neighbours share this CPU: pair each run with a baseline taken just before it.
            base = run_wrk(hello.base + "/", None, duration)
            return Pair(run_wrk(server.base + path, script, duration), base)

        print(f"[{backend}] question page, answer POST, summary", flush=True)
        question = measure(page, lua_script(
            workdir / "question.lua", [("GET", page, cookie(b), "") for b in drafts]))
        # Fresh drafts answering their first page, each thread with its own 32, alternating
        # the answer so that every POST really writes.
        writers = []
        for _ in range(64):
            b = Browser(port)
            first_page(b)
            b.form_token, _ = b.token(page)
            writers.append(b)
        posts: list[Request] = []
        key = alternate[0]
        for half in (writers[:32], writers[32:]):
            posts += [("POST", page, cookie(b),
                       form({**answer, "csrf_token": b.form_token, key: value}))
                      for value in alternate[1:] for b in half]
        answer_post = measure(page, lua_script(workdir / "answer.lua", posts, per_thread=True))
        summary = measure("/summary", lua_script(
            workdir / "summary.lua", [("GET", "/summary", cookie(b), "") for b in done]))

        print(f"[{backend}] PDF first render and repeats", flush=True)
        warm_pdf_workers(port, q)
        first = []
        for _ in range(3):
            b = Browser(port)
            save_summary(b, q)
            elapsed, body = timed_get(b, "/summary/pdf")
            if not body.startswith(b"%PDF"):
                raise HarnessError("the PDF route did not return a PDF")
            first.append(elapsed * 1000)
            done.append(b)
        repeat_browser = done[-1]
        repeats = [timed_get(repeat_browser, "/summary/pdf")[0] * 1000 for _ in range(20)]
        pdf_wrk = measure("/summary/pdf", lua_script(
            workdir / "pdf.lua", [("GET", "/summary/pdf", cookie(repeat_browser), "")]))

        dashboard: dict[int, Pair] = {}
        open_code: dict[int, Pair] = {}
        dashboard_latency: dict[int, Latency] = {}
        open_latency: dict[int, Latency] = {}
        query_ms: dict[int, dict[str, float]] = {}
        from decision_aid.security.codes import normalise
        from decision_aid.security.crypto import keyed_hash

        code_hash = keyed_hash(env["CODE_PEPPER"], normalise(codes[0]) or "")
        seed_seconds = 0.0
        for size in (SAVED_SMALL, large):
            if size != SAVED_SMALL:
                print(f"[{backend}] seeding {size:,} saved summaries", flush=True)
                seed_seconds = seed_to(backend, url, size, blobs)
                print(f"[{backend}] seeded in {seed_seconds:.0f} s", flush=True)
            clinician = clinician_browser(port, email, password)
            dash_token, _ = clinician.token("/clinician/")
            print(f"[{backend}] dashboard and open-by-code at {size:,}", flush=True)
            dashboard[size] = measure("/clinician/", lua_script(
                workdir / "dash.lua", [("GET", "/clinician/", cookie(clinician), "")]))
            open_code[size] = measure("/clinician/open", lua_script(
                workdir / "open.lua", [("POST", "/clinician/open", cookie(clinician),
                                        form({"code": codes[0], "csrf_token": dash_token}))]))
            dashboard_latency[size] = interleaved_latency(clinician, "GET", "/clinician/", None,
                                                          hello.port)
            open_latency[size] = interleaved_latency(
                clinician, "POST", "/clinician/open",
                {"code": codes[0], "csrf_token": dash_token}, hello.port)
            query_ms[size] = query_times(url, code_hash)

        weights = {}
        clinician = clinician_browser(port, email, password)
        for label, who, path in [("start", drafts[0], "/"), ("question", drafts[0], page),
                                 ("check", done[0], "/check"), ("summary", done[0], "/summary"),
                                 ("resume", Browser(port), "/resume"),
                                 ("clinician dashboard", clinician, "/clinician/")]:
            weights[label] = page_weight(who, path)
    finally:
        server.stop()

    print(f"[{backend}] one worker, 1,000 mixed requests", flush=True)
    single = Server(f"app-{backend}-1w", "decision_aid.wsgi:app", env, 1, workdir).start()
    try:
        pid = single.worker_pids()[0]
        for b in [*drafts, *done]:
            b.port = single.port
        clinician = clinician_browser(single.port, email, password)
        dash_token, _ = clinician.token("/clinician/")
        rss_start = rss_mb(pid)
        mixed_requests(1000, drafts, done, clinician, codes[0], dash_token, page, answer,
                       alternate)
        rss_after = rss_mb(pid)
    finally:
        single.stop()
    return AppResults(question, answer_post, summary, pdf_wrk, first, statistics.median(repeats),
                      dashboard, open_code, dashboard_latency, open_latency, query_ms,
                      seed_seconds, weights, rss_start, rss_after)


def start_hello(workdir: Path, workers: int) -> Server:
    hello_dir = workdir / "hello"
    hello_dir.mkdir()
    (hello_dir / "hello.py").write_text(HELLO_APP)
    env = {**os.environ, "PYTHONPATH": str(hello_dir)}
    return Server("hello", "hello:app", env, workers, workdir, chdir=hello_dir).start()


# --- Report -----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rows_for(backend: str, r: AppResults, large: int) -> list[Row]:
    out: list[Row] = []

    def add(name: str, pair: Pair, target: float | None) -> None:
        w = pair.app
        text = (f"{w.rps:,.0f} req/s (base {pair.base.rps:,.0f}), p50 {w.p50_ms:.1f} ms, "
                f"p99 {w.p99_ms:.1f} ms")
        if w.bad:
            text += f", {w.bad} bad responses"
        out.append(Row(backend, name, text, f"{pair.ratio:.2f}x",
                       f">= {target}x" if target else "-",
                       verdict(pair.ratio >= target and w.ok) if target else
                       ("ok" if w.ok else "ERRORS")))

    add("question page GET", r.question, TARGETS["question"])
    add("answer POST (writes)", r.answer_post, TARGETS["answer_post"])
    add("summary page GET", r.summary, TARGETS["summary"])
    add("PDF GET (cached, wrk)", r.pdf_wrk, None)
    first = statistics.median(r.pdf_first_ms)
    speedup = first / r.pdf_repeat_ms
    out.append(Row(backend, "PDF first render vs repeat",
                   f"first {first:,.0f} ms (n={len(r.pdf_first_ms)}, "
                   f"{min(r.pdf_first_ms):,.0f}-{max(r.pdf_first_ms):,.0f}), "
                   f"repeat {r.pdf_repeat_ms:.1f} ms", f"{speedup:.0f}x faster", ">= 10x",
                   verdict(speedup >= 10)))
    for label, key, results, latency in (
            ("clinician dashboard", "dashboard", r.dashboard, r.dashboard_latency),
            ("open-by-code POST", "open", r.open_code, r.open_latency)):
        add(f"{label} @ {SAVED_SMALL:,}", results[SAVED_SMALL], TARGETS.get(key))
        add(f"{label} @ {large:,}", results[large], None)
        small, big = latency[SAVED_SMALL], latency[large]
        slow = big.normalised / small.normalised
        out.append(Row(backend, f"{label} latency: {large:,} vs {SAVED_SMALL:,}",
                       f"median {small.app_ms:.1f} -> {big.app_ms:.1f} ms (bare "
                       f"{small.base_ms:.1f} / {big.base_ms:.1f} ms)",
                       f"{slow:.2f}x", "<= 1.5x", verdict(slow <= 1.5 and results[large].app.ok)))
        q_small, q_big = r.query_ms[SAVED_SMALL][key], r.query_ms[large][key]
        out.append(Row(backend, f"{label} SQL alone: {large:,} vs {SAVED_SMALL:,}",
                       f"median {q_small:.2f} -> {q_big:.2f} ms", f"{q_big / q_small:.2f}x",
                       "-", "-"))
    for page, (raw, sent) in r.weights.items():
        # The target is judged on what a browser downloads (styles and scripts compressed,
        # pages not: see serving/extensions.py); the raw size stays in view.
        met = sent <= 30 * 1024
        note = "" if raw <= 30 * 1024 else " (raw over)"
        out.append(Row(backend, f"page weight: {page}", f"{raw / 1024:.1f} KB raw, "
                       f"{sent / 1024:.1f} KB sent", "-", "<= 30 KB sent",
                       verdict(met) + note))
    out.append(Row(backend, "one worker RSS after 1,000 mixed requests",
                   f"{r.rss_after_mb:.0f} MB (at start {r.rss_start_mb:.0f} MB)", "-",
                   "<= 120 MB", verdict(r.rss_after_mb <= 120)))
    if r.seed_seconds:
        out.append(Row(backend, f"seed {large:,} rows", f"{r.seed_seconds:.0f} s", "-", "-", "-"))
    return out


def print_table(rows: list[Row], workers: int, duration: int) -> None:
    print()
    print(f"gunicorn gthread x{workers} (8 threads); wrk -t2 -c16 -d{duration}s on 127.0.0.1; "
          "every ratio is against a bare Flask hello measured just before it on the same "
          "machine.")
    headers = ("db", "measure", "result", "vs baseline", "target", "verdict")
    data = [headers, *[(r.backend, r.name, r.value, r.ratio, r.target, r.verdict)
                       for r in rows]]
    widths = [max(len(str(row[i])) for row in data) for i in range(len(headers))]
    for n, row in enumerate(data):
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def in_process_figures() -> None:
    """The in-process ratios (same run) and, when its script exists, the journey estimate."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    scripts = [("in-process ratios to bare Flask (Flask test client)",
                [ROOT / "tests/bench/profile_pages.py", "--no-profile", "--n", "200"]),
               ("journey time estimate", [ROOT / "tests/support/journey_time.py"])]
    for title, (script, *extra) in scripts:
        if not Path(script).exists():
            continue
        print(f"\n{title}:", flush=True)
        done = subprocess.run([sys.executable, str(script), *extra], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=900, check=False)
        print(done.stdout.rstrip() if done.returncode == 0 else
              f"  {script.name} failed: {done.stderr.strip()[-800:]}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--large", type=int, default=SAVED_LARGE,
                        help="saved summaries for the large run (default 1,000,000)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workers = os.cpu_count() or 2
    if shutil.which(WRK) is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="da-bench-"))
    backends = [("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    if pg.startswith("postgres") and not args.sqlite_only:
        backends.append(("postgresql", pg))
    if args.postgres_only:
        backends = [b for b in backends if b[0] == "postgresql"]
        if not backends:
            print("--postgres-only needs BENCH_DATABASE_URL or TEST_DATABASE_URL", file=sys.stderr)
            return 1
    started = time.monotonic()
    hello: Server | None = None
    try:
        print(f"baseline: bare Flask on gunicorn, {workers} gthread workers", flush=True)
        hello = start_hello(workdir, workers)
        rows: list[Row] = []
        raw: dict[str, Any] = {}
        for backend, url in backends:
            if backend == "postgresql":
                url = postgres_bench_url(url)
            try:
                result = bench_app(backend, url, workdir, workers, args.duration, args.large,
                                   hello)
            finally:
                if backend == "postgresql":
                    drop_bench_schema(url)  # about 1 GB of seeded rows
            rows += rows_for(backend, result, args.large)
            raw[backend] = asdict(result)
        print_table(rows, workers, args.duration)
        in_process_figures()
        out_dir = ROOT / "bench-output"
        out_dir.mkdir(exist_ok=True)
        (out_dir / "bench.json").write_text(json.dumps(raw, indent=2, default=str))
        print(f"\nTotal {time.monotonic() - started:.0f} s; raw numbers in "
              f"bench-output/bench.json")
        return 0
    except (HarnessError, subprocess.SubprocessError, OSError, sqlite3.Error) as exc:
        print(f"bench harness failed: {exc}", file=sys.stderr)
        print(f"server logs are in {workdir}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        if hello is not None:
            hello.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
