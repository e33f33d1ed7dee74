"""The summary on paper: print-media emulation of the page, and the downloaded PDF read back."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.catalogue import FULL, HEAVY, OWN_QUESTION, THREE
from tests.browser.live import LiveServer
from tests.conftest import need
from tests.support.journey import Persona

pytestmark = pytest.mark.browser

# The body (where you are now, the grid, points to raise, questions, crisis help, sources) on at
# most 3 A4 pages (issue 9), for a typical summary and for the longest one we can make (HEAVY:
# three trials, every health problem, a safety flag, a 1,000-character question), whose last
# page is never nearly empty: it holds at least a fifth of the lines of a full page.
PDF_MAX_PAGES = 3
HEAVY_MAX_PAGES = 3
MIN_LAST_PAGE_SHARE = 1 / 5
MIN_FONT_PT = 10
# pdftotext -bbox gives each word's box: ascent + descent of the font, which for Liberation Sans
# (the one family the print stylesheet uses) is 1.117 times the font size.
LIBERATION_BOX = 0.905 + 0.212
MEDICINES = ("Sertraline", "Escitalopram", "Venlafaxine")
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
    for option in live_server.content.options:
        assert option.name in text
    if url == "/summary/print":
        # Every short reference in the printed body is findable in its sources list.
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
        listed = set(page.locator(".sources-list li").evaluate_all(
            "(lis) => lis.map((li) => li.id)"))
        cited = set(page.locator('main a[href^="#s"]').evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href').slice(1))"))
        assert cited and cited <= listed, cited - listed


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


def pdf_fonts(pdf: Path) -> set[str]:
    """Font families in the PDF, without subset prefixes and styles."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60).stdout.splitlines()[2:]
    names = {line.split()[0].split("+", 1)[-1] for line in out if line.strip()}
    return {re.sub(r"[-,](Bold|Italic|Oblique|Regular|BoldItalic)$", "", n) for n in names}


def pdf_min_font_pt(pdf: Path) -> float:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    heights = [float(y2) - float(y1) for y1, y2 in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', out)]
    assert heights
    return min(heights) / LIBERATION_BOX


def page_lines(pdf: Path, number: int) -> int:
    out = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout",
                          str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60)
    return sum(1 for line in out.stdout.splitlines() if line.strip())


def last_page_share(pdf: Path, pages: int) -> float:
    """The last page's lines as a share of the fullest other page's (1.0 for one page)."""
    if pages == 1:
        return 1.0
    return page_lines(pdf, pages) / max(page_lines(pdf, n) for n in range(1, pages))


def need_poppler() -> None:
    need("poppler-utils (pdftotext, pdfinfo, pdffonts)",
         all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts")))


def fetch_pdf(page: Page, live_server: LiveServer, tmp_path: Path, key: str, person: Persona,
              query: str = "") -> Path:
    seed = live_server.cached_seed(key, lambda: live_server.seed(person, complete=True))
    live_server.give(page.context, seed)
    response = page.request.get(f"/summary/pdf{query}", timeout=120_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"{key}{query.replace('?', '-').replace('=', '')}.pdf"
    pdf.write_bytes(response.body())
    return pdf


def test_pdf_body_fits_three_pages_in_one_family_at_10_pt_or_more(
        page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    need_poppler()
    pdf = fetch_pdf(page, live_server, tmp_path, "three-summary", THREE)
    pages = pdf_pages(pdf)
    smallest = pdf_min_font_pt(pdf)
    families = pdf_fonts(pdf)
    print(f"\nPDF for three medicines: {pages} pages, smallest text {smallest:.1f} pt, "
          f"fonts {sorted(families)}")
    assert pages <= PDF_MAX_PAGES
    assert smallest >= MIN_FONT_PT - 0.05
    assert families == {"Liberation-Sans"}, families
    assert last_page_share(pdf, pages) >= MIN_LAST_PAGE_SHARE, "a nearly empty last page"
    text = pdf_text(pdf)
    for name in MEDICINES:
        assert name in text, f"{name} is missing from the PDF"


def test_full_details_appendix_has_every_option_and_figure(
        page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    need_poppler()
    body = fetch_pdf(page, live_server, tmp_path, "print", FULL)
    full = fetch_pdf(page, live_server, tmp_path, "print", FULL, "?full=1")
    assert pdf_pages(full) > pdf_pages(body)
    text = pdf_text(full)
    for option in live_server.content.options:
        assert " ".join(option.what_it_is.split()[:8]) in text, option.id
        for claim in (*option.benefit_claims, *option.harm_claims):
            assert f"About {claim.value} out of 100" in text, claim.id
    assert "Who:" in text and "How sure:" in text
    assert pdf_fonts(full) == {"Liberation-Sans"}


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
    assert "Sertraline" in text  # the person's own medicine history is on paper too


def test_longest_pdf_stays_within_the_page_target(page: Page, live_server: LiveServer,
                                                 tmp_path: Path) -> None:
    need_poppler()
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
    smallest = pdf_min_font_pt(pdf)
    share = last_page_share(pdf, pages)
    print(f"\nPDF for the longest summary: {pages} pages, smallest text {smallest:.1f} pt, "
          f"last page {share:.0%} of a full one")
    assert pages <= HEAVY_MAX_PAGES, f"the PDF has {pages} pages (target <= {HEAVY_MAX_PAGES})"
    assert smallest >= MIN_FONT_PT - 0.05
    assert share >= MIN_LAST_PAGE_SHARE, "a nearly empty last page"
    assert pdf_fonts(pdf) == {"Liberation-Sans"}
    for option in live_server.content.options:
        assert option.name in text, f"option {option.name!r} is missing from the PDF"
