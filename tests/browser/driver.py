"""Answer the question pages in a real browser, with the mouse or with the keyboard only.

Values come from a tests.support.journey Persona (the same vocabulary as the test-client journeys);
a field the persona leaves out gets journey.default_value. The keyboard user checks, at every
Tab, that the focused element looks different from when it was not focused and is not covered.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from playwright.sync_api import Page

from decision_aid.engine.validation import condition_holds
from tests.support.journey import Persona, default_value, page_values

PAGE_PATH = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")
SUBMIT = "main form button[type=submit]"
MAX_PAGES = 120
# The DOM and the deferred app.js are ready then; waiting for "load" (images) only costs time.
NAVIGATED: Final[Literal["domcontentloaded"]] = "domcontentloaded"


def path(page: Page) -> str:
    return urlsplit(page.url).path


def page_ref(page: Page) -> tuple[str, int | None] | None:
    match = PAGE_PATH.match(path(page))
    if match is None:
        return None
    index = match["index"]
    return match["page"], int(index) if index is not None else None


def wanted(q_page: Any, persona: Persona, index: int | None) -> list[tuple[Any, Any]]:
    """(field, value) pairs to enter on this page, in page order, like the test-client walk."""
    values = page_values(q_page, persona, index)
    pairs = []
    for f in q_page.fields:
        shown = {k: v for k, v in values.items() if v not in (None, "")}
        if f.reveal_if is not None and not condition_holds(f.reveal_if, shown):
            continue
        value = values.get(f.id, default_value(f))
        if value is not None:
            pairs.append((f, value))
    return pairs


def listed_items(page: Page) -> int:
    return page.locator("#medicine-list .summary-list__row").count()


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation(wait_until=NAVIGATED):
        page.locator(selector).first.click()


def answer_with_mouse(page: Page, q_page: Any, persona: Persona, index: int | None) -> None:
    if q_page.kind == "loop_list":
        more = "yes" if listed_items(page) < len(persona.medicines) else "no"
        page.check(f'[id="f-medicines_more-{more}"]')
    elif q_page.kind == "question":
        for f, value in wanted(q_page, persona, index):
            if f.type == "radio":
                page.check(f'[id="f-{f.id}-{value}"]')
            elif f.type == "checkboxes":
                for v in value:
                    page.check(f'[id="f-{f.id}-{v}"]')
            elif f.type == "select":
                page.select_option(f'[id="f-{f.id}"]', str(value))
            else:
                page.fill(f'[id="f-{f.id}"]', str(value))
    click_and_wait(page, SUBMIT)


def walk_pages(page: Page, questionnaire: Any, persona: Persona, *,
               stop_at: str | None = None, keyboard: KeyboardUser | None = None) -> list[str]:
    """From the current question page on, answer every page until Check your answers
    (or until the page stop_at). Returns the paths answered."""
    seen: list[str] = []
    for _ in range(MAX_PAGES):
        if path(page) == "/check":
            return seen
        ref = page_ref(page)
        assert ref is not None, f"unexpected page {page.url}"
        if ref[0] == stop_at:
            return seen
        q_page = questionnaire.page(ref[0])
        seen.append(path(page))
        before = page.url
        if keyboard is None:
            answer_with_mouse(page, q_page, persona, ref[1])
        else:
            keyboard.answer(q_page, persona, ref[1])
        assert page.url != before or path(page) == "/check", (
            f"{before} did not move on: " + page.locator("main").inner_text()[:500])
    raise AssertionError("the journey did not reach Check your answers")


# ------------------------------------------------------------------------------------------
# Keyboard only

_PRIME = """() => {
  const sig = (el) => {
    const cs = getComputedStyle(el);
    const w = parseFloat(cs.outlineWidth) || 0;
    const transparent = /rgba\\(.*,\\s*0\\)$/.test(cs.outlineColor)
      || cs.outlineColor === 'transparent';
    const outline = (cs.outlineStyle !== 'none' && w > 0 && !transparent)
      ? [cs.outlineStyle, cs.outlineWidth, cs.outlineColor].join(' ') : 'none';
    return [outline, cs.boxShadow, cs.backgroundColor, cs.color, cs.borderColor,
            cs.textDecorationLine].join('|');
  };
  window.__focusSig = sig;
  window.__unfocused = new Map();
  const all = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')];
  window.__focusables = all;
  for (const el of all) {
    if (el !== document.activeElement) window.__unfocused.set(el, sig(el));
  }
}"""

_PROBE = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {none: true};
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
  const label = (el.id ? '#' + el.id : el.tagName.toLowerCase()) + ' "' + text.slice(0, 40) + '"';
  const before = window.__unfocused ? window.__unfocused.get(el) : undefined;
  const now = window.__focusSig ? window.__focusSig(el) : null;
  const r = el.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < innerHeight && r.left < innerWidth;
  let unobscured = false;
  if (inView) {
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    unobscured = !!hit && (hit === el || el.contains(hit) || hit.contains(el)
      || (el.labels && [...el.labels].some((l) => l.contains(hit))));
  }
  const idx = window.__focusables ? window.__focusables.indexOf(el) : -1;
  return {none: false, label, idx, matches: selector ? el.matches(selector) : false,
          known: before !== undefined, changed: before !== undefined && before !== now,
          inView, unobscured, name: el.name || '', checked: !!el.checked};
}"""


