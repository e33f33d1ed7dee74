"""Pages about the guide itself: About (sources, dates, who made it) and Privacy."""

from __future__ import annotations

from flask import current_app, render_template

from . import records
from .blueprint import bp

# The study designs the numbers come from, explained next to "How we show the numbers". Found by
# their English terms: the Spanish glossary has the same entries in the same order.
DESIGN_TERMS = ("Controlled trial", "No comparison group", "Observational study")


@bp.get("/about")
def about() -> str:
    c = records.content()
    english = current_app.extensions["content"].glossary
    design_terms = [c.glossary[i] for i, t in enumerate(english) if t.term in DESIGN_TERMS]
    return render_template("patient/about.html", c=c, sources=list(c.sources.values()),
                           design_terms=design_terms)


@bp.get("/privacy")
def privacy() -> str:
    return render_template("patient/privacy.html")
