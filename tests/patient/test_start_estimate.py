"""The start page's time estimate is the estimator's figure (tests/support/journey_time.py)."""

from __future__ import annotations

import re

from flask import Flask

from tests.support.journey_time import ANSWERS, THREE_MEDICINES, measure

ESTIMATE = re.compile(r"It takes about (\d+) minutes, and about (\d+) more for each medicine")


def test_start_page_time_estimate_matches_the_estimator(app: Flask) -> None:
    """Before: "about 10 minutes, and about 3 minutes more for each medicine" (19.2 minutes for
    three medicines by the estimator then, 14.5 after the shorter wording: both out of step)."""
    html = app.test_client().get("/").get_data(as_text=True)
    found = ESTIMATE.search(html)
    assert found, "the start page gives no time estimate"
    base, more = int(found[1]), int(found[2])
    none = measure(app.test_client(), app, answers=ANSWERS | {"medicines_any": "no"},
                   medicines=[]).minutes
    three = measure(app.test_client(), app).minutes
    per_medicine = (three - none) / len(THREE_MEDICINES)
    assert base == round(none), (base, none)
    assert more == round(per_medicine), (more, per_medicine)
    # The sum a person would make for three medicines is within 1.5 minutes of the estimate.
    assert abs(base + 3 * more - three) <= 1.5, (base, more, three)


def test_the_no_draft_page_gives_the_same_estimate_as_the_start_page(app: Flask) -> None:
    """Before: the no-draft page said "about 10 to 15 minutes" beside the start page's figures."""
    client = app.test_client()
    start = ESTIMATE.search(client.get("/").get_data(as_text=True))
    missing = client.get("/q/phq9").get_data(as_text=True)  # no session: the no-draft page
    assert "We could not find your answers" in missing
    found = ESTIMATE.search(missing)
    assert found and start and found.groups() == start.groups()
    assert "10 to 15" not in missing
