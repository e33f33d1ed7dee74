"""Extension objects, created here and bound to the app in create_app(), and failure budgets."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, current_app, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse_many

log = logging.getLogger("decision_aid")


def client_ip() -> str:
    # request.remote_addr is already the proxy-supplied address when ProxyFix is configured.
    return request.remote_addr or "unknown"


csrf = CSRFProtect()
limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=True)
compress = Compress()
# What goes compressed. Styles, scripts and icons hold no secret. A page (HTML) is compressed
# only for a GET with no query string and a 2xx status, so it never echoes anything a
# third party put in the request: compression can only leak a secret (BREACH) if the attacker's
# guesses sit in the same compressed body. The CSRF token is the other usual target, and its
# signed part changes every second (Flask-WTF's timed signature), so it cannot be guessed by
# size either. Typed answers only ever come from POSTs, which carry the CSRF token, and a POST's
# response is never compressed.
COMPRESSED_TYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]
COMPRESSED_PAGE = "text/html"
# Text one person typed also counts as a guess when another person's secrets share the page:
# clinician pages list many patients' share labels beside their scores, so they stay plain. A
# patient page shows only that person's own record.
COMPRESSED_BLUEPRINTS = frozenset({"patient"})


def init_extensions(app: Flask) -> None:
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    app.config.setdefault("COMPRESS_MIMETYPES", [*COMPRESSED_TYPES, COMPRESSED_PAGE])
    # Flask-Compress's streaming path never closes the file it reads: compress whole bodies only.
    app.config.setdefault("COMPRESS_STREAMS", False)
    # Low levels: a 30 KB page takes about 0.3 ms to 8 KB (brotli 2); level 4 takes 0.7 ms for
    # 7.7 KB. Browsers keep the static files, so their few extra bytes are paid once.
    app.config.setdefault("COMPRESS_BR_LEVEL", 2)
    app.config.setdefault("COMPRESS_LEVEL", 3)
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)
    app.after_request(compress_if_safe)  # first registered, so it runs after the others
    app.after_request(_read_static_file)


def compress_if_safe(response: Response) -> Response:
    if response.mimetype == COMPRESSED_PAGE and (
            request.method != "GET" or request.query_string
            or request.blueprint not in COMPRESSED_BLUEPRINTS):
        response.vary.add("Accept-Encoding")
        return response
    return compress.after_request(response)


def _read_static_file(response: Response) -> Response:
    """Flask streams a static file from disk; a style sheet or script is read whole (a few KB)
    so that it can be compressed. The file still closes with the response."""
    if (request.endpoint == "static" and response.is_streamed
            and response.mimetype in COMPRESSED_TYPES):
        response.direct_passthrough = False
        response.make_sequence()
    return response


class FailureBudget:
    """How many failed tries (wrong password, code or second factor) one address may make.

    Flask-Limiter's deduct_when tests the limit before the request and counts it after, so
    requests that run at the same time on several workers all pass the test: 10 a minute let
    11 or more through. Here each failure is counted with one atomic increment in the shared
    storage, and the failure that goes over the budget gets the 429 page instead.
    """

    def __init__(self, name: str, limits: str) -> None:
        self.name = name
        self.limits = limits
        self.items: list[RateLimitItem] = parse_many(limits)

    def _enabled(self) -> bool:
        return bool(current_app.config.get("RATELIMIT_ENABLED", True))

    def _key(self) -> tuple[str, ...]:
        prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX", ""))
        return (prefix, "failures", self.name, client_ip())

    def refuse_if_spent(self) -> None:
        """429 at once when this address has no tries left (before any work is done)."""
        if not self._enabled():
            return
        try:
            left = all(limiter.limiter.test(item, *self._key()) for item in self.items)
        except Exception:  # storage unreachable: the account lockout still applies
            log.warning("rate_limit_storage_unavailable budget=%s", self.name)
            return
        if not left:
            abort(429)

    def spend(self) -> None:
        """Count one failure; 429 if it went over the budget."""
        if not self._enabled():
            return
        try:
            within = [limiter.limiter.hit(item, *self._key()) for item in self.items]
        except Exception:
            log.warning("rate_limit_storage_unavailable budget=%s", self.name)
            return
        if not all(within):
            abort(429)


sign_in_failures = FailureBudget("sign_in", "10 per minute")
code_failures = FailureBudget("open_by_code", "10 per minute;60 per hour")
second_factor_failures = FailureBudget("second_factor", "10 per minute")
