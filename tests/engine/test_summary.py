"""build_summary on the real content: the typed Summary, its snapshot, and what it takes from
the person's answers (labels from the questionnaire, sentences from wording.toml)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest

from decision_aid.content import load_content
from decision_aid.content.fact_names import PRIORITY_IDS
from decision_aid.content.schema import GRADES, Claim, Content, NotKnown
from decision_aid.content.wording import load_wording
from decision_aid.engine import summary as summary_module
from decision_aid.engine.plain import SnapshotError
from decision_aid.engine.summary import build_summary, comparison_priority_ids
from decision_aid.engine.summary_model import Summary
from tests.expected import OPTION_IDS

TODAY = date(2026, 11, 21)
TOP_KEYS = {
    "content_version", "generated_on", "decision", "flags", "scores", "situation",
    "trial_counts", "trials", "other_treatments", "health", "practical", "options",
    "priorities", "comparison", "questions_to_ask", "own_questions", "clinic_claims", "sources",
}
SERTRALINE = {"medicine": "sertraline", "dose": 100.0, "dose_unit": "mg", "weeks": "9to12",
              "adherence": "yes", "helped": "little_or_none", "side_effects": ["sexual"],
              "stopped_reason": "did_not_help", "added": ["none"]}
ESCITALOPRAM_STOPPED = {"medicine": "escitalopram", "dose": 10.0, "dose_unit": "mg",
                        "weeks": "0to2", "adherence": "yes", "helped": "not_sure",
                        "side_effects": ["sleep"], "stopped_reason": "side_effects",
                        "added": ["none"]}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def person(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {f"phq9_{i}": "2" for i in range(1, 10)}
    base.update({f"gad7_{i}": "1" for i in range(1, 8)})
    base.update(phq9_9="0", medicines_any="yes", medicines=[SERTRALINE, ESCITALOPRAM_STOPPED],
                other_treatments=["talking_therapy"], other_talking_therapy_sessions="6to11",
                other_talking_therapy_outcome="some", health=["high_bp", "memory"],
                visits_per_week="2", ride_home="no", cost_worry="some", preference="not_sure",
                top_priorities=["weight", "sexual"], own_questions="  Can I drive?  ")
    base.update(overrides)
    return base


def test_snapshot_round_trips_exactly(content: Content) -> None:
    for answers in (person(), person(phq9_9="3", medicines=[]), {}):
        s = build_summary(answers, content, TODAY)
        stored = json.loads(json.dumps(s.to_dict()))  # as the encrypted JSON column keeps it
        assert Summary.from_dict(stored) == s
        assert set(stored) == TOP_KEYS


def test_an_old_shaped_snapshot_is_refused_not_half_read(content: Content) -> None:
    stored = build_summary(person(), content, TODAY).to_dict()
    del stored["comparison"]
    with pytest.raises(SnapshotError):
        Summary.from_dict(stored)
    with pytest.raises(SnapshotError):
        Summary.from_dict({**build_summary(person(), content, TODAY).to_dict(), "trials": "x"})


def test_nine_options_in_content_order_with_the_same_headline_rows(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    assert [o.id for o in s.options] == list(OPTION_IDS)
    assert [o.position for o in s.options] == list(range(1, 10))
    for opt in s.options:
        assert [name for name, _ in opt.headline.rows()] == [
            "benefit", "side_effect", "stopping", "relapse"]
        for _, figure in opt.headline.rows():
            assert isinstance(figure, Claim | NotKnown)
        assert opt.grade in GRADES and opt.grade_reason
    assert any(isinstance(f, Claim) for o in s.options for _, f in o.headline.rows())


def test_answers_change_only_the_points(content: Content) -> None:
    plain = build_summary({}, content, TODAY)
    full = build_summary(person(phq9_9="2"), content, TODAY)
    strip = [dataclasses.replace(o, points=()) for o in full.options]
    assert strip == [dataclasses.replace(o, points=()) for o in plain.options]
    assert any(o.points for o in full.options)


def test_points_follow_the_rules_in_file_order_with_their_sources(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    for opt in s.options:
        rules = [r for r in content.point_rules if r.option_id == opt.id]
        texts = [p.text for p in opt.points]
        assert len(texts) == len(set(texts)), "a point is shown twice"
        assert texts == list(dict.fromkeys(r.text for r in rules if r.text in texts))
        for p in opt.points:
            rule = next(r for r in rules if r.text == p.text)
            assert p.source_ids == rule.source_ids


def test_grid_columns_are_the_chosen_priorities_topped_up_to_three() -> None:
    assert comparison_priority_ids({}) == ("chance", "speed", "duration")
    assert comparison_priority_ids({"top_priorities": ["weight"]}) == (
        "weight", "chance", "speed")
    # Fixed order, never the order clicked; unknown ids ignored.
    chosen = ["memory", "sexual", "not-a-priority", "cost"]
    expected = tuple(p for p in PRIORITY_IDS if p in chosen)
    assert comparison_priority_ids({"top_priorities": chosen}) == expected


def test_grid_has_every_option_with_cells_from_at_a_glance(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    grid = s.comparison
    assert grid.priority_ids == ("sexual", "weight", "chance")
    assert [r.option_id for r in grid.rows] == list(OPTION_IDS)
    for row, opt in zip(grid.rows, content.options, strict=True):
        assert row.cells == tuple(opt.at_a_glance[p] for p in grid.priority_ids)
    chosen = [p.id for p in s.priorities if p.chosen]
    assert chosen == [p for p in PRIORITY_IDS if p in {"sexual", "weight"}]


def test_labels_come_from_the_questionnaire_summary_wording(content: Content) -> None:
    q = content.questionnaire
    s = build_summary(person(), content, TODAY)
    assert [h.label for h in s.health] == [
        q.choice_label("health", v, wording="summary") for v in ("high_bp", "memory")]
    by_id = {p.id: p for p in s.practical}
    assert by_id["ride_home"].answer == q.choice_label("ride_home", "no", wording="summary")
    assert by_id["ride_home"].value == "no"
    therapy = s.other_treatments[0]
    assert therapy.label == q.choice_label("other_treatments", "talking_therapy",
                                           wording="summary")
    # The old Python label tables are gone.
    for name in ("HEALTH_LABELS", "PRACTICAL_LABELS", "OUTCOME_LABELS", "SESSION_LABELS",
                 "OTHER_TREATMENT_LABELS"):
        assert not hasattr(summary_module, name), name


def test_situation_sentences_come_from_the_wording_file(content: Content) -> None:
    words = load_wording()
    changed = dataclasses.replace(words, situation=dataclasses.replace(
        words.situation, listed_many="ZZ {count} medicines ZZ"))
    s = build_summary(person(), content, TODAY, words=changed)
    assert s.situation[0] == "ZZ 2 medicines ZZ"
    none = build_summary(person(medicines=[], medicines_any="no"), content, TODAY)
    assert none.situation == (words.situation.none_tried_no, words.situation.none_tried_next)


def test_trials_name_each_medicine_and_are_counted(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    names = " ".join(t.medicine_name for t in s.trials).lower()
    assert "sertraline" in names and "escitalopram" in names
    assert s.trial_counts.tried == len(s.trials)
    assert s.trial_counts.possibly_adequate_unsuccessful == sum(t.may_count for t in s.trials)
    assert s.trial_counts.not_tolerated == 1
    for t in s.trials:
        assert t.reason and t.dose_text and t.weeks_text


def test_scores_flag_and_item9_answer(content: Content) -> None:
    s = build_summary(person(phq9_9="2"), content, TODAY)
    assert s.item9_positive and s.flags.item9_positive
    assert s.scores.phq9.item9 == 2 and s.scores.phq9.total == 18
    assert s.flags.item9_answer == content.instruments["phq9"].choices[2][1]
    assert s.scores.gad7.total == 7
    none = build_summary({}, content, TODAY)
    assert not none.item9_positive and none.scores.phq9.total is None


def test_sources_are_the_cited_ones_in_file_order(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    order = list(content.sources)
    ids = [src.id for src in s.sources]
    assert ids == sorted(ids, key=order.index)
    cited = {sid for o in s.options for sid in o.cited_source_ids}
    assert cited <= set(ids)
    assert list(s.source_numbers.values()) == list(range(1, len(ids) + 1))


def test_own_questions_and_questions_to_ask(content: Content) -> None:
    s = build_summary(person(), content, TODAY)
    assert s.own_questions == "Can I drive?"
    always = [q.text for q in content.questions_to_ask if q.when is None]
    assert [q for q in s.questions_to_ask if q in always] == always


def test_equal_answers_give_equal_summaries_and_are_not_changed(content: Content) -> None:
    answers = person()
    before = json.dumps(answers, sort_keys=True)
    assert build_summary(answers, content, TODAY) == build_summary(person(), content, TODAY)
    assert json.dumps(answers, sort_keys=True) == before
