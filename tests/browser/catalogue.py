"""Personas and every page type of the app, each with a way to open it in a browser page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

from decision_aid.content.fact_names import PRIORITY_IDS
from tests.browser.driver import click_and_wait, path
from tests.browser.live import CLINICIAN_EMAIL, CLINICIAN_PASSWORD, LiveServer, Seed
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, persona

SERTRALINE = {"medicine": "sertraline", "dose": "150", "dose_unit": "mg", "weeks": "9to12",
              "adherence": "yes", "helped": "little_or_none", "side_effects": ["sexual", "sleep"],
              "stopped_reason": "did_not_help", "added": ["none"]}
OWN_QUESTION = "Can I keep working while I have this treatment?"
# One medicine, one other treatment (a follow-up page), a health problem and an own question.
FULL = persona(
    medicines=[SERTRALINE], episode_length="gt2y", taking_now="yes", therapy_now="no",
    other_treatments=["talking_therapy"], other_talking_therapy_sessions="12to20",
    other_talking_therapy_outcome="some", health=["high_bp"], visits_per_week="2",
    ride_home="yes", cost_worry="some", preference="not_sure", own_questions=OWN_QUESTION,
)
CRISIS = persona(phq9_9="2")
# The longest summary: three trials, every other treatment, many health problems, a safety
# flag, every priority rated 4 (so every comparison column) and a 1,000-character question.
HEAVY = persona(
    medicines=ADEQUATE_UNSUCCESSFUL, phq9_9="3",
    other_treatments=["talking_therapy", "tms", "ect", "esketamine", "ketamine"],
    health=["high_bp", "heart_vessel", "psychosis_bipolar", "substance_use", "pregnancy",
            "seizures", "memory"],
    own_questions=(OWN_QUESTION + " ") * 20,
    **{f"prio_{p}": "4" for p in PRIORITY_IDS},
)
# A person who tried three medicines (one with a medicine added), with what matters to them and
# practical limits: the summary the size targets are measured on.
THREE = persona(medicines=ADEQUATE_UNSUCCESSFUL, top_priorities=["weight", "sexual", "memory"],
                health=["high_bp"], visits_per_week="2", ride_home="no", cost_worry="some",
                own_questions=OWN_QUESTION)
WRONG_CODE = "AAAA-BBBB-CCCC-DDDD"

CLINICIAN_LOGIN = "/clinician/login"


def seeded(live: LiveServer, key: str) -> Seed:
    """Seeds shared by the page-type tests (read-only use: they only GET, or POST bad forms)."""
    makers = {
        "at_this_episode": lambda: live.seed(FULL, stop_at="this_episode"),
        "at_other_treatments": lambda: live.seed(FULL, stop_at="other_treatments"),
        "at_medicine_details": lambda: live.seed(FULL, stop_at="medicine_details"),
        "at_medicines_list": lambda: live.seed(FULL, stop_at="medicines_list"),
        "at_crisis": lambda: live.seed(CRISIS, stop_at="crisis"),
        "at_check": lambda: live.seed(FULL),
        "summary": lambda: live.seed(FULL, complete=True),
        "saved": lambda: live.seed(FULL, save=True),
        "shared": lambda: live.seed(FULL, share=True),
    }
    return live.cached_seed(key, makers[key])


@dataclass(frozen=True)
class PageType:
    name: str
    open: Callable[[Page, LiveServer], None]
    clinician: bool = False


def _goto(url: str, seed: str | None = None) -> Callable[[Page, LiveServer], None]:
    def open_page(page: Page, live: LiveServer) -> None:
        if seed is not None:
            live.give(page.context, seeded(live, seed))
        page.goto(url)
        assert path(page) == url.split("?")[0], f"{url} went to {page.url}"

    return open_page


def _question_with_errors(page: Page, live: LiveServer) -> None:
    _goto("/q/this_episode", "at_this_episode")(page, live)
    click_and_wait(page, "main form button[type=submit]")
    assert page.title().startswith("Error:")


def _resume_wrong_code(page: Page, live: LiveServer) -> None:
    page.goto("/resume")
    page.fill("#f-code", WRONG_CODE)
    click_and_wait(page, "main form button[type=submit]")
    assert page.title().startswith("Error:")


def _not_found(page: Page, live: LiveServer) -> None:
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404


def sign_in_clinician(page: Page, live: LiveServer) -> None:
    """A signed-in clinician session, made through the setup client and handed over."""
    client = live.setup_app.test_client()
    resp = client.post(CLINICIAN_LOGIN, data={"email": CLINICIAN_EMAIL,
                                              "password": CLINICIAN_PASSWORD})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    cookie = client.get_cookie(live.cookie_name)
    assert cookie is not None
    live.give(page.context, Seed(cookie=cookie.value))


def _clinician_login_error(page: Page, live: LiveServer) -> None:
    page.goto(CLINICIAN_LOGIN)
    page.fill("#f-email", "nobody@clinic.example.org")
    page.fill("#f-password", "not the password")
    click_and_wait(page, "main form button[type=submit]")
    assert page.title().startswith("Error:")


def _clinician_page(suffix: str) -> Callable[[Page, LiveServer], None]:
    def open_page(page: Page, live: LiveServer) -> None:
        record_id = seeded(live, "shared").record_id
        sign_in_clinician(page, live)
        url = "/clinician/" + suffix.format(id=record_id)
        page.goto(url)
        assert path(page) == url, f"{url} went to {page.url}"

    return open_page


PAGE_TYPES: list[PageType] = [
    PageType("start", _goto("/")),
    PageType("question-radio", _goto("/q/this_episode", "at_this_episode")),
    PageType("question-checkboxes", _goto("/q/other_treatments", "at_other_treatments")),
    PageType("medicine-details", _goto("/q/medicine_details/0", "at_medicine_details")),
    PageType("loop-list", _goto("/q/medicines_list", "at_medicines_list")),
    PageType("remove-medicine", _goto("/medicines/0/remove", "at_medicines_list")),
    PageType("crisis-interruption", _goto("/q/crisis", "at_crisis")),
    PageType("question-with-errors", _question_with_errors),
    PageType("check-answers", _goto("/check", "at_check")),
    PageType("summary", _goto("/summary", "summary")),
    PageType("option-details", _goto("/summary/options/esketamine", "summary")),
    PageType("summary-sources", _goto("/summary/sources", "summary")),
    PageType("print-view-full", _goto("/summary/print?full=1", "saved")),
    PageType("sure", _goto("/sure", "summary")),
    PageType("saved", _goto("/saved", "saved")),
    PageType("print-view", _goto("/summary/print", "saved")),
    PageType("resume", _goto("/resume")),
    PageType("resume-wrong-code", _resume_wrong_code),
    PageType("delete", _goto("/delete", "summary")),
    PageType("deleted", _goto("/deleted")),
    PageType("no-draft", _goto("/q/phq9_1")),
    PageType("about", _goto("/about")),
    PageType("privacy", _goto("/privacy")),
    PageType("not-found", _not_found),
    PageType("clinician-login", _goto(CLINICIAN_LOGIN), clinician=True),
    PageType("clinician-login-error", _clinician_login_error, clinician=True),
    PageType("clinician-dashboard", _clinician_page(""), clinician=True),
    PageType("clinician-review", _clinician_page("summaries/{id}"), clinician=True),
    PageType("clinician-print", _clinician_page("summaries/{id}/print"), clinician=True),
]
