"""Layer 2 of the summary: each option card carries why it is shown and, folded in a closed
<details>, the points to raise from the person's answers (issue 9). On paper the points are
printed once, in their own section, not again inside the cards."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tests.support.journey import ADEQUATE_UNSUCCESSFUL, current_record, finish, persona, walk

CARD = re.compile(r'<section class="card" id="option-([a-z_]+)">(.*?)</section>', re.S)
DETAILS = re.compile(r"<details>(?P<summary><summary>.*?</summary>)(?P<body>.*?)</details>",
                     re.S)


def summary_with_points(client: FlaskClient, app: Flask) -> tuple[str, list[dict[str, Any]]]:
    walk(client, app, persona(medicines=ADEQUATE_UNSUCCESSFUL, health=["high_bp", "pregnancy"],
                              ride_home="no", cost_worry="a_lot"))
    html = finish(client)
    options: list[dict[str, Any]] = current_record(client, app).summary_snapshot["options"]
    return html, options


def test_every_card_holds_its_points_in_a_closed_disclosure(client: FlaskClient,
                                                            app: Flask) -> None:
    html, options = summary_with_points(client, app)
    cards = dict(CARD.findall(html))
    assert list(cards) == [o["id"] for o in options], "nine cards in the fixed order"
    assert sum(len(o["points"]) for o in options) >= 9
    for opt in options:
        card = cards[opt["id"]]
        assert "Why it is shown:" in card
        assert f'href="/summary/options/{opt["id"]}">All the details and numbers</a>' in card
        found = DETAILS.search(card)
        if not opt["points"]:
            assert found is None, opt["id"]
            continue
        assert found, f"{opt['id']}: no points disclosure on the card"
        assert "<details open" not in card, "the points start folded"
        count = len(opt["points"])
        word = "point" if count == 1 else "points"
        assert found["summary"] == f"<summary>{count} {word} to raise from your answers</summary>"
        body = found["body"]
        assert body.count("<li>") == count
        for point in opt["points"]:
            assert str(escape(point["text"])) in body, (opt["id"], point["text"])


def test_each_point_is_on_the_page_once_and_printed_once(client: FlaskClient,
                                                         app: Flask) -> None:
    html, options = summary_with_points(client, app)
    printed = client.get("/summary/print").get_data(as_text=True)
    assert "<details" not in printed, "the printed body has no folded points"
    # The same sentence may be a point for two options; it is then shown once for each.
    times = Counter(str(escape(p["text"])) for o in options for p in o["points"])
    for text, n in times.items():
        assert html.count(text) == printed.count(text) == n, text
