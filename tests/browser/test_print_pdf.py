"""The summary on paper: print-media emulation of the page, and the downloaded PDF read back."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.catalogue import FULL, HEAVY, OWN_QUESTION
from tests.browser.live import LiveServer
from tests.conftest import need

pytestmark = pytest.mark.browser

# Measured on content 2026.11.0 (A4): the FULL persona's PDF has 5 pages and the longest
# summary (HEAVY) has 6. The README states the target; this keeps it honest.
PDF_MAX_PAGES = 6
CRISIS_NUMBERS = ("988", "911")
HIDDEN_IN_PRINT = (".site-header", ".site-footer", ".back-link", "button", ".button", "form")


def visible_text(page: Page) -> str:
    return " ".join(page.locator("body").inner_text().split())


def hidden_in_print_problems(page: Page) -> list[str]:
    shown = page.evaluate("""(selectors) => selectors.flatMap((s) =>
        [...document.querySelectorAll(s)]
          .filter((el) => el.getClientRects().length > 0)
          .map((el) => s + ': ' + (el.innerText || '').trim().slice(0, 50)))""",
                          list(HIDDEN_IN_PRINT))
    return list(shown)


@pytest.mark.parametrize("url", ["/summary", "/summary/print"])
def test_print_media_shows_the_record_without_navigation(
        url: str, page: Page, live_server: LiveServer) -> None:
    live_server.give(page.context, live_server.cached_seed(
        "print", lambda: live_server.seed(FULL, complete=True)))
    page.goto(url)
    page.emulate_media(media="print")
    assert hidden_in_print_problems(page) == []
    # Crisis help is printed for everyone, flagged or not.
    expect(page.locator(".crisis-banner, .care-card--emergency").first).to_be_visible()
    text = visible_text(page)
    version = live_server.content.meta.version
    assert f"Content version {version}" in text
    assert date.today().isoformat() in text, "the date the summary was made is not printed"
    for number in CRISIS_NUMBERS:
        assert number in text, f"crisis number {number} is not printed on {url}"
    expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    expect(page.locator(".sources-list li").first).to_be_visible()
    for option in live_server.content.options:
        assert option.name in text


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                         text=True, check=True, timeout=60)
    return " ".join(out.stdout.split())


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match, out.stdout
    return int(match.group(1))


def test_pdf_download_has_every_option_crisis_help_and_version(
        page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    need("poppler-utils (pdftotext, pdfinfo)",
         shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None)
    live_server.give(page.context, live_server.cached_seed(
        "print", lambda: live_server.seed(FULL, complete=True)))
    page.goto("/summary")
    with page.expect_download(timeout=60_000) as info:
        page.locator('main a[href="/summary/pdf"]').first.click(timeout=60_000)
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"

    text = pdf_text(pdf)
    for option in live_server.content.options:
        assert option.name in text, f"option {option.name!r} is missing from the PDF"
    for number in CRISIS_NUMBERS:
        assert number in text, f"crisis number {number} is missing from the PDF"
    assert live_server.content.meta.version in text
    assert pdf_pages(pdf) <= PDF_MAX_PAGES


def test_longest_pdf_stays_within_the_page_target(page: Page, live_server: LiveServer,
                                                 tmp_path: Path) -> None:
    need("poppler-utils (pdftotext, pdfinfo)", shutil.which("pdfinfo") is not None)
    seed = live_server.seed(HEAVY, complete=True)
    live_server.give(page.context, seed)
    response = page.request.get("/summary/pdf", timeout=60_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "longest.pdf"
    pdf.write_bytes(response.body())
    text = pdf_text(pdf)
    assert text.count(OWN_QUESTION) == 20  # all of the person's own question is printed
    for number in CRISIS_NUMBERS:
        assert number in text
    pages = pdf_pages(pdf)
    print(f"PDF pages for the longest summary: {pages}")
    assert pages <= PDF_MAX_PAGES, f"the PDF has {pages} pages (target <= {PDF_MAX_PAGES})"
