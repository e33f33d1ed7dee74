"""Dashboard: only shared summaries, newest first, flags, filters, keyset pages, open by code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from decision_aid.clinician.dashboard import (
    MSG_CODE_FORMAT,
    MSG_CODE_NO_MATCH,
    PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    feed_query,
)
from decision_aid.security import codes
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.clinicians import (
    CSRF_RE,
    EMAIL,
    PASSWORD,
    add_response,
    answers,
    audit_rows,
    make_clinician,
    new_audit_rows,
    sign_in,
    snapshot,
    summary_ids,
)


def _signed_in(app: Flask, client: FlaskClient) -> int:
    cid = make_clinician(app)
    assert sign_in(client).status_code == 303
    return cid


def test_lists_only_shared_summaries_newest_first(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    now = datetime.now(UTC)
    old, _ = add_response(app, shared_at=now - timedelta(days=2))
    new, _ = add_response(app, shared_at=now - timedelta(hours=1))
    hidden, _ = add_response(app, shared=False)
    draft, _ = add_response(app, status="draft")
    html = client.get("/clinician/").get_data(as_text=True)
    assert summary_ids(html) == [new, old]
    assert hidden not in html and draft not in html


def test_the_patients_share_label_is_in_the_list(app: Flask, client: FlaskClient) -> None:
    """The share page tells the patient the label "helps your clinic find your summary"."""
    _signed_in(app, client)
    labelled, _ = add_response(app)
    add_response(app)
    with app.app_context():
        record = get_session().get(PatientRecord, labelled)
        assert record is not None
        record.share_label = "J.S. 12 Dec <b>"
        get_session().commit()
    html = client.get("/clinician/").get_data(as_text=True)
    assert '<th scope="col">Label</th>' in html
    assert "<td>J.S. 12 Dec &lt;b&gt;</td>" in html and "<td>None</td>" in html
    assert "J.S. 12 Dec &lt;b&gt;</span></a>" in html  # the View link names it too


def test_flagged_summaries_are_tagged_and_filterable(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    now = datetime.now(UTC)
    calm = answers(phq9_9="0")
    flagged, _ = add_response(app, shared_at=now - timedelta(minutes=5))
    plain, _ = add_response(app, person=calm, shared_at=now - timedelta(minutes=1))
    html = client.get("/clinician/").get_data(as_text=True)
    assert summary_ids(html) == [plain, flagged]
    rows = html.split("<tr")
    flagged_row = next(r for r in rows if flagged in r)
    plain_row = next(r for r in rows if plain in r)
    assert '<strong class="tag tag--red">Safety flag</strong>' in flagged_row
    assert "tag--red" not in plain_row

    only_flagged = client.get("/clinician/?filter=flagged").get_data(as_text=True)
    assert summary_ids(only_flagged) == [flagged]
    assert '<strong aria-current="page">Safety flag</strong>' in only_flagged


def test_unreviewed_filter(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    done, _ = add_response(app)
    todo, _ = add_response(app)
    assert client.post(f"/clinician/summaries/{done}/reviewed").status_code == 303
    html = client.get("/clinician/?filter=unreviewed").get_data(as_text=True)
    assert summary_ids(html) == [todo]
    unknown = client.get("/clinician/?filter=everything").get_data(as_text=True)
    assert set(summary_ids(unknown)) == {done, todo}


def test_keyset_pages_cover_every_summary_once(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    snap = snapshot(app)
    now = datetime.now(UTC).replace(microsecond=0)
    expected = []
    for i in range(PAGE_SIZE + 4):
        # Two summaries share each timestamp, so the id breaks ties.
        rid, _ = add_response(app, snap=snap, shared_at=now - timedelta(minutes=i // 2))
        expected.append((now - timedelta(minutes=i // 2), rid))
    expected.sort(reverse=True)

    first = client.get("/clinician/").get_data(as_text=True)
    page1 = summary_ids(first)
    assert len(page1) == PAGE_SIZE
    assert "Older summaries" in first and "offset" not in first.lower()
    after = first.split("after=")[1].split('"')[0]
    second = client.get(f"/clinician/?after={after}").get_data(as_text=True)
    page2 = summary_ids(second)
    assert page1 + page2 == [rid for _, rid in expected]
    assert "Older summaries" not in second
    assert "Newest summaries" in second


def test_cursor_round_trip_and_bad_cursors() -> None:
    when = datetime(2030, 5, 1, 12, 30, tzinfo=UTC)
    rid = "3f1c2a8e-52b4-4a55-9b77-0c9f7d6e1a20"
    assert decode_cursor(encode_cursor(when, rid)) == (when, rid)
    for bad in ["", "!!!", "bm90IGEgY3Vyc29y", encode_cursor(when, "x")[:-4], "a" * 500]:
        assert decode_cursor(bad) is None


def test_feed_uses_the_index_and_never_offset(app: Flask) -> None:
    with app.app_context():
        for filter_name, index in [("all", "ix_responses_shared_feed"),
                                   ("flagged", "ix_responses_flagged_feed")]:
            cursor = (datetime.now(UTC), "3f1c2a8e-52b4-4a55-9b77-0c9f7d6e1a20")
            stmt = feed_query(filter_name, cursor)
            # SQLite always renders "OFFSET 0"; PostgreSQL shows what the query really asks for.
            sql = str(stmt.compile(dialect=postgresql.dialect())).upper()
            assert "OFFSET" not in sql and "LIMIT" in sql
            assert "ORDER BY RESPONSES.SHARED_AT DESC, RESPONSES.ID DESC" in sql
            if app.config["DATABASE_URL"].startswith("sqlite"):
                plan = get_session().execute(
                    text("EXPLAIN QUERY PLAN " + str(stmt.compile(
                        get_session().get_bind(), compile_kwargs={"literal_binds": True}
                    )))
                ).all()
                assert index in " ".join(str(row[-1]) for row in plan), plan


def test_open_by_code_reaches_an_unshared_summary_in_this_session_only(
    app: Flask, client: FlaskClient
) -> None:
    cid = _signed_in(app, client)
    rid, code = add_response(app, shared=False)
    assert rid not in client.get("/clinician/").get_data(as_text=True)
    assert client.get(f"/clinician/summaries/{rid}").status_code == 404

    before = len(audit_rows(app))
    typed = codes.display(code).lower().replace("-", " ")  # forgiving about case and spacing
    resp = client.post("/clinician/open", data={"code": typed})
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/clinician/summaries/{rid}"
    assert new_audit_rows(app, before) == [("open_by_code", f"clinician:{cid}", rid)]
    page = client.get(f"/clinician/summaries/{rid}")
    assert page.status_code == 200
    assert "Not shared (opened with the person" in page.get_data(as_text=True)
    assert rid not in client.get("/clinician/").get_data(as_text=True)  # still not listed

    # Another clinician, or the same one after signing in again, cannot reach it by id.
    make_clinician(app, "colleague@clinic.example")
    colleague = app.test_client()
    sign_in(colleague, "colleague@clinic.example", PASSWORD)
    assert colleague.get(f"/clinician/summaries/{rid}").status_code == 404
    client.post("/clinician/sign-out")
    sign_in(client, EMAIL, PASSWORD)
    for suffix in ("", "/print", "/pdf"):
        assert client.get(f"/clinician/summaries/{rid}{suffix}").status_code == 404
    assert client.post(f"/clinician/summaries/{rid}/reviewed").status_code == 404


def test_unknown_expired_and_deleted_codes_look_the_same(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    _, expired_code = add_response(app, shared=False)
    deleted_id, deleted_code = add_response(app, shared=False)
    with app.app_context():
        db = get_session()
        cutoff = datetime.now(UTC) - timedelta(days=int(app.config["SAVED_RETENTION_DAYS"]) + 1)
        db.execute(
            PatientRecord.__table__.update()
            .where(PatientRecord.code_hash.is_not(None), PatientRecord.id != deleted_id)
            .values(updated_at=cutoff)
        )
        db.execute(PatientRecord.__table__.delete().where(PatientRecord.id == deleted_id))
        db.commit()

    before = len(audit_rows(app))
    bodies = []
    for code in (codes.new_code(), expired_code, deleted_code):
        resp = client.post("/clinician/open", data={"code": codes.display(code)})
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        assert MSG_CODE_NO_MATCH in html
        assert "<title>Error: Shared summaries" in html
        assert code not in html and codes.display(code) not in html
        # The CSRF token is signed with a timestamp, so it changes when a second passes.
        bodies.append(CSRF_RE.sub("CSRF", html))
    assert bodies[0] == bodies[1] == bodies[2]
    rows = new_audit_rows(app, before)
    assert [r[0] for r in rows] == ["open_by_code_failed"] * 3
    assert all(r[2] is None for r in rows)


def test_badly_formed_code_gets_a_format_message(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    html = client.post("/clinician/open", data={"code": "ABC"}).get_data(as_text=True)
    assert MSG_CODE_FORMAT in html
    assert 'href="#f-code"' in html


def test_open_by_code_is_post_only(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    _, code = add_response(app, shared=False)
    assert client.get(f"/clinician/open?code={code}").status_code == 405


def test_dashboard_never_shows_codes(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client)
    _, code = add_response(app)
    html = client.get("/clinician/").get_data(as_text=True)
    assert code not in html and codes.display(code) not in html
