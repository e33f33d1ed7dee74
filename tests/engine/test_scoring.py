from __future__ import annotations

import pytest

from decision_aid.engine.scoring import (
    Item9Severity,
    Score,
    answer_values,
    gad7,
    item9_positive,
    item9_severity,
    phq9,
    sure_flags_conflict,
    sure_score,
)


def items(prefix: str, n: int, total: int) -> dict[str, str]:
    """n item answers (each 0-3, as text) that add up to total."""
    assert 0 <= total <= 3 * n
    out = {}
    left = total
    for k in range(1, n + 1):
        v = min(3, left)
        out[f"{prefix}_{k}"] = str(v)
        left -= v
    return out


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_every_boundary(total: int, band: str) -> None:
    assert phq9(items("phq9", 9, total)) == Score(total=total, band=band, answered=9, complete=True)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_boundary(total: int, band: str) -> None:
    assert gad7(items("gad7", 7, total)) == Score(total=total, band=band, answered=7, complete=True)


def test_incomplete_phq9_has_no_total_or_band() -> None:
    answers = items("phq9", 9, 27)
    del answers["phq9_4"]
    assert phq9(answers) == Score(total=None, band=None, answered=8, complete=False)
    assert phq9({}) == Score(total=None, band=None, answered=0, complete=False)


@pytest.mark.parametrize("bad", ["4", "-1", "x", "", None, True, 7, 1.5, ["1"]])
def test_values_outside_0_to_3_do_not_count(bad: object) -> None:
    answers: dict[str, object] = dict(items("gad7", 7, 7))
    answers["gad7_7"] = bad
    score = gad7(answers)
    assert score.complete is False
    assert score.total is None
    assert score.answered == 6


def test_integer_item_values_are_accepted() -> None:
    answers = {f"phq9_{k}": 2 for k in range(1, 10)}
    assert phq9(answers).total == 18


def test_gad7_ignores_phq9_answers() -> None:
    assert gad7(items("phq9", 9, 27)).answered == 0


@pytest.mark.parametrize(
    ("value", "positive"),
    [("0", False), ("1", True), ("2", True), ("3", True), (None, False), ("x", False), (2, True)],
)
def test_item9(value: object, positive: bool) -> None:
    answers = {"phq9_9": value} if value is not None else {}
    assert item9_positive(answers) is positive


def test_item9_positive_even_when_total_is_minimal() -> None:
    answers = items("phq9", 9, 0)
    answers["phq9_9"] = "1"
    assert phq9(answers).band == "minimal"
    assert item9_positive(answers) is True


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("0", Item9Severity.NONE),
        ("1", Item9Severity.SEVERAL_DAYS),
        ("2", Item9Severity.MORE_THAN_HALF),
        ("3", Item9Severity.NEARLY_EVERY_DAY),
        (3, Item9Severity.NEARLY_EVERY_DAY),
        (None, Item9Severity.NOT_ANSWERED),
        ("4", Item9Severity.NOT_ANSWERED),
        (True, Item9Severity.NOT_ANSWERED),
    ],
)
def test_item9_severity_tells_several_days_from_most_days(
    value: object, severity: Item9Severity
) -> None:
    answers = {"phq9_9": value} if value is not None else {}
    assert item9_severity(answers) is severity
    # Every answer above "Not at all" is positive, whatever its severity.
    assert severity.positive is (value in {"1", "2", "3", 3})
    assert item9_positive(answers) is severity.positive


class _Wrapped:
    """Stands in for engine.answers.Answers: anything with a read-only .raw mapping."""

    def __init__(self, raw: dict[str, object]) -> None:
        self.raw = raw


def test_scores_accept_an_answers_value_as_well_as_a_mapping() -> None:
    raw: dict[str, object] = {**items("phq9", 9, 12), "phq9_9": "2"}
    wrapped = _Wrapped(raw)
    assert phq9(wrapped) == phq9(raw)
    assert item9_severity(wrapped) is Item9Severity.MORE_THAN_HALF
    assert answer_values(None) == {}


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({"sure_1": "yes", "sure_2": "yes", "sure_3": "yes", "sure_4": "yes"}, 4),
        ({"sure_1": "yes", "sure_2": "no", "sure_3": "yes", "sure_4": "yes"}, 3),
        ({"sure_1": "no", "sure_2": "no", "sure_3": "no", "sure_4": "no"}, 0),
        ({"sure_1": "yes", "sure_2": "yes", "sure_3": "yes"}, None),
        ({"sure_1": "yes", "sure_2": "yes", "sure_3": "yes", "sure_4": "maybe"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_sure_score(answers: dict[str, str] | None, score: int | None) -> None:
    assert sure_score(answers) == score


@pytest.mark.parametrize(("score", "flag"), [(None, False), (0, True), (3, True), (4, False)])
def test_sure_flags_conflict_at_three_or_less(score: int | None, flag: bool) -> None:
    assert sure_flags_conflict(score) is flag


# --- Item 9 on the page: wording by severity, and help beside it ------------------------------


def _render_interruption(severity: str) -> str:
    from pathlib import Path

    from jinja2 import Environment, FileSystemLoader

    from decision_aid.content.loader import load_content

    content = load_content()
    env = Environment(loader=FileSystemLoader(Path(__file__).parents[2] / "templates"),
                      autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(csrf_token=lambda: "t", crisis=content.crisis, content_meta=content.meta)
    page = content.questionnaire.page("crisis")
    template = env.get_template("patient/interruption.html")
    # base.html needs the app (url_for), so render the page's own block.
    ctx = template.new_context({"page": page, "section_title": "", "back_url": "/",
                                "action_url": "/q/crisis", "return_to": "",
                                "item9_severity": severity})
    return "".join(template.blocks["main"](ctx))


@pytest.mark.parametrize(
    ("severity", "marker", "absent"),
    [
        ("several_days", "several-days", "most-days"),
        ("more_than_half", "most-days", "several-days"),
        ("nearly_every_day", "most-days", "several-days"),
    ],
)
def test_crisis_page_wording_follows_item9_severity(severity: str, marker: str,
                                                    absent: str) -> None:
    html = _render_interruption(severity)
    assert f'data-severity="{marker}"' in html
    assert f'data-severity="{absent}"' not in html
    # Whatever the severity: 988, 911, a safety plan, and nobody is watching in real time.
    assert "tel:988" in html and "tel:911" in html
    assert "safety plan" in html.lower()
    assert "Nobody is watching your answers" in html


def test_crisis_content_has_a_safety_plan_and_says_answers_are_not_watched() -> None:
    from decision_aid.content.loader import load_content

    crisis = load_content().crisis
    assert crisis.safety_plan_url.startswith("https://988lifeline.org/")
    assert "safety plan" in crisis.safety_plan_text.lower()
    assert "nobody is watching" in crisis.not_watched.lower()
    assert "988" in crisis.not_watched and "911" in crisis.not_watched
