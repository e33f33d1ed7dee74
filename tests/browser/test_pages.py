"""Every page type at 1280 px and 375 px: axe-core WCAG 2.2 A/AA, target size, focus, reflow.

Each page is opened once; the checks run at each width on the same page, and a full-page
screenshot of each width goes to test-output/screenshots/ for people to look at.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page

from tests.browser.catalogue import PAGE_TYPES, PageType
from tests.browser.checks import (
    HEIGHT,
    SCREENSHOTS,
    WIDTHS,
    axe_violations,
    horizontal_overflow,
    screenshot,
    target_size_report,
)
from tests.browser.driver import KeyboardUser
from tests.browser.live import LiveServer

pytestmark = pytest.mark.browser

REFLOW_WIDTH = 320
# WCAG 1.4.10: question pages and the summary must not scroll sideways at 320 px.
REFLOW_PAGES = {"question-radio", "question-checkboxes", "medicine-details", "loop-list",
                "crisis-interruption", "question-with-errors", "check-answers", "summary",
                "option-details", "summary-sources", "clinician-review",
                "saved", "resume-wrong-code"}
FOCUS_SWEEP_WIDTH = 375
MAX_SWEEP = 250


@pytest.fixture(scope="module", autouse=True)
def _fresh_screenshots() -> None:
    """Only this run's pictures in test-output/screenshots/ (no stale page types)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def tab_sweep(page: Page) -> tuple[int, list[str]]:
    """Tab through the whole page once; every stop must show focus and not be covered."""
    user = KeyboardUser(page)
    user.prime()
    problems: list[str] = []
    first = None
    for _ in range(MAX_SWEEP):
        page.keyboard.press("Tab")
        try:
            state = user.probe()
        except AssertionError as exc:
            problems.append(str(exc))
            state = page.evaluate("() => ({none: document.activeElement === document.body, "
                                  "idx: (window.__focusables || []).indexOf("
                                  "document.activeElement)})")
        if state["none"]:
            if first is not None:
                break
            continue
        if first is None:
            first = state["idx"]
        elif state["idx"] == first:
            break
    return user.focus_checks, problems


@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda k: k.name)
def test_page_type(kind: PageType, fresh_page: Page, live_server: LiveServer,
                   request: pytest.FixtureRequest) -> None:
    page = fresh_page
    if kind.clinician:
        request.getfixturevalue("clinician_account")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": HEIGHT})
    kind.open(page, live_server)
    failures: list[str] = []
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": HEIGHT})
        screenshot(page, f"{kind.name}-{width}")
        count, report = axe_violations(page)
        if count:
            failures.append(f"axe at {width}px: {count} violation(s)\n{report}")
        targets = target_size_report(page)
        if targets["problems"]:
            failures.append(f"targets under 24x24 px at {width}px (WCAG 2.5.8): "
                            f"{targets['problems']}")
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > width:
            failures.append(f"scrolls sideways at {width}px: {overflow}")
        if width == FOCUS_SWEEP_WIDTH:
            checked, problems = tab_sweep(page)
            if problems:
                failures.append(f"focus at {width}px: " + "; ".join(sorted(set(problems))))
            elif checked == 0:
                failures.append("Tab never reached anything focusable")
    if kind.name in REFLOW_PAGES:
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": HEIGHT})
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > REFLOW_WIDTH:
            failures.append(f"scrolls sideways at {REFLOW_WIDTH}px (WCAG 1.4.10): {overflow}")
            screenshot(page, f"{kind.name}-{REFLOW_WIDTH}")
    assert not failures, f"{kind.name}:\n" + "\n\n".join(failures)
