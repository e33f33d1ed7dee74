"""gunicorn's worker start-up: the PDF renderer started and the templates compiled before the
first request, so the first patients on a fresh worker do not pay for either."""

from __future__ import annotations

import pytest
from flask import Flask

from decision_aid.serving import gunicorn_conf, pdf


def test_gunicorn_workers_start_their_renderer_as_they_boot(
        monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    monkeypatch.setattr(pdf, "warm_up", lambda threads=8: started.append(threads))

    class Cfg:
        threads = 8

    class Worker:
        cfg = Cfg()
        wsgi = object()

    gunicorn_conf.post_worker_init(Worker())
    assert started == [8]


def test_gunicorn_workers_compile_the_templates_before_the_first_request(app: Flask) -> None:
    assert not app.jinja_env.cache
    compiled = gunicorn_conf.compile_templates(app)
    assert compiled > 20 and app.jinja_env.cache is not None
    assert len(app.jinja_env.cache) == compiled
