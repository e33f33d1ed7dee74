"""Writing one page's answers into the stored answers, and removing a loop item.

Both return new answers and leave their input unchanged; the router decides where they apply.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from decision_aid.content.questionnaire import Page, Questionnaire

from .router import AnswersLike, PageRef, list_page, loop_items, max_items, raw_answers, repeats
from .validation import revealed_values


def _write(page: Page, target: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Replace the page's fields: a field missing from values (or None) is removed."""
    kept = revealed_values(page, {k: v for k, v in values.items() if v is not None})
    for f in page.fields:
        if f.id in kept:
            target[f.id] = copy.deepcopy(kept[f.id])
        else:
            target.pop(f.id, None)


def apply_values(
    q: Questionnaire, answers: AnswersLike, ref: PageRef, values: Mapping[str, Any]
) -> dict[str, Any]:
    """New answers with this page's values written in; answers itself is left unchanged.

    For a loop page, index == len(items) appends a new item (and clears the list page's answer);
    an index beyond that, or a new item beyond the loop's cap, raises IndexError.
    """
    new = copy.deepcopy(dict(raw_answers(answers)))
    page = q.page(ref.page_id)
    if not repeats(page):
        _write(page, new, values)
        return new
    items = loop_items(new, page.loop)
    index = ref.index
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= len(items):
        raise IndexError(f"no item {index!r} in {page.loop}")
    if index == len(items):
        cap = max_items(q, page.loop)
        if cap is not None and len(items) >= cap:
            raise IndexError(f"{page.loop} holds at most {cap} items")
        items.append({})
        another = list_page(q, page.loop)
        for f in another.fields if another is not None else ():
            new.pop(f.id, None)
    _write(page, items[index], values)
    new[page.loop] = items
    return new


def remove_item(answers: AnswersLike, loop: str, index: int) -> dict[str, Any]:
    """New answers without item index of the loop; an index out of range changes nothing."""
    new = copy.deepcopy(dict(raw_answers(answers)))
    items = loop_items(new, loop)
    if isinstance(index, int) and 0 <= index < len(items):
        del items[index]
        new[loop] = items
    return new
