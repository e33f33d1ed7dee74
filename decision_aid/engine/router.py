"""Which question pages apply, in what order, and how answers are written back.

Pages come from the questionnaire in journey order. A page applies when all its applies_if
conditions hold for the answers so far.

Loops ("add another medicine"). Pages with loop = "medicines" (other than the loop_list page)
repeat once per item in answers["medicines"], grouped per item:
    details(0), outcome(0), details(1), outcome(1), ..., medicines_list
With no items yet the sequence is details(0), outcome(0), medicines_list, so a first medicine is
asked for straight away. apply_values on a loop page with index == len(items) creates the item.
The loop_list page asks "another one?". Its "yes" is an intent, not a stored answer: next_ref from
the list page, given answers whose list field is "yes" (the web layer passes it through), goes to
details(len(items)), a new item; previous_ref from that new-item page goes back to the list.
Creating an item clears the list page's answer, so "another one?" is asked again after each
item, and the list page only counts as answered when its answer is "no".

Interruption pages ask nothing, so they always count as answered: next_ref shows them in turn,
but first_unanswered (resume) never lands on one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple

from decision_aid.content.questionnaire import Page, Questionnaire

from .validation import condition_holds, has_value

ADD_ANOTHER = "yes"


class PageRef(NamedTuple):
    page_id: str
    index: int | None = None  # the loop item, for pages that repeat


def repeats(page: Page) -> bool:
    return bool(page.loop) and page.kind != "loop_list"


def loop_items(answers: Mapping[str, Any], loop: str) -> list[dict[str, Any]]:
    """The items of a loop; anything malformed counts as an empty item or no list."""
    items = answers.get(loop)
    if not isinstance(items, list):
        return []
    return [dict(item) if isinstance(item, Mapping) else {} for item in items]


def _applies(page: Page, answers: Mapping[str, Any]) -> bool:
    return all(condition_holds(c, answers) for c in page.applies_if)


def _block(q: Questionnaire, page: Page) -> list[Page]:
    """The run of consecutive repeating pages that shares this page's loop."""
    pages = list(q.pages)
    i = pages.index(page)
    while i > 0 and repeats(pages[i - 1]) and pages[i - 1].loop == page.loop:
        i -= 1
    block = []
    while i < len(pages) and repeats(pages[i]) and pages[i].loop == page.loop:
        block.append(pages[i])
        i += 1
    return block


def _list_page(q: Questionnaire, loop: str) -> Page | None:
    for p in q.pages:
        if p.kind == "loop_list" and p.loop == loop:
            return p
    return None


def _key(q: Questionnaire, ref: PageRef) -> tuple[int, int, int]:
    """Journey position: loop pages sort by (start of their block, item, page)."""
    page = q.page(ref.page_id)
    pos = q.pages.index(page)
    if repeats(page):
        start = q.pages.index(_block(q, page)[0])
        index = ref.index if isinstance(ref.index, int) else 0
        return (start, index, pos)
    return (pos, 0, pos)


def applicable_pages(q: Questionnaire, answers: Mapping[str, Any]) -> list[PageRef]:
    refs: list[PageRef] = []
    pages = q.pages
    i = 0
    while i < len(pages):
        page = pages[i]
        if repeats(page):
            block = _block(q, page)
            count = max(len(loop_items(answers, page.loop)), 1)
            for index in range(count):
                refs.extend(PageRef(p.id, index) for p in block if _applies(p, answers))
            i += len(block)
            continue
        if _applies(page, answers):
            refs.append(PageRef(page.id, None))
        i += 1
    return refs


