"""Server-side patient sessions: a copied or planted cookie stops working once the patient
starts, saves, makes a new code or finishes; the code never travels in the cookie; concurrent
saves leave the patient with a code that works."""

from __future__ import annotations

import base64
import json
import re
import threading
import zlib
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from decision_aid.patient.sessions import COOKIE_KEY, digest, record_for
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord, PatientSession
from tests.support.journey import finish, persona, walk

CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')
PRINT_CODE_RE = re.compile(r"Your code: <strong[^>]*>([0-9A-Z-]+)</strong>")
SUMMARY_MARK = 'id="keep"'


def cookie_of(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def browser_with(app: Flask, cookie: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return other


def decoded(app: Flask, cookie: str) -> dict[str, Any]:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    return dict(serializer.loads(cookie))


def record_of(client: FlaskClient, app: Flask) -> PatientRecord | None:
    with client.session_transaction() as sess:
        cookie = dict(sess)
    with app.app_context():
        return record_for(cookie)


def reads_summary(client: FlaskClient) -> bool:
    resp = client.get("/summary")
    return resp.status_code == 200 and SUMMARY_MARK in resp.get_data(as_text=True)


def reads_pdf_or_print(client: FlaskClient) -> bool:
    pdf = client.get("/summary/pdf")
    printed = client.get("/summary/print")
    return pdf.mimetype == "application/pdf" or printed.status_code == 200


def save(client: FlaskClient) -> str:
    resp = client.post("/summary/save")
    assert resp.status_code == 303 and resp.headers["Location"] == "/saved"
    match = CODE_RE.search(client.get("/saved").get_data(as_text=True))
    assert match
    return match.group(1)


def opens(app: Flask, code: str) -> FlaskClient | None:
    other = app.test_client()
    resp = other.post("/resume", data={"code": code})
    return other if resp.status_code == 303 else None


def completed(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    finish(client)


def test_cookie_planted_before_start_cannot_read_after_save(app: Flask) -> None:
    attacker = app.test_client()
    assert attacker.post("/start").status_code == 303
    planted = cookie_of(attacker, app)
    victim = browser_with(app, planted)
    completed(victim, app)  # the victim carries on the planted draft: Start rotates the token
    save(victim)
    assert reads_summary(victim)
    assert not reads_summary(attacker)
    assert not reads_pdf_or_print(attacker)


def test_cookie_copied_before_save_cannot_read_after_save(app: Flask) -> None:
    victim = app.test_client()
    completed(victim, app)
    copy = browser_with(app, cookie_of(victim, app))
    assert reads_summary(copy), "before the save the copy is the same session (control)"
    save(victim)
    assert reads_summary(victim)
    assert not reads_summary(copy)
    assert not reads_pdf_or_print(copy)
    assert copy.get("/saved").status_code != 200


def test_cookie_copied_before_finish_no_longer_opens_summary(app: Flask) -> None:
    victim = app.test_client()
    completed(victim, app)
    code = save(victim)
    copy = browser_with(app, cookie_of(victim, app))
    assert reads_summary(copy), "control: the copy works until Finish"
    assert victim.post("/finish").status_code == 303
    assert not reads_summary(copy)
    assert not reads_pdf_or_print(copy)
    assert not reads_summary(victim)
    assert opens(app, code) is not None, "the code still opens the summary after Finish"


def test_session_opened_with_old_code_stops_after_new_code(app: Flask) -> None:
    owner = app.test_client()
    completed(owner, app)
    old_code = save(owner)
    elsewhere = opens(app, old_code)
    assert elsewhere is not None and reads_summary(elsewhere)
    new_code = save(owner)  # "Make a new code"
    assert new_code != old_code
    assert not reads_summary(elsewhere)
    assert not reads_pdf_or_print(elsewhere)
    assert opens(app, old_code) is None
    assert opens(app, new_code) is not None
    assert reads_summary(owner)


def test_code_is_not_in_the_cookie_but_on_the_print_of_that_session(app: Flask) -> None:
    client = app.test_client()
    completed(client, app)
    code = save(client)
    cookie = cookie_of(client, app)
    data = decoded(app, cookie)
    # Only the token, Flask-WTF's CSRF secret, Flask-Login's "not fresh" marker and the
    # language ("en"/"es", not patient data).
    assert set(data) <= {COOKIE_KEY, "csrf_token", "_fresh", "lang"}, data
    assert data.get("lang") in (None, "en", "es")
    assert "code_for_print" not in data and "new_code" not in data
    canonical = code.replace("-", "")
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    assert code not in raw.decode() and canonical not in raw.decode()
    assert code not in json.dumps(data) and canonical not in json.dumps(data)
    # The print made in the same session shows the code, from server-side state.
    printed = PRINT_CODE_RE.search(client.get("/summary/print").get_data(as_text=True))
    assert printed and printed.group(1) == code
    # A session opened later by code does not get the code printed.
    elsewhere = opens(app, code)
    assert elsewhere is not None
    assert PRINT_CODE_RE.search(elsewhere.get("/summary/print").get_data(as_text=True)) is None
    # The code is stored only encrypted; the session only as a hash of its token.
    with app.app_context():
        dump = repr(get_session().execute(text("SELECT * FROM patient_sessions")).fetchall())
    assert code not in dump and canonical not in dump and data[COOKIE_KEY] not in dump


def test_token_is_random_256_bits_and_rotates_at_every_step(app: Flask) -> None:
    client = app.test_client()
    seen: list[str] = []

    def token() -> str:
        value = str(decoded(app, cookie_of(client, app))[COOKIE_KEY])
        seen.append(value)
        return value

    walk(client, app, persona(), stop_at="episode_length")
    first = token()
    assert len(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))) >= 32
    assert client.post("/start").status_code == 303  # carry on: Start rotates
    token()
    walk(client, app, persona())
    token()
    finish(client)
    code = save(client)
    token()
    save(client)  # new code
    token()
    other = app.test_client()
    assert other.post("/resume", data={"code": code}).status_code != 303  # old code is dead
    assert len(set(seen)) == len(seen), "a new token at start, save and new code"
    with app.app_context():
        rows = get_session().scalars(select(PatientSession)).all()
        live = [r for r in rows if r.replaced_at is None]
    assert len(live) == 1 and live[0].id == digest(seen[-1])


def test_delete_ends_every_session(app: Flask) -> None:
    owner = app.test_client()
    completed(owner, app)
    code = save(owner)
    elsewhere = opens(app, code)
    assert elsewhere is not None
    assert owner.post("/delete", data={"confirm": "yes"}).status_code == 303
    assert not reads_summary(elsewhere)
    with app.app_context():
        assert get_session().scalars(select(PatientSession)).all() == []


def test_save_sent_twice_gives_one_code_and_keeps_the_session(app: Flask) -> None:
    client = app.test_client()
    completed(client, app)
    before = cookie_of(client, app)
    first = client.post("/summary/save")
    assert first.status_code == 303
    # The browser dropped the first answer and sends the save again with the old cookie.
    again = browser_with(app, before)
    assert again.post("/summary/save").status_code == 303
    codes = {PRINT_CODE_RE.search(c.get("/summary/print").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
             for c in (client, again)}
    assert len(codes) == 1
    assert opens(app, codes.pop()) is not None
    # Only the save may be replayed: the old cookie reads nothing.
    assert not reads_summary(browser_with(app, before))


def test_concurrent_saves_with_the_same_cookie_return_one_working_code(app: Flask) -> None:
    client = app.test_client()
    completed(client, app)
    cookie = cookie_of(client, app)
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def one() -> None:
        browser = browser_with(app, cookie)
        barrier.wait()
        resp = browser.post("/summary/save")
        code = None
        if resp.status_code == 303:
            match = PRINT_CODE_RE.search(browser.get("/summary/print").get_data(as_text=True))
            code = match.group(1) if match else None
        with lock:
            results.append((resp.status_code, code))

    threads = [threading.Thread(target=one) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == threads_n
    assert all(status < 500 for status, _ in results), results
    codes = {code for _, code in results if code}
    assert codes, results
    assert len(codes) == 1, f"every save returned the same code: {results}"
    assert all(opens(app, code) is not None for code in codes)
    with app.app_context():
        saved = get_session().scalars(select(PatientRecord)).one()
    assert saved.status == "saved"


def test_opening_by_code_ends_this_browsers_previous_session(app: Flask) -> None:
    owner = app.test_client()
    completed(owner, app)
    code = save(owner)
    shared_device = app.test_client()
    walk(shared_device, app, persona(), stop_at="gad7")  # someone else's draft on this device
    earlier = cookie_of(shared_device, app)
    assert shared_device.post("/resume", data={"code": code}).status_code == 303
    assert reads_summary(shared_device)
    page = browser_with(app, earlier).get("/q/phq9").get_data(as_text=True)
    assert "We could not find your answers" in page, "the draft's old session ended"
