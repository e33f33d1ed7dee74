"""WSGI entry point for gunicorn: `gunicorn decision_aid.wsgi:app`.

Each worker builds its own app (do not use --preload: database connections must not be shared
across fork). App events go to standard error at INFO, next to gunicorn's own logs; they carry
ids, paths and error numbers, never answers or codes.
"""

from __future__ import annotations

import logging
import os

from . import create_app

_app_log = logging.getLogger("decision_aid")
if not _app_log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    _app_log.addHandler(_handler)
    _app_log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    _app_log.propagate = False

app = create_app()
