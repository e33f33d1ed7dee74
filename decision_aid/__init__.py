"""The decision aid: create_app() builds a configured Flask application."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from decision_aid.security import crypto
from decision_aid.serving.config import check_production, settings_from_env
from decision_aid.serving.headers import SecurityHeaders
from decision_aid.serving.wsgi_layers import SchemeFromSocket, hide_server_software

log = logging.getLogger("decision_aid")

_PKG = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    # Installed wheel first (force-included copy), then the checkout's top-level folder.
    for candidate in (_PKG / name, _PKG.parent / name):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError(f"{name}/ not found next to {_PKG}")


def create_app(
    test_config: dict[str, Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    """instance_path (or INSTANCE_PATH) holds the development secrets and SQLite file;
    by default the instance/ folder next to the package."""
    instance_path = instance_path or os.environ.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
    )
    instance = Path(app.instance_path)
    app.config.from_mapping(settings_from_env(instance))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["APP_ENV"] == "production":
        app.debug = False
        check_production(app.config)
    crypto.configure(str(app.config["DATA_KEYS"]))
    _serve_behind_proxies(app)

    # Imported here, not at the top: importing decision_aid.engine or .content must not pull
    # in the web layer.
    from decision_aid.serving import errors, health
    from decision_aid.serving.extensions import init_extensions
    from decision_aid.serving.i18n import init_i18n
    from decision_aid.serving.template_globals import init_template_globals
    from decision_aid.storage.cli import register_cli
    from decision_aid.storage.db import init_db

    from .clinician import init_clinician
    from .content import load_contents
    from .patient import bp as patient_bp

    # Every language's content; "content" stays the English (clinician pages, FHIR).
    app.extensions["contents"] = load_contents()
    app.extensions["content"] = app.extensions["contents"]["en"]
    init_db(app)
    init_extensions(app)
    init_template_globals(app)
    init_i18n(app)
    app.register_blueprint(errors.bp)
    app.register_blueprint(health.bp)
    __import__("decision_aid.fhir").fhir.init_fhir(app)  # first: adds routes to the next two
    app.register_blueprint(patient_bp)
    init_clinician(app)
    register_cli(app)
    return app


def _serve_behind_proxies(app: Flask) -> None:
    """Security headers on every response; behind N trusted proxies, their X-Forwarded-*."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    else:
        app.wsgi_app = SchemeFromSocket(app.wsgi_app)  # type: ignore[method-assign]
    hide_server_software()
    if app.config.get("APP_ENV") == "production" and str(
            app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        # Each worker process would count on its own, multiplying every limit by the workers.
        log.warning("rate_limit_storage=memory: set RATELIMIT_STORAGE_URI to a shared Redis")
