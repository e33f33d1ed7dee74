"""Render summary HTML to PDF with WeasyPrint, fetching only bundled static files.

The fetcher refuses every URL that is not one of our own /static/ files, so text a patient typed
can never make the renderer read a local file or reach the network. Saved summaries are immutable,
so their PDFs are cached per (record, version, view) in a small in-process LRU. Rendering runs
in a separate renderer process (render_pdf_isolated) with a time limit.
"""

from __future__ import annotations

import atexit
import mimetypes
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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


_renderer: ProcessPoolExecutor | None = None
_renderer_lock = threading.Lock()


def _renderer_pool() -> ProcessPoolExecutor:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            # forkserver: the renderer starts from a clean interpreter (never a fork of a
            # threaded web worker) and keeps WeasyPrint's memory out of the web workers.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["decision_aid.serving.pdf"])
            _renderer = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
            atexit.register(_shutdown_renderer)
        return _renderer


def _shutdown_renderer() -> None:
    global _renderer
    with _renderer_lock:
        pool, _renderer = _renderer, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def render_pdf_isolated(html: str, static_dir: Path, timeout: float = 60.0) -> bytes:
    """Render in a separate renderer process, with a time limit."""
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
    except BrokenProcessPool:
        with _renderer_lock:
            _renderer = None
        return _renderer_pool().submit(render_pdf, html, static_dir).result(timeout=timeout)


class PdfCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, ...], value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, record_id: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == record_id]:
                del self._items[key]
