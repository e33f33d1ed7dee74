"""Faults a clinic will meet: the database goes away, a double click, two tabs, an expired
session, a locked SQLite file, a PostgreSQL restart. None of them may lose an acknowledged
answer or show a 500."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from decision_aid import create_app
from decision_aid.storage.migrate import upgrade
from tests.conftest import base_test_config, need
from tests.support.journey import current_record, persona, walk

SENTINEL = "Can I take ZZ_TYPED_8c1e_ZZ with my other pills?"
LAST_PAGE = {"own_questions": SENTINEL, "preference": "talking"}
REV = re.compile(r'name="rev" value="(\d+)"')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def fail_next_commits(monkeypatch: pytest.MonkeyPatch, times: int = 1) -> list[int]:
    """Make the next `times` Session.commit calls raise OperationalError (the DB went away)."""
    real_commit = Session.commit
    calls: list[int] = []

    def commit(self: Session) -> None:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))
        real_commit(self)

    monkeypatch.setattr(Session, "commit", commit)
    return calls


def rev_of(html: str) -> str:
    match = REV.search(html)
    assert match, "question pages carry the page revision"
    return match.group(1)


def at_own_questions(client: FlaskClient, app: Flask) -> dict[str, Any]:
    """Answer everything up to the own-questions page; return the answers acknowledged so far."""
    walk(client, app, persona(preference="talking"), stop_at="own_questions")
    answers = dict(current_record(client, app).answers)
    assert "top_priorities" in answers and "own_questions" not in answers
    return answers


# --- The database is unavailable during Continue ------------------------------------------------

def test_db_down_on_continue_keeps_typed_text_and_saved_answers(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    before = at_own_questions(client, app)
    calls = fail_next_commits(monkeypatch, times=1)

    resp = client.post("/q/own_questions", data=LAST_PAGE)
    html = resp.get_data(as_text=True)
    assert calls, "the save was attempted"
    assert resp.status_code == 503
    assert resp.headers["Retry-After"].isdigit()
    assert "could not save this page" in html
    assert re.search(r"Error [0-9a-f]{8}", html)
    # What was typed comes back in the box, escaped, ready to send again.
    assert "Can I take ZZ_TYPED_8c1e_ZZ with my other pills?" in html
    assert 'action="/q/own_questions"' in html
    assert "no-store" in resp.headers["Cache-Control"]
    # Nothing acknowledged earlier was lost, and the failed page was not half-written.
    record = current_record(client, app)
    assert record.answers == before

    # The database is back: the same Continue now goes through.
    resp = client.post("/q/own_questions", data=LAST_PAGE)
    assert resp.status_code == 303 and resp.headers["Location"] == "/check"
    assert current_record(client, app).answers == before | LAST_PAGE


def test_db_down_on_a_loop_page_keeps_the_medicine_typed(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    walk(client, app, persona(medicines_any="yes"), stop_at="medicine_details")
    fail_next_commits(monkeypatch, times=1)
    data = {"medicine": "other", "other_name": "ZZ_OTHER_MED_ZZ", "dose": "75",
            "dose_unit": "mg", "weeks": "6to8", "adherence": "yes"}
    resp = client.post("/q/medicine_details/0", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert '<option value="other" selected>' in html and 'value="75"' in html
    assert 'value="ZZ_OTHER_MED_ZZ"' in html
    assert not current_record(client, app).answers.get("medicines")
    assert client.post("/q/medicine_details/0", data=data).status_code == 303
    assert current_record(client, app).answers["medicines"][0]["other_name"] == "ZZ_OTHER_MED_ZZ"


def test_db_down_on_a_page_without_a_form_is_a_503_not_a_500(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    walk(client, app, persona())
    fail_next_commits(monkeypatch, times=1)
    resp = client.post("/check")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"].isdigit()
    assert "Traceback" not in resp.get_data(as_text=True)
    assert current_record(client, app).status == "draft"
    assert client.post("/check").status_code == 303


# --- Double submit --------------------------------------------------------------------------

def test_the_same_answer_sent_twice_is_stored_once(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(), stop_at="this_episode")
    rev = rev_of(client.get("/q/this_episode").get_data(as_text=True))
    version_before = current_record(client, app).version
    data = {"therapy_now": "no", "episode_length": "1to2y", "rev": rev}
    first = client.post("/q/this_episode", data=data)
    second = client.post("/q/this_episode", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    record = current_record(client, app)
    assert record.answers["episode_length"] == "1to2y"
    assert record.version == version_before + 1, "the replay must not write again"
    assert record.page_revisions["this_episode"] == 1


def test_a_new_medicine_sent_twice_is_added_once(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines_any="yes"), stop_at="medicine_details")
    data = {"medicine": "sertraline", "dose": "100", "dose_unit": "mg", "weeks": "6to8",
            "adherence": "yes", "rev": "0"}
    assert client.post("/q/medicine_details/0", data=data).status_code == 303
    assert client.post("/q/medicine_details/0", data=data).status_code == 303
    assert len(current_record(client, app).answers["medicines"]) == 1


# --- Two tabs ---------------------------------------------------------------------------------

def test_two_tabs_the_later_different_save_is_refused(client: FlaskClient, app: Flask) -> None:
    def episode(length: str, rev: str) -> dict[str, str]:
        return {"therapy_now": "no", "episode_length": length, "rev": rev}

    walk(client, app, persona(), stop_at="this_episode")
    # Both tabs show the page at the same revision.
    rev = rev_of(client.get("/q/this_episode").get_data(as_text=True))
    assert rev_of(client.get("/q/this_episode").get_data(as_text=True)) == rev

    first = client.post("/q/this_episode", data=episode("6to12m", rev))
    assert first.status_code == 303
    later = client.post("/q/this_episode", data=episode("gt2y", rev))
    html = later.get_data(as_text=True)
    assert later.status_code == 409
    assert "changed in another window" in html
    assert "have not been saved" in html
    assert 'href="/q/this_episode"' in html
    assert current_record(client, app).answers["episode_length"] == "6to12m"

    # The same answer from the stale tab is not a conflict: nothing would change.
    same = client.post("/q/this_episode", data=episode("6to12m", rev))
    assert same.status_code == 303
    # After reloading, the tab carries the new revision and may change the answer.
    fresh = rev_of(client.get("/q/this_episode").get_data(as_text=True))
    assert fresh != rev
    assert client.post("/q/this_episode", data=episode("gt2y", fresh)).status_code == 303
    assert current_record(client, app).answers["episode_length"] == "gt2y"


@pytest.mark.parametrize("target", ["question", "check"])
def test_a_race_lost_inside_the_database_shows_the_conflict_page(
        client: FlaskClient, app: Flask, database_url: str, target: str) -> None:
    """Two workers pass the revision check at the same moment; the row version decides. Here
    the other worker wins both the first try and the answer made again (patient/conflicts.py),
    so the person gets the conflict page. On SQLite too: these pages take the lock only to
    write."""
    if target == "question":
        walk(client, app, persona(), stop_at="this_episode")
        url, data = "/q/this_episode", {"therapy_now": "no", "episode_length": "gt2y"}
    else:
        walk(client, app, persona())
        url, data = "/check", {}
    before = current_record(client, app)
    other = create_engine(database_url)

    def other_worker_saves_first(session: Session, _ctx: Any, _instances: Any) -> None:
        with other.begin() as conn:
            conn.execute(text("UPDATE responses SET version = version + 1 WHERE id = :id"),
                         {"id": before.id})

    event.listen(Session, "before_flush", other_worker_saves_first)
    try:
        resp = client.post(url, data=data)
    finally:
        event.remove(Session, "before_flush", other_worker_saves_first)
        other.dispose()
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "changed in another window" in html and f'href="{url}"' in html
    after = current_record(client, app)
    assert after.answers == before.answers and after.status == before.status == "draft"


# --- Expired session or CSRF token ------------------------------------------------------------

def test_post_without_a_session_explains_and_never_500s(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(), stop_at="this_episode")
    client.delete_cookie("session")
    for url, data in [("/q/this_episode", {"therapy_now": "no", "episode_length": "gt2y"}),
                      ("/q/medicine_details/0", {"medicine": "sertraline"}),
                      ("/check", {}), ("/summary/save", {}), ("/sure", {"sure_1": "yes"})]:
        resp = client.post(url, data=data, follow_redirects=True)
        html = resp.get_data(as_text=True)
        assert resp.status_code < 500, url
        assert "Traceback" not in html
    resp = client.post("/q/this_episode", data={"therapy_now": "no", "episode_length": "gt2y"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "We could not find your answers" in html
    assert 'href="/resume"' in html and 'href="/"' in html


class TestWithCsrfOn:
    """Real serving has CSRF on, so a missing session fails the token check first."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return app_config | {"WTF_CSRF_ENABLED": True}

    def test_expired_session_on_a_question_explains(self, client: FlaskClient) -> None:
        token = TOKEN.search(client.get("/").get_data(as_text=True))
        assert token
        assert client.post("/start", data={"csrf_token": token.group(1)}).status_code == 303
        page = client.get("/q/phq9").get_data(as_text=True)
        stale_token = TOKEN.search(page)
        assert stale_token
        client.delete_cookie("session")  # the session cookie expired
        resp = client.post("/q/phq9", data={"phq9_1": "2", "csrf_token": stale_token.group(1)})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400
        assert "Your page had expired" in html
        assert 'href="/continue"' in html
        assert "Traceback" not in html and "CSRF" not in html

    def test_expired_token_keeps_typed_text(self, client: FlaskClient, app: Flask) -> None:
        token = TOKEN.search(client.get("/").get_data(as_text=True))
        assert token
        client.post("/start", data={"csrf_token": token.group(1)})
        resp = client.post("/q/phq9", data={"phq9_1": "3", "csrf_token": "expired"})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400
        assert re.search(r'value="3" checked', html)
        assert "could not save it" in html
        assert "phq9_1" not in current_record(client, app).answers