def _is_new_item(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> bool:
    """A first loop page for the next, not yet created, item."""
    try:
        page = q.page(ref.page_id)
    except KeyError:
        return False
    return (
        repeats(page)
        and _block(q, page)[0] is page
        and ref.index == len(loop_items(answers, page.loop))
        and _applies(page, answers)
    )


def is_applicable(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> bool:
    if isinstance(ref.index, bool) or not (ref.index is None or isinstance(ref.index, int)):
        return False
    return ref in applicable_pages(q, answers) or _is_new_item(q, answers, ref)


def page_values(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> dict[str, Any]:
    """The stored answers for one page's fields (for filling the page in again)."""
    page = q.page(ref.page_id)
    source: Mapping[str, Any] = answers
    if repeats(page):
        items = loop_items(answers, page.loop)
        if not isinstance(ref.index, int) or not 0 <= ref.index < len(items):
            return {}
        source = items[ref.index]
    return {f.id: copy.deepcopy(source[f.id]) for f in page.fields if f.id in source}


def _revealed_values(page: Page, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        f.id: values[f.id]
        for f in page.fields
        if f.id in values and (f.reveal_if is None or condition_holds(f.reveal_if, values))
    }


def is_answered(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> bool:
    """All required fields that are shown have an answer ("another one?" only when "no")."""
    page = q.page(ref.page_id)
    values = page_values(q, answers, ref)
    for f in page.fields:
        if f.optional or (f.reveal_if is not None and not condition_holds(f.reveal_if, values)):
            continue
        value = values.get(f.id)
        if not has_value(value) or (page.kind == "loop_list" and value == ADD_ANOTHER):
            return False
    return True


def first_unanswered(q: Questionnaire, answers: Mapping[str, Any]) -> PageRef | None:
    for ref in applicable_pages(q, answers):
        if not is_answered(q, answers, ref):
            return ref
    return None


def next_ref(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> PageRef | None:
    """The page after ref on this person's path; None means Check your answers."""
    page = q.page(ref.page_id)
    if page.kind == "loop_list" and page.fields and answers.get(page.fields[0].id) == ADD_ANOTHER:
        first = next((p for p in q.pages if repeats(p) and p.loop == page.loop), None)
        if first is not None:
            return PageRef(first.id, len(loop_items(answers, page.loop)))
    key = _key(q, ref)
    for candidate in applicable_pages(q, answers):
        if _key(q, candidate) > key:
            return candidate
    return None


def previous_ref(q: Questionnaire, answers: Mapping[str, Any], ref: PageRef) -> PageRef | None:
    """The page before ref on this person's path; None means the start page."""
    page = q.page(ref.page_id)
    refs = applicable_pages(q, answers)
    if _is_new_item(q, answers, ref) and loop_items(answers, page.loop):
        list_page = _list_page(q, page.loop)
        if list_page is not None and PageRef(list_page.id, None) in refs:
            return PageRef(list_page.id, None)
    key = _key(q, ref)
    previous = None
    for candidate in refs:
        if _key(q, candidate) >= key:
            break
        previous = candidate
    return previous


def _write(page: Page, target: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Replace the page's fields: a field missing from values (or None) is removed."""
    kept = _revealed_values(page, {k: v for k, v in values.items() if v is not None})
    for f in page.fields:
        if f.id in kept:
            target[f.id] = copy.deepcopy(kept[f.id])
        else:
            target.pop(f.id, None)


def apply_values(
    q: Questionnaire, answers: Mapping[str, Any], ref: PageRef, values: Mapping[str, Any]
) -> dict[str, Any]:
    """New answers with this page's values written in; answers itself is left unchanged.

    For a loop page, index == len(items) appends a new item (and clears the list page's answer);
    an index beyond that raises IndexError.
    """
    new = copy.deepcopy(dict(answers))
    page = q.page(ref.page_id)
    if not repeats(page):
        _write(page, new, values)
        return new
    items = loop_items(new, page.loop)
    index = ref.index
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= len(items):
        raise IndexError(f"no item {index!r} in {page.loop}")
    if index == len(items):
        items.append({})
        list_page = _list_page(q, page.loop)
        for f in list_page.fields if list_page is not None else ():
            new.pop(f.id, None)
    _write(page, items[index], values)
    new[page.loop] = items
    return new


def remove_item(answers: Mapping[str, Any], loop: str, index: int) -> dict[str, Any]:
    """New answers without item index of the loop; an index out of range changes nothing."""
    new = copy.deepcopy(dict(answers))
    items = loop_items(new, loop)
    if isinstance(index, int) and 0 <= index < len(items):
        del items[index]
        new[loop] = items
    return new


def effective_answers(q: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers of pages on the person's current path, and only fields that are shown.

    Answers left behind by a branch no longer taken (medicines after "no", TMS details after
    TMS is unticked, a hidden "other" name) are dropped, as are unknown keys and a pending
    "add another" intent.
    """
    out: dict[str, Any] = {}
    for ref in applicable_pages(q, answers):
        page = q.page(ref.page_id)
        values = _revealed_values(page, page_values(q, answers, ref))
        if page.kind == "loop_list":
            values = {k: v for k, v in values.items() if v != ADD_ANOTHER}
        if repeats(page):
            items = loop_items(answers, page.loop)
            if ref.index is None or ref.index >= len(items):
                continue
            kept = out.setdefault(page.loop, [{} for _ in items])
            kept[ref.index].update(values)
        else:
            out.update(values)
    return out
