"""What goes compressed: static styles and scripts always; a patient page only for a GET with no
query string (so it echoes nothing a third party put in the request: BREACH), never a POST's
response, an error page or a clinician page. The summary a phone downloads, with its styles and
scripts, fits in 30 KB (issue 11)."""

from __future__ import annotations

import gzip
import re

import brotli
from flask import Flask, Response
from flask.testing import FlaskClient

from decision_aid.serving.extensions import compress_if_safe
from tests.browser.catalogue import THREE
from tests.support.auth import AuthActions
from tests.support.journey import finish, walk

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def test_styles_and_scripts_are_sent_compressed(client: FlaskClient) -> None:
    for path in ("/static/css/app.css", "/static/js/app.js"):
        raw = client.get(path)
        sent = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert sent.status_code == 200
        assert sent.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in sent.headers["Vary"]
        body = gzip.decompress(sent.get_data())
        assert body == raw.get_data()
        assert len(sent.get_data()) < len(body) / 2
        raw.close()
        sent.close()


def test_a_page_is_sent_compressed_and_reads_the_same(client: FlaskClient) -> None:
    plain = client.get("/")
    sent = client.get("/", headers=BROWSER)
    assert sent.status_code == 200
    assert sent.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in sent.headers["Vary"]
    html = brotli.decompress(sent.get_data()).decode()
    assert TOKEN.sub("", html) == TOKEN.sub("", plain.get_data(as_text=True))
    assert len(sent.get_data()) < len(html) / 2


def test_a_page_with_a_query_string_is_never_compressed(client: FlaskClient) -> None:
    # The query could carry a third party's guesses next to the CSRF token and the answers.
    page = client.get("/?x=csrf_token", headers=BROWSER)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert "Content-Encoding" not in page.headers
    assert "Accept-Encoding" in page.headers["Vary"]


def test_a_post_response_is_never_compressed(app: Flask) -> None:
    # A page answered with errors echoes what was typed: the rule is the method, not the page.
    body = "<!doctype html><p>" + "typed text " * 200
    for method, compressed in (("POST", False), ("GET", True)):
        with app.test_request_context("/", method=method, headers=BROWSER):
            response = compress_if_safe(Response(body, mimetype="text/html"))
        assert ("Content-Encoding" in response.headers) is compressed, method


def test_an_error_page_is_never_compressed(client: FlaskClient) -> None:
    missing = client.get("/no-such-page", headers=BROWSER)
    assert missing.status_code == 404
    assert "Content-Encoding" not in missing.headers


def test_the_summary_with_its_styles_and_scripts_is_sent_in_30_kb(
        app: Flask, client: FlaskClient) -> None:
    walk(client, app, THREE)
    html = finish(client)
    sent = client.get("/summary", headers=BROWSER)
    assert sent.headers["Content-Encoding"] == "br"
    total = len(sent.get_data())
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert assets, "the summary links its styles and scripts"
    for path in dict.fromkeys(assets):
        asset = client.get(path, headers=BROWSER)
        assert asset.status_code == 200
        total += len(asset.get_data())
        asset.close()
    print(f"\nsummary sent: {total / 1024:.1f} KB with styles and scripts "
          f"(HTML {len(html.encode()) / 1024:.1f} KB raw)")
    assert total <= 30 * 1024


def test_clinician_pages_are_never_compressed(client: FlaskClient, auth: AuthActions) -> None:
    # The dashboard lists many patients' typed share labels beside their scores: a patient who
    # shares again and again with a guessed label could read the others' by size (BREACH).
    auth.login()
    page = client.get("/clinician/", headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Content-Encoding" not in page.headers
    assert "Accept-Encoding" in page.headers["Vary"]
