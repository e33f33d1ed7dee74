"""Clinician second factors in a real browser: a passkey through Chromium's virtual
authenticator (CDP WebAuthn domain), and an authenticator-app code with JavaScript off."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent, Clinician
from tests.browser.conftest import watch
from tests.browser.driver import click_and_wait, path
from tests.browser.live import CLINICIAN_PASSWORD, LiveServer

SUBMIT = "main button[type=submit]"


def _account(live_server: LiveServer, email: str) -> str:
    runner = live_server.app.test_cli_runner()
    result = runner.invoke(args=["create-clinician", email, "--password-stdin"],
                           input=CLINICIAN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return email


def _localhost(live_server: LiveServer) -> str:
    # WebAuthn needs a domain as its relying-party ID; an IP address is refused.
    return live_server.url.replace("127.0.0.1", "localhost")


def _sign_in_with_password(page: Page, email: str) -> None:
    page.goto("/clinician/login")
    page.fill("#f-email", email)
    page.fill("#f-password", CLINICIAN_PASSWORD)
    click_and_wait(page, SUBMIT)


def _sign_out(page: Page) -> None:
    page.goto("/clinician/")
    click_and_wait(page, 'form[action="/clinician/sign-out"] button[type=submit]')
    assert path(page) == "/clinician/login"


def _sign_ins(live_server: LiveServer, email: str) -> list[str | None]:
    with live_server.app.app_context():
        db = get_session()
        cid = db.scalars(select(Clinician.id).where(Clinician.email == email)).one()
        return list(db.scalars(select(AuditEvent.detail).where(
            AuditEvent.clinician_id == cid, AuditEvent.action == "sign_in"
        ).order_by(AuditEvent.id)))


@pytest.fixture
def passkey_page(live_server: LiveServer, browser: Browser,
                 browser_problems: list[str]) -> Iterator[Page]:
    ctx = watch(browser.new_context(base_url=_localhost(live_server)), browser_problems)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    yield page
    ctx.close()


def test_clinician_adds_a_passkey_then_signs_in_with_it(
        passkey_page: Page, live_server: LiveServer) -> None:
    page = passkey_page
    email = _account(live_server, "passkey.user@clinic.example.org")
    _sign_in_with_password(page, email)
    assert path(page) == "/clinician/"

    page.goto("/clinician/mfa/setup")
    start = page.locator("[data-passkey=register] [data-passkey-start]")
    expect(start).to_be_visible()  # shown only because the browser supports passkeys
    with page.expect_navigation():
        start.click()
    assert path(page) == "/clinician/account"
    expect(page.locator(".notice")).to_have_text("Your passkey is added.")
    expect(page.locator(".factors")).to_contain_text("Passkey")

    _sign_out(page)
    _sign_in_with_password(page, email)
    assert path(page) == "/clinician/mfa"
    page.goto("/clinician/")
    assert path(page) == "/clinician/login"  # the password alone opened nothing
    _sign_in_with_password(page, email)
    with page.expect_navigation():
        page.click("[data-passkey=login] [data-passkey-start]")
    assert path(page) == "/clinician/"
    expect(page.locator("h1")).to_have_text("Shared summaries")
    assert _sign_ins(live_server, email)[-1] == "passkey"


def test_clinician_sets_up_an_authenticator_app_and_signs_in_without_javascript(
        live_server: LiveServer, new_context: Callable[..., BrowserContext]) -> None:
    ctx = new_context(java_script_enabled=False)
    page = ctx.new_page()
    email = _account(live_server, "totp.user@clinic.example.org")
    _sign_in_with_password(page, email)
    page.goto("/clinician/mfa/setup")
    expect(page.locator("img.qr")).to_be_visible()
    expect(page.locator("[data-passkey=register]")).to_be_hidden()  # no script, no passkey
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#f-code", totp.now())
    click_and_wait(page, SUBMIT)
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    click_and_wait(page, "main a.button")
    assert path(page) == "/clinician/"

    _sign_out(page)
    _sign_in_with_password(page, email)
    assert path(page) == "/clinician/mfa"
    page.fill("#f-code", "000000" if totp.now() != "000000" else "111111")
    click_and_wait(page, SUBMIT)
    expect(page.locator(".error-summary")).to_contain_text("That code did not work")
    # The code used to confirm set-up cannot be used again; the next one in time can.
    page.fill("#f-code", totp.at(time.time() + 30))
    click_and_wait(page, SUBMIT)
    assert path(page) == "/clinician/"
    assert _sign_ins(live_server, email)[-1] == "totp"
