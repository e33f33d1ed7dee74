"""Shared pieces for the benchmark and the load test: loopback gunicorn servers, a tiny cookie-
keeping HTTP client, and a patient journey driven over real HTTP with CSRF tokens.

Everything here talks to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
USER_AGENT = "decision-aid-bench"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
REV_RE = re.compile(r'name="rev" value="(\d+)"')
CODE_RE = re.compile(r'id="resume-code">([0-9A-Z-]+)<')
PAGE_URL = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")


class HarnessError(RuntimeError):
    """The harness itself failed (a server did not start, a setup request was refused)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a loopback app server: fresh secrets, CSRF and rate limits on."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "ALLOWED_HOSTS", "TRUSTED_PROXY_HOPS", "FLASK_DEBUG"}}
    env.update({
        "APP_ENV": "bench",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "CODE_PEPPER": secrets.token_urlsafe(48),
        "DATA_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


@dataclass
class Server:
    """A gunicorn master on a loopback port; stop() ends it and its workers."""

    name: str
    app: str
    env: dict[str, str]
    workers: int
    log_dir: Path
    chdir: Path = ROOT
    health: str = "/healthz"
    # As `make serve`: threads, so a worker waiting on the PDF renderer still serves others.
    worker_class: str = "gthread"
    threads: int = 8
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        log = (self.log_dir / f"{self.name}.log").open("ab")
        cmd = [str(BIN / "gunicorn"), "--chdir", str(self.chdir), "--workers", str(self.workers),
               "--worker-class", self.worker_class, "--threads", str(self.threads),
               "--keep-alive", "10",
               "--bind", f"{HOST}:{self.port}",
               "--log-level", "warning", "--timeout", "60", self.app]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=self.chdir, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited early; see {self.log_dir}/{self.name}.log")
            try:
                status, _, _ = Browser(self.port).get(self.health)
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise HarnessError(f"{self.name} did not answer within {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise HarnessError(f"no VmRSS for pid {pid}")


class Browser:
    """One person's browser: keeps cookies, never follows redirects by itself."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.form_token = ""  # a CSRF token kept for scripted POSTs

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, data: dict[str, Any] | None = None,
                extra_headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"User-Agent": USER_AGENT, "Host": f"{HOST}:{self.port}", **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            for raw in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        return self.request("POST", path, data)

    def token(self, path: str) -> tuple[str, str]:
        status, _, body = self.get(path)
        html = body.decode()
        match = TOKEN_RE.search(html)
        if status != 200 or not match:
            raise HarnessError(f"GET {path} gave {status} without a CSRF token")
        return match.group(1), html

    def submit(self, path: str, data: dict[str, Any], action: str | None = None) -> str:
        """GET the form for its token, POST it, return the redirect target."""
        token, _ = self.token(path)
        target = action or path
        status, headers, body = self.post(target, {**data, "csrf_token": token})
        if status != 303:
            raise HarnessError(f"POST {target} gave {status}: {body[:300]!r}")
        return location(headers)


def location(headers: dict[str, str]) -> str:
    parts = urlsplit(headers.get("location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def content() -> Any:
    from decision_aid.content import load_content

    return load_content()


def walk(browser: Browser, questionnaire: Any, answers: Any = None,
         stop_at: str | None = None) -> str:
    """Start a draft and answer every page as the persona would; return where it stopped."""
    from tests.support.journey import form_for, page_values, persona

    who = answers or persona()
    where = browser.submit("/", {}, action="/start")
    for _ in range(200):
        if where.endswith("/check"):
            return where
        match = PAGE_URL.match(where)
        if not match:
            raise HarnessError(f"unexpected page {where}")
        page = questionnaire.page(match["page"])
        if stop_at == page.id:
            return where
        index = int(match["index"]) if match["index"] is not None else None
        if page.kind == "loop_list":
            data: dict[str, Any] = {"medicines_more": "no"}
        else:
            data = form_for(page, page_values(page, who, index))
        where = browser.submit(where, data)
    raise HarnessError("journey did not reach Check your answers")


def first_page(browser: Browser) -> str:
    """Start a draft; return the path of its first question page."""
    return browser.submit("/", {}, action="/start")


def page_form(questionnaire: Any, path: str, answers: Any = None) -> dict[str, Any]:
    """The form a persona sends from a question page (no CSRF token)."""
    from tests.support.journey import form_for, page_values, persona

    match = PAGE_URL.match(path)
    if not match:
        raise HarnessError(f"not a question page: {path}")
    page = questionnaire.page(match["page"])
    index = int(match["index"]) if match["index"] is not None else None
    return form_for(page, page_values(page, answers or persona(), index))


def alternatives(questionnaire: Any, data: dict[str, Any]) -> tuple[str, str, str]:
    """A single-choice field of the form and two of its values, so alternate POSTs write."""
    for key, value in data.items():
        if isinstance(value, str):
            try:
                choices = [c.value for c in questionnaire.field(key).choices]
            except KeyError:
                continue
            other = next((c for c in choices if c != value), None)
            if other is not None:
                return key, value, other
    raise HarnessError("no single-choice field to alternate on the first page")


def save_summary(browser: Browser, questionnaire: Any, answers: Any = None) -> str:
    """A whole journey, confirmed and saved; returns the retrieval code."""
    walk(browser, questionnaire, answers)
    browser.submit("/check", {})
    token, _ = browser.token("/summary")
    status, _, _ = browser.post("/summary/save", {"csrf_token": token})
    if status != 303:
        raise HarnessError(f"save gave {status}")
    status, _, body = browser.get("/saved")
    match = CODE_RE.search(body.decode())
    if status != 200 or not match:
        raise HarnessError("no code on the saved page")
    return match.group(1)


def create_clinician(env: dict[str, str], email: str, password: str) -> None:
    done = subprocess.run([str(BIN / "flask"), "--app", "decision_aid", "create-clinician",
                           email, "--password-stdin"], input=password + "\n", text=True,
                          env=env, cwd=ROOT, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise HarnessError(f"create-clinician failed: {done.stderr.strip()[-500:]}")


def clinician_browser(port: int, email: str, password: str) -> Browser:
    browser = Browser(port)
    token, _ = browser.token("/clinician/login")
    status, _, body = browser.post("/clinician/login",
                                   {"email": email, "password": password, "csrf_token": token})
    if status != 303:
        raise HarnessError(f"clinician sign-in gave {status}: {body[:300]!r}")
    return browser


def migrate(database_url: str) -> None:
    subprocess.run([sys.executable, "-c",
                    "import sys; from decision_aid.storage.migrate import upgrade; "
                    "upgrade(sys.argv[1])",
                    database_url], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   check=True, timeout=120)
