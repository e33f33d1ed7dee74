"""Render summary HTML to PDF with WeasyPrint, fetching only bundled static files.

The fetcher refuses every URL that is not one of our own /static/ files, so text a patient typed
can never make the renderer read a local file or reach the network. Saved summaries are immutable,
so their PDFs are cached per (record, version, view) in a small in-process LRU. Rendering runs
in a separate renderer process (render_pdf_isolated) with a time limit.

A PDF must not hold up other patients: the renderer runs below the web workers' CPU priority
(it gets the CPU the pages leave), it is started with WeasyPrint imported when a gunicorn worker
boots (warm_up), and a worker's last two threads never wait for it: a PDF asked for beyond that
gets the "try again in a few seconds" page at once instead of taking a thread pages need.
"""

from __future__ import annotations

import atexit
import contextlib
import mimetypes
import multiprocessing
import os
import sys
import threading
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from decision_aid.serving.lru import RecordLRU

BASE_URL = "https://decision-aid.invalid/"


class FetchRefused(ValueError):
    pass


def make_fetcher(static_dir: Path) -> Any:
    """A WeasyPrint fetcher that serves our own /static/ files and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_dir.resolve()

    class BundledFilesOnly(URLFetcher):  # type: ignore[misc]
        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"https"}, allow_redirects=False)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                target = _bundled_file(root, url)
            except FetchRefused:
                self.refused.append(url)
                raise
            mime, _ = mimetypes.guess_type(target.name)
            return URLFetcherResponse(url, body=target.read_bytes(),
                                      headers={"Content-Type": mime or "application/octet-stream"})

    return BundledFilesOnly()


def _bundled_file(root: Path, url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != "decision-aid.invalid":
        raise FetchRefused("only bundled static files are fetched")
    path = unquote(parts.path)
    if not path.startswith("/static/"):
        raise FetchRefused("only bundled static files are fetched")
    target = (root / path.removeprefix("/static/")).resolve()
    if root not in target.parents or not target.is_file():
        raise FetchRefused("not a bundled file")
    return target


def render_pdf(html: str, static_dir: Path, fetcher: Any = None) -> bytes:
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html, base_url=BASE_URL,
                                 url_fetcher=fetcher or make_fetcher(static_dir)).write_pdf()
    return pdf


class PdfTimeout(RuntimeError):
    """The renderer took longer than allowed; the renderer process is replaced."""


class PdfBusy(PdfTimeout):
    """Enough requests of this worker already wait for the renderer: try again shortly."""


# Added to the renderer's niceness. In `make load` (100 patients on 2 cores, one in ten
# downloading) the renderers at +5 still took about a quarter of the CPU while pages queued
# (their worst p99 about 1.1 s); at +10 that fell to about 0.6 s with every PDF made (median
# 8 s). +19 did as well for pages but starved the renderer when other work shared the host:
# 6 of 38 PDFs passed the 60 s time limit.
RENDERER_NICENESS = 10
# Request threads of one worker that may wait for the renderer at once; warm_up sets it from
# gunicorn's thread count (6 of `make serve`'s 8).
MAX_WAITING = 6

_renderer: ProcessPoolExecutor | None = None
_renderer_lock = threading.Lock()
_waiting = threading.BoundedSemaphore(MAX_WAITING)


def _renderer_started() -> None:
    """Runs once in each new renderer process, before its first job."""
    with contextlib.suppress(OSError):
        os.nice(RENDERER_NICENESS)
    # Import WeasyPrint now (about 2 s of CPU) rather than inside the first patient's request.
    with contextlib.suppress(ImportError, OSError):
        import weasyprint  # noqa: F401


def renderer_ready() -> bool:
    """In the renderer: WeasyPrint is loaded."""
    return "weasyprint" in sys.modules


def waiting_limit(threads: int) -> int:
    # A thread waiting for the renderer uses no CPU; two left free keep a worker's share of
    # the CPU busy with pages (the GIL lets one thread compute at a time anyway).
    return max(1, threads - 2)


def warm_up(threads: int = 8) -> None:
    """Start this process's renderer now, without waiting for it, and set how many request
    threads may wait for it (gunicorn's post_worker_init)."""
    global _waiting
    _waiting = threading.BoundedSemaphore(waiting_limit(threads))
    _renderer_pool().submit(renderer_ready)


def _renderer_pool() -> ProcessPoolExecutor:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            # forkserver: the renderer starts from a clean interpreter (never a fork of a
            # threaded web worker) and keeps WeasyPrint's memory out of the web workers.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["decision_aid.serving.pdf"])
            _renderer = ProcessPoolExecutor(max_workers=1, mp_context=ctx,
                                            initializer=_renderer_started)
            atexit.register(_shutdown_renderer)
        return _renderer


def _shutdown_renderer() -> None:
    global _renderer
    with _renderer_lock:
        pool, _renderer = _renderer, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def render_pdf_isolated(html: str, static_dir: Path, timeout: float = 60.0) -> bytes:
    """Render in a separate renderer process, with a time limit. Raises PdfBusy at once when
    the allowed number of this worker's requests already wait for the renderer."""
    waiting = _waiting
    if not waiting.acquire(blocking=False):
        raise PdfBusy("the PDF renderer is busy")
    try:
        return _render_in_renderer(html, static_dir, timeout)
    finally:
        waiting.release()


def _render_in_renderer(html: str, static_dir: Path, timeout: float) -> bytes:
    global _renderer
    future = _renderer_pool().submit(render_pdf, html, static_dir)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout as exc:
        with _renderer_lock:
            pool, _renderer = _renderer, None
        if pool is not None:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
            pool.shutdown(wait=False, cancel_futures=True)
        raise PdfTimeout("PDF rendering took too long") from exc
    except CancelledError as exc:
        # Queued behind a render that timed out: its renderer was replaced and the queue
        # dropped. The person has waited long enough; they get the same "try again" page.
        raise PdfTimeout("PDF rendering took too long") from exc
    except BrokenProcessPool:
        with _renderer_lock:
            _renderer = None
        return _renderer_pool().submit(render_pdf, html, static_dir).result(timeout=timeout)


class PdfCache(RecordLRU[tuple[str, ...], bytes]):
    """PDF bytes by (record id, version, view...)."""
