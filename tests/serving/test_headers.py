"""Security headers on every response, no-store on pages with answers, health check."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.support.journey import persona, walk


def test_headers_on_html_pages(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    for url in ["/", "/q/phq9_1", "/check", "/about", "/privacy", "/resume", "/nope"]:
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "base-uri 'none'" in csp and "'unsafe-inline'" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in resp.headers["Cache-Control"]
        assert "Server" not in resp.headers


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_static_files_are_cacheable_and_nosniff(client: FlaskClient) -> None:
    with client.get("/static/css/app.css") as resp:
        assert resp.status_code == 200
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in resp.headers.get("Cache-Control", "")


def test_no_inline_script_or_style(client: FlaskClient, app: Flask) -> None:
    walk(client, app, persona())
    for url in ["/", "/q/phq9_1", "/check"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_healthz(client: FlaskClient, app: Flask) -> None:
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "database": "reachable",
                    "content_version": app.extensions["content"].meta.version}


def test_unsupported_methods(client: FlaskClient) -> None:
    assert client.put("/q/phq9_1").status_code == 405
    assert client.delete("/summary").status_code == 405
    assert client.open("/", method="TRACE").status_code == 405
