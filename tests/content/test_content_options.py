"""Every option is complete and balanced; every figure is a full 'per 100' claim with a source."""

from __future__ import annotations

from dataclasses import replace

import pytest

from decision_aid.content import OPTION_FIELDS, Content, load_content
from decision_aid.content.fact_names import PRIORITY_IDS
from decision_aid.content.schema import Claim, Option
from decision_aid.content.trial_wording import load_trial_wording

from .balance import balance_word_counts, is_balanced

NO_COMPARISON = "No comparison group in this study"
MAX_GLANCE_WORDS = 14

_OPTIONS = tuple(o.id for o in load_content().options)


def _claims(content: Content) -> list[tuple[Option, Claim]]:
    return [(o, c) for o in content.options for c in (*o.benefit_claims, *o.harm_claims)]


@pytest.mark.parametrize("option_id", _OPTIONS)
def test_every_field_is_filled(option_id: str, content: Content) -> None:
    opt = content.option(option_id)
    for name, _heading in OPTION_FIELDS:
        value = getattr(opt, name)
        if isinstance(value, tuple):
            assert value and all(v.strip() for v in value), f"{option_id}.{name} is empty"
        else:
            assert value.strip(), f"{option_id}.{name} is empty"
    for name in ("name", "uncertainty", "shown_because"):
        assert getattr(opt, name).strip(), f"{option_id}.{name} is empty"
    assert opt.source_ids


@pytest.mark.parametrize("option_id", _OPTIONS)
def test_benefits_and_harms_have_equal_detail(option_id: str, content: Content) -> None:
    # Benefits and harms word counts within 25% of each other (IPDAS C1).
    opt = content.option(option_id)
    benefits, harms = balance_word_counts(opt)
    assert is_balanced(opt), f"{option_id}: {benefits} words of benefits vs {harms} words of harms"


def test_balance_check_can_fail(content: Content) -> None:
    lopsided = replace(
        content.option("tms"),
        benefits=("one two three four five six seven eight nine ten",),
        benefit_claims=(),
        harms=("one two",),
        harm_claims=(),
    )
    assert balance_word_counts(lopsided) == (10, 2)
    assert not is_balanced(lopsided)


@pytest.mark.parametrize("option_id", _OPTIONS)
def test_at_a_glance_cells_are_short_and_cover_every_priority(
    option_id: str, content: Content
) -> None:
    glance = content.option(option_id).at_a_glance
    assert set(glance) == set(PRIORITY_IDS)
    for pid, text in glance.items():
        assert text.strip(), f"{option_id}.{pid} is empty"
        assert len(text.split()) <= MAX_GLANCE_WORDS, f"{option_id}.{pid}: '{text}' is too long"


def test_every_claim_is_complete_and_per_100(content: Content) -> None:
    claims = _claims(content)
    assert len(claims) >= 20
    for opt, c in claims:
        where = f"{opt.id}.{c.id}"
        assert isinstance(c.value, int) and 0 <= c.value <= 100, where
        if c.comparison_value is None:
            assert c.comparison_group.strip(), where
        else:
            assert 0 <= c.comparison_value <= 100, where
            assert c.comparison_group != NO_COMPARISON, f"{where}: has a comparison value"
        for name in ("label", "population", "outcome", "time_frame", "uncertainty"):
            assert getattr(c, name).strip(), f"{where}.{name} is empty"
        assert len(c.uncertainty.split()) >= 5, f"{where}: uncertainty is not a real note"
        assert c.source_ids and all(s in content.sources for s in c.source_ids), where


def test_claim_ids_are_unique(content: Content) -> None:
    ids = [c.id for _, c in _claims(content)]
    assert len(ids) == len(set(ids))


