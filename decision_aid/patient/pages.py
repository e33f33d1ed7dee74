"""Turn router page references into URLs and template context: keeps the views thin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext  # type: ignore[import-untyped]

from ..content.questionnaire import Field, Page, Questionnaire
from ..content.schema import Content
from ..engine import router
from ..engine.answers import Answers
from ..engine.router import PageRef, RoutingPath, first_page, page_values

RETURN_TO_CHECK = "check"  # ?return_to=check: a page opened from Check your answers
# Loop fields that name the item: the item's heading on Check your answers says them already.
_NAME_FIELDS = {"medicine", "other_name"}


def path_of(content: Content, record: Any) -> RoutingPath:
    """The routing path for a record's stored answers (a draft, or a stand-in after a failure)."""
    return router.routing_path(content.questionnaire, Answers.from_draft(record.answers))


def ref_url(ref: PageRef | None, **params: Any) -> str:
    if ref is None:
        return url_for("patient.check", **params)
    if ref.index is None:
        return url_for("patient.question", page_id=ref.page_id, **params)
    return url_for("patient.loop_question", page_id=ref.page_id, index=ref.index, **params)


def slug(ref: PageRef) -> str:
    return ref.page_id if ref.index is None else f"{ref.page_id}/{ref.index}"


def field_anchor(f: Field) -> str:
    """The element an error summary link points at: the first input of the field."""
    if f.type in {"radio", "checkboxes"} and f.choices:
        return f"f-{f.id}-{f.choices[0].value}"
    return f"f-{f.id}"


def item_name(item: Answers, content: Content, *, in_sentence: bool = False) -> str:
    """A medicine item's name: "sertraline" in a sentence, "Sertraline" as a heading, or what
    the person typed for a medicine not on the list; "" before it is known."""
    med = item.text("medicine")
    if med == "other":
        return item.text("other_name")
    known = content.medicines.get(med)
    if known is None:
        return ""
    return known.generic if in_sentence else known.generic.capitalize()


def page_heading(page: Page, ref: PageRef, answers: Mapping[str, Any], content: Content) -> str:
    """The page's heading, naming the loop item once it has a name ("How sertraline went")."""
    if not page.named_heading or ref.index is None:
        return page.heading
    items = Answers.from_draft(answers).items(page.loop)
    if not 0 <= ref.index < len(items):
        return page.heading
    name = item_name(items[ref.index], content, in_sentence=True)
    return page.named_heading.format(name=name) if name else page.heading


def typed_heading(page: Page, ref: PageRef, answers: Mapping[str, Any]) -> bool:
    """Whether the page's heading names a medicine by what the person typed."""
    if not page.named_heading or ref.index is None:
        return False
    items = Answers.from_draft(answers).items(page.loop)
    return 0 <= ref.index < len(items) and items[ref.index].text("medicine") == "other"


def loop_items(path: RoutingPath, content: Content, loop: str) -> list[dict[str, Any]]:
    first = first_page(path.q, loop)
    rows = []
    for i, item in enumerate(Answers.from_draft(path.answers).items(loop)):
        name = item_name(item, content) or gettext("Medicine %(number)s", number=i + 1)
        rows.append({
            "index": i,
            "name": name,
            "change_url": ref_url(PageRef(first.id, i)) if first is not None else "",
            "remove_url": url_for("patient.remove_item", index=i),
        })
    return rows


def display_value(q: Questionnaire, page: Page, f: Field, values: Mapping[str, Any]) -> str:
    value = values.get(f.id)
    if _blank(value):
        return str(gettext("Not provided"))
    if isinstance(value, list):
        return "\n".join(q.choice_label(f.id, str(v)) for v in value)
    if f.type == "number" and isinstance(value, int | float):
        text = f"{float(value):g}"
        unit = next((u for u in page.fields if u.id == f"{f.id}_unit"), None)
        if unit is not None and isinstance(values.get(unit.id), str):
            return f"{text} {values[unit.id]}"
        return f"{text} {f.suffix}" if f.suffix else text
    return q.choice_label(f.id, str(value))


@dataclass
class CheckGroup:
    item: int | None = None  # the loop item; None for the section's own questions
    title: str = ""  # the loop item's name, or the questionnaire's heading
    change_url: str = ""
    folded: bool = False  # a questionnaire's many answers: shown when asked for
    rows: list[dict[str, str]] = field(default_factory=list)


@dataclass
class CheckSection:
    id: str
    title: str
    groups: list[CheckGroup] = field(default_factory=list)


def check_sections(path: RoutingPath, content: Content, return_to: str) -> list[CheckSection]:
    """Check your answers: the question pages on the path, by section, loop items grouped under
    their own name; no row for what the group heading says already, for "another one?", for a
    yes that opens a follow-up, or for an optional question left blank."""
    q = path.q
    sections: list[CheckSection] = []
    items = Answers.from_draft(path.answers)
    for ref in path.refs:
        page = q.page(ref.page_id)
        if page.kind != "question":
            continue
        if not sections or sections[-1].id != page.section:
            sections.append(CheckSection(page.section, q.section_title(page.section)))
        section = sections[-1]
        change_url = ref_url(ref, return_to=return_to)
        if page.instrument:
            section.groups.append(CheckGroup(None, page.heading, change_url, folded=True))
        elif (not section.groups or section.groups[-1].item != ref.index
              or section.groups[-1].folded):
            title = _group_title(items, ref, page, content) if ref.index is not None else ""
            section.groups.append(CheckGroup(ref.index, title, change_url))
        group = section.groups[-1]
        values = page_values(q, path.answers, ref)
        gates = gates_shown(page, values)
        rows: list[tuple[bool, dict[str, str]]] = []  # (can be left out, row)
        for f in page.fields:
            if f.reveal_if is not None and f.id not in values:
                continue
            if f.id.endswith("_unit") or (ref.index is not None and f.id in _NAME_FIELDS):
                continue
            if f.id in gates:  # "Side effects: Yes" when "Which side effects" follows
                continue
            label = f.check_label or f.label
            rows.append((f.optional and _blank(values.get(f.id)), {
                "key": label,
                "value": display_value(q, page, f, values),
                "change_url": change_url,
                "change_hint": label.lower() + (
                    " " + gettext("for %(name)s", name=group.title)
                    if group.item is not None else ""),
            }))
        # An optional question left blank gets no row, unless the page has nothing else to show:
        # the page's Change link still reaches it.
        kept = [row for blank, row in rows if not blank] or [row for _, row in rows[:1]]
        group.rows.extend(kept)
    return sections


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def gates_shown(page: Page, values: Mapping[str, Any]) -> set[str]:
    """The yes/no questions on this page whose follow-up is shown: the follow-up's row says it."""
    return {
        f.reveal_if.field for f in page.fields
        if f.reveal_if is not None and f.reveal_if.op == "equals" and f.id in values
        and any(g.id == f.reveal_if.field for g in page.fields)
    }


def _group_title(items: Answers, ref: PageRef, page: Page, content: Content) -> str:
    loop_items_ = items.items(page.loop)
    index = ref.index if ref.index is not None else 0
    name = item_name(loop_items_[index], content) if index < len(loop_items_) else ""
    return name or gettext("Medicine %(number)s", number=index + 1)
