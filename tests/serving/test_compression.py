"""Static styles and scripts go compressed; pages never do (BREACH: they carry a CSRF token)."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient


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


def test_pages_with_a_csrf_token_are_never_compressed(client: FlaskClient) -> None:
    page = client.get("/?x=csrf_token", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert "Content-Encoding" not in page.headers
