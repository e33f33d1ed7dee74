"""The loader refuses incomplete or inconsistent content, and reads the real files as intended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from decision_aid.content import Content, ContentError, load_content
from decision_aid.content.fact_names import PRIORITY_IDS
from tests.expected import OPTION_IDS


def _option(doc: dict[str, Any], option_id: str) -> dict[str, Any]:
    return next(o for o in doc["option"] if o["id"] == option_id)


def test_real_content_loads_with_the_nine_options_in_fixed_order(content: Content) -> None:
    assert tuple(o.id for o in content.options) == OPTION_IDS


def test_unchanged_copy_loads(data_copy: Path, edit) -> None:
    # The round trip used by the tests below must not itself change anything.
    edit("options.toml", lambda doc: None)
    edit("meta.toml", lambda doc: None)
    assert tuple(o.id for o in load_content(data_copy).options) == OPTION_IDS


def test_refuses_a_missing_field(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "tms").pop("cost"))
    with pytest.raises(ContentError, match=r"missing field 'cost'"):
        load_content(data_copy)


def test_refuses_a_missing_claim_field(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "ect")["harm_claims"][0].pop("time_frame"))
    with pytest.raises(ContentError, match=r"missing field 'time_frame'"):
        load_content(data_copy)


def test_refuses_an_empty_text_field(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "switch").update(evidence="   "))
    with pytest.raises(ContentError, match=r"evidence: expected non-empty text"):
        load_content(data_copy)


def test_refuses_an_unknown_field(data_copy: Path, edit) -> None:
    edit("meta.toml", lambda doc: doc["meta"].update(sponsor="Acme Pharma"))
    with pytest.raises(ContentError, match=r"unknown field\(s\) \['sponsor'\]"):
        load_content(data_copy)


def test_refuses_an_unknown_source_id(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        _option(doc, "esketamine")["benefit_claims"][0]["source_ids"] = ["nosuch2020"]

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"unknown source id 'nosuch2020'"):
        load_content(data_copy)


def test_refuses_a_medicine_with_an_unknown_source(data_copy: Path, edit) -> None:
    edit("medicines.toml", lambda doc: doc["medicine"][0].update(source_ids=["nosuch2020"]))
    with pytest.raises(ContentError, match=r"medicine sertraline: unknown source id"):
        load_content(data_copy)


def test_refuses_an_option_missing(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: doc["option"].remove(_option(doc, "tms")))
    with pytest.raises(ContentError, match=r"expected the nine options, found 8"):
        load_content(data_copy)


def test_refuses_a_rule_with_an_unknown_fact(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["point"].append({"option_id": "tms", "when": "likes_cats", "text": "Ask about cats."})

    edit("points.toml", change)
    with pytest.raises(ContentError, match=r"unknown fact 'likes_cats'"):
        load_content(data_copy)


def test_refuses_a_rule_for_an_unknown_option(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["point"].append({"option_id": "surgery", "when": "cost_worry", "text": "Ask."})

    edit("points.toml", change)
    with pytest.raises(ContentError, match=r"unknown option 'surgery'"):
        load_content(data_copy)


def test_refuses_a_question_with_an_unknown_fact(data_copy: Path, edit) -> None:
    edit("questions_to_ask.toml", lambda d: d["question"].append({"text": "Q?", "when": "nope"}))
    with pytest.raises(ContentError, match=r"question to ask: unknown fact 'nope'"):
        load_content(data_copy)


def test_refuses_a_value_not_per_100(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "ect")["benefit_claims"][0].update(value=175))
    with pytest.raises(ContentError, match=r"between 0 and 100"):
        load_content(data_copy)


def test_refuses_at_a_glance_missing_a_priority(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "continue")["at_a_glance"].pop("memory"))
    with pytest.raises(ContentError, match=r"at_a_glance must cover exactly the priorities"):
        load_content(data_copy)


def test_refuses_priorities_out_of_order(data_copy: Path, edit) -> None:
    edit("priorities.toml", lambda doc: doc["priority"].reverse())
    with pytest.raises(ContentError, match=r"priorities must be, in order"):
        load_content(data_copy)


def test_refuses_a_duplicate_claim_id(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        claim = dict(_option(doc, "esketamine")["benefit_claims"][0])
        _option(doc, "ect")["benefit_claims"].append(claim)

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"claims: duplicate id"):
        load_content(data_copy)


def test_refuses_a_review_date_before_publication(data_copy: Path, edit) -> None:
    edit("meta.toml", lambda doc: doc["meta"].update(next_review=doc["meta"]["published"]))
    with pytest.raises(ContentError, match=r"next_review must come after published"):
        load_content(data_copy)


def test_refuses_a_missing_file(data_copy: Path) -> None:
    (data_copy / "glossary.toml").unlink()
    with pytest.raises(ContentError, match=r"missing content file glossary.toml"):
        load_content(data_copy)


def test_left_out_optional_fields_read_as_none(content: Content) -> None:
    # TOML has no null: a medicine with no confirmed minimum dose leaves min_dose out.
    assert content.medicines["trazodone"].min_dose is None
    assert content.medicines["sertraline"].min_dose == 50
    no_comparison = [
        c
        for o in content.options
        for c in (*o.benefit_claims, *o.harm_claims)
        if c.comparison_value is None
    ]
    assert no_comparison, "some claims have no comparison group"


def test_priorities_follow_the_shared_vocabulary(content: Content) -> None:
    assert tuple(p.id for p in content.priorities) == PRIORITY_IDS


# --- the headline rows, claim design and kind, and the grade rule ---------------------------------


@pytest.mark.parametrize("row", ["benefit", "side_effect", "stopping", "relapse"])
def test_refuses_an_option_missing_a_headline_row(row: str, data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "tms")["headline"].pop(row))
    with pytest.raises(ContentError, match=rf"option tms.headline.{row}: missing headline row"):
        load_content(data_copy)


def test_refuses_an_option_without_a_headline(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "continue").pop("headline"))
    with pytest.raises(ContentError, match=r"option continue: missing headline"):
        load_content(data_copy)


def test_refuses_a_headline_row_naming_no_claim_of_the_option(data_copy: Path, edit) -> None:
    # A claim of another option does not count: the row must be this option's own figure.
    edit("options.toml", lambda d: _option(d, "ect")["headline"].update(benefit="tms_remission"))
    with pytest.raises(ContentError, match=r"'tms_remission' is not a claim of this option"):
        load_content(data_copy)


def test_refuses_a_headline_row_that_is_neither_id_nor_record(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "ect")["headline"].update(stopping=3))
    with pytest.raises(ContentError, match=r"expected a claim id or a not-known record"):
        load_content(data_copy)


def test_refuses_a_not_known_record_without_its_text(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        _option(doc, "switch")["headline"]["stopping"] = {"id": "x_nk", "label": "stopped"}

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"headline.stopping: missing field 'text'"):
        load_content(data_copy)


def test_refuses_a_benefit_row_that_points_at_a_harm(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        hl = _option(doc, "esketamine")["headline"]
        hl["benefit"] = hl["side_effect"]

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"headline.benefit: .* must be a benefit claim"):
        load_content(data_copy)


def test_refuses_a_relapse_figure_listed_as_a_benefit(data_copy: Path, edit) -> None:
    # The old content listed esketamine's relapse figure (SUSTAIN-1) among the benefits.
    def change(doc: dict[str, Any]) -> None:
        opt = _option(doc, "esketamine")
        relapse = next(c for c in opt["harm_claims"] if c["id"] == opt["headline"]["relapse"])
        opt["harm_claims"].remove(relapse)
        opt["benefit_claims"].append(relapse)

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"(a relapse figure must be a harm|must be a harm)"):
        load_content(data_copy)


def test_refuses_a_claim_without_design(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "switch")["harm_claims"][0].pop("design"))
    with pytest.raises(ContentError, match=r"option switch\.\w+: missing field 'design'"):
        load_content(data_copy)


def test_refuses_an_unknown_design(data_copy: Path, edit) -> None:
    edit("options.toml", lambda d: _option(d, "tms")["benefit_claims"][0].update(design="odd"))
    with pytest.raises(ContentError, match=r"design must be one of"):
        load_content(data_copy)


def test_refuses_a_harm_claim_marked_as_a_benefit(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "ect")["harm_claims"][0].update(kind="benefit"))
    with pytest.raises(ContentError, match=r"a claim in harm_claims must have kind 'harm'"):
        load_content(data_copy)


def test_refuses_an_uncontrolled_figure_with_a_comparison_value(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        claim = next(
            c for c in _option(doc, "tms")["benefit_claims"] if c["design"] == "uncontrolled"
        )
        claim["comparison_value"] = 10

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"an uncontrolled figure has no comparison value"):
        load_content(data_copy)


def test_refuses_a_range_that_does_not_hold_the_value(data_copy: Path, edit) -> None:
    def change(doc: dict[str, Any]) -> None:
        claim = _option(doc, "ect")["benefit_claims"][0]
        claim.update(low=claim["value"] + 1, high=claim["value"] + 5)

    edit("options.toml", change)
    with pytest.raises(ContentError, match=r"low <= value <= high"):
        load_content(data_copy)


def test_refuses_half_a_range(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "ect")["benefit_claims"][0].update(low=1))
    with pytest.raises(ContentError, match=r"give both low and high"):
        load_content(data_copy)


def test_refuses_a_grade_that_does_not_follow_the_rule(data_copy: Path, edit) -> None:
    edit("options.toml", lambda doc: _option(doc, "esketamine").update(grade="High"))
    with pytest.raises(ContentError, match=r"grade 'High' does not follow the rule"):
        load_content(data_copy)


def test_refuses_meta_without_the_grade_rule(data_copy: Path, edit) -> None:
    edit("meta.toml", lambda doc: doc["meta"].pop("grade_rule"))
    with pytest.raises(ContentError, match=r"meta: missing field 'grade_rule'"):
        load_content(data_copy)


def test_headline_rows_resolve_to_figures(content: Content) -> None:
    from decision_aid.content.schema import Claim, NotKnown

    for opt in content.options:
        rows = dict(opt.headline.rows())
        assert tuple(rows) == ("benefit", "side_effect", "stopping", "relapse")
        for name, figure in rows.items():
            assert isinstance(figure, Claim | NotKnown), (opt.id, name)
            if isinstance(figure, Claim):
                assert figure.kind == ("benefit" if name == "benefit" else "harm"), (opt.id, name)
                assert figure in (*opt.benefit_claims, *opt.harm_claims)
        for claim in opt.harm_claims:
            assert claim.kind == "harm"
        for claim in opt.benefit_claims:
            assert claim.kind == "benefit"
