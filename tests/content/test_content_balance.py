"""Balance by structure: the same four headline rows and a like number of figures for every option.

The tolerance on numeric claims is in tests/content/balance.py (MIN_BENEFITS = 2, MIN_HARMS = 3,
harms >= benefits - 1, MAX_GAP_WITHIN = 3, MAX_SPREAD = 3) and in decision_aid/content/IPDAS.md.
The old content failed this (adjust the dose 1 benefit / 0 harms, add a medicine 2 / 0, talking
therapy 0 / 0, IV ketamine 4 / 1).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from decision_aid.content import Content, load_content
from decision_aid.content.schema import CLAIM_DESIGNS, Claim, NotKnown

from .balance import balance_problems

NO_COMPARISON = "No comparison"

_OPTIONS = tuple(o.id for o in load_content().options)


def test_numeric_benefits_and_harms_are_balanced(content: Content) -> None:
    assert balance_problems(content.options) == []


def test_balance_check_fails_on_the_old_pattern(content: Content) -> None:
    # IV ketamine with its benefits but a single harm, as in the old content.
    ket = content.option("iv_ketamine")
    lopsided = replace(ket, harm_claims=ket.harm_claims[:1])
    others = tuple(o for o in content.options if o.id != "iv_ketamine")
    problems = balance_problems((*others, lopsided))
    assert any(p.startswith("iv_ketamine:") for p in problems), problems
    no_figures = replace(content.option("talking_therapy"), benefit_claims=(), harm_claims=())
    assert any("talking_therapy" in p for p in balance_problems((no_figures,)))


@pytest.mark.parametrize("option_id", _OPTIONS)
def test_headline_has_the_four_rows_with_comparison_or_not_known(
    option_id: str, content: Content
) -> None:
    opt = content.option(option_id)
    rows = opt.headline.rows()
    assert [name for name, _ in rows] == ["benefit", "side_effect", "stopping", "relapse"]
    for name, figure in rows:
        if isinstance(figure, NotKnown):
            assert figure.text.startswith("Not known"), (option_id, name)
            assert len(figure.text.split()) >= 8, (option_id, name)
            continue
        assert isinstance(figure, Claim)
        if figure.comparison_value is None:
            assert figure.comparison_group.startswith(NO_COMPARISON), (option_id, name)
        assert figure.time_frame.strip() and figure.population.strip(), (option_id, name)


@pytest.mark.parametrize("option_id", _OPTIONS)
def test_every_option_has_a_numeric_benefit_and_relapse_is_a_harm(
    option_id: str, content: Content
) -> None:
    opt = content.option(option_id)
    assert isinstance(opt.headline.benefit, Claim), f"{option_id}: no benefit figure"
    relapse = opt.headline.relapse
    if isinstance(relapse, Claim):
        assert relapse.kind == "harm" and relapse in opt.harm_claims
        # One frame for every option (addendum A7): "of people helped by ..., had ... come back".
        assert relapse.label.startswith("of people helped by"), relapse.label


def test_relapse_figures_are_never_benefits(content: Content) -> None:
    for opt in content.options:
        for claim in opt.benefit_claims:
            assert "come back" not in claim.label and "relapse" not in claim.id, claim.id


def test_same_outcome_in_every_benefit_row(content: Content) -> None:
    # IPDAS: the same outcome across options. Remission (few or no symptoms) is given for all nine.
    for opt in content.options:
        benefit = opt.headline.benefit
        assert isinstance(benefit, Claim)
        assert benefit.outcome.startswith("Remission:"), opt.id


def test_uncontrolled_figures_are_labelled_as_such(content: Content) -> None:
    for opt in content.options:
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            assert claim.design in CLAIM_DESIGNS
            if claim.design != "controlled" and claim.comparison_value is None:
                assert claim.comparison_group.startswith(NO_COMPARISON), claim.id


def test_tms_and_ect_uncontrolled_rates_are_marked(content: Content) -> None:
    # The old content showed these rates without saying they had no comparison group.
    assert content.option("tms").headline.benefit.design == "uncontrolled"  # type: ignore[union-attr]
    core = next(c for c in content.option("ect").benefit_claims if c.id == "core_ect_remission")
    assert core.design == "uncontrolled" and "no comparison group" in core.label


def test_mechanism_is_not_a_benefit(content: Content) -> None:
    for opt in content.options:
        for text in opt.benefits:
            assert "different way" not in text.lower(), (opt.id, text)


def test_keep_current_uses_people_whose_medicine_has_not_helped(content: Content) -> None:
    benefit = content.option("continue").headline.benefit
    assert isinstance(benefit, Claim)
    assert "wiles2013" in benefit.source_ids and "devries2019" not in benefit.source_ids
    assert "still depressed after 6 weeks" in benefit.population


def test_talking_therapy_has_figures(content: Content) -> None:
    opt = content.option("talking_therapy")
    by_id = {c.id: (c.value, c.comparison_value) for c in opt.benefit_claims}
    assert by_id["cobalt_cbt_response"] == (46, 22)
    assert by_id["cobalt_cbt_remission"] == (28, 15)


def test_esketamine_harms_use_the_label_table(content: Content) -> None:
    opt = content.option("esketamine")
    side = opt.headline.side_effect
    assert isinstance(side, Claim)
    assert (side.value, side.comparison_value) == (41, 9)
    assert side.source_ids == ("spravato_label",)
    bp = next(c for c in opt.harm_claims if c.id == "esketamine_blood_pressure")
    assert (bp.value, bp.comparison_value) == (8, 1) and "17 in 100" in bp.uncertainty


def test_iv_ketamine_and_augmentation_have_numeric_harms(content: Content) -> None:
    ket = {c.id: (c.value, c.comparison_value) for c in content.option("iv_ketamine").harm_claims}
    assert ket["ketamine_derealisation"] == (69, 17)
    add = content.option("add_medicine")
    harms = {c.id: (c.value, c.comparison_value) for c in add.harm_claims}
    assert harms["aripiprazole_akathisia"] == (23, 5)
    assert harms["quetiapine_stopped"] == (20, 1)
    text = " ".join((*add.harms, add.longer_term, add.schedule)).lower()
    for needed in ("thyroid", "kidneys", "blood test"):
        assert needed in text, needed


def test_ranges_come_with_their_claim(content: Content) -> None:
    ranged = [
        c for o in content.options for c in (*o.benefit_claims, *o.harm_claims) if c.low is not None
    ]
    assert {c.id for c in ranged} >= {"tms_lost_response_year"}
    # A range is shown only where the source gives one per 100; none is worked out by us.
    assert "cobalt_cbt_response" not in {c.id for c in ranged}
    for c in ranged:
        assert c.high is not None and c.low <= c.value <= c.high
        assert f"{c.low} to {c.high}" in c.uncertainty, c.id
