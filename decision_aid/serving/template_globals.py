"""Names every template can use: content meta, crisis help, whether the review is overdue."""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app

from .fragments import init_fragments
from .i18n import current_language


def _content_globals() -> dict[str, object]:
    content = current_app.extensions["contents"][current_language()]
    return {
        "content_meta": content.meta,
        "crisis": content.crisis,
        "review_overdue": content.meta.next_review < date.today(),
    }


def init_template_globals(app: Flask) -> None:
    app.context_processor(_content_globals)
    init_fragments(app)
