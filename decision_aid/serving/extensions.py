"""Extension objects, created here and bound to the app in create_app(), and failure budgets."""

from __future__ import annotations

import logging

from flask import Flask, abort, current_app, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse_many

log = logging.getLogger("decision_aid")


def client_ip() -> str:
    # request.remote_addr is already the proxy-supplied address when ProxyFix is configured.
    return request.remote_addr or "unknown"


csrf = CSRFProtect()
limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=True)


def init_extensions(app: Flask) -> None:
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)


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
