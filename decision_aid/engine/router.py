"""Which question pages apply for a set of answers, and in what order (a RoutingPath).

A page applies when all its applies_if conditions hold. The path is computed once per request
and asked about applicability, reachability, next and previous, like the routing path of ONS's
eq-questionnaire-runner. Writing answers back is in answer_writes.py.

Loops: pages with loop = "medicines" (but not its loop_list page) repeat per item, grouped per
item: details(0), outcome(0), details(1), outcome(1), ..., medicines_list; with no items yet,
details(0), outcome(0), medicines_list. The list page's "yes, another" is an intent, not a stored
answer: next from the list given that intent is details(len(items)), a new item (while the loop
holds fewer than the list page's max_items), and previous from there is the list. Creating an
item clears the list's answer, so the list counts as answered only when its answer is "no".
Interruption pages ask nothing: next shows them, first_unanswered never lands on one.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from decision_aid.content.questionnaire import Page, Questionnaire

from .answers import Answers
from .medicine_items import upgrade_item
from .validation import condition_holds, has_value, revealed_values

ADD_ANOTHER = "yes"

AnswersLike = Answers | Mapping[str, Any]


class PageRef(NamedTuple):
    page_id: str
    # The loop item, for pages that repeat. (The name hides tuple.index; kept, as URLs,
    # templates and tests all say ref.index.)
    index: int | None = None  # type: ignore[assignment]


def repeats(page: Page) -> bool:
    return bool(page.loop) and page.kind != "loop_list"


@dataclass(frozen=True)
class _Layout:
    """What the router needs to know about a questionnaire, worked out once per questionnaire."""

    segments: tuple[tuple[Page, ...], ...]  # a single page, or a loop's block of pages
    start: dict[str, int]  # page id -> position of the start of its segment
    list_pages: dict[str, Page]  # loop -> its loop_list page
    first_pages: dict[str, Page]  # loop -> its first repeating page


_LAYOUTS: dict[int, tuple[Questionnaire, _Layout]] = {}


def _layout(q: Questionnaire) -> _Layout:
    cached = _LAYOUTS.get(id(q))
    if cached is not None and cached[0] is q:
        return cached[1]
    segments: list[tuple[Page, ...]] = []
    start: dict[str, int] = {}
    for pos, page in enumerate(q.pages):
        previous = segments[-1][-1] if segments else None
        if repeats(page) and previous is not None and repeats(previous) and (
            previous.loop == page.loop
        ):
            segments[-1] = (*segments[-1], page)
            start[page.id] = start[previous.id]
        else:
            segments.append((page,))
            start[page.id] = pos
    layout = _Layout(
        segments=tuple(segments),
        start=start,
        list_pages={p.loop: p for p in q.pages if p.kind == "loop_list" and p.loop},
        first_pages={s[0].loop: s[0] for s in reversed(segments) if repeats(s[0])},
    )
    _LAYOUTS[id(q)] = (q, layout)
    return layout


def raw_answers(answers: AnswersLike) -> Mapping[str, Any]:
    return answers.raw if isinstance(answers, Answers) else answers


# Loops whose items older drafts stored in an earlier form: read in the current one.
_ITEM_FORMS: dict[str, Any] = {"medicines": upgrade_item}


def loop_items(answers: AnswersLike, loop: str) -> list[dict[str, Any]]:
    """The items of a loop, in the current form; anything malformed counts as an empty item or
    no list."""
    items = raw_answers(answers).get(loop)
    if not isinstance(items, list):
        return []
    upgrade = _ITEM_FORMS.get(loop, dict)
    return [upgrade(item) if isinstance(item, Mapping) else {} for item in items]


def list_page(q: Questionnaire, loop: str) -> Page | None:
    """The loop's "another one?" page."""
    return _layout(q).list_pages.get(loop)


def first_page(q: Questionnaire, loop: str) -> Page | None:
    """The loop's first repeating page (where an item is started or changed)."""
    return _layout(q).first_pages.get(loop)


def max_items(q: Questionnaire, loop: str) -> int | None:
    page = _layout(q).list_pages.get(loop)
    return page.max_items if page is not None else None


def _applies(page: Page, answers: Mapping[str, Any]) -> bool:
    return all(condition_holds(c, answers) for c in page.applies_if)


def _valid_index(ref: PageRef) -> bool:
    return ref.index is None or (isinstance(ref.index, int) and not isinstance(ref.index, bool))


