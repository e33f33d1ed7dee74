"""How the app meets the WSGI server: no server software named in responses, and no scheme
taken from X-Forwarded-Proto unless TRUSTED_PROXY_HOPS says a proxy is there.

gunicorn trusts X-Forwarded-Proto from 127.0.0.1 by default (forwarded_allow_ips), so a local
process could make a plain-HTTP request look like HTTPS. With no trusted proxy, the scheme is
read again from the socket itself. gunicorn also writes its own "Server: gunicorn" line after
the app's headers; its module-level name is the only way to change that line.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SERVER_NAME = "web"


def hide_server_software() -> None:
    """Make gunicorn and the Werkzeug development server say only "Server: web"."""
    gunicorn_wsgi = sys.modules.get("gunicorn.http.wsgi")
    if gunicorn_wsgi is not None:
        gunicorn_wsgi.SERVER = SERVER_NAME  # type: ignore[attr-defined]
    from werkzeug.serving import WSGIRequestHandler

    def version_string(_self: WSGIRequestHandler) -> str:
        return SERVER_NAME

    WSGIRequestHandler.version_string = version_string  # type: ignore[method-assign,assignment]


class SchemeFromSocket:
    """With no trusted proxy: the scheme is the socket's, whatever X-Forwarded-Proto says."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            environ["wsgi.url_scheme"] = "https" if isinstance(sock, ssl.SSLSocket) else "http"
        for name in ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_SSL", "HTTP_X_FORWARDED_HOST"):
            environ.pop(name, None)
        return self.app(environ, start_response)
