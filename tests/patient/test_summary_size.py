"""The summary page's HTML budget (issue 9: the full page <= 30 KB) in both languages, for the
person the browser measurements use (tests/browser/test_summary_size.py, THREE). The Spanish
text is longer than the English, so the Spanish page is held to the same budget here, through
the test client (a Spanish browser asks for Spanish with Accept-Language).

The Spanish page is still over the budget (31,534 bytes on 2026-12-01, from 34,512 before its
wording was shortened; English 30,562): the Spanish case is a strict xfail, so it turns into a
failure, and the marker must go, once the Spanish page fits. SPANISH_NOW holds it from growing.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.browser.catalogue import THREE
from tests.support.journey import finish, walk
from tests.support.spanish import ACCEPT_SPANISH

MAX_HTML_BYTES = 30 * 1024
SPANISH_NOW = 31_700  # bytes: today (31,534) and a little room; lower it as the page shrinks
ENGLISH = "en-US,en;q=0.9"


def summary_bytes(app: Flask, accept: str) -> int:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    walk(client, app, THREE)
    html = finish(client)
    assert f'<html lang="{accept[:2]}"' in html
    size = len(html.encode())
    print(f"\nsummary HTML ({accept[:2]}): {size / 1024:.1f} KB ({size} bytes)")
    return size


@pytest.mark.parametrize("accept", [
    ENGLISH,
    pytest.param(ACCEPT_SPANISH, marks=pytest.mark.xfail(
        strict=True, reason="the Spanish summary is still about 0.8 KB over 30 KB (issue 9)")),
], ids=["en", "es"])
def test_summary_page_is_at_most_30_kb_of_html(app: Flask, accept: str) -> None:
    size = summary_bytes(app, accept)
    assert size <= MAX_HTML_BYTES, f"{size / 1024:.1f} KB of HTML ({size} bytes)"


def test_spanish_summary_does_not_grow_back(app: Flask) -> None:
    size = summary_bytes(app, ACCEPT_SPANISH)
    assert size <= SPANISH_NOW, f"{size} bytes of Spanish HTML (was 31,534)"
