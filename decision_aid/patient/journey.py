"""The question pages: one thing per page, every Continue saved, Back keeps answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response as WResponse

from ..db import get_session
from ..engine import router
from ..engine.router import PageRef
from ..engine.scoring import gad7, item9_positive, phq9
from ..engine.summary import build_summary
from ..engine.validation import validate_page
from ..models import RecordStatus
from . import drafts
from .blueprint import bp
from .pages import display_value, field_anchor, ref_url, slug

RETURN_TO_CHECK = "check"


@bp.get("/")
def start() -> str:
    return render_template("patient/start.html", has_draft=drafts.current() is not None)


@bp.post("/start")
def begin() -> WResponse:
    record = drafts.current()
    if record is None or request.form.get("fresh") == "yes":
        record = drafts.start_new()
    drafts.rotate()  # a cookie copied or planted before Start stops working here
    first = router.first_unanswered(drafts.questionnaire(), record.answers)
    return redirect(ref_url(first), code=303)


@bp.get("/continue")
def resume_draft() -> WResponse:
    record = drafts.current()
    if record is None:
        return redirect(url_for("patient.start"))
    first = router.first_unanswered(drafts.questionnaire(), record.answers)
    return redirect(ref_url(first))


@bp.route("/q/<page_id>", methods=["GET", "POST"])
def question(page_id: str) -> Any:
    return _question(PageRef(page_id, None))


@bp.route("/q/<page_id>/<int:index>", methods=["GET", "POST"])
def loop_question(page_id: str, index: int) -> Any:
    return _question(PageRef(page_id, index))


def _question(ref: PageRef) -> Any:
    q = drafts.questionnaire()
    try:
        page = q.page(ref.page_id)
    except KeyError:
        abort(404)
    if router.repeats(page) != (ref.index is not None):
        abort(404)
    record = drafts.current()
    if record is None:
        return render_template("patient/no_draft.html"), 200
    answers = record.answers
    if not router.is_applicable(q, answers, ref):
        return redirect(ref_url(router.first_unanswered(q, answers)))
    if not _reachable(q, answers, ref):
        return redirect(ref_url(router.first_unanswered(q, answers)))

    return_to = request.values.get("return_to", "")
    if request.method == "GET":
        return _render_page(record, ref, page, router.page_values(q, answers, ref), {}, return_to)

    if page.kind == "interruption":
        return redirect(_after(q, answers, ref, return_to), code=303)

    result = validate_page(page, request.form.to_dict(flat=False))
    if result.errors:
        return _render_page(record, ref, page, result.raw, result.errors, return_to, status=400)

    if page.kind == "loop_list" and result.values.get("medicines_more") == "yes":
        items = list(answers.get(page.loop or "medicines", []) or [])
        target = PageRef(_first_loop_page(q, page.loop or "medicines"), len(items))
        return redirect(ref_url(target, return_to=return_to) if return_to else ref_url(target),
                        code=303)

    key = slug(ref)
    stored = router.page_values(q, answers, ref)
    posted_rev = request.form.get("rev", "")
    current_rev = int(record.page_revisions.get(key, 0))
    same = all(stored.get(k) == v for k, v in result.values.items())
    if posted_rev.isdigit() and int(posted_rev) != current_rev and not same:
        return _conflict(ref, page)

    if not same or key not in record.page_revisions:
        new_answers = router.apply_values(q, answers, ref, result.values)
        _store(record, new_answers, {**record.page_revisions, key: current_rev + 1})
    return redirect(_after(q, record.answers, ref, return_to), code=303)


def _first_loop_page(q: Any, loop: str) -> str:
    return next(p.id for p in q.pages if p.loop == loop and router.repeats(p))


def _reachable(q: Any, answers: dict[str, Any], ref: PageRef) -> bool:
    """Pages after the first unanswered one cannot be skipped to."""
    first = router.first_unanswered(q, answers)
    if first is None:
        return True
    for page_ref in router.applicable_pages(q, answers):
        if page_ref == ref:
            return True
        if page_ref == first:
            break
    # A new loop item (index == number of items) is reachable from its list page.
    page = q.page(ref.page_id)
    items = router.loop_items(answers, page.loop) if page.loop else []
    return router.repeats(page) and ref.index is not None and ref.index <= len(items)


def _after(q: Any, answers: dict[str, Any], ref: PageRef, return_to: str) -> str:
    nxt = router.next_ref(q, answers, ref)
    # An interruption (crisis help) is never skipped, even when returning to Check your answers.
    if nxt is not None and q.page(nxt.page_id).kind == "interruption":
        return ref_url(nxt, return_to=return_to) if return_to else ref_url(nxt)
    if return_to == RETURN_TO_CHECK:
        # Stay on a new branch until it is answered, then go back to Check your answers.
        if nxt is not None and not router.is_answered(q, answers, nxt):
            return ref_url(nxt, return_to=RETURN_TO_CHECK)
        first = router.first_unanswered(q, answers)
        return ref_url(first, return_to=RETURN_TO_CHECK) if first else url_for("patient.check")
    return ref_url(nxt)


def _store(record: Any, answers: dict[str, Any], revisions: dict[str, int]) -> None:
    record.answers = answers
    record.page_revisions = revisions
    record.flagged = record.flagged or item9_positive(answers)
    record.phq9_total = phq9(answers).total
    record.gad7_total = gad7(answers).total
    record.updated_at = datetime.now(UTC)
    db = get_session()
    try:
        db.commit()
    except StaleDataError:
        db.rollback()
        abort(409)


def _conflict(ref: PageRef, page: Any) -> tuple[str, int]:
    return render_template("patient/conflict.html", page=page, page_url=ref_url(ref)), 409


def _render_page(record: Any, ref: PageRef, page: Any, values: dict[str, Any],
                 errors: dict[str, str], return_to: str, status: int = 200,
                 notice: str | None = None) -> tuple[str, int]:
    q = drafts.questionnaire()
    back = router.previous_ref(q, record.answers, ref)
    if return_to == RETURN_TO_CHECK:
        back_url = url_for("patient.check")
    else:
        back_url = ref_url(back) if back is not None else url_for("patient.start")
    template = {
        "interruption": "patient/interruption.html",
        "loop_list": "patient/loop_list.html",
    }.get(page.kind, "patient/question.html")
    context: dict[str, Any] = {
        "page": page,
        "ref": ref,
        "values": values,
        "errors": errors,
        "error_count": len(errors),
        "error_anchors": {f.id: field_anchor(f) for f in page.fields},
        "back_url": back_url,
        "return_to": return_to,
        "rev": int(record.page_revisions.get(slug(ref), 0)),
        "section_title": q.section_title(page.section),
        "instrument": drafts.content().instruments.get(page.instrument)
        if page.instrument else None,
        "crisis_prominent": record.flagged,
        "notice": notice,
        "action_url": ref_url(ref),
    }
    if page.kind == "loop_list":
        context["items"] = _loop_items(q, record.answers, page.loop or "medicines")
    return render_template(template, **context), status


def _loop_items(q: Any, answers: dict[str, Any], loop: str) -> list[dict[str, Any]]:
    catalogue = drafts.content().medicines
    items = []
    for i, item in enumerate(answers.get(loop, []) or []):
        med = item.get("medicine")
        name = item.get("other_name") if med == "other" else (
            catalogue[med].generic.capitalize() if med in catalogue else str(med))
        details = _first_loop_page(q, loop)
        items.append({"index": i, "name": name or "Medicine",
                      "change_url": ref_url(PageRef(details, i)),
                      "remove_url": url_for("patient.remove_item", index=i)})
    return items


@bp.route("/medicines/<int:index>/remove", methods=["GET", "POST"])
def remove_item(index: int) -> Any:
    record = drafts.current()
    if record is None:
        return render_template("patient/no_draft.html")
    items = record.answers.get("medicines", []) or []
    if index >= len(items):
        return redirect(url_for("patient.resume_draft"))
    q = drafts.questionnaire()
    name = _loop_items(q, record.answers, "medicines")[index]["name"]
    list_url = ref_url(PageRef("medicines_list", None))
    if request.method == "POST":
        choice = request.form.get("confirm")
        if choice not in {"yes", "no"}:
            error = {"confirm": f"Select yes if you want to remove {name}"}
            return render_template("patient/remove_item.html", name=name, errors=error,
                                   error_count=1, back_url=list_url,
                                   error_anchors={"confirm": "f-confirm-yes"}), 400
        if choice == "yes":
            new_answers = router.remove_item(record.answers, "medicines", index)
            # Loop pages shift down by one, so their revisions restart.
            revisions = {k: v for k, v in record.page_revisions.items()
                         if not k.startswith("medicine_")}
            _store(record, new_answers, revisions)
        remaining = record.answers.get("medicines", []) or []
        if not remaining:
            return redirect(ref_url(router.first_unanswered(q, record.answers)), code=303)
        return redirect(list_url, code=303)
    return render_template("patient/remove_item.html", name=name, errors={}, back_url=list_url)


@bp.route("/check", methods=["GET", "POST"])
def check() -> Any:
    record = drafts.current()
    if record is None:
        return render_template("patient/no_draft.html")
    q = drafts.questionnaire()
    first = router.first_unanswered(q, record.answers)
    if first is not None:
        return redirect(ref_url(first))
    if request.method == "POST":
        answers = router.effective_answers(q, record.answers)
        summary = build_summary(answers, drafts.content(), date.today())
        record.summary_snapshot = summary.to_dict()
        record.content_version = drafts.content().meta.version
        if record.status == RecordStatus.DRAFT:
            record.status = RecordStatus.COMPLETED
        record.completed_at = datetime.now(UTC)
        get_session().commit()
        return redirect(url_for("patient.summary"), code=303)
    sections = check_sections(q, record.answers)
    pages = router.applicable_pages(q, record.answers)
    return render_template("patient/check.html", sections=sections,
                           back_url=ref_url(pages[-1]) if pages else url_for("patient.start"),
                           crisis_prominent=record.flagged)


def check_sections(q: Any, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for Check your answers: only pages that apply, grouped by section, in order."""
    effective = router.effective_answers(q, answers)
    sections: list[dict[str, Any]] = []
    catalogue = drafts.content().medicines
    for ref in router.applicable_pages(q, effective):
        page = q.page(ref.page_id)
        if page.kind != "question":
            continue
        values = router.page_values(q, effective, ref)
        if not sections or sections[-1]["id"] != page.section:
            sections.append({"id": page.section, "title": q.section_title(page.section),
                             "rows": []})
        prefix = ""
        if ref.index is not None:
            item = (effective.get(page.loop) or [])[ref.index]
            med = item.get("medicine")
            prefix = (item.get("other_name") if med == "other" else
                      catalogue[med].generic.capitalize() if med in catalogue else "") or ""
            prefix = f"{prefix}: " if prefix else f"Medicine {ref.index + 1}: "
        for f in page.fields:
            if f.reveal_if is not None and f.id not in values:
                continue
            if f.id.endswith("_unit"):
                continue
            sections[-1]["rows"].append({
                "key": prefix + (f.check_label or f.label),
                "value": display_value(page, f, values),
                "change_url": ref_url(ref, return_to=RETURN_TO_CHECK),
                "change_hint": (f.check_label or f.label).lower(),
            })
    return sections


def recover_page_after_failure(message: str, status: int) -> FlaskResponse | None:
    """Re-render a question page with what was typed (used for CSRF and database failures)."""
    if request.method != "POST" or request.endpoint not in {"patient.question",
                                                            "patient.loop_question"}:
        return None
    args = request.view_args or {}
    ref = PageRef(str(args.get("page_id")), args.get("index"))
    q = drafts.questionnaire()
    try:
        page = q.page(ref.page_id)
    except KeyError:
        return None
    try:
        record: Any = drafts.current()
    except Exception:  # the database itself may be what failed: render without the record
        get_session().rollback()
        record = SimpleNamespace(answers={}, page_revisions={}, flagged=False)
    if record is None:
        return None
    raw = validate_page(page, request.form.to_dict(flat=False)).raw
    body, _ = _render_page(record, ref, page, raw, {}, request.form.get("return_to", ""),
                           notice=message)
    return current_app.make_response((body, status))
