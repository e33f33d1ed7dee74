"""The live server under test, and states seeded into it through the Flask test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from playwright.sync_api import BrowserContext

from tests.support.journey import Persona, current_record, walk

CLINICIAN_EMAIL = "browser.test@clinic.example.org"
CLINICIAN_PASSWORD = "plum-harbour-quietly-73-lantern"


class StatusRecorder:
    """WSGI middleware: remembers every 5xx the live server sends, so any test can fail on it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.errors: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def recording_start(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            if status[:1] == "5":
                self.errors.append(f"{status} {environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start)


@dataclass
class Seed:
    """A state made through the test client: its session cookie and, when saved, its code."""

    cookie: str
    record_id: str | None = None
    code: str | None = None


@dataclass
class LiveServer:
    url: str
    app: Flask
    setup_app: Flask
    recorder: StatusRecorder
    cookie_name: str = "session"
    _seeds: dict[str, Seed] = field(default_factory=dict)

    @property
    def content(self) -> Any:
        return self.app.extensions["content"]

    def seed(self, persona: Persona, *, stop_at: str | None = None, complete: bool = False,
             save: bool = False, share: bool = False) -> Seed:
        """Walk the journey in-process as far as asked and return the session to hand over."""
        client = self.setup_app.test_client()
        walk(client, self.setup_app, persona, stop_at=stop_at)
        code = None
        if complete or save or share:
            assert client.post("/check").status_code == 303
        if save or share:
            assert client.post("/summary/save").status_code == 303
            # The code lives server-side now: read it where the person sees it.
            saved = client.get("/saved").get_data(as_text=True)
            found = re.search(r'id="resume-code">([0-9A-Z-]+)<', saved)
            code = found.group(1) if found else None
        if share:
            resp = client.post("/summary/share", data={"share": "yes"})
            assert resp.status_code == 303
        record = current_record(client, self.setup_app)
        record_id = record.id if record is not None else None
        cookie = client.get_cookie(self.cookie_name)
        assert cookie is not None, "the setup client has no session cookie"
        return Seed(cookie=cookie.value, record_id=record_id, code=code)

    def cached_seed(self, key: str, make: Callable[[], Seed]) -> Seed:
        if key not in self._seeds:
            self._seeds[key] = make()
        return self._seeds[key]

    def give(self, context: BrowserContext, seed: Seed) -> None:
        """Put a seeded session into a browser context, as if it had walked there itself."""
        context.add_cookies([{"name": self.cookie_name, "value": seed.cookie, "url": self.url}])
