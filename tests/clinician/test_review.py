"""The review page, print view, PDF, "Mark as reviewed", the audit trail and the audit page."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.content.wording import wording
from decision_aid.security import audit, codes
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.conftest import need
from tests.support.clinicians import (
    ADMIN_EMAIL,
    PASSWORD,
    add_response,
    answers,
    audit_rows,
    make_clinician,
    new_audit_rows,
    sign_in,
)

CLINICIAN_PDF_MAX_PAGES = 3


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match, out.stdout
    return int(match.group(1))


def _signed_in(app: Flask, client: FlaskClient, *, admin: bool = False) -> int:
    email = ADMIN_EMAIL if admin else "dr.okafor@clinic.example"
    cid = make_clinician(app, email, admin=admin)
    assert sign_in(client, email, PASSWORD).status_code == 303
    return cid


def _text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_review_page_puts_the_safety_flag_first(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    main = html[html.index('<main id="main"'):]
    card = re.search(r'<section class="care-card[^"]*" id="safety-flag".*?</section>', main, re.S)
    assert card is not None
    assert "Safety flag" in card.group(0)
    assert "1 (several days)" in card.group(0)
    # Nothing but the page heading comes before it.
    assert main.index('id="safety-flag"') < main.index("<h2 id=\"at-a-glance\"")
    assert main.index("<h1>") < main.index('id="safety-flag"')


def test_no_flag_card_without_item9(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app, person=answers(phq9_9="0"))
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert 'id="safety-flag"' not in html
    assert "tag--red" not in html


def test_review_shows_scores_trials_counts_and_choices(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app, sure_score=2,
                          person=answers(top_priorities=["weight", "driving"]))
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    text = _text(html)
    assert "PHQ-9 total 17 out of 27 (moderately severe)" in text
    assert "GAD-7 total 7 out of 21 (mild)" in text
    assert re.search(r'id="count-tried">\d+<', html)
    assert re.search(r'id="count-pau">2<', html)
    assert re.search(r'id="count-not-tolerated">1<', html)
    # The first screen names the medicines in each group, in content wording.
    groups = re.search(r'<ul class="glance__groups">.*?</ul>', html, re.S)
    assert groups is not None
    words = wording().trial_categories
    assert words["may_count"] in groups.group(0)
    assert words["stopped_side_effects_early"] in groups.group(0)
    assert "Sertraline" in groups.group(0) and "Escitalopram" in groups.group(0)

    table = re.search(r'<table class="stack trials">.*?</table>', html, re.S)
    assert table is not None
    rows = table.group(0).split("<tr>")[2:]
    assert len(rows) >= 3
    q = app.extensions["content"].questionnaire
    sertraline = _text(rows[0])
    assert "Sertraline" in sertraline
    assert "100 mg" in sertraline and "Minimum: 50 mg" in sertraline
    assert q.choice_label("weeks", "9to12", wording="summary") in sertraline
    assert q.choice_label("side_effects", "sexual", wording="clinician") in sertraline
    assert q.choice_label("stopped_reason", "did_not_help", wording="clinician") in sertraline
    assert "Possibly adequate, did not help" in sertraline
    escitalopram = _text(rows[1])
    assert "Possibly adequate" not in escitalopram
    assert any("Lithium" in _text(r) for r in rows[2:])
    # Saved as the old "still_taking" reason, asked now as "Do you still take it?": the same.
    assert "Still taking it" in _text(rows[2])

    assert q.choice_label("other_treatments", "talking_therapy", wording="summary") in text
    assert q.choice_label("health", "high_bp", wording="summary") in text
    assert q.choice_label("visits_per_week", "2", wording="clinician") in text
    top = re.search(r'<ul class="top-priorities">.*?</ul>', html, re.S)
    assert top is not None
    labels = {p.id: p.short for p in app.extensions["content"].priorities}
    assert re.findall(r"<li>(.*?)</li>", top.group(0)) == [labels["weight"], labels["driving"]]
    assert "Can I keep working while on TMS?" in text
    assert re.search(r'id="sure-score">2 out of 4', html)
    assert "May be unsure" in text
    assert "Content version the person saw" in text


def test_clinician_pages_have_no_patient_banner_or_footer(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    for url in ("/clinician/", f"/clinician/summaries/{rid}", f"/clinician/summaries/{rid}/print"):
        html = client.get(url).get_data(as_text=True)
        assert 'class="crisis-banner' not in html, url
        assert "Open a saved summary" not in html and "For clinicians" not in html, url
        assert 'class="clinician-safety"' in html and "988" in html, url


def test_times_show_in_the_clinic_time_zone(app: Flask, client: FlaskClient) -> None:
    app.config["CLINIC_TIMEZONE"] = "America/Chicago"
    _signed_in(app, client)
    rid, _ = add_response(app)
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    saved = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert saved is not None
    assert saved.group(1).endswith(("-06:00", "-05:00"))
    assert saved.group(2).endswith(("CST", "CDT"))


def test_share_label_shows_on_the_review(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    with app.app_context():
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        record.share_label = "J.S. 12 Dec"
        get_session().commit()
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert '<span class="share-label">J.S. 12 Dec</span>' in html


def test_sure_section_absent_when_not_answered(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert 'id="sure-score"' not in html


def test_own_questions_are_escaped(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    rid, _ = add_response(app, person=answers(own_questions=payload))
    html = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    printed = client.get(f"/clinician/summaries/{rid}/print").get_data(as_text=True)
    assert "<script>alert" not in printed


def test_review_page_never_shows_the_code(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, code = add_response(app)
    for suffix in ("", "/print"):
        html = client.get(f"/clinician/summaries/{rid}{suffix}").get_data(as_text=True)
        assert code not in html and codes.display(code) not in html


def test_unknown_or_malformed_ids_are_404(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    for rid in ("not-a-uuid", "3f1c2a8e-52b4-4a55-9b77-0c9f7d6e1a20", "1", "../audit"):
        assert client.get(f"/clinician/summaries/{rid}").status_code == 404


def test_each_action_writes_exactly_one_audit_row(app: Flask, client: FlaskClient) -> None:
    cid = _signed_in(app, client)
    actor = f"clinician:{cid}"
    rid, _ = add_response(app)

    before = len(audit_rows(app))
    assert client.get(f"/clinician/summaries/{rid}").status_code == 200
    assert new_audit_rows(app, before) == [("view", actor, rid)]

    before = len(audit_rows(app))
    printed = client.get(f"/clinician/summaries/{rid}/print")
    assert printed.status_code == 200
    assert new_audit_rows(app, before) == [("print", actor, rid)]
    assert '/static/css/print.css" media="screen"' in printed.get_data(as_text=True)

    before = len(audit_rows(app))
    resp = client.post(f"/clinician/summaries/{rid}/reviewed")
    assert resp.status_code == 303
    assert new_audit_rows(app, before) == [("mark_reviewed", actor, rid)]

    before = len(audit_rows(app))
    client.post(f"/clinician/summaries/{rid}/reviewed")  # already reviewed: nothing changes
    assert new_audit_rows(app, before) == []

    before = len(audit_rows(app))
    client.get("/clinician/")
    assert new_audit_rows(app, before) == []
    for row in audit_rows(app):
        assert "TMS" not in (row.detail or "")


def test_mark_reviewed_records_who_and_when(app: Flask, client: FlaskClient) -> None:
    cid = _signed_in(app, client)
    rid, _ = add_response(app)
    page = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert "Mark as reviewed" in page and "Not yet reviewed" in page
    client.post(f"/clinician/summaries/{rid}/reviewed")
    with app.app_context():
        record = get_session().get(PatientRecord, rid)
        assert record is not None
        assert record.reviewed_by == cid and record.reviewed_at is not None
    page = client.get(f"/clinician/summaries/{rid}").get_data(as_text=True)
    assert "Mark as reviewed" not in page
    assert re.search(r'id="review-status"><time datetime="[^"]+">[^<]+</time> by '
                     r'dr\.okafor@clinic\.example', page)


def test_mark_reviewed_needs_post(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    rid, _ = add_response(app)
    assert client.get(f"/clinician/summaries/{rid}/reviewed").status_code == 405


def test_pdf_download(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    cid = _signed_in(app, client)
    rid, code = add_response(app)
    before = len(audit_rows(app))
    resp = client.get(f"/clinician/summaries/{rid}/pdf")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="clinician-summary.pdf"'
    assert "no-store" in resp.headers["Cache-Control"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.data.startswith(b"%PDF")
    assert new_audit_rows(app, before) == [("pdf", f"clinician:{cid}", rid)]

    before = len(audit_rows(app))
    again = client.get(f"/clinician/summaries/{rid}/pdf")  # served from the cache, still audited
    assert again.data == resp.data
    assert new_audit_rows(app, before) == [("pdf", f"clinician:{cid}", rid)]

    need("pdftotext", shutil.which("pdftotext") is not None)
    target = tmp_path / "summary.pdf"
    target.write_bytes(resp.data)
    out = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                         check=True).stdout
    flat = " ".join(out.split())
    assert "Safety flag" in flat
    assert "Medicine trials" in flat and "Sertraline" in flat
    assert pdf_pages(target) <= CLINICIAN_PDF_MAX_PAGES
    assert codes.display(code) not in flat
    assert "Stay signed in" not in flat and "Mark as reviewed" not in flat


def test_audit_page_is_admin_only(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    assert client.get("/clinician/audit").status_code == 403
    assert "Audit log" not in client.get("/clinician/").get_data(as_text=True)


def test_audit_page_lists_newest_first_in_keyset_pages(app: Flask, client: FlaskClient) -> None:
    cid = _signed_in(app, client, admin=True)
    with app.app_context():
        for i in range(60):
            audit.record("purge", actor="system", detail=f"marker-{i:02d}")
    before = len(audit_rows(app))
    first = client.get("/clinician/audit")
    assert first.status_code == 200
    assert new_audit_rows(app, before) == [("audit_view", f"clinician:{cid}", None)]
    html = first.get_data(as_text=True)
    markers = re.findall(r"marker-(\d\d)", html)
    assert markers == [f"{i:02d}" for i in range(59, 9, -1)]
    nxt = re.search(r'href="(/clinician/audit\?before=\d+)"', html)
    assert nxt is not None
    second = client.get(nxt.group(1)).get_data(as_text=True)
    rest = re.findall(r"marker-(\d\d)", second)
    assert rest == [f"{i:02d}" for i in range(9, -1, -1)]
    assert "Newest events" in second


def test_refused_access_writes_one_denied_row(app: Flask, client: FlaskClient) -> None:
    cid = _signed_in(app, client)
    hidden, _ = add_response(app, shared=False)
    for suffix, action in (("", "view"), ("/print", "print"), ("/pdf", "pdf")):
        before = len(audit_rows(app))
        assert client.get(f"/clinician/summaries/{hidden}{suffix}").status_code == 404
        rows = audit_rows(app)[before:]
        assert [(r.action, r.outcome, r.actor, r.response_id) for r in rows] == [
            (action, "denied", f"clinician:{cid}", hidden)  # the refused record is named
        ]
    before = len(audit_rows(app))
    assert client.get("/clinician/audit").status_code == 403
    assert [(r.action, r.outcome) for r in audit_rows(app)[before:]] == [("audit_view", "denied")]


def test_an_unreadable_snapshot_gets_a_clear_page(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    sparse = {
        "content_version": "2020.1.0",
        "flags": {"item9_positive": False},
        "scores": {"phq9": {"total": None, "band": None, "item9": None},
                   "gad7": {"total": None, "band": None}},
    }
    rid, _ = add_response(app, snap=sparse)
    resp = client.get(f"/clinician/summaries/{rid}")
    assert resp.status_code == 200
    text = _text(resp.get_data(as_text=True))
    assert "This summary cannot be shown" in text and "save it again" in text


def test_the_clinic_time_zone_comes_from_the_environment(tmp_path: Path) -> None:
    from decision_aid.serving.config import settings_from_env

    assert settings_from_env(tmp_path, {"CLINIC_TIMEZONE": "America/Chicago"})[
        "CLINIC_TIMEZONE"] == "America/Chicago"
    assert settings_from_env(tmp_path, {})["CLINIC_TIMEZONE"] == ""
