"""The loader refuses incomplete or inconsistent content, and reads the real files as intended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from decision_aid.content import Content, ContentError, load_content
from decision_aid.content.facts import PRIORITY_IDS
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