# --- SQLite busy ------------------------------------------------------------------------------

def test_sqlite_busy_is_waited_out_not_an_error(
        client: FlaskClient, app: Flask, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite locking only")
    walk(client, app, persona(), stop_at="this_episode")
    path = database_url.removeprefix("sqlite:///")
    locked = threading.Event()
    hold_seconds = 1.0

    def hold_lock() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            locked.set()
            time.sleep(hold_seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(5)
    started = time.monotonic()
    resp = client.post("/q/this_episode", data={"therapy_now": "no", "episode_length": "1to2y"})
    waited = time.monotonic() - started
    holder.join(5)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    assert waited >= hold_seconds * 0.5, "the save must have waited for the lock"
    assert current_record(client, app).answers["episode_length"] == "1to2y"


# --- A real PostgreSQL restart (private throwaway cluster) -----------------------------------

def _pg_bin() -> Path | None:
    base = Path("/usr/lib/postgresql")
    versions = sorted(base.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def private_pg() -> Iterator[tuple[str, Any]]:
    """A throwaway cluster on a random loopback port, so stopping it disturbs nobody else."""
    if os.environ.get("PG_RESTART_TEST") != "1":
        pytest.skip("set PG_RESTART_TEST=1 to run the PostgreSQL stop/start test")
    bindir = _pg_bin()
    need("PostgreSQL server binaries", bindir is not None and
         (os.geteuid() != 0 or shutil.which("runuser") is not None))
    assert bindir is not None
    datadir = Path(tempfile.mkdtemp(prefix="da-pg-"))
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    port = _free_port()
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(datadir / "data"), "-w", "-t", "20"]
    opts = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(args: list[str]) -> None:
        subprocess.run(_as_postgres(args), check=True, capture_output=True, cwd="/")

    run([str(bindir / "initdb"), "-D", str(datadir / "data"), "-A", "trust", "-U", "postgres",
         "--no-sync", "-E", "UTF8"])
    run([*pg_ctl, "-o", opts, "-l", str(datadir / "log"), "start"])

    def control(action: str) -> None:
        if action == "stop":
            run([*pg_ctl, "-m", "fast", "stop"])
        else:
            run([*pg_ctl, "-o", opts, "-l", str(datadir / "log"), "start"])

    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", control
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True,
                       cwd="/", check=False)
        shutil.rmtree(datadir, ignore_errors=True)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_restart_gives_503_then_recovers(
        private_pg: tuple[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, control = private_pg
    monkeypatch.setenv("APP_ENV", "testing")
    upgrade(url)
    app = create_app(base_test_config(url, tmp_path))
    client = app.test_client()
    try:
        walk(client, app, persona(), stop_at="this_episode")
        control("stop")
        down = client.post("/q/this_episode", data={"therapy_now": "no", "episode_length": "gt2y"})
        assert down.status_code == 503
        assert re.search(r'value="gt2y"[^>]*checked', down.get_data(as_text=True))
        control("start")
        # pool_pre_ping replaces the dead pooled connection: no error after the restart.
        up = client.post("/q/this_episode", data={"therapy_now": "no", "episode_length": "gt2y"})
        assert up.status_code == 303
        assert current_record(client, app).answers["episode_length"] == "gt2y"
    finally:
        app.extensions["db_engine"].dispose()


# --- The database is down on every patient page ------------------------------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options", "Cross-Origin-Opener-Policy", "Permissions-Policy")
PATIENT_PAGES = [
    ("GET", "/", {}), ("POST", "/start", {}), ("GET", "/continue", {}),
    ("GET", "/q/phq9", {}), ("POST", "/q/phq9", {"phq9_1": "1"}),
    ("GET", "/q/medicine_details/0", {}),
    ("POST", "/q/medicine_details/0", {"medicine": "sertraline"}),
    ("GET", "/q/own_questions", {}), ("POST", "/q/own_questions", LAST_PAGE),
    ("GET", "/medicines/0/remove", {}), ("POST", "/medicines/0/remove", {"confirm": "yes"}),
    ("GET", "/check", {}), ("POST", "/check", {}),
    ("GET", "/summary", {}), ("POST", "/summary/save", {}), ("GET", "/saved", {}),
    ("POST", "/summary/share", {"share": "yes"}), ("GET", "/summary/print", {}),
    ("GET", "/summary/pdf", {}), ("GET", "/sure", {}), ("POST", "/sure", {"sure_1": "yes"}),
    ("GET", "/resume", {}), ("POST", "/resume", {"code": "7Q4M-9ZKD-3HXA-T8PV"}),
    ("GET", "/delete", {}), ("POST", "/delete", {"confirm": "yes"}), ("POST", "/finish", {}),
    ("GET", "/about", {}), ("GET", "/privacy", {}), ("GET", "/finished", {}),
    ("GET", "/deleted", {}),
]


def database_goes_away(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection attempt fails from now on, as when the server is down."""
    engine = app.extensions["db_engine"]
    engine.dispose()
    dbapi_error = engine.dialect.loaded_dbapi.OperationalError

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise dbapi_error("connection refused (test: the database is down)")

    monkeypatch.setattr(engine.dialect, "connect", refuse)


@pytest.mark.parametrize(("method", "url", "data"), PATIENT_PAGES,
                         ids=[f"{m} {u}" for m, u, _ in PATIENT_PAGES])
def test_database_down_on_any_patient_page_gives_503_with_headers(
        client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch,
        method: str, url: str, data: dict[str, str]) -> None:
    walk(client, app, persona(medicines_any="yes", medicines=[{"medicine": "sertraline"}]))
    assert client.post("/check").status_code == 303
    assert client.post("/summary/save").status_code == 303
    database_goes_away(app, monkeypatch)
    resp = client.open(url, method=method, data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code in {200, 503}, (resp.status_code, html[:300])
    if resp.status_code == 503:
        assert resp.headers["Retry-After"].isdigit()
        assert re.search(r"[Ee]rror( number:)? (<strong>)?[0-9a-f]{8}", html), html[-800:]
    for name in SECURITY_HEADERS:
        assert name in resp.headers, name
    assert "no-store" in resp.headers["Cache-Control"]
    assert "Traceback" not in html and "OperationalError" not in html
    assert "connection refused" not in html
