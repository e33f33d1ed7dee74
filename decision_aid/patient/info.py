"""Pages about the guide itself: About (sources, dates, who made it) and Privacy."""

from __future__ import annotations

from flask import render_template

from . import drafts
from .blueprint import bp


@bp.get("/about")
def about() -> str:
    c = drafts.content()
    return render_template("patient/about.html", c=c, sources=list(c.sources.values()))


@bp.get("/privacy")
def privacy() -> str:
    return render_template("patient/privacy.html")
