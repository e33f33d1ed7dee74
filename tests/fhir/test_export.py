"""The CSV export for clinic quality work: columns, no free text by default, safe cells,
admin only, audited, and memory that stays flat however many rows are written."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from decision_aid.clinician import exports
from decision_aid.clinician.exports import COLUMNS, csv_lines, safe_cell, saved_summaries
from decision_aid.fhir.source import SavedSummary, TrialCounts
from tests.support.clinicians import (
    ADMIN_EMAIL,
    PASSWORD,
    add_response,
    answers,
    audit_rows,
    make_clinician,
    sign_in,
    snapshot,
)

QUESTION = "Can I keep working while on TMS?"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _sample(i: int = 0) -> SavedSummary:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    return SavedSummary(
        id=f"00000000-0000-4000-8000-{i:012d}", status="saved", shared=True,
        content_version="2026.11.0", language="en", generated_on="2026-11-30",
        completed_at=now, saved_at=now, shared_at=now, reviewed_at=None,
        item9_positive=True, item9_value=1, item9_severity="several_days",
        phq9_total=17, phq9_band="moderately severe",
        gad7_total=7, gad7_band="mild", trials=TrialCounts(3, 2, 1, 1),
        top_priorities=("weight", "driving"),
        sure_score=2, own_questions=QUESTION,
    )


def test_one_row_per_saved_summary_with_scores_counts_and_dates(
    app: Flask, runner: FlaskCliRunner
) -> None:
    rid, _ = add_response(app, sure_score=3, person=answers(top_priorities=["weight", "driving"]))
    add_response(app, shared=False, person=answers(phq9_9="0"))
    add_response(app, status="draft")  # not saved: not exported
    result = runner.invoke(args=["export-summaries"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert len(rows) == 2
    assert tuple(rows[0]) == COLUMNS
    mine = next(r for r in rows if r["summary_id"] == rid)
    assert mine["phq9_total"] == "17" and mine["phq9_band"] == "moderately severe"
    assert mine["gad7_total"] == "7" and mine["item9_flag"] == "yes"
    trials = snapshot(app)["trials"]
    assert mine["trials_tried"] == str(len(trials))
    assert mine["trials_added"] == str(sum(t.get("role") == "added" for t in trials))
    assert mine["trials_may_count"] == "2" and mine["trials_stopped_side_effects"] == "1"
    assert set(mine["priorities_top"].split(";")) == {"weight", "driving"}
    assert mine["priorities_top_count"] == "2"
    assert mine["sure_score"] == "3" and mine["shared"] == "yes"
    assert mine["saved_on"] == datetime.now(UTC).date().isoformat()
    assert mine["content_version"] and mine["language"] == "en"
    assert QUESTION not in result.stdout
    assert [e.detail for e in audit_rows(app) if e.action == "summary_export"] == [
        "cli free_text=no"]


def test_free_text_only_when_asked_with_a_warning_and_only_if_shared(
    app: Flask, runner: FlaskCliRunner
) -> None:
    add_response(app)
    add_response(app, shared=False)
    refused = runner.invoke(args=["export-summaries", "--include-free-text"], input="n\n")
    assert refused.exit_code != 0
    assert "Warning" in refused.stderr
    result = runner.invoke(args=["export-summaries", "--include-free-text", "--yes"])
    assert result.exit_code == 0
    assert "Warning" in result.stderr
    rows = _rows(result.stdout)
    assert sorted(r["own_questions"] for r in rows) == ["", QUESTION]
    assert "cli free_text=yes" in [e.detail for e in audit_rows(app)]


def test_cells_cannot_run_as_spreadsheet_formulas() -> None:
    for evil in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "|cmd"):
        assert str(safe_cell(evil)).startswith("'")
    assert safe_cell("line\nbreak") == "line break"
    assert safe_cell(17) == 17 and safe_cell(None) == "" and safe_cell(True) == "yes"
    summary = replace(_sample(), own_questions="=cmd|' /C calc'!A0", content_version="=1+1")
    text = "".join(csv_lines([summary], include_free_text=True))
    row = _rows(text)[0]
    assert row["own_questions"].startswith("'=") and row["content_version"] == "'=1+1"


def _peak(n: int) -> tuple[int, int]:
    def many() -> Iterator[SavedSummary]:
        base = _sample()
        for i in range(n):
            yield replace(base, id=f"00000000-0000-4000-8000-{i:012d}")

    tracemalloc.start()
    written = 0
    for line in csv_lines(many(), include_free_text=True):
        written += len(line)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, written


def test_the_stream_runs_in_constant_memory() -> None:
    small_peak, small_bytes = _peak(2_000)
    big_peak, big_bytes = _peak(50_000)
    assert big_bytes > 20 * small_bytes  # 25 times the rows really were written
    assert big_peak < 256 * 1024  # ~130 KiB, for 2,000 rows as for 50,000 (or 1,000,000)
    assert big_peak < small_peak * 1.5 + 16 * 1024


def test_the_database_is_read_in_batches(app: Flask) -> None:
    made = {add_response(app)[0] for _ in range(7)}
    with app.app_context():
        session = app.extensions["sessionmaker"]()
        try:
            seen = []
            for summary in saved_summaries(session, batch=3):
                seen.append(summary.id)
                assert len(session.identity_map) <= 3  # let go after each batch
        finally:
            session.close()
    assert set(seen) == made and len(seen) == 7


def test_web_export_is_admin_only_and_audited(app: Flask, client: FlaskClient) -> None:
    add_response(app)
    make_clinician(app, "dr.lee@clinic.example")
    sign_in(client, "dr.lee@clinic.example", PASSWORD)
    assert client.get("/clinician/export/summaries.csv").status_code == 403
    client.post("/clinician/sign-out")
    make_clinician(app, ADMIN_EMAIL, admin=True)
    assert sign_in(client, ADMIN_EMAIL, PASSWORD).status_code == 303
    resp = client.get("/clinician/export/summaries.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert len(_rows(text)) == 1 and QUESTION not in text
    events = [(e.outcome, e.detail) for e in audit_rows(app) if e.action == "summary_export"]
    assert events == [("denied", "not_admin"), ("ok", "web free_text=no")]


def test_export_module_names_its_free_text_columns() -> None:
    assert exports.FREE_TEXT_COLUMNS == ("own_questions",)
    assert not set(exports.FREE_TEXT_COLUMNS) & set(COLUMNS)
