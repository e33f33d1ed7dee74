"""Clinician workspace: sign-in, shared summaries, review, print/PDF, audit log and CLI."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from decision_aid.serving.pdf import PdfCache


def init_clinician(app: Flask) -> None:
    from . import account, auth, dashboard, mfa_passkeys, mfa_setup, mfa_signin, review, sessions
    from . import audit_log as audit_views
    from .blueprint import bp
    from .cli import register_commands

    # Imported for their route decorators on bp.
    del dashboard, review, audit_views, account, auth, mfa_passkeys, mfa_setup, mfa_signin
    # Remember-me is never used (login_user(remember=False)); these only harden it if it were.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(hours=12))
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    sessions.init_login(app)
    app.register_blueprint(bp)
    app.extensions.setdefault("pdf_cache", PdfCache(int(app.config.get("PDF_CACHE_SIZE", 64))))
    register_commands(app)
