"""Hostile values for the Hypothesis fuzz tests (patient and clinician forms alike), and the
checks every fuzzed response must pass: no 500, no traceback, the security headers."""

from __future__ import annotations

from hypothesis import strategies as st
from werkzeug.test import TestResponse

UNICODE_DIGITS = ["²", "³", "¹", "٣", "۷", "१", "１２", "𝟗", "Ⅻ", "½", "⁹⁹", "᠐", "߂"]
ODD_NUMBERS = ["-1", "-0", "0", "00", "1e309", "1e-9", "nan", "inf", "-inf", "0x10", " 5 ", "5.",
               ".5", "1_000", "+3", "2147483648", "9223372036854775808", "9" * 400, "١٠٠"]
NASTY = ["\x00", "a\x00b", "\x00" * 50, "\r\n", "<script>alert(1)</script>", "' OR 1=1 --",
         "%00", "\u202e", "\ufeff", "\U0001f600" * 20, "x" * 20_000, "", " ", "null", "[]",
         "{}", "../../etc/passwd", "file:///etc/passwd", "\\", "\t" * 10]
CONTROL = ["\x01", "\x07", "\x1b[31m", "\x7f", "a\rb", "\x0b\x0c", "\u2028", "\u0085"]
ODD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "10000-01-01",
             "2026-11-01T09:00:00", "2026-11-01T09:00:00Z", "2026-11-01T25:00:00Z",
             "ge9999-12-31", "lt0001-01-01", "gt9999-12-31T23:59:59.999999+00:00",
             "le0001-01-01T00:00:00-23:59", "eq2026-11-01", "ne2026-11-01", "ge",
             "２０２６-１１-０１"]

text_values = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
digit_values = st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]),
                       min_size=1, max_size=12)
number_values = st.integers(min_value=-(10**40), max_value=10**40).map(str)
odd_values = st.sampled_from(UNICODE_DIGITS + ODD_NUMBERS + NASTY + CONTROL + ODD_DATES)


def hostile(choices: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Any hostile value; real choices (when given) half of the time."""
    options = [text_values, digit_values, number_values, odd_values]
    if choices:
        options += [st.sampled_from(choices)] * 4
    return st.one_of(options)


def check_response(resp: TestResponse, where: str, *, busy_ok: bool = False) -> str:
    """No 500, no traceback, and the security headers on every response. Returns the body.
    busy_ok: a 503 with Retry-After is fine (a PDF that took too long on a loaded machine)."""
    body = resp.get_data().decode("utf-8", "replace")
    busy = busy_ok and resp.status_code == 503 and "Retry-After" in resp.headers
    assert resp.status_code < 500 or busy, f"{resp.status_code} on {where}"
    assert "Traceback" not in body and 'File "' not in body, where
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, where
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", where
    assert resp.headers.get("Referrer-Policy") == "no-referrer", where
    assert "no-store" in resp.headers.get("Cache-Control", ""), where
    assert "Server" not in resp.headers, where
    return body
