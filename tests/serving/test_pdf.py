"""The PDF renderer does not hold up other patients: it runs at a lower CPU priority, starts
(WeasyPrint loaded) before the first PDF is asked for, and a worker's last two threads never
wait for it; a PDF asked for beyond that gets the "try again" page at once."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decision_aid.serving import pdf
from tests.support.journey import finish, persona, walk

STATIC = Path(__file__).resolve().parents[2] / "static"


def wait_for_file(path: str) -> bool:
    """Runs in the renderer: keeps it busy until the test creates `path`."""
    while not os.path.exists(path):
        time.sleep(0.01)
    return True


@pytest.fixture
def fresh_renderer() -> Iterator[None]:
    pdf._shutdown_renderer()
    yield
    pdf._shutdown_renderer()
    pdf.warm_up(threads=8)


@pytest.fixture
def busy_renderer(tmp_path: Path, fresh_renderer: None) -> Iterator[list[BaseException]]:
    """The renderer is busy and as many requests as allowed already wait for it."""
    release = tmp_path / "release"
    pdf.warm_up(threads=8)
    blocker = pdf._renderer_pool().submit(wait_for_file, str(release))
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            pdf.render_pdf_isolated("<p>queued</p>", STATIC)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=waiter) for _ in range(pdf.waiting_limit(8))]
    for t in threads:
        t.start()
    while pdf._waiting._value > 0:  # every waiter holds its place
        time.sleep(0.01)
    yield errors
    release.touch()
    assert blocker.result(timeout=120)
    for t in threads:
        t.join(timeout=120)


def test_renderer_runs_below_the_web_workers_priority(fresh_renderer: None) -> None:
    ours = os.nice(0)
    theirs = pdf._renderer_pool().submit(os.nice, 0).result(timeout=60)
    assert theirs == min(19, ours + pdf.RENDERER_NICENESS)
    assert theirs >= ours + 10  # pages first; a PDF still gets enough to finish


def test_warm_up_loads_weasyprint_before_any_pdf(fresh_renderer: None) -> None:
    pdf.warm_up(threads=8)
    assert pdf._renderer_pool().submit(pdf.renderer_ready).result(timeout=60) is True


def test_two_threads_of_a_worker_never_wait_for_the_renderer() -> None:
    assert [pdf.waiting_limit(n) for n in (1, 2, 4, 8, 16)] == [1, 1, 2, 6, 14]


def test_a_pdf_beyond_the_waiting_limit_is_refused_at_once(
        busy_renderer: list[BaseException]) -> None:
    with pytest.raises(pdf.PdfBusy):
        pdf.render_pdf_isolated("<p>one too many</p>", STATIC)
    assert busy_renderer == []


def test_the_waiters_get_their_pdfs_once_the_renderer_is_free(
        tmp_path: Path, fresh_renderer: None) -> None:
    release = tmp_path / "release"
    pdf.warm_up(threads=3)
    pdf._renderer_pool().submit(wait_for_file, str(release))
    result: list[bytes] = []
    waiter = threading.Thread(
        target=lambda: result.append(pdf.render_pdf_isolated("<p>mine</p>", STATIC)))
    waiter.start()
    while pdf._waiting._value > 0:
        time.sleep(0.01)
    release.touch()
    waiter.join(timeout=120)
    assert result and result[0].startswith(b"%PDF")
    assert pdf.render_pdf_isolated("<p>next</p>", STATIC).startswith(b"%PDF")  # slot freed


def test_patient_pdf_while_the_renderer_is_full_gets_try_again_and_pages_still_answer(
        client: FlaskClient, app: Flask, busy_renderer: list[BaseException]) -> None:
    walk(client, app, persona())
    finish(client)
    resp = client.get("/summary/pdf")
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert client.get("/summary").status_code == 200


def test_a_pdf_whose_queued_render_was_dropped_gets_try_again_not_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """When a render times out its renderer is replaced, and a render still queued behind it
    may be dropped (cancelled): that request gets the "try again" page, not a 500."""
    from concurrent.futures import Future

    class DroppingRenderer:
        def submit(self, *_args: object) -> Future[bytes]:
            dropped: Future[bytes] = Future()
            dropped.cancel()
            return dropped

    monkeypatch.setattr(pdf, "_renderer_pool", DroppingRenderer)
    with pytest.raises(pdf.PdfTimeout):
        pdf.render_pdf_isolated("<p>queued</p>", STATIC)
