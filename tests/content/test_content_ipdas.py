"""IPDAS qualifying (Q1-Q6) and certification (C1-C6) items, as far as the content can meet them.

decision_aid/content/IPDAS.md maps each item to these tests (and to web tests for what the
pages must render); test_ipdas_table_names_real_tests keeps that table honest.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from decision_aid.content import Content
from decision_aid.content.language import as_prose

from .balance import is_balanced

REPO = Path(__file__).resolve().parents[2]
IPDAS_MD = REPO / "decision_aid" / "content" / "IPDAS.md"


def test_q1_condition_is_described(content: Content) -> None:
    text = as_prose(content.meta.condition).lower()
    assert "depression" in text and "treatment-resistant depression" in text
    assert len(text.split()) >= 80


def test_q2_decision_is_stated(content: Content) -> None:
    decision = content.meta.decision
    assert decision.startswith("The decision:")
    assert "next treatment step" in decision and "antidepressants" in decision


def test_q3_options_are_described_including_no_change(content: Content) -> None:
    ids = [o.id for o in content.options]
    assert len(ids) == 9 and ids[0] == "continue"
    for opt in content.options:
        assert len(opt.what_it_is.split()) >= 15, opt.id


def test_q4_benefits_for_every_option(content: Content) -> None:
    for opt in content.options:
        assert opt.benefits and all(b.strip() for b in opt.benefits), opt.id


def test_q5_harms_for_every_option(content: Content) -> None:
    for opt in content.options:
        assert opt.harms and all(h.strip() for h in opt.harms), opt.id


def test_q6_what_living_with_each_option_is_like(content: Content) -> None:
    for opt in content.options:
        for name in ("how_given", "schedule", "driving_work", "longer_term", "cost"):
            assert len(getattr(opt, name).split()) >= 8, f"{opt.id}.{name}"


def test_c1_positive_and_negative_features_in_equal_detail(content: Content) -> None:
    for opt in content.options:
        assert is_balanced(opt), opt.id
    # Same fields for every option, so templates render the same headings in the same order.
    assert len({tuple(sorted(o.at_a_glance)) for o in content.options}) == 1


def test_c2_every_figure_cites_its_evidence(content: Content) -> None:
    for opt in content.options:
        assert opt.source_ids
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            assert claim.source_ids and all(s in content.sources for s in claim.source_ids)
    for cc in content.clinic_claims:
        assert cc.source_ids
    for src in content.sources.values():
        assert src.citation and src.url.startswith("https://")


def test_c3_production_date_and_version(content: Content) -> None:
    meta = content.meta
    assert isinstance(meta.published, date) and meta.version


def test_c4_update_policy_and_review_not_past_due(content: Content) -> None:
    meta = content.meta
    assert "every 6 months" in meta.update_policy
    assert "new evidence" in meta.update_policy
    # Deliberately fails once the review date passes: content must be reviewed, then re-dated.
    assert date.today() <= meta.next_review, f"content review was due on {meta.next_review}"


def test_c5_uncertainty_around_every_probability(content: Content) -> None:
    for opt in content.options:
        assert len(opt.uncertainty.split()) >= 10, opt.id
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            assert len(claim.uncertainty.split()) >= 5, claim.id


def test_c6_funding_source_disclosed(content: Content) -> None:
    assert "no money from drug or device makers" in content.meta.funding
    assert content.meta.conflicts.strip()


def test_probabilities_name_reference_class_and_time(content: Content) -> None:
    # Quality items: who the numbers apply to, event rates per 100, the time period.
    for opt in content.options:
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            assert claim.population.strip() and claim.time_frame.strip(), claim.id
            assert 0 <= claim.value <= 100


def test_evidence_quality_described_for_every_option(content: Content) -> None:
    # The evidence note opens with the option's grade, which follows the one rule in meta.
    assert content.meta.grade_rule
    for opt in content.options:
        assert opt.evidence.startswith(f"{opt.grade}."), opt.id
        assert opt.grade == opt.grade_basis.grade(), opt.id
        assert len(opt.grade_reason.split()) >= 12, opt.id


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = (n for n in tree.body if isinstance(n, ast.FunctionDef))
    return {f.name for f in funcs if f.name.startswith("test")}


def test_ipdas_table_names_real_tests() -> None:
    text = IPDAS_MD.read_text(encoding="utf-8")
    refs = re.findall(r"(tests/content/[\w/]+\.py)::(\w+)", text)
    assert refs, "IPDAS.md names no content tests"
    for file, func in refs:
        path = REPO / file
        assert path.is_file(), file
        assert func in _test_functions(path), f"{file}::{func} does not exist"
    # Every row has a status; Met and Partly met rows name a content test; Partly met says what is
    # missing; every qualifying and applicable certification item is Met or Partly met.
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("|---")]
    statuses = {"Met", "Partly met", "Not met", "N/A"}
    table_rows = [r for r in rows if r.split("|")[3].strip() not in ("Status",)]
    assert len(table_rows) >= 12 + 4 + 26
    for row in table_rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        status = cells[2]
        assert status in statuses, row
        if status in ("Met", "Partly met"):
            assert "tests/content/" in cells[-1], f"claimed without a content test: {row}"
        if status == "Partly met":
            assert "Missing" in cells[3], f"partly met without saying what is missing: {row}"
    for item in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "C1", "C2", "C3", "C4", "C5", "C6"):
        row = next((ln for ln in rows if ln.startswith(f"| {item} ")), "")
        assert row.split("|")[3].strip() in ("Met", "Partly met"), item
