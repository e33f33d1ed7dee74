"""Names every template can use: content meta, crisis help, the option field list."""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app

from .content import OPTION_FIELDS

PRIORITY_RATINGS = {
    "0": "0 out of 4 (does not matter)",
    "1": "1 out of 4",
    "2": "2 out of 4",
    "3": "3 out of 4",
    "4": "4 out of 4 (matters a lot)",
    "not_sure": "Not sure",
}


def priority_label(rating: str | None) -> str:
    return PRIORITY_RATINGS.get(rating or "", "Not answered")


def _content_globals() -> dict[str, object]:
    content = current_app.extensions["content"]
    return {
        "content_meta": content.meta,
        "crisis": content.crisis,
        "review_overdue": content.meta.next_review < date.today(),
    }


def init_template_globals(app: Flask) -> None:
    app.jinja_env.globals.update(option_fields=OPTION_FIELDS, priority_label=priority_label)
    app.context_processor(_content_globals)
