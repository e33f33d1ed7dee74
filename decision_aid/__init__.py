"""The decision aid: create_app() builds a configured Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from . import crypto
from .config import check_production, settings_from_env

_PKG = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    # Installed wheel first (force-included copy), then the checkout's top-level folder.
    for candidate in (_PKG / name, _PKG.parent / name):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError(f"{name}/ not found next to {_PKG}")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
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

    from .content import load_content

    app.extensions["content"] = load_content()

    from .db import init_db

    init_db(app)

    from .web import init_web

    init_web(app)

    from .patient import bp as patient_bp

    app.register_blueprint(patient_bp)

    from .clinician import init_clinician

    init_clinician(app)

    from .cli import register_cli

    register_cli(app)
    return app