@dataclass(frozen=True)
class RoutingPath:
    """The pages that apply for one set of answers, in journey order."""

    q: Questionnaire
    answers: Mapping[str, Any]
    refs: tuple[PageRef, ...]
    _keys: tuple[tuple[int, int, int], ...] = field(repr=False)
    _members: frozenset[PageRef] = field(repr=False)

    def key(self, ref: PageRef) -> tuple[int, int, int]:
        """Journey position: loop pages sort by (start of their block, item, page)."""
        layout = _layout(self.q)
        pos = self.q.position(ref.page_id)
        if repeats(self.q.page(ref.page_id)):
            index = ref.index if isinstance(ref.index, int) else 0
            return (layout.start[ref.page_id], index, pos)
        return (pos, 0, pos)

    def items(self, loop: str) -> list[dict[str, Any]]:
        return loop_items(self.answers, loop)

    def is_new_item(self, ref: PageRef) -> bool:
        """A first loop page for the next, not yet created, item (within the loop's cap)."""
        if not self.q.has_page(ref.page_id):
            return False
        page = self.q.page(ref.page_id)
        if not repeats(page) or _layout(self.q).first_pages.get(page.loop) is not page:
            return False
        count = len(self.items(page.loop))
        cap = max_items(self.q, page.loop)
        return ref.index == count and (cap is None or count < cap) and _applies(
            page, self.answers
        )

    def new_item(self, loop: str) -> PageRef | None:
        """Where a new item of the loop starts; None when the loop is full or does not apply."""
        first = _layout(self.q).first_pages.get(loop)
        if first is None:
            return None
        ref = PageRef(first.id, len(self.items(loop)))
        return ref if self.is_new_item(ref) else None

    def applies(self, ref: PageRef) -> bool:
        if not _valid_index(ref):
            return False
        return ref in self._members or self.is_new_item(ref)

    @cached_property
    def first_unanswered(self) -> PageRef | None:
        for ref in self.refs:
            if not is_answered(self.q, self.answers, ref):
                return ref
        return None

    def is_reachable(self, ref: PageRef) -> bool:
        """Pages after the first unanswered one cannot be skipped to; a new item can be
        started from its list page."""
        first = self.first_unanswered
        if first is None or self.is_new_item(ref):
            return True
        return ref in self._members and self.key(ref) <= self.key(first)

    def allows(self, ref: PageRef) -> bool:
        return self.applies(ref) and self.is_reachable(ref)

    def next(self, ref: PageRef) -> PageRef | None:
        """The page after ref on this path; None means Check your answers."""
        page = self.q.page(ref.page_id)
        if (
            page.kind == "loop_list"
            and page.fields
            and self.answers.get(page.fields[0].id) == ADD_ANOTHER
        ):
            new = self.new_item(page.loop)
            if new is not None:
                return new
        i = bisect.bisect_right(self._keys, self.key(ref))
        return self.refs[i] if i < len(self.refs) else None

    def previous(self, ref: PageRef) -> PageRef | None:
        """The page before ref on this path; None means the start page."""
        if self.is_new_item(ref) and self.items(self.q.page(ref.page_id).loop):
            list_page = _layout(self.q).list_pages.get(self.q.page(ref.page_id).loop)
            if list_page is not None and PageRef(list_page.id, None) in self._members:
                return PageRef(list_page.id, None)
        i = bisect.bisect_left(self._keys, self.key(ref))
        return self.refs[i - 1] if i > 0 else None

    @property
    def last(self) -> PageRef | None:
        return self.refs[-1] if self.refs else None

    def sections(self) -> tuple[str, ...]:
        """The sections on this path, in order: the parts of "Part 2 of 6"."""
        seen: dict[str, None] = {}
        for ref in self.refs:
            seen.setdefault(self.q.page(ref.page_id).section, None)
        return tuple(seen)

    def part(self, page: Page) -> tuple[int, int]:
        """(n, of) for the caption "Part n of of"."""
        parts = self.sections()
        n = parts.index(page.section) + 1 if page.section in parts else 1
        return n, max(len(parts), n)


def routing_path(q: Questionnaire, answers: AnswersLike) -> RoutingPath:
    raw = raw_answers(answers)
    layout = _layout(q)
    refs: list[PageRef] = []
    keys: list[tuple[int, int, int]] = []
    for segment in layout.segments:
        first = segment[0]
        start = layout.start[first.id]
        if repeats(first):
            count = max(len(loop_items(raw, first.loop)), 1)
            applying = [p for p in segment if _applies(p, raw)]
            for index in range(count):
                for p in applying:
                    refs.append(PageRef(p.id, index))
                    keys.append((start, index, q.position(p.id)))
        elif _applies(first, raw):
            refs.append(PageRef(first.id, None))
            keys.append((start, 0, start))
    return RoutingPath(q, raw, tuple(refs), tuple(keys), frozenset(refs))


def page_values(q: Questionnaire, answers: AnswersLike, ref: PageRef) -> dict[str, Any]:
    """The stored answers for one page's fields (for filling the page in again)."""
    page = q.page(ref.page_id)
    source: Mapping[str, Any] = raw_answers(answers)
    if repeats(page):
        items = loop_items(source, page.loop)
        if not isinstance(ref.index, int) or not 0 <= ref.index < len(items):
            return {}
        source = items[ref.index]
    return {f.id: copy.deepcopy(source[f.id]) for f in page.fields if f.id in source}


def is_answered(q: Questionnaire, answers: AnswersLike, ref: PageRef) -> bool:
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


def effective_answers(q: Questionnaire, answers: AnswersLike) -> dict[str, Any]:
    """Only the answers of pages on the person's current path, and only fields that are shown.

    Answers left behind by a branch no longer taken (medicines after "no", TMS details after
    TMS is unticked, a hidden "other" name) are dropped, as are unknown keys and a pending
    "add another" intent. Ratings from before the values page (prio_*) are kept, so older
    drafts still show what mattered to the person.
    """
    raw = raw_answers(answers)
    path = routing_path(q, raw)
    out: dict[str, Any] = {k: copy.deepcopy(v) for k, v in raw.items() if k.startswith("prio_")}
    for ref in path.refs:
        page = q.page(ref.page_id)
        values = revealed_values(page, page_values(q, raw, ref))
        if page.kind == "loop_list":
            values = {k: v for k, v in values.items() if v != ADD_ANOTHER}
        if repeats(page):
            items = loop_items(raw, page.loop)
            if ref.index is None or ref.index >= len(items):
                continue
            kept = out.setdefault(page.loop, [{} for _ in items])
            kept[ref.index].update(values)
        else:
            out.update(values)
    return out
