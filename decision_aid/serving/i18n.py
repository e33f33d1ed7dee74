"""Flask-Babel: which language a request is served in, and locale-aware formatting.

The patient's language is, in order: the one chosen in this browser (session["lang"], or
?lang= on the pages shown after the session ends), the one
stored with the record this browser has open, the browser's Accept-Language, English.
Clinician pages and the FHIR API are always English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, has_request_context, request, session
from flask_babel import (  # type: ignore[import-untyped]
    Babel,
    format_date,
    format_decimal,
    get_locale,
    get_translations,
)
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from decision_aid.content.translation import DEFAULT_LANGUAGE, LANGUAGES

SESSION_KEY = "lang"
# app.extensions[RECORD_LANGUAGE]: a callable giving the open record's language (or None);
# the patient package registers it, so this module needs no patient import.
RECORD_LANGUAGE = "record_language"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
_ENGLISH_ONLY = ("/clinician", "/fhir")
log = logging.getLogger("decision_aid")
# A date in words, as each language writes it: "1 December 2026", "1 de diciembre de 2026".
_DAY_FORMATS = {"en": "d MMMM y", "es": "long"}


def _known(code: object) -> str | None:
    return code if isinstance(code, str) and code in LANGUAGES else None


def select_language() -> str:
    """The locale_selector (see the module docstring)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.path.startswith(_ENGLISH_ONLY):
        return DEFAULT_LANGUAGE
    # ?lang= carries the language past a finish or delete, which empties the session.
    chosen = _known(request.args.get(SESSION_KEY)) or _known(session.get(SESSION_KEY))
    if chosen:
        return chosen
    hook: Callable[[], str | None] | None = current_app.extensions.get(RECORD_LANGUAGE)
    stored = _known(hook()) if hook is not None else None
    if stored:
        return stored
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """This request's language code ("en" or "es"); "en" outside a request."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return _known(str(get_locale() or DEFAULT_LANGUAGE)) or DEFAULT_LANGUAGE


def format_number(value: float | int) -> str:
    return str(format_decimal(value))


def format_day(value: date | datetime) -> str:
    """A date in words, as people write it in this language (see _DAY_FORMATS)."""
    return str(format_date(value, _DAY_FORMATS.get(current_language(), "long")))


def _bound_gettext(translations: Any) -> dict[str, object]:
    """The template's gettext/ngettext (and so `_` and {% trans %}) bound to one catalog.

    Flask-Babel's own callables find the request's locale and catalog again at every string (a
    summary page has about 200): this does it once per render. Same behaviour as Jinja's
    newstyle gettext: the message is escaped like the page and always %-formatted.
    """
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
        rv: str = ugettext(string)
        if eval_ctx.autoescape:
            # The msgstr is ours; % then escapes the variables.
            rv = Markup(rv)  # noqa: S704  # nosec B704
        return rv % variables

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int,
                 **variables: Any) -> str:
        variables.setdefault("num", num)
        rv: str = ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  # nosec B704
        return rv % variables

    return {"gettext": gettext, "ngettext": ngettext}


def template_names() -> dict[str, object]:
    """The language and the bound gettext a page's template sees. render_template adds them
    (a context processor, called inside any force_locale() block around it); a template
    rendered directly (serving/fragments.py) is given them."""
    return {"lang": current_language(), "languages": LANGUAGES,
            **_bound_gettext(get_translations())}


def _content_language(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", current_language())
    return response


def uncompiled_catalogs(directory: Path = TRANSLATIONS) -> list[str]:
    """The languages whose messages.po has no up-to-date messages.mo (`make` compiles them)."""
    stale = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po.parent.parent.name)
    return stale


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language)
    first_dir = str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";")[0]
    stale = uncompiled_catalogs(Path(first_dir))
    if stale:
        # Pages would silently fall back to the English messages.
        log.warning("translations_not_compiled languages=%s (run make, or pybabel compile -d "
                    "decision_aid/translations)", ",".join(stale))
    app.context_processor(template_names)
    app.after_request(_content_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        format_date=format_day,
        format_number=format_number,
    )
