"""Rendered pieces of a page that are the same for everyone who sees the same thing, kept per
process: the footer and the crisis banner of a language, a choice question (radios,
checkboxes, a select) with a given answer picked, a whole question page with only choices
picked (the blank page most people meet first is the same for all of them), and the body and
the whole page of one saved summary.

The markup and the words stay in the templates; this only remembers what a template gave for
the same inputs. A key holds everything the piece depends on (language, script root, the
template's parameters, the chosen values), so a cached piece is always the one the template
would render now; the content cannot change while a process runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Mapping
from datetime import date
from typing import Any

from flask import Flask, current_app, request
from markupsafe import Markup, escape

from decision_aid.content.questionnaire import Field, Page

from .i18n import current_language, template_names
from .lru import RecordLRU

EXTENSION = "page_fragments"
RECORD_EXTENSION = "summary_fragments"
PAGE_EXTENSION = "whole_pages"
# Whole question pages of about 15 KB: every page blank and in its common states, both languages.
PAGE_SIZE = 512
RECORD_SIZE = 128  # summary bodies of about 20 KB and summary pages of about 30 KB
# Pieces: two per language for the footer and banner variants, plus choice questions with
# their answers (a PHQ-9 page has 9 questions with 5 states each).
SIZE = 2048
CHOICE_TYPES = frozenset({"radio", "checkboxes", "select"})
FIELDS_TEMPLATE = "partials/fields.html"

FragmentKey = tuple[Hashable, ...]


def _cache(app: Flask) -> RecordLRU[FragmentKey, Markup]:
    cache: RecordLRU[FragmentKey, Markup] = app.extensions[EXTENSION]
    return cache


def _rendered(html: str) -> Markup:
    # Output of an autoescaped template (every .html template is): already escaped.
    return Markup(html)  # noqa: S704  # nosec B704


def fragment(name: str, **params: Hashable) -> Markup:
    """The partial `name` rendered with only `params` and the template globals (never the
    request), once per language."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key: FragmentKey = (current_language(), request.script_root, name,
                        *sorted(params.items()))
    cache = _cache(app)
    html = cache.get(key)
    if html is None:
        contents = app.extensions["contents"]
        content = contents[current_language()]
        html = _rendered(app.jinja_env.get_template(name).render(
            crisis=content.crisis, content_meta=content.meta, **template_names(),
            **params))
        cache.put(key, html)
    return html


def _subtree(f: Field, page: Page) -> list[Field]:
    """The field and every follow-up rendered inside it."""
    out = [f]
    for sub in page.followups.get(f.id, ()):
        out += _subtree(sub, page)
    return out


def _state(f: Field, values: Mapping[str, Any], errors: Mapping[str, str]
           ) -> Hashable | None:
    """What a choice question shows for this answer, or None when it cannot be cached (a typed
    field inside, an error shown, or a value that is not one of its choices)."""
    if f.type not in CHOICE_TYPES or errors.get(f.id):
        return None
    value = values.get(f.id)
    known = {c.value for c in f.choices}
    if value is None:
        return ""
    if isinstance(value, str):
        return value if value in known else None
    if isinstance(value, list | tuple) and all(isinstance(v, str) and v in known for v in value):
        return tuple(value)
    return None


def _answer_state(f: Field, values: Mapping[str, Any]) -> Hashable | None:
    """As _state, and a typed field counts only while it is empty."""
    if f.type in CHOICE_TYPES:
        return _state(f, values, {})
    return "" if values.get(f.id) in (None, "", [], ()) else None


def page_states(page: Page, values: Mapping[str, Any]) -> tuple[Hashable, ...] | None:
    """What every field of the page shows, or None when the page holds anything typed (typed
    words are never kept beyond their request) or a value that is not one of its choices."""
    states = tuple(_answer_state(f, values) for f in page.fields)
    return None if any(s is None for s in states) else states


# Unguessable, so that no address or answer can carry a marker into a kept page.
_MARKER = secrets.token_hex(8)
# The only query a kept page may echo (in its language link): Check your answers' return.
KEPT_QUERIES = frozenset({b"", b"return_to=check"})


def _slot(name: str) -> str:
    return f"@@{_MARKER}-{name}@@"


