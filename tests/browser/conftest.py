"""Real-browser fixtures: one live server per session on the system Chromium.

The live app runs with CSRF on, on a migrated temp SQLite, behind a werkzeug server on an
ephemeral loopback port. A twin app on the same database (CSRF off) drives the Flask test client
to set up states quickly (a draft part-way through, a finished summary, a saved one); its signed
session cookie is then handed to the browser, since both apps share SECRET_KEY.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from werkzeug.serving import make_server

from decision_aid import create_app
from decision_aid.security import crypto
from decision_aid.storage.migrate import upgrade
from tests.browser.live import CLINICIAN_EMAIL, CLINICIAN_PASSWORD, LiveServer, StatusRecorder
from tests.conftest import base_test_config, need

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]
ACTION_TIMEOUT_MS = 5_000  # a missing element fails in seconds, not after the default 30 s
NAVIGATION_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    need("Chromium", shutil.which("chromium") is not None)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    need("Chromium", shutil.which("chromium") is not None)
    tmp = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{tmp / 'browser.sqlite3'}"
    upgrade(database_url)
    config = base_test_config(database_url, tmp) | {"WTF_CSRF_ENABLED": True}
    setup_app = create_app(config | {"WTF_CSRF_ENABLED": False})
    setup_app.instance_path = str(tmp / "instance-setup")
    app = create_app(config)  # created last: the process-wide crypto key and limiter are its
    app.instance_path = str(tmp / "instance")
    recorder = StatusRecorder(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app,
                      setup_app=setup_app, recorder=recorder,
                      cookie_name=str(app.config.get("SESSION_COOKIE_NAME") or "session"))
    yield live
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    for application in (app, setup_app):
        application.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright gives every context this base URL, so tests can goto("/about")."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_problems() -> list[str]:
    """Script and console errors seen in any watched context; emptied before every test."""
    return []


def watch(ctx: BrowserContext, problems: list[str]) -> BrowserContext:
    """Short timeouts, and report script errors and console errors (a CSP block shows there)."""
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)

    def on_console(msg: ConsoleMessage) -> None:
        # A 4xx page (404, a form with errors) is logged as a failed load: that is expected.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console: {msg.text} ({msg.location.get('url')})")

    def on_page(page: Page) -> None:
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))

    ctx.on("console", on_console)
    ctx.on("page", on_page)
    return ctx


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext],
                browser_problems: list[str]) -> Callable[..., BrowserContext]:
    def make(**kwargs: Any) -> BrowserContext:
        return watch(new_context(**kwargs), browser_problems)

    return make


@pytest.fixture(scope="module")
def shared_page(browser: Browser, browser_context_args: dict[str, Any],
                browser_problems: list[str]) -> Iterator[Page]:
    """One page for a whole module of read-only checks (a new context costs ~0.5 s here);
    use it through the `fresh_page` fixture, which clears its cookies first."""
    ctx = watch(browser.new_context(**browser_context_args), browser_problems)
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture
def fresh_page(shared_page: Page) -> Page:
    shared_page.context.clear_cookies()
    shared_page.emulate_media(media="screen")
    return shared_page


@pytest.fixture(autouse=True)
def _clean_run(live_server: LiveServer, browser_problems: list[str]) -> Iterator[None]:
    """No 5xx from the server and no script or CSP errors in the browser, in any browser test."""
    # Other suites' apps reconfigure the process-wide key; ours must decrypt our own records.
    crypto.configure(str(live_server.app.config["DATA_KEYS"]))
    live_server.recorder.errors.clear()
    browser_problems.clear()
    yield
    assert not live_server.recorder.errors, f"server errors: {live_server.recorder.errors}"
    assert not browser_problems, "\n".join(browser_problems)


@pytest.fixture(scope="session")
def clinician_account(live_server: LiveServer) -> tuple[str, str]:
    """A clinician made through the app's own CLI command (skipped until that area exists)."""
    templates = ROOT / "templates" / "clinician"
    if "clinician.login" not in live_server.app.view_functions or not (
            templates / "login.html").is_file():
        pytest.skip("the clinician area (templates/clinician/) is not there yet")
    runner = live_server.app.test_cli_runner()
    result = runner.invoke(args=["create-clinician", CLINICIAN_EMAIL, "--password-stdin"],
                           input=CLINICIAN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return CLINICIAN_EMAIL, CLINICIAN_PASSWORD
