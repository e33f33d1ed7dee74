"""The PDF renderer fetches only our bundled files; typed text is escaped everywhere."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from decision_aid.serving.pdf import make_fetcher, render_pdf
from tests.conftest import need
from tests.support.journey import finish, persona, walk

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_fetcher_refuses_files_network_and_escapes(tmp_path: Path) -> None:
    fetcher = make_fetcher(STATIC)
    html = """<html><head><link rel="stylesheet" href="http://127.0.0.1:1/x.css">
      <link rel="stylesheet" href="/static/css/print.css"></head><body>
      <img src="file:///etc/passwd"><img src="/static/../../../../etc/passwd">
      <img src="https://example.org/x.png"><a rel="attachment" href="file:///etc/passwd">a</a>
      <p>Hello</p></body></html>"""
    pdf = render_pdf(html, STATIC, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert any(u.startswith("file:") for u in fetcher.refused)
    assert any("127.0.0.1" in u for u in fetcher.refused)
    assert any("example.org" in u for u in fetcher.refused)
    assert all("print.css" not in u for u in fetcher.refused)  # our own file was served
    need("pdftotext", shutil.which("pdftotext") is not None)
    out = tmp_path / "x.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Hello" in text and "root:" not in text


def test_typed_html_is_escaped_on_screen_print_and_pdf(client: FlaskClient, app: Flask,
                                                       tmp_path: Path) -> None:
    payload = '<script>alert(1)</script><img src="file:///etc/passwd"> {{7*7}}'
    walk(client, app, persona(own_questions=payload))
    html = finish(client)
    printed = client.get("/summary/print").get_data(as_text=True)
    for page in (html, printed):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "{{7*7}}" in page and "49" not in page.split("{{7*7}}")[0][-5:]
    pdf = client.get("/summary/pdf").data
    need("pdftotext", shutil.which("pdftotext") is not None)
    out = tmp_path / "s.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "<script>alert(1)</script>" in text  # shown as text, not run or fetched
    assert "root:" not in text


def test_renderer_runs_in_its_own_process_with_a_time_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest

    from decision_aid.serving import pdf

    pool = pdf._renderer_pool()
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    slow = "<p>x</p>" * 20000
    with pytest.raises(pdf.PdfTimeout):
        pdf.render_pdf_isolated(slow, STATIC, timeout=0.01)
    # A fresh renderer takes over after a timeout.
    assert pdf.render_pdf_isolated("<p>again</p>", STATIC).startswith(b"%PDF")


def test_pdf_timeout_gets_a_clear_page(client: FlaskClient, app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from decision_aid.patient import summary_pages
    from decision_aid.serving import pdf

    walk(client, app, persona())
    finish(client)

    def too_slow(*_args: object, **_kwargs: object) -> bytes:
        raise pdf.PdfTimeout("too slow")

    monkeypatch.setattr(summary_pages, "render_pdf_isolated", too_slow)
    resp = client.get("/summary/pdf")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "10"
    assert "taking too long" in resp.get_data(as_text=True)
