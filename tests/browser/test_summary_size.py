"""The summary measured in a real browser: how tall and how long it is on a phone with every
disclosure closed, how heavy its HTML is, the grid without sideways scrolling, the same rows on
every option card, and the clinician's first screen. Screenshots go to test-output/summary/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from tests.browser.catalogue import THREE, sign_in_clinician
from tests.browser.live import LiveServer
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, persona

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "summary"
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MAX_SCREENS = 15
MAX_WORDS = 2_500
MAX_HTML_BYTES = 30 * 1024
CARD_ROWS = ["What it involves", "Visits", "How soon it may help", "Chance of benefit",
             "Main side effect", "Stopping because of side effects", "Symptoms coming back",
             "Cost", "How sure the evidence is"]
MEDICINES = ("Sertraline", "Escitalopram", "Venlafaxine")
FLAGGED = persona(medicines=ADEQUATE_UNSUCCESSFUL, phq9_9="1",
                  top_priorities=["chance", "driving", "cost"], visits_per_week="le1",
                  ride_home="no", cost_worry="a_lot")

_LAYERS = """() => {
  const section = (id) => document.getElementById(id).closest('section');
  const parts = ['where-heading', 'grid-heading', 'options-heading'].map(section);
  const words = (el) => el.innerText.split(/\\s+/).filter(Boolean).length;
  const top = parts[0].getBoundingClientRect().top + window.scrollY;
  const bottom = parts[2].getBoundingClientRect().bottom + window.scrollY;
  return {height: bottom - top, words: parts.map(words).reduce((a, b) => a + b, 0),
          page: document.documentElement.scrollHeight,
          pageWords: words(document.querySelector('main'))};
}"""


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, timeout=30_000)


@pytest.fixture
def summary_page(fresh_page: Page, live_server: LiveServer) -> Page:
    live_server.give(fresh_page.context, live_server.cached_seed(
        "three-summary", lambda: live_server.seed(THREE, complete=True)))
    fresh_page.set_viewport_size(PHONE)
    fresh_page.goto("/summary")
    return fresh_page


def test_layers_fit_the_phone_budget_with_details_closed(summary_page: Page) -> None:
    page = summary_page
    assert page.locator("main details[open]").count() == 0
    m = page.evaluate(_LAYERS)
    screens = m["height"] / PHONE["height"]
    print(f"\nsummary at 375x812: layers {screens:.1f} screens, {m['words']} words; "
          f"whole page {m['page'] / PHONE['height']:.1f} screens, {m['pageWords']} words")
    assert screens <= MAX_SCREENS, f"where-now + grid + cards are {screens:.1f} screens tall"
    assert m["words"] <= MAX_WORDS, f"where-now + grid + cards have {m['words']} words"
    shot(page, "summary-375")
    page.set_viewport_size(DESKTOP)
    shot(page, "summary-1280")


def test_whole_summary_page_is_at_most_30_kb_of_html(summary_page: Page) -> None:
    body = summary_page.request.get("/summary").body()
    print(f"\nsummary HTML: {len(body) / 1024:.1f} KB")
    assert len(body) <= MAX_HTML_BYTES, f"{len(body) / 1024:.1f} KB of HTML"


def test_grid_reads_on_a_phone_without_sideways_scrolling(summary_page: Page) -> None:
    page = summary_page
    layout = page.evaluate("""() => {
      const grid = document.querySelector('table.grid');
      const rows = [...grid.querySelectorAll('tbody tr')];
      return {scroll: document.documentElement.scrollWidth, width: grid.scrollWidth,
              box: grid.clientWidth, rows: rows.length,
              blocks: rows.filter((r) => getComputedStyle(r).display === 'block').length,
              labelled: [...grid.querySelectorAll('td')].every(
                (td) => getComputedStyle(td, '::before').content.length > 2)};
    }""")
    assert layout["scroll"] <= PHONE["width"], layout
    assert layout["width"] <= layout["box"] + 1, layout
    assert layout["rows"] == layout["blocks"] == 9, "one block per option on a phone"
    assert layout["labelled"], "every cell says which priority it is about"


def test_every_option_card_has_the_same_rows_in_the_same_order(summary_page: Page) -> None:
    rows = summary_page.evaluate("""() => [...document.querySelectorAll('section.card')]
      .map((card) => [...card.querySelectorAll(':scope > dl > dt')].map((dt) => dt.innerText))""")
    assert len(rows) == 9
    assert all(r == CARD_ROWS for r in rows), rows


def test_points_to_raise_fold_on_each_card_and_open_without_javascript(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    ctx = new_context(java_script_enabled=False, viewport=PHONE)
    live_server.give(ctx, live_server.cached_seed(
        "three-summary", lambda: live_server.seed(THREE, complete=True)))
    page = ctx.new_page()
    page.goto("/summary")
    card = page.locator("section.card", has=page.locator("details")).first
    points = card.locator("details li")
    summary = card.locator("details > summary")
    expect(summary).to_have_text(re.compile(r"^\d+ points? to raise from your answers$"))
    expect(points.first).to_be_hidden()
    expect(card.get_by_role("link", name="All the details and numbers")).to_be_visible()
    summary.click()
    expect(points.first).to_be_visible()
    count = int(summary.inner_text().split()[0])
    expect(points).to_have_count(count)
    assert page.locator("section.card details").count() >= 5, "most cards carry points"
    ctx.close()


def test_where_you_are_now_names_each_medicine(summary_page: Page) -> None:
    where = summary_page.locator("section.where").inner_text()
    for name in MEDICINES:
        assert name in where
    assert "clinician can check" in where.lower()


def test_details_open_without_javascript_and_icon_arrays_are_big(
        summary_page: Page, live_server: LiveServer) -> None:
    page = summary_page
    page.goto("/summary/options/esketamine")
    arrays = page.evaluate("""() => [...document.querySelectorAll('.icon-array img')]
      .map((img) => img.getBoundingClientRect().width)""")
    assert arrays and min(arrays) >= 120, arrays  # 10 x 10 cells of at least 12 px
    captions = page.locator(".icon-array figcaption").all_inner_texts()
    assert all("in 100" in c for c in captions)


def test_clinician_first_screen_holds_the_essentials(
        fresh_page: Page, live_server: LiveServer, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("clinician_account")
    page = fresh_page
    seed = live_server.cached_seed("flagged-shared",
                                   lambda: live_server.seed(FLAGGED, share=True))
    sign_in_clinician(page, live_server)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/clinician/summaries/{seed.record_id}")
    bottoms = page.evaluate("""() => Object.fromEntries(
      ['safety-flag', 'scores-heading', 'trials-glance-heading', 'priorities-heading',
       'practical-heading'].map((id) => {
        const el = document.getElementById(id);
        const box = (el.closest('section') || el).getBoundingClientRect();
        return [id, box.bottom + window.scrollY];
      }))""")
    print(f"\nclinician first screen, bottom of each box (px): {bottoms}")
    assert all(b <= DESKTOP["height"] for b in bottoms.values()), bottoms
    first = page.locator("main").inner_text()
    for name in MEDICINES:
        assert name in first
    assert page.locator(".crisis-banner").count() == 0
    shot(page, "clinician-review-1280")
    page.set_viewport_size(PHONE)
    table = page.evaluate("""() => {
      const t = document.querySelector('table.trials');
      const rows = [...t.querySelectorAll('tbody tr')];
      return {scroll: document.documentElement.scrollWidth,
              blocks: rows.every((r) => getComputedStyle(r).display === 'block'),
              narrowest: Math.min(...[...t.querySelectorAll('td')].map(
                (td) => td.getBoundingClientRect().width))};
    }""")
    assert table["scroll"] <= PHONE["width"], table
    assert table["blocks"] and table["narrowest"] >= 250, table
    shot(page, "clinician-review-375")
