"""The whole patient journey with the keyboard only (JavaScript on).

No page.click/fill: Tab and Shift+Tab move, Space ticks and chooses, Enter submits, and the
arrow keys do what they natively do inside a radio group or a closed select. At every stop
KeyboardUser checks that focus is visible and not covered by anything.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.catalogue import FULL, OWN_QUESTION
from tests.browser.driver import SUBMIT, KeyboardUser, path, walk_pages
from tests.browser.live import LiveServer

pytestmark = pytest.mark.browser

ERROR_SUMMARY = "[data-error-summary]"


def focused_matches(page: Page, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement.matches(s)", selector))


def test_whole_journey_by_keyboard_only(page: Page, live_server: LiveServer) -> None:
    q = live_server.content.questionnaire
    kb = KeyboardUser(page)
    page.goto("/")
    kb.prime()
    kb.submit()  # Start now
    assert path(page) == "/q/phq9"

    # Shift+Tab: go past the answers to Continue, then come back to the last item.
    kb.tab_to(SUBMIT)
    kb.choose_radio("phq9_9", FULL.answers["phq9_9"], reverse=True)

    # A failed Continue (8 items unanswered): the error summary takes focus, and its first
    # link is the next Tab stop.
    kb.submit()
    assert path(page) == "/q/phq9"
    assert page.title().startswith("Error:")
    assert focused_matches(page, ERROR_SUMMARY), "the error summary did not receive focus"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused error summary shows no outline"
    kb.tab_to(".error-summary__list a")
    assert kb.tabs_since_last_target == 1, "the error link is not the first stop after the summary"

    walk_pages(page, q, FULL, keyboard=kb)
    assert path(page) == "/check"
    expect(page.locator("main")).to_contain_text("Sertraline")
    expect(page.locator("main")).to_contain_text(OWN_QUESTION)
    kb.submit()  # See your options
    assert path(page) == "/summary"
    expect(page.locator("h3.card__heading")).to_have_count(len(live_server.content.options))

    kb.submit('form[action="/summary/save"] button[type=submit]')
    assert path(page) == "/saved"
    expect(page.locator("#resume-code")).to_be_visible()
    assert kb.focus_checks > 100, kb.focus_checks  # focus was checked at every stop
