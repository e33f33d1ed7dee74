"""The question pages: every Continue saved, Back keeps answers.

Each request reads the draft's answers once (Answers) and works out the routing path once
(router.routing_path); a POST that changes answers works out the path again for the new answers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext  # type: ignore[import-untyped]
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response as WResponse

from decision_aid.storage.db import get_session, reads_first
from decision_aid.storage.models import PatientRecord

from ..content.questionnaire import Page
from ..content.schema import Content
from ..engine import answer_writes, router
from ..engine.router import PageRef, RoutingPath
from ..engine.scoring import gad7, item9_positive, item9_severity, phq9
from ..engine.validation import validate_page
from ..serving.fragments import page_states, whole_page
from . import records
from .blueprint import bp
from .conflicts import answered_again_if_changed, commit_record
from .forms import RemoveItemForm, first_errors
from .pages import (
    RETURN_TO_CHECK,
    field_anchor,
    loop_items,
    page_heading,
    path_of,
    ref_url,
    slug,
    typed_heading,
)

# A revision number as this app writes it: ASCII digits, not "²" or a 5,000-digit number.
_REV = re.compile(r"[0-9]{1,9}")

Rendered = tuple[str, int]  # a rendered page and its status


def _content() -> Content:
    content: Content = records.content()  # records.content() is not typed yet
    return content


@bp.get("/")
def start() -> str:
    return render_template("patient/start.html", has_draft=records.current() is not None)


# Not reads_first: the session rows it rotates have no version to check.
@bp.post("/start")
def begin() -> WResponse:
    record = records.current()
    if record is None or request.form.get("fresh") == "yes":
        record = records.start_new()
    records.rotate()  # a cookie copied or planted before Start stops working here
    return redirect(ref_url(path_of(_content(), record).first_unanswered), code=303)


@bp.get("/continue")
def resume_draft() -> WResponse:
    record = records.current()
    if record is None:
        return redirect(url_for("patient.start"))
    return redirect(ref_url(path_of(_content(), record).first_unanswered))


@bp.route("/q/<page_id>", methods=["GET", "POST"])
@reads_first
@answered_again_if_changed
def question(page_id: str) -> WResponse | Rendered:
    return _question(PageRef(page_id, None))


@bp.route("/q/<page_id>/<int:index>", methods=["GET", "POST"])
@reads_first
@answered_again_if_changed
def loop_question(page_id: str, index: int) -> WResponse | Rendered:
    return _question(PageRef(page_id, index))


def _return_to() -> str:
    return RETURN_TO_CHECK if request.values.get("return_to") == RETURN_TO_CHECK else ""


def _posted_rev() -> int | None:
    posted = request.form.get("rev", "")
    return int(posted) if _REV.fullmatch(posted) else None


def _question(ref: PageRef) -> WResponse | Rendered:
    q = _content().questionnaire
    if not q.has_page(ref.page_id):
        abort(404)
    page = q.page(ref.page_id)
    if router.repeats(page) != (ref.index is not None):
        abort(404)
    record = records.current()
    if record is None:
        return render_template("patient/no_draft.html"), 200
    path = path_of(_content(), record)
    if not path.allows(ref):
        return redirect(ref_url(path.first_unanswered))

    return_to = _return_to()
    if request.method == "GET":
        values = router.page_values(q, path.answers, ref)
        return _render_page(record, path, ref, page, values, {}, return_to)

    if page.kind == "interruption":
        return redirect(_after(path, ref, return_to), code=303)

    result = validate_page(page, request.form.to_dict(flat=False))
    if result.errors:
        # A field's own message is already in the page's language; the engine's fallbacks are
        # English msgids (marked N_ in engine/validation.py), translated here.
        errors = {k: gettext(v) for k, v in result.errors.items()}
        return _render_page(record, path, ref, page, result.raw, errors, return_to, 400)

    if page.kind == "loop_list" and result.values.get(page.fields[0].id) == router.ADD_ANOTHER:
        target = path.new_item(page.loop)
        if target is None:  # the loop is full
            errors = {page.fields[0].id: page.full}
            return _render_page(record, path, ref, page, result.raw, errors, return_to, 400)
        return redirect(ref_url(target, return_to=return_to or None), code=303)

    key = slug(ref)
    stored = router.page_values(q, path.answers, ref)
    current_rev = int(record.page_revisions.get(key, 0))
    same = all(stored.get(k) == v for k, v in result.values.items())
    posted_rev = _posted_rev()
    if posted_rev is not None and posted_rev != current_rev and not same:
        return _conflict(ref, page)

    if not same or key not in record.page_revisions:
        try:
            new_answers = answer_writes.apply_values(q, path.answers, ref, result.values)
        except IndexError:  # a new item beyond the loop's cap, or a stale item number
            return redirect(ref_url(path.first_unanswered), code=303)
        _store(record, new_answers, {**record.page_revisions, key: current_rev + 1})
        path = path_of(_content(), record)
    return redirect(_after(path, ref, return_to), code=303)


def _after(path: RoutingPath, ref: PageRef, return_to: str) -> str:
    nxt = path.next(ref)
    # An interruption (crisis help) is never skipped, even when returning to Check your answers.
    if nxt is not None and path.q.page(nxt.page_id).kind == "interruption":
        return ref_url(nxt, return_to=return_to or None)
    if return_to == RETURN_TO_CHECK:
        # Stay on a new branch until it is answered, then go back to Check your answers.
        if nxt is not None and not router.is_answered(path.q, path.answers, nxt):
            return ref_url(nxt, return_to=RETURN_TO_CHECK)
        first = path.first_unanswered
        return ref_url(first, return_to=RETURN_TO_CHECK) if first else url_for("patient.check")
    return ref_url(nxt)


def _store(record: PatientRecord, answers: dict[str, Any], revisions: dict[str, int]) -> None:
    record.answers = answers
    record.page_revisions = revisions
    record.flagged = record.flagged or item9_positive(answers)
    record.phq9_total = phq9(answers).total
    record.gad7_total = gad7(answers).total
    record.updated_at = datetime.now(UTC)
    commit_record()


def _conflict(ref: PageRef, page: Page) -> Rendered:
    return render_template("patient/conflict.html", page=page, page_url=ref_url(ref)), 409


def _render_page(record: PatientRecord | SimpleNamespace, path: RoutingPath, ref: PageRef,
                 page: Page, values: dict[str, Any], errors: dict[str, str], return_to: str,
                 status: int = 200, notice: str | None = None) -> Rendered:
    content = _content()
    if return_to == RETURN_TO_CHECK:
        back_url = url_for("patient.check")
    else:
        back = path.previous(ref)
        back_url = ref_url(back) if back is not None else url_for("patient.start")
    part, parts = path.part(page)
    template = {
        "interruption": "patient/interruption.html",
        "loop_list": "patient/loop_list.html",
    }.get(page.kind, "patient/question.html")
    context: dict[str, Any] = {
        "page": page,
        "heading": page_heading(page, ref, path.answers, content),
        "ref": ref,
        "values": values,
        "errors": errors,
        "error_count": len(errors),
        "error_anchors": {f.id: field_anchor(f) for f in page.fields},
        "back_url": back_url,
        "return_to": return_to,
        "rev": int(record.page_revisions.get(slug(ref), 0)),
        "section_title": path.q.section_title(page.section),
        "part": part,
        "parts": parts,
        "instrument": content.instruments.get(page.instrument) if page.instrument else None,
        "options": content.options if page.glance else (),
        "crisis_prominent": record.flagged,
        "item9_severity": item9_severity(path.answers),
        "notice": notice,
        "action_url": ref_url(ref),
    }
    if page.kind == "loop_list":
        items = loop_items(path, content, page.loop)
        context["items"] = items
        context["full"] = page.max_items is not None and len(items) >= page.max_items
        return render_template(template, **context), status
    states = page_states(page, values)
    if errors or notice or states is None or typed_heading(page, ref, path.answers):
        return render_template(template, **context), status
    # Everything else the template reads is the page's own content or in this key.
    key = (template, page.id, ref.index, context["heading"], back_url, return_to, part, parts,
           record.flagged, context["item9_severity"], *states)
    slots = {"csrf": generate_csrf(), "rev": str(context["rev"])}
    return whole_page(key, lambda marks: render_template(
        template, **(context | {"rev": marks["rev"], "csrf_token": lambda: marks["csrf"]})),
        slots), status


# Not answered again: the medicine's place in the list may belong to another one by then (the
# form also names the medicine it asked about).
@bp.route("/medicines/<int:index>/remove", methods=["GET", "POST"])
def remove_item(index: int) -> WResponse | Rendered:
    record = records.current()
    if record is None:
        return render_template("patient/no_draft.html"), 200
    path = path_of(_content(), record)
    items = loop_items(path, _content(), "medicines")
    if index >= len(items):
        return redirect(url_for("patient.resume_draft"))
    name = items[index]["name"]
    list_url = ref_url(PageRef("medicines_list", None))
    form = RemoveItemForm(name)
    if request.method == "POST":
        if request.form.get("item") != name:
            # The list changed since the question was shown (a double click, another tab): the
            # medicine now in this place is not the one the person said to remove.
            return redirect(list_url, code=303)
        if not form.validate():
            errors = first_errors(form)
            return render_template("patient/remove_item.html", name=name, errors=errors,
                                   error_count=len(errors), back_url=list_url,
                                   error_anchors={"confirm": "f-confirm-yes"}), 400
        if form.confirm.data == "yes":
            new_answers = answer_writes.remove_item(path.answers, "medicines", index)
            # Loop pages shift down by one, so their revisions restart.
            revisions = {k: v for k, v in record.page_revisions.items()
                         if not k.startswith("medicine_")}
            _store(record, new_answers, revisions)
            path = path_of(_content(), record)
        if not path.items("medicines"):
            return redirect(ref_url(path.first_unanswered), code=303)
        return redirect(list_url, code=303)
    return render_template("patient/remove_item.html", name=name, errors={},
                           back_url=list_url), 200


def recover_page_after_failure(message: str, status: int) -> FlaskResponse | None:
    """Re-render a question page with what was typed (used for CSRF and database failures)."""
    if request.method != "POST" or request.endpoint not in {"patient.question",
                                                            "patient.loop_question"}:
        return None
    args = request.view_args or {}
    index = args.get("index")
    ref = PageRef(str(args.get("page_id")), index if isinstance(index, int) else None)
    q = _content().questionnaire
    if not q.has_page(ref.page_id):
        return None
    page = q.page(ref.page_id)
    record: PatientRecord | SimpleNamespace | None
    try:
        record = records.current()
    except Exception:  # the database itself may be what failed: render without the record
        get_session().rollback()
        record = SimpleNamespace(answers={}, page_revisions={}, flagged=False)
    if record is None:
        return None
    raw = validate_page(page, request.form.to_dict(flat=False)).raw
    body, _ = _render_page(record, path_of(_content(), record), ref, page, raw, {},
                           _return_to(), notice=message)
    return current_app.make_response((body, status))
