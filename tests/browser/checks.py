"""Page checks shared by the browser tests: axe-core, target size, reflow and screenshots."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Error, Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
WIDTHS = {"desktop": 1280, "mobile": 375}
HEIGHT = 900
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MIN_TARGET = 24
SCREENSHOT_TIMEOUT_MS = 30_000  # the summary is a very tall page

_axe = Axe()


def axe_violations(page: Page) -> tuple[int, str]:
    """(number of violations, readable report) for WCAG 2.2 A/AA rules on the page as it is."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                      "resultTypes": ["violations"]})
    if results.violations_count == 0:
        return 0, ""
    lines = []
    for v in results.response["violations"]:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:6]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return results.violations_count, "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(target), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    except Error as exc:  # a screenshot is for people to look at; it never decides a test
        logging.getLogger(__name__).warning("screenshot %s failed: %s", name, exc)
    return target


# WCAG 2.5.8: a target is fine if it is at least 24 x 24, or it sits inline in a sentence,
# or a 24 px circle on its centre touches no other target and no other small target's circle.
_TARGETS = """(minimum) => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const els = [...document.querySelectorAll('main ' + sel.split(', ').join(', main '))]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden'
        && !el.closest('[hidden]') && !el.closest('.visually-hidden');
    });
  const block = (el) => {
    let p = el.parentElement;
    while (p && getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  const inSentence = (el) => {
    if (el.tagName !== 'A' && !el.classList.contains('link-button')) return false;
    const p = block(el);
    if (!p) return false;
    const own = el.textContent.replace(/\\s+/g, ' ').trim();
    const all = p.textContent.replace(/\\s+/g, ' ').trim();
    return all.length > own.length + 1;
  };
  const rects = els.map((el) => el.getBoundingClientRect());
  const small = rects.map((r) => r.width < minimum - 0.5 || r.height < minimum - 0.5);
  const centre = (r) => [r.left + r.width / 2, r.top + r.height / 2];
  const distToRect = (x, y, r) => {
    const dx = Math.max(r.left - x, 0, x - r.right);
    const dy = Math.max(r.top - y, 0, y - r.bottom);
    return Math.hypot(dx, dy);
  };
  const problems = [];
  const exempt = [];
  els.forEach((el, i) => {
    if (!small[i]) return;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "'
      + (el.textContent || el.value || '').replace(/\\s+/g, ' ').trim().slice(0, 40) + '" '
      + Math.round(rects[i].width) + 'x' + Math.round(rects[i].height);
    if (inSentence(el)) { exempt.push('inline: ' + name); return; }
    const [x, y] = centre(rects[i]);
    const clash = els.some((other, j) => {
      if (j === i || other.contains(el) || el.contains(other)) return false;
      if (distToRect(x, y, rects[j]) < minimum / 2) return true;
      if (small[j]) {
        const [ox, oy] = centre(rects[j]);
        return Math.hypot(x - ox, y - oy) < minimum;
      }
      return false;
    });
    if (clash) problems.push(name); else exempt.push('spacing: ' + name);
  });
  return {count: els.length, problems, exempt};
}"""


def target_size_report(page: Page) -> dict[str, Any]:
    report: dict[str, Any] = page.evaluate(_TARGETS, MIN_TARGET)
    return report


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """The page's scroll width, and the widest elements that stick out (outside .table-wrap)."""
    result: dict[str, Any] = page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      // Inside a scrolling .table-wrap only out-of-flow boxes can push the page wider.
      const escapes = (el) => !el.closest('.table-wrap')
        || ['absolute', 'fixed'].includes(getComputedStyle(el).position);
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5 && escapes(el))
        .slice(0, 5)
        .map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
             + ' in ' + el.parentElement.tagName.toLowerCase()
             + ' right=' + Math.round(el.getBoundingClientRect().right));
      return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide};
    }""")
    return result
