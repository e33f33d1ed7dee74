"""Security headers on every response: pages, static files and error pages of every kind.

A WSGI middleware rather than an after_request hook, so the headers also reach responses that
Flask builds after a hook failed, and the 400 Werkzeug sends for a host it does not serve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
# Anything that is not a static asset may show answers: never store it anywhere.
NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
STATIC_PREFIX = "/static/"

_SET_ALWAYS = frozenset(name.lower() for name, _ in ALWAYS) | {"server"}
_SET_NO_STORE = frozenset(name.lower() for name, _ in NO_STORE)


def security_headers(
    headers: Iterable[tuple[str, str]], *, path: str, secure: bool
) -> list[tuple[str, str]]:
    """The response headers with ours set: a page's own CSP is kept, Server is dropped."""
    replaced = _SET_ALWAYS
    if not path.startswith(STATIC_PREFIX):
        replaced = replaced | _SET_NO_STORE
    if secure:
        replaced = replaced | {"strict-transport-security"}
    out = [(name, value) for name, value in headers if name.lower() not in replaced]
    if not any(name.lower() == "content-security-policy" for name, _ in out):
        out.append(("Content-Security-Policy", CSP))
    out.extend(ALWAYS)
    if secure:
        out.append(HSTS)
    if not path.startswith(STATIC_PREFIX):
        out.extend(NO_STORE)
    return out


class SecurityHeaders:
    """Wraps the Flask WSGI app (inside ProxyFix, so the scheme is the client's)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        secure = environ.get("wsgi.url_scheme") == "https"

        def start(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            return start_response(
                status, security_headers(headers, path=path, secure=secure), exc_info
            )

        return self.app(environ, start)