def whole_page(key: tuple[Hashable, ...], render: Callable[[Mapping[str, str]], str],
               slots: Mapping[str, str]) -> str:
    """A page the same for everyone with the same `key`, rendered once per process.

    `render` gets a marker for each slot (the CSRF token, the page's revision: what differs
    between two people who see the same page) and the markers are filled with `slots` for
    this request. The key adds the language, the address (the language link echoes it) and
    whether the content is due for review (a date). A page asked for with any other query
    than Check your answers' return is rendered fresh."""
    if request.query_string not in KEPT_QUERIES:
        return render(slots)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache: RecordLRU[FragmentKey, str] = app.extensions[PAGE_EXTENSION]
    full_key: FragmentKey = (current_language(), request.script_root, request.full_path,
                             date.today(), *key)
    return _kept(cache, full_key, render, slots)


def record_page(record: Any, key: tuple[Hashable, ...],
                render: Callable[[Mapping[str, str]], str], slots: Mapping[str, str]) -> str:
    """As whole_page, for a page that shows one saved record (the summary page): kept with the
    record's pieces, per row version, and dropped with them (finish, delete)."""
    if request.query_string:
        return render(slots)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache: RecordLRU[FragmentKey, str] = app.extensions[RECORD_EXTENSION]
    full_key: FragmentKey = (record.id, record.version, current_language(), request.script_root,
                             request.path, date.today(), *key)
    return _kept(cache, full_key, render, slots)


def _kept(cache: RecordLRU[FragmentKey, str], key: FragmentKey,
          render: Callable[[Mapping[str, str]], str], slots: Mapping[str, str]) -> str:
    """The page kept under `key` (rendered with markers the first time), its slots filled."""
    html = cache.get(key)
    if html is None:
        html = render({name: _slot(name) for name in slots})
        cache.put(key, html)
    for name, value in slots.items():
        html = html.replace(_slot(name), str(escape(value)))
    return html


def choice_field(f: Field, page: Page, values: Mapping[str, Any], errors: Mapping[str, str],
                 as_page: bool = False, caption: str | None = None) -> Markup:
    """fields.html's render_field, remembered for choice questions with a known answer."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    macro = app.jinja_env.get_template(FIELDS_TEMPLATE).module.render_field
    states = [_state(sub, values, errors) for sub in _subtree(f, page)]
    if any(s is None for s in states):
        return _rendered(macro(f, page, values, errors, as_page=as_page, caption=caption))
    key: FragmentKey = (current_language(), FIELDS_TEMPLATE, page.id, f.id, as_page, caption,
                        *states)
    cache = _cache(app)
    html = cache.get(key)
    if html is None:
        html = _rendered(macro(f, page, values, errors, as_page=as_page, caption=caption))
        cache.put(key, html)
    return html


def summary_fragment(name: str, record: Any, s: Any, **params: Hashable) -> Markup:
    """The partial `name` for one saved summary `s`, rendered once per (record, row version,
    language): every write to the record gives it a new version, so a kept piece is never out
    of date. The first view of a summary renders it (the bench shows that time too)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache: RecordLRU[FragmentKey, Markup] = app.extensions[RECORD_EXTENSION]
    key: FragmentKey = (record.id, record.version, current_language(), request.script_root,
                        name, *sorted(params.items()))
    html = cache.get(key)
    if html is None:
        content = app.extensions["contents"][current_language()]
        html = _rendered(app.jinja_env.get_template(name).render(
            crisis=content.crisis, content_meta=content.meta, **template_names(), s=s,
            **params))
        cache.put(key, html)
    return html


def forget_record(app: Flask, record_id: str) -> None:
    """Free what is kept for a record now (finish, delete)."""
    cache: RecordLRU[FragmentKey, Markup] | None = app.extensions.get(RECORD_EXTENSION)
    if cache is not None:
        cache.drop(record_id)


def init_fragments(app: Flask) -> None:
    app.extensions[EXTENSION] = RecordLRU(SIZE)
    app.extensions[RECORD_EXTENSION] = RecordLRU(RECORD_SIZE)
    app.extensions[PAGE_EXTENSION] = RecordLRU(PAGE_SIZE)
    app.jinja_env.globals.update(fragment=fragment, choice_field=choice_field,
                                 summary_fragment=summary_fragment)
