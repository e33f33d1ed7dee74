"""The patient's explanation of the FHIR download: plain words, a working link."""

from __future__ import annotations

import re
from types import ModuleType

from flask import Flask, render_template


def test_explanation_is_plain_and_links_to_the_download(app: Flask, textstat: ModuleType) -> None:
    with app.test_request_context("/summary"):
        html = render_template("partials/fhir_download.html")
    assert 'href="/summary/fhir"' in html
    blocks = [re.sub(r"<[^>]+>", "", b).strip()
              for b in re.findall(r"<(?:p|h2)[^>]*>(.*?)</(?:p|h2)>", html, re.S)]
    assert len(blocks) == 6
    for text in blocks:
        assert textstat.flesch_kincaid_grade(text) <= 8, text
        assert textstat.smog_index(text) <= 9, text
    assert "you should" not in html.lower()