def test_outcomes_use_the_glossary_definitions(content: Content) -> None:
    glossary = {t.term.split(" (")[0]: t.definition.lower() for t in content.glossary}
    assert "cut at least in half" in glossary["Response"]
    assert "few or no symptoms" in glossary["Remission"]
    assert "come back" in glossary["Relapse"]
    expected = {
        "response:": "cut at least in half",
        "remission:": "few or no symptoms",
        "relapse:": "came back",
    }
    for opt, c in _claims(content):
        outcome = c.outcome.lower()
        for prefix, phrase in expected.items():
            if outcome.startswith(prefix):
                assert phrase in outcome, f"{opt.id}.{c.id}: '{c.outcome}'"


def test_option_sources_include_their_claims_sources(content: Content) -> None:
    for opt in content.options:
        for c in (*opt.benefit_claims, *opt.harm_claims):
            missing = set(c.source_ids) - set(opt.source_ids)
            assert not missing, f"{opt.id}.{c.id} cites {missing} not listed on the option"


def test_every_source_is_cited(content: Content) -> None:
    cited: set[str] = set()
    for opt in content.options:
        cited.update(opt.source_ids)
        for c in (*opt.benefit_claims, *opt.harm_claims):
            cited.update(c.source_ids)
    for med in content.medicines.values():
        cited.update(med.source_ids)
    for cc in content.clinic_claims:
        cited.update(cc.source_ids)
    for rule in content.point_rules:
        cited.update(rule.source_ids)
    for opt in content.options:
        for _, figure in opt.headline.rows():
            cited.update(figure.source_ids)
    wording = load_trial_wording(source_ids=frozenset(content.sources))
    cited.update(s for med in content.medicines for s in wording.dose_source(med).source_ids)
    uncited = set(content.sources) - cited
    assert not uncited, f"sources never cited: {sorted(uncited)}"


def test_sources_have_a_citation_and_an_https_link(content: Content) -> None:
    for src in content.sources.values():
        assert src.short.strip() and len(src.citation) > len(src.short), src.id
        assert src.url.startswith("https://"), src.id


def test_every_option_has_numbers_or_says_why_not(content: Content) -> None:
    for opt in content.options:
        if not opt.benefit_claims:
            assert "number" in opt.uncertainty.lower(), f"{opt.id}: no claims and no reason given"


def test_continue_option_is_first(content: Content) -> None:
    # IPDAS Q3 / NICE PMG42: "no change" is always an option; order runs least to most intensive.
    assert content.options[0].id == "continue"
    assert content.options[-1].id == "ect"


def test_medicines_are_well_formed(content: Content) -> None:
    meds = content.medicines
    for required in (
        "sertraline",
        "fluoxetine",
        "escitalopram",
        "venlafaxine",
        "bupropion",
        "mirtazapine",
        "nortriptyline",
        "amitriptyline",
        "trazodone",
    ):
        assert required in meds
    for med in meds.values():
        assert med.id == med.generic.lower() == med.id.strip()
        assert med.unit == "mg"
        assert med.brands and med.drug_class
        if med.min_dose is None:
            assert "clinician can check" in med.note, f"{med.id}: no dose and no note"
        else:
            assert med.min_dose > 0


def test_at_a_glance_cells_carry_their_number_or_a_plain_reason(content: Content) -> None:
    for opt in content.options:
        glance = opt.at_a_glance
        # The chance and duration cells repeat the headline figures where they exist.
        for pid, row in (("chance", opt.headline.benefit), ("duration", opt.headline.relapse)):
            if isinstance(row, Claim):
                assert f"{row.value} in 100" in glance[pid], (opt.id, pid, glance[pid])
        for pid, text in glance.items():
            # "Depends on the medicine" alone tells nothing: it needs a number or a reason.
            if text.lower().startswith("depends"):
                assert ";" in text or any(ch.isdigit() for ch in text), (opt.id, pid, text)


def test_no_machine_paths_in_content_files() -> None:
    from decision_aid.content.loader import DATA_DIR

    files = [*DATA_DIR.glob("*.toml"), DATA_DIR.parent / "IPDAS.md"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text and "/tmp/" not in text, path.name
