"""The Answers value: read once, typed, never raising on an odd draft."""

from __future__ import annotations

from decision_aid.engine.answers import Answers, chosen_priorities


def test_typed_reads_and_odd_values() -> None:
    a = Answers.from_draft({
        "x": "yes", "boxes": ["a", 3, "b"], "n": 5, "inf": float("inf"), "flag": True,
        "medicines": [{"medicine": "sertraline"}, "junk"], "not_list": "medicines",
    })
    assert a.text("x") == "yes" and a.text("n") == "" and a.text("missing") == ""
    assert a.texts("boxes") == ("a", "b") and a.texts("x") == ()
    assert a.number("n") == 5.0 and a.number("inf") is None and a.number("flag") is None
    items = a.items("medicines")
    assert [i.text("medicine") for i in items] == ["sertraline", ""]
    assert a.items("not_list") == () and a.get("x") == "yes"
    assert Answers.from_draft(None) == Answers() and Answers.from_draft(a) is a
    assert Answers.from_draft(a.to_dict()) == a


def test_chosen_priorities_new_and_old_drafts() -> None:
    assert chosen_priorities(Answers.from_draft({"top_priorities": ["cost", "chance"]})) == (
        "chance", "cost")
    # Before the values page, each priority was rated 0-4: 4s, then 3s, count (at most 3).
    old = {"prio_cost": "4", "prio_memory": "3", "prio_chance": "3", "prio_speed": "3",
           "prio_sexual": "2"}
    assert chosen_priorities(Answers.from_draft(old)) == ("chance", "speed", "cost")
