"""Whole journeys in a real browser against the live server (CSRF on, as in production)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.browser.catalogue import (
    CLINICIAN_LOGIN,
    CRISIS,
    FULL,
    OWN_QUESTION,
    SERTRALINE,
    WRONG_CODE,
)
from tests.browser.checks import axe_violations, horizontal_overflow
from tests.browser.driver import (
    SUBMIT,
    answer_with_mouse,
    click_and_wait,
    path,
    walk_pages,
)
from tests.browser.live import LiveServer
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, persona

pytestmark = pytest.mark.browser


def stored(live: LiveServer, record_id: str | None) -> PatientRecord | None:
    with live.app.app_context():
        return get_session().get(PatientRecord, record_id)


def option_headings(live: LiveServer) -> list[str]:
    return [f"{i}. {o.name}" for i, o in enumerate(live.content.options, start=1)]


def whole_journey(page: Page, live: LiveServer) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Think through your next depression treatment")
    click_and_wait(page, SUBMIT)
    assert path(page) == "/q/phq9"
    seen = walk_pages(page, live.content.questionnaire, FULL)
    assert "/q/medicine_details/0" in seen and "/q/other_talking_therapy" in seen
    assert path(page) == "/check"
    main = page.locator("main")
    expect(main).to_contain_text("Sertraline")
    expect(main).to_contain_text("150 mg")
    expect(main).to_contain_text(OWN_QUESTION)

    # Change an answer from Check your answers: it comes straight back here.
    click_and_wait(page, 'main a[href^="/q/this_episode"]')
    assert path(page) == "/q/this_episode"
    expect(page.locator('[id="f-episode_length-gt2y"]')).to_be_checked()
    page.check('[id="f-episode_length-1to2y"]')
    click_and_wait(page, SUBMIT)
    assert path(page) == "/check"
    expect(main).to_contain_text("1 to 2 years")

    click_and_wait(page, SUBMIT)
    assert path(page) == "/summary"
    expect(page.locator("h1")).to_have_text("Your treatment options to discuss")
    expect(page.locator("h3.card__heading")).to_have_text(option_headings(live))
    expect(main).to_contain_text(OWN_QUESTION)


def test_whole_journey_with_javascript(page: Page, live_server: LiveServer) -> None:
    whole_journey(page, live_server)
    assert page.evaluate("document.documentElement.classList.contains('js')")


def test_whole_journey_without_javascript(new_context: Callable[..., BrowserContext],
                                          live_server: LiveServer) -> None:
    page = new_context(java_script_enabled=False).new_page()
    whole_journey(page, live_server)
    # Without scripts nothing adds the "js" class (checked in the served markup).
    assert 'class="js"' not in page.content()


def test_back_link_keeps_the_answer(page: Page, live_server: LiveServer) -> None:
    live_server.give(page.context, live_server.seed(FULL, stop_at="medicines_any"))
    page.goto("/q/medicines_any")
    click_and_wait(page, "a.back-link")
    assert path(page) == "/q/this_episode"
    expect(page.locator('[id="f-episode_length-gt2y"]')).to_be_checked()


PROMINENT = re.compile(r"\bcrisis-banner--prominent\b")


def test_crisis_answer_shows_help_then_continues(page: Page, live_server: LiveServer) -> None:
    live_server.give(page.context, live_server.seed(CRISIS, stop_at="phq9"))
    page.goto("/q/phq9")
    q = live_server.content.questionnaire
    answer_with_mouse(page, q.page("phq9"), CRISIS, None)
    assert path(page) == "/q/crisis"
    expect(page.locator("h1")).to_have_text("You can get help right now")
    main = page.locator("main")
    expect(main.locator(".care-card--emergency")).to_be_visible()
    expect(main).to_contain_text("988")
    expect(main).to_contain_text("911")
    expect(page.locator(".crisis-banner")).to_have_class(PROMINENT)
    expect(page.locator('.crisis-banner a[href="tel:988"]')).to_be_visible()
    click_and_wait(page, SUBMIT)
    assert path(page) == "/q/gad7"
    # The banner stays prominent for the rest of the journey: one line on question pages, with
    # 988 to call or text and 911 in view, and the chat and safety plan one tap away.
    banner = page.locator(".crisis-banner")
    expect(banner).to_have_class(PROMINENT)
    for href in ("tel:988", "sms:988", "tel:911"):
        expect(banner.locator(f'a[href="{href}"]')).to_be_visible()
    chat = banner.locator(f'a[href="{live_server.content.crisis.chat_url}"]')
    expect(chat).to_be_hidden()
    banner.locator("summary").click()
    expect(chat).to_be_visible()


def test_save_open_by_code_share_then_delete(page: Page, live_server: LiveServer,
                                             new_context: Callable[..., BrowserContext]) -> None:
    seed = live_server.seed(FULL, complete=True)
    live_server.give(page.context, seed)
    page.goto("/summary")
    click_and_wait(page, 'form[action="/summary/save"] button[type=submit]')
    assert path(page) == "/saved"
    code = page.locator("#resume-code").inner_text().strip()
    assert len(code.replace("-", "")) == 16, code

    other = new_context().new_page()
    other.goto("/resume")
    other.fill("#f-code", code.lower().replace("-", " "))  # typed loosely, as people do
    click_and_wait(other, SUBMIT)
    assert path(other) == "/summary"
    keep = other.locator("#keep")
    expect(keep).to_contain_text("It is not shared with anyone.")
    other.check("#f-share-yes")
    click_and_wait(other, 'form[action="/summary/share"] button[type=submit]')
    assert path(other) == "/summary"
    expect(keep).to_contain_text("It is shared with your clinic.")
    shared_record = stored(live_server, seed.record_id)
    assert shared_record is not None and shared_record.shared is True

    click_and_wait(other, 'main a[href="/delete"]')
    assert path(other) == "/delete"
    click_and_wait(other, SUBMIT)  # nothing chosen: an error, nothing deleted
    expect(other.locator(".error-summary")).to_contain_text(
        "Select yes if you want to delete your answers and summary")
    other.check("#f-confirm-yes")
    click_and_wait(other, SUBMIT)
    assert path(other) == "/deleted"
    expect(other.locator("h1")).to_have_text("Your answers have been deleted")
    assert stored(live_server, seed.record_id) is None

    third = new_context().new_page()
    third.goto("/resume")
    third.fill("#f-code", code)
    click_and_wait(third, SUBMIT)
    expect(third.locator(".error-summary")).to_contain_text(
        "We could not find a summary with that code")
    assert third.title().startswith("Error:")
    page.goto("/summary")  # the first browser's session points at nothing now
    assert path(page) != "/summary"


def test_resume_rejects_a_wrong_code(page: Page, live_server: LiveServer) -> None:
    page.goto("/resume")
    page.fill("#f-code", WRONG_CODE)
    click_and_wait(page, SUBMIT)
    assert path(page) == "/resume"
    expect(page.locator("#f-code")).to_have_value(WRONG_CODE)
    expect(page.locator("#f-code-error")).to_contain_text("We could not find a summary")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_medicine_not_on_the_list_asks_its_name(
        javascript: bool, new_context: Callable[..., BrowserContext],
        live_server: LiveServer) -> None:
    other = persona(medicines=[SERTRALINE | {"medicine": "other", "other_name": "Agomelatine"}])
    page = new_context(java_script_enabled=javascript).new_page()
    live_server.give(page.context, live_server.seed(other, stop_at="medicine_details"))
    page.goto("/q/medicine_details/0")
    name = page.locator("#f-other_name")
    if javascript:  # revealed only once "A medicine not on this list" is chosen
        expect(name).to_be_hidden()
        page.select_option("#f-medicine", "other")
    expect(name).to_be_visible()
    walk_pages(page, live_server.content.questionnaire, other, stop_at="medicines_list")
    assert path(page) == "/q/medicines_list"
    expect(page.locator("#medicine-list")).to_contain_text("Agomelatine")


def test_clinician_signs_in_reviews_prints_and_signs_out(
        page: Page, live_server: LiveServer, clinician_account: tuple[str, str]) -> None:
    email, password = clinician_account
    shared = live_server.seed(FULL, share=True)
    page.goto("/clinician/")
    assert path(page) == CLINICIAN_LOGIN  # signed out: sent to sign in
    page.fill("#f-email", email)
    page.fill("#f-password", "wrong password, typed in a hurry")
    click_and_wait(page, SUBMIT)
    assert path(page) == CLINICIAN_LOGIN
    expect(page.locator(".error-summary")).to_be_visible()
    page.fill("#f-password", password)
    click_and_wait(page, SUBMIT)
    assert path(page) == "/clinician/"
    expect(page.locator("h1")).to_have_text("Shared summaries")

    review_link = page.locator(f'main a[href="/clinician/summaries/{shared.record_id}"]')
    expect(review_link).to_have_count(1)
    click_and_wait(page, f'main a[href="/clinician/summaries/{shared.record_id}"]')
    assert path(page) == f"/clinician/summaries/{shared.record_id}"
    expect(page.locator("h1")).to_have_text("Summary for review")
    expect(page.locator("main")).to_contain_text("Sertraline")

    click_and_wait(page, f'main a[href="/clinician/summaries/{shared.record_id}/print"]')
    assert path(page) == f"/clinician/summaries/{shared.record_id}/print"
    expect(page.locator("main")).to_contain_text("Sertraline")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.goto("/clinician/")
    click_and_wait(page, 'form[action="/clinician/sign-out"] button[type=submit]')
    assert path(page) == CLINICIAN_LOGIN
    expect(page.locator("main")).to_contain_text("You have signed out.")
    page.goto(f"/clinician/summaries/{shared.record_id}")
    assert path(page) == CLINICIAN_LOGIN  # the old session no longer opens anything


CHANGED_PAGES = ["/", "/q/phq9", "/q/gad7", "/q/this_episode", "/q/medicines_any",
                 "/q/medicine_details/0", "/q/medicine_outcome/0", "/q/medicines_list",
                 "/q/practical", "/q/values", "/check", "/medicines/1/remove"]


@pytest.mark.parametrize("width", [375, 1280])
def test_changed_journey_pages_pass_axe_without_sideways_scroll(
        width: int, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    page = new_context(viewport={"width": width, "height": 812}).new_page()
    live_server.give(page.context, live_server.seed(persona(medicines=ADEQUATE_UNSUCCESSFUL[:2])))
    for url in CHANGED_PAGES:
        page.goto(url)
        count, text = axe_violations(page)
        assert count == 0, (url, text)
        assert not horizontal_overflow(page)["wide"], url
