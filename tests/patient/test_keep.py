"""Save with a code, open by code, share, print, PDF and delete."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from decision_aid.security.codes import ALPHABET
from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, PatientRecord
from tests.conftest import need
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, current_record, finish, persona, walk

CODE_RE = re.compile(r'<span class="code-display" id="resume-code">([0-9A-Z-]+)</span>')


def saved_code(client: FlaskClient, app: Flask, **answers: object) -> str:
    walk(client, app, persona(**answers))
    finish(client)
    resp = client.post("/summary/save")
    assert resp.status_code == 303 and resp.headers["Location"] == "/saved"
    page = client.get("/saved").get_data(as_text=True)
    match = CODE_RE.search(page)
    assert match, page
    return match.group(1)


def test_code_format_and_only_a_keyed_hash_is_stored(client: FlaskClient, app: Flask) -> None:
    code = saved_code(client, app)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert all(ch in ALPHABET for ch in code.replace("-", ""))
    record = current_record(client, app)
    assert record.status == "saved" and record.code_hash
    canonical = code.replace("-", "")
    assert canonical not in record.code_hash
    with app.app_context():
        raw = get_session().execute(text("SELECT * FROM responses")).fetchall()
    assert canonical not in repr(raw) and code not in repr(raw)
    # The code is shown once only.
    assert CODE_RE.search(client.get("/saved").get_data(as_text=True)) is None


def test_answers_are_encrypted_at_rest(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(own_questions="ZZ_SENTINEL_SERTRALINE_ZZ"))
    finish(client)
    with app.app_context():
        rows = get_session().execute(text("SELECT answers, summary_snapshot FROM responses"))
        dump = repr(rows.fetchall())
    assert "ZZ_SENTINEL" not in dump
    assert current_record(client, app).answers["own_questions"] == "ZZ_SENTINEL_SERTRALINE_ZZ"


def test_open_by_code_in_a_new_browser(client: FlaskClient, app: Flask) -> None:
    code = saved_code(client, app)
    other = app.test_client()
    resp = other.post("/resume", data={"code": code.lower().replace("-", " ")})
    assert resp.status_code == 303 and resp.headers["Location"] == "/summary"
    assert "Your treatment options to discuss" in other.get("/summary").get_data(as_text=True)


def test_code_never_accepted_from_the_url(client: FlaskClient, app: Flask) -> None:
    code = saved_code(client, app)
    other = app.test_client()
    resp = other.get(f"/resume?code={code}")
    assert resp.status_code == 200
    assert other.get("/summary").status_code == 302  # still not opened


def test_wrong_malformed_and_deleted_codes_get_the_same_answer(client: FlaskClient,
                                                               app: Flask) -> None:
    code = saved_code(client, app)
    client.post("/delete", data={"confirm": "yes"})
    bodies = set()
    for typed in ["0000-0000-0000-0000", "not a code", code]:
        resp = app.test_client().post("/resume", data={"code": typed})
        assert resp.status_code == 400
        body = resp.get_data(as_text=True)
        assert body.startswith("<!doctype html>") and "<title>Error: " in body
        bodies.add(re.sub(r'value="[^"]*"', "", re.sub(r'name="csrf_token" value="[^"]*"', "",
                                                       body)))
    assert len(bodies) == 1


@pytest.fixture
def app_config(app_config: dict[str, object], request: pytest.FixtureRequest) -> dict[str, object]:
    if request.node.get_closest_marker("ratelimited"):
        return app_config | {"RATELIMIT_ENABLED": True}
    return app_config


@pytest.mark.ratelimited
def test_resume_is_rate_limited(client: FlaskClient) -> None:
    statuses = [client.post("/resume", data={"code": f"AAAA-AAAA-AAAA-AAA{i}"}).status_code
                for i in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    spoofed = client.post("/resume", data={"code": "AAAA-AAAA-AAAA-AAAA"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429


def test_share_is_off_by_default_and_can_be_switched(client: FlaskClient, app: Flask) -> None:
    saved_code(client, app)
    assert current_record(client, app).shared is False
    bad = client.post("/summary/share", data={})
    assert bad.status_code == 400 and "Select yes if you want to share" in bad.get_data(True)
    client.post("/summary/share", data={"share": "yes"})
    record = current_record(client, app)
    assert record.shared is True and record.shared_at is not None
    client.post("/summary/share", data={"share": "no"})
    assert current_record(client, app).shared is False


def test_delete_removes_everything_but_a_tombstone(client: FlaskClient, app: Flask) -> None:
    saved_code(client, app)
    record_id = current_record(client, app).id
    assert client.post("/delete", data={}).status_code == 400
    resp = client.post("/delete", data={"confirm": "yes"})
    assert resp.status_code == 303
    assert resp.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    with app.app_context():
        db = get_session()
        assert db.get(PatientRecord, record_id) is None
        actions = db.scalars(select(AuditEvent.action).where(
            AuditEvent.response_id == record_id)).all()
    assert "patient_delete" in actions


def test_print_view_has_date_version_crisis_and_sources(client: FlaskClient, app: Flask) -> None:
    saved_code(client, app)
    html = client.get("/summary/print").get_data(as_text=True)
    version = app.extensions["content"].meta.version
    assert version in html and "988" in html and "911" in html
    assert "Sources" in html and "Printed" in html
    assert 'class="site-header"' not in html
    assert "Your code:" in html  # in the session that saved it


def test_pdf_download(client: FlaskClient, app: Flask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    saved_code(client, app)
    resp = client.get("/summary/pdf")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in resp.headers["Cache-Control"]
    assert resp.data.startswith(b"%PDF")
    need("pdftotext", shutil.which("pdftotext") is not None)
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(resp.data)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    content = app.extensions["content"]
    for opt in content.options:
        assert opt.name.split()[0] in out
    assert "988" in out and content.meta.version in out
    again = client.get("/summary/pdf")
    assert again.data == resp.data  # served from the cache for the same saved version


def test_share_can_carry_an_optional_label_and_a_bad_one_is_kept_with_an_error(
        client: FlaskClient, app: Flask) -> None:
    saved_code(client, app)
    bad = client.post("/summary/share", data={"share": "yes", "label": "J.S. <12 Dec>"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Use only letters, numbers" in page and 'value="J.S. &lt;12 Dec&gt;"' in page
    assert current_record(client, app).shared is False
    too_long = client.post("/summary/share", data={"share": "yes", "label": "A" * 41})
    assert too_long.status_code == 400
    ok = client.post("/summary/share", data={"share": "yes", "label": "  J.S.   12 Dec "})
    assert ok.status_code == 303
    record = current_record(client, app)
    assert record.shared is True and record.share_label == "J.S. 12 Dec"
    assert 'value="J.S. 12 Dec"' in client.get("/summary").get_data(as_text=True)
    client.post("/summary/share", data={"share": "no", "label": "J.S. 12 Dec"})
    record = current_record(client, app)
    assert record.shared is False and record.share_label is None  # no label without sharing


def test_delete_no_goes_back_and_keeps_everything(client: FlaskClient, app: Flask) -> None:
    saved_code(client, app)
    resp = client.post("/delete", data={"confirm": "no"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/summary"
    assert current_record(client, app) is not None


def test_sure_form_names_each_unanswered_item_and_saves_a_full_set(
        client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    finish(client)
    items = app.extensions["content"].instruments["sure"].items
    bad = client.post("/sure", data={"sure_1": "yes", "sure_2": "maybe"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    for item in items[1:]:
        assert f"Select yes or no for: {item}".replace("'", "&#39;") in page
    assert 'value="yes" checked' in page  # what was answered is kept
    ok = client.post("/sure", data={f"sure_{i}": "yes" for i in range(1, 5)})
    assert ok.status_code == 303
    assert current_record(client, app).sure_score == 4


def test_summary_pages_by_option_and_sources(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL))
    html = finish(client)
    assert len(html.encode()) <= 30 * 1024, f"{len(html.encode()) / 1024:.1f} KB"
    for name in ("Sertraline", "Escitalopram", "Venlafaxine"):
        assert name in html
    for opt in app.extensions["content"].options:
        assert f'href="/summary/options/{opt.id}"' in html
    assert client.get("/summary/options/not-an-option").status_code == 404
    sources = client.get("/summary/sources").get_data(as_text=True)
    assert "Claims you may have heard" in sources and 'id="s1"' in sources


def test_a_snapshot_saved_in_an_older_shape_is_made_again(client: FlaskClient,
                                                          app: Flask) -> None:
    walk(client, app, persona())
    finish(client)
    record = current_record(client, app)
    with app.app_context():
        stored = get_session().get(PatientRecord, record.id)
        assert stored is not None
        stored.summary_snapshot = {"situation": ["old"], "options": []}
        get_session().commit()
    for url in ("/summary", "/summary/print", "/summary/pdf", "/summary/options/ect"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"] == "/check", url
    assert client.post("/check").status_code == 303
    assert client.get("/summary").status_code == 200


def test_print_view_without_and_with_full_details(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL))
    finish(client)
    content = app.extensions["content"]
    body = client.get("/summary/print").get_data(as_text=True)
    full = client.get("/summary/print?full=1").get_data(as_text=True)
    assert 'href="/summary/print?full=1"' in body and "Include full details" in body
    assert "Sertraline" in body and 'class="stack grid"' in body
    assert "<dt>Who</dt>" not in body and "<dt>Who</dt>" in full
    for opt in content.options:
        assert opt.what_it_is.replace("'", "&#39;") in full
        assert opt.what_it_is.replace("'", "&#39;") not in body
