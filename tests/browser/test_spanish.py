"""Spanish in a real browser (issue 13): the journey once in Spanish with the language link used
without JavaScript, through to the summary; axe-core clean on the Spanish pages at 375 and 1280 px.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.catalogue import CRISIS, FULL
from tests.browser.checks import HEIGHT, WIDTHS, axe_violations, horizontal_overflow, screenshot
from tests.browser.driver import SUBMIT, click_and_wait, path, walk_pages
from tests.browser.live import LiveServer
from tests.support.journey import Persona
from tests.support.spanish import OWN_QUESTION_ES, spanish_content

pytestmark = pytest.mark.browser

SPANISH_FULL = Persona(answers=FULL.answers | {"own_questions": OWN_QUESTION_ES},
                       medicines=FULL.medicines)
SWITCH = "a.language-switch"


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def test_spanish_journey_without_javascript_switching_language_on_the_way(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    es = spanish_content(live_server.app)
    en = live_server.content
    page = new_context(java_script_enabled=False, locale="es-US").new_page()
    page.goto("/")
    assert html_lang(page) == "es"  # the browser asks for Spanish: the first visit is Spanish
    expect(page.locator("h1")).not_to_have_text("Think through your next depression treatment")
    click_and_wait(page, SUBMIT)
    assert path(page) == "/q/phq9"
    walk_pages(page, es.questionnaire, SPANISH_FULL, stop_at="medicines_any")
    assert path(page) == "/q/medicines_any"

    # The link to English is a plain link: no script needed, the same page, nothing lost.
    switch = page.locator(SWITCH)
    expect(switch).to_have_text("English")
    assert switch.get_attribute("lang") == "en" and switch.get_attribute("hreflang") == "en"
    click_and_wait(page, SWITCH)
    assert path(page) == "/q/medicines_any" and html_lang(page) == "en"
    expect(page.locator("h1")).to_have_text(en.questionnaire.page("medicines_any").heading)
    page.goto("/q/this_episode")
    expect(page.locator('[id="f-episode_length-gt2y"]')).to_be_checked()
    expect(page.locator(SWITCH)).to_have_text("Español")
    click_and_wait(page, SWITCH)
    assert path(page) == "/q/this_episode" and html_lang(page) == "es"
    expect(page.locator('[id="f-episode_length-gt2y"]')).to_be_checked()
    expect(page.locator("h1")).to_have_text(es.questionnaire.page("this_episode").heading)
    click_and_wait(page, SUBMIT)

    walk_pages(page, es.questionnaire, SPANISH_FULL)
    assert path(page) == "/check" and html_lang(page) == "es"
    main = page.locator("main")
    expect(main).to_contain_text(es.medicines["sertraline"].generic, ignore_case=True)
    expect(main).to_contain_text(OWN_QUESTION_ES)
    click_and_wait(page, SUBMIT)
    assert path(page) == "/summary" and html_lang(page) == "es"
    expect(page.locator("h1")).not_to_have_text("Your treatment options to discuss")
    names = [o.name for o in es.options]
    headings = page.locator("h3.card__heading").all_inner_texts()
    assert len(headings) == len(names)
    assert all(name in heading for name, heading in zip(names, headings, strict=True)), headings
    expect(main).to_contain_text(OWN_QUESTION_ES)


def _in_spanish(page: Page, target: str) -> None:
    """Choose Spanish with the language link's URL, landing on target."""
    page.goto(f"/language/es?next={target}")
    assert path(page) == target.split("?")[0] and html_lang(page) == "es", page.url


def _open_spanish(page: Page, live: LiveServer, name: str) -> None:
    if name == "start":
        page.goto("/")
    elif name == "question":
        live.give(page.context, live.seed(SPANISH_FULL, stop_at="this_episode"))
        _in_spanish(page, "/q/this_episode")
    elif name == "medicine":
        live.give(page.context, live.seed(SPANISH_FULL, stop_at="medicine_details"))
        _in_spanish(page, "/q/medicine_details/0")
    elif name == "outcome":  # "Cómo le fue con sertralina": a two-line heading, tighter on phones
        live.give(page.context, live.seed(SPANISH_FULL, stop_at="medicine_outcome"))
        _in_spanish(page, "/q/medicine_outcome/0")
    elif name == "values":  # the options at a glance in the small type on phones
        live.give(page.context, live.seed(SPANISH_FULL, stop_at="values"))
        _in_spanish(page, "/q/values")
    elif name == "question-errors":
        live.give(page.context, live.seed(SPANISH_FULL, stop_at="this_episode"))
        _in_spanish(page, "/q/this_episode")
        click_and_wait(page, SUBMIT)  # nothing chosen: the Spanish error summary
        expect(page.locator(".error-summary")).to_be_visible()
    elif name == "crisis":
        live.give(page.context, live.seed(CRISIS, stop_at="gad7"))
        _in_spanish(page, "/q/crisis")
    elif name == "check":
        live.give(page.context, live.seed(SPANISH_FULL))
        _in_spanish(page, "/check")
    elif name == "summary":
        live.give(page.context, live.seed(SPANISH_FULL, complete=True))
        _in_spanish(page, "/summary")
    elif name == "saved":
        live.give(page.context, live.seed(SPANISH_FULL, save=True))
        _in_spanish(page, "/summary")
        page.goto("/saved")
    elif name == "about":
        page.goto("/about")
    assert html_lang(page) == "es", f"{name}: {page.url} is not in Spanish"


SPANISH_PAGES = ["start", "question", "medicine", "outcome", "values", "question-errors", "crisis",
                 "check", "summary", "saved", "about"]


@pytest.mark.parametrize("name", SPANISH_PAGES)
def test_spanish_page_is_axe_clean_at_375_and_1280(
        name: str, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    page = new_context(locale="es-US").new_page()
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": HEIGHT})
    _open_spanish(page, live_server, name)
    failures = []
    for width in (WIDTHS["mobile"], WIDTHS["desktop"]):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        screenshot(page, f"es-{name}-{width}")
        count, report = axe_violations(page)
        if count:
            failures.append(f"axe at {width}px: {count} violation(s)\n{report}")
        overflow = horizontal_overflow(page)  # longer Spanish words must still wrap
        if overflow["scrollWidth"] > width:
            failures.append(f"scrolls sideways at {width}px: {overflow}")
    assert not failures, f"{name} (Spanish):\n" + "\n\n".join(failures)
