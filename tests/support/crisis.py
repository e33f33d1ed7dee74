"""The crisis interruption page in both of its wordings, reached as a person would."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.support.journey import Persona, walk
from tests.support.journey_time import ANSWERS


def crisis_pages(client: FlaskClient, app: Flask) -> dict[str, str]:
    """The crisis page in its wording for item 9 = "several days" and "nearly every day",
    in the client's language."""
    q = app.extensions["content"].questionnaire
    pages = {}
    for answer in ("1", "3"):
        crisis = Persona(answers=dict(ANSWERS) | {"phq9_9": answer, "medicines_any": "no"})
        for url in walk(client, app, crisis):
            if q.page(url.split("/")[2]).kind == "interruption":
                pages[f"{url} (crisis, item 9 = {answer})"] = client.get(url).get_data(True)
        client.post("/finish")
    return pages