class KeyboardUser:
    """Moves only with Tab / Shift+Tab, acts only with Space / Enter, plus the arrow keys that
    are the native way to choose within a radio group or a closed select."""

    def __init__(self, page: Page, max_tabs: int = 150) -> None:
        self.page = page
        self.max_tabs = max_tabs
        self.tabs = 0
        self.tabs_since_last_target = 0
        self.focus_checks = 0

    def prime(self) -> None:
        self.page.evaluate(_PRIME)

    def probe(self, selector: str | None = None) -> dict[str, Any]:
        state: dict[str, Any] = self.page.evaluate(_PROBE, selector)
        if state["none"]:
            return state
        self.focus_checks += 1
        where = f"{path(self.page)}: {state['label']}"
        assert state["known"], f"focus went to an element that was not there at load: {where}"
        assert state["changed"], f"focus is not visible (no style change) on {where}"
        assert state["inView"], f"the focused element is off screen: {where}"
        assert state["unobscured"], f"the focused element is covered by something: {where}"
        return state

    def tab_to(self, selector: str, *, reverse: bool = False) -> dict[str, Any]:
        key = "Shift+Tab" if reverse else "Tab"
        for presses in range(1, self.max_tabs + 1):
            self.page.keyboard.press(key)
            self.tabs += 1
            state = self.probe(selector)
            if state.get("matches"):
                self.tabs_since_last_target = presses
                return state
        raise AssertionError(f"{key} never reached {selector} on {path(self.page)}")

    def enter_and_wait(self) -> None:
        with self.page.expect_navigation(wait_until=NAVIGATED):
            self.page.keyboard.press("Enter")
        self.prime()

    def choose_radio(self, name: str, value: str, *, reverse: bool = False) -> None:
        self.tab_to(f'input[type=radio][name="{name}"]', reverse=reverse)
        values: list[str] = self.page.eval_on_selector_all(
            f'input[type=radio][name="{name}"]', "els => els.map(e => e.value)")
        current = self.page.evaluate("() => document.activeElement.value")
        delta = values.index(value) - values.index(current)
        for _ in range(abs(delta)):
            self.page.keyboard.press("ArrowDown" if delta > 0 else "ArrowUp")
            self.probe()
        if delta == 0:
            self.page.keyboard.press("Space")
        assert self.page.is_checked(f'[id="f-{name}-{value}"]'), f"could not choose {name}={value}"

    def tick(self, name: str, value: str) -> None:
        self.tab_to(f'[id="f-{name}-{value}"]')
        if not self.page.is_checked(f'[id="f-{name}-{value}"]'):
            self.page.keyboard.press("Space")
        assert self.page.is_checked(f'[id="f-{name}-{value}"]'), f"could not tick {name}={value}"

    def choose_option(self, field_id: str, value: str) -> None:
        selector = f'[id="f-{field_id}"]'
        self.tab_to(selector)
        values: list[str] = self.page.eval_on_selector_all(
            f"{selector} option", "els => els.map(e => e.value)")
        current = self.page.eval_on_selector(selector, "el => el.value")
        delta = values.index(value) - values.index(current)
        for _ in range(abs(delta)):
            self.page.keyboard.press("ArrowDown" if delta > 0 else "ArrowUp")
        assert self.page.eval_on_selector(selector, "el => el.value") == value

    def type_into(self, field_id: str, text: str) -> None:
        self.tab_to(f'[id="f-{field_id}"]')
        self.page.keyboard.type(text)

    def submit(self, selector: str = SUBMIT) -> None:
        self.tab_to(selector)
        self.enter_and_wait()

    def answer(self, q_page: Any, persona: Persona, index: int | None) -> None:
        if q_page.kind == "loop_list":
            more = "yes" if listed_items(self.page) < len(persona.medicines) else "no"
            self.choose_radio("medicines_more", more)
        elif q_page.kind == "question":
            for f, value in wanted(q_page, persona, index):
                if f.type == "radio":
                    self.choose_radio(f.id, str(value))
                elif f.type == "checkboxes":
                    order = [c.value for c in f.choices]
                    for v in sorted(value, key=order.index):
                        self.tick(f.id, v)
                elif f.type == "select":
                    self.choose_option(f.id, str(value))
                else:
                    self.type_into(f.id, str(value))
        self.submit()
