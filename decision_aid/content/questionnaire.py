"""The question pages as data: sections, pages, fields, choices and when a page applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .records import ContentError, build
from .translation import DEFAULT_LANGUAGE, read_translated

if TYPE_CHECKING:
    from .schema import Instrument

FIELD_TYPES = {"radio", "checkboxes", "select", "number", "text", "textarea"}
PAGE_KINDS = {"question", "interruption", "loop_list"}
CONDITION_OPS = {"equals", "not_equals", "in", "contains", "not_contains", "answered"}
ERROR_KEYS = {
    "required", "too_long", "not_number", "too_small", "too_large", "invalid", "too_many",
}
WORDINGS = ("patient", "summary", "clinician")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""
    exclusive: bool = False  # checkboxes: "None of these" style answers that stand alone
    summary_label: str = ""  # how the summary says it, when not the same as the question's label
    clinician_label: str = ""  # how the clinician review says it

    def wording(self, wording: str = "patient") -> str:
        if wording == "clinician":
            return self.clinician_label or self.summary_label or self.label
        if wording == "summary":
            return self.summary_label or self.label
        return self.label


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: str
    hint: str = ""
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    max_choices: int | None = None  # checkboxes: at most this many (too_many beyond it)
    suffix: str = ""
    width: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    reveal_if: Condition | None = None  # shown (and required) only when another field matches
    check_label: str = ""
    inline: bool = False  # short choices side by side (Yes / No / I'm not sure), to fit a phone


@dataclass(frozen=True)
class Page:
    id: str
    section: str
    heading: str
    kind: str = "question"
    fields: tuple[Field, ...] = ()
    body: tuple[str, ...] = ()
    why: str = ""
    loop: str = ""  # "medicines": the page repeats once per item in answers["medicines"]
    applies_if: tuple[Condition, ...] = ()  # all must hold
    instrument: str = ""
    button: str = "Continue"
    # A loop page's heading once the item has a name: "How {name} went for you".
    named_heading: str = ""
    glance: bool = False  # shows the options at a glance above its fields (the values page)
    max_items: int | None = None  # loop_list: the most items a loop may hold
    full: str = ""  # loop_list: the error when "another one" is asked for beyond max_items

    # Worked out once per page, not per field and choice in the template (fields.html).
    @cached_property
    def followups(self) -> dict[str, tuple[Field, ...]]:
        """Each field's follow-up fields on this page: those its answer reveals."""
        found: dict[str, list[Field]] = {}
        for f in self.fields:
            if f.reveal_if is not None:
                found.setdefault(f.reveal_if.field, []).append(f)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def reveals(self) -> dict[tuple[str, str], tuple[Field, ...]]:
        """The follow-ups one choice reveals, by (field id, choice value)."""
        found: dict[tuple[str, str], list[Field]] = {}
        for f in self.fields:
            if f.reveal_if is not None and isinstance(f.reveal_if.value, str):
                found.setdefault((f.reveal_if.field, f.reveal_if.value), []).append(f)
        return {k: tuple(v) for k, v in found.items()}


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: tuple[Section, ...]
    pages: tuple[Page, ...]
    _page_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _fields: dict[str, Field] = field(init=False, repr=False, compare=False)
    _titles: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_page_index", {p.id: i for i, p in enumerate(self.pages)})
        object.__setattr__(self, "_fields", {f.id: f for p in self.pages for f in p.fields})
        object.__setattr__(self, "_titles", {s.id: s.title for s in self.sections})

    def page(self, page_id: str) -> Page:
        return self.pages[self._page_index[page_id]]

    def position(self, page_id: str) -> int:
        """Where the page sits in journey order."""
        return self._page_index[page_id]

    def has_page(self, page_id: str) -> bool:
        return page_id in self._page_index

    def field(self, field_id: str) -> Field:
        return self._fields[field_id]

    def section_title(self, section_id: str) -> str:
        return self._titles[section_id]

    def choice_label(self, field_id: str, value: str, wording: str = "patient") -> str:
        """The words for one stored choice: "patient" (the question's own), "summary" or
        "clinician" wording, each falling back to the one before. An unknown value is shown as
        it was stored, so nothing typed is lost."""
        if wording not in WORDINGS:
            raise ValueError(f"unknown wording {wording!r}")
        f = self._fields.get(field_id)
        for choice in f.choices if f is not None else ():
            if choice.value == value:
                return choice.wording(wording)
        return value


def load_questionnaire(data_dir: Path, instruments: Mapping[str, Instrument],
                       language: str = DEFAULT_LANGUAGE) -> Questionnaire:
    """Read questionnaire.toml; PHQ-9 and GAD-7 pages take their items from instruments.toml."""
    raw = read_translated(data_dir, "questionnaire.toml", language)
    choice_sets: dict[str, list[dict[str, Any]]] = raw.get("choice_sets", {})
    sections = tuple(
        build(Section, s, f"section[{i}]") for i, s in enumerate(raw.get("section", []))
    )
    section_ids = {s.id for s in sections}
    pages: list[Page] = []
    for i, row in enumerate(raw.get("page", [])):
        where = f"page[{i}]"
        row = dict(row)
        if "instrument_items" in row:
            inst_id = row.pop("instrument_items")
            inst = instruments.get(inst_id)
            if inst is None:
                raise ContentError(f"{where}: unknown instrument '{inst_id}'")
            pages.append(_instrument_page(inst, row, where))
            continue
        applies_if = _conditions(row.pop("applies_if", []), f"{where}.applies_if")
        fields = []
        reveals: list[Condition | None] = []
        for j, f in enumerate(row.get("field", [])):
            f = dict(f)
            reveal = f.pop("reveal_if", None)
            reveals.append(
                None if reveal is None else _condition(reveal, f"{where}.field[{j}].reveal_if")
            )
            if "choice_set" in f:
                name = f.pop("choice_set")
                if name not in choice_sets:
                    raise ContentError(f"{where}.field[{j}]: unknown choice_set '{name}'")
                f["choices"] = choice_sets[name]
            if f.pop("choices_from", None) == "priorities":
                # The values page offers the priorities themselves, in their own words.
                f["choices"] = _priority_choices(data_dir, language)
            fields.append(f)
        row["fields"] = fields
        row.pop("field", None)
        page = build(Page, row, where)
        pages.append(
            replace(
                page,
                applies_if=applies_if,
                fields=tuple(
                    replace(fld, reveal_if=rev)
                    for fld, rev in zip(page.fields, reveals, strict=True)
                ),
            )
        )
    q = Questionnaire(version=str(raw.get("version", "")), sections=sections, pages=tuple(pages))
    _validate(q, section_ids)
    return q


def _priority_choices(data_dir: Path, language: str) -> list[dict[str, str]]:
    rows = read_translated(data_dir, "priorities.toml", language).get("priority", [])
    return [
        {"value": str(r.get("id", "")), "label": str(r.get("label", "")),
         "summary_label": str(r.get("short", ""))}
        for r in rows
    ]


def _condition(raw: Any, where: str) -> Condition:
    """Build a Condition by hand: its value may be text, a list of text or absent."""
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a table")
    unknown = set(raw) - {"field", "op", "value"}
    if unknown:
        raise ContentError(f"{where}: unknown field(s) {sorted(unknown)}")
    field_id, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    if not isinstance(field_id, str) or not field_id:
        raise ContentError(f"{where}: needs a field")
    if op not in CONDITION_OPS:
        raise ContentError(f"{where}: unknown condition op '{op}'")
    if op == "answered":
        if value is not None:
            raise ContentError(f"{where}: 'answered' takes no value")
    elif op == "in":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ContentError(f"{where}: 'in' needs a list of text values")
        value = tuple(value)
    elif not isinstance(value, str):
        raise ContentError(f"{where}: '{op}' needs a text value")
    return Condition(field=field_id, op=op, value=value)


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        raise ContentError(f"{where}: expected a list")
    return tuple(_condition(c, f"{where}[{i}]") for i, c in enumerate(raw))


def _instrument_page(inst: Instrument, row: dict[str, Any], where: str) -> Page:
    """One page in the instrument's standard form: its stem, then one fieldset per item."""
    if "{item}" not in inst.item_required:
        raise ContentError(f"instrument {inst.id}: item_required needs an {{item}} (the error "
                           "shown when an item is left out)")
    fields = []
    for k, item in enumerate(inst.items, start=1):
        field_id = f"{inst.id}_{k}"
        required = inst.item_required.replace("{item}", f"{item[0].lower()}{item[1:]}")
        fields.append({
            "id": field_id,
            "type": "radio",
            "label": item,
            "choices": [{"value": v, "label": lab} for v, lab in inst.choices],
            "errors": {"required": required},
            "check_label": item,
        })
    page_row = {
        "id": row.get("id", inst.id),
        "section": row["section"],
        "heading": row.get("heading", inst.name),
        "instrument": inst.id,
        "body": row.get("body", []),
        "why": row.get("why", ""),
        "fields": fields,
    }
    unknown = set(row) - {"id", "section", "heading", "body", "why"}
    if unknown:
        raise ContentError(f"{where}: unknown field(s) {sorted(unknown)}")
    page: Page = build(Page, page_row, f"{where}/{inst.id}")
    return page


def _validate(q: Questionnaire, section_ids: set[str]) -> None:
    seen_pages: set[str] = set()
    seen_fields: set[str] = set()
    for page in q.pages:
        where = f"page {page.id}"
        if page.id in seen_pages:
            raise ContentError(f"{where}: duplicate page id")
        seen_pages.add(page.id)
        if page.section not in section_ids:
            raise ContentError(f"{where}: unknown section '{page.section}'")
        if page.kind not in PAGE_KINDS:
            raise ContentError(f"{where}: unknown kind '{page.kind}'")
        if page.kind == "question" and not page.fields:
            raise ContentError(f"{where}: a question page needs at least one field")
        if page.kind == "loop_list" and (not page.max_items or page.max_items < 1 or not page.full):
            raise ContentError(f"{where}: a loop list needs max_items and its 'full' message")
        for cond in page.applies_if:
            if cond.op not in CONDITION_OPS:
                raise ContentError(f"{where}: unknown condition op '{cond.op}'")
        for f in page.fields:
            fw = f"{where}.{f.id}"
            if f.type not in FIELD_TYPES:
                raise ContentError(f"{fw}: unknown field type '{f.type}'")
            # Field ids are unique across the whole questionnaire, loops included, so a stored
            # answer names its field (and its labels) on its own.
            if f.id in seen_fields:
                raise ContentError(f"{fw}: duplicate field id")
            seen_fields.add(f.id)
            if f.max_choices is not None and (f.type != "checkboxes" or f.max_choices < 1):
                raise ContentError(f"{fw}: max_choices is for checkboxes, and at least 1")
            if f.type in {"text", "textarea"} and f.max_length is None:
                raise ContentError(f"{fw}: a free-text field needs a max_length")
            if f.reveal_if is not None and f.reveal_if.field not in {
                g.id for g in page.fields[: page.fields.index(f)]
            }:
                raise ContentError(f"{fw}: reveal_if must name an earlier field on the same page")
            if f.type in {"radio", "checkboxes", "select"} and not f.choices:
                raise ContentError(f"{fw}: needs choices")
            if len({c.value for c in f.choices}) != len(f.choices):
                raise ContentError(f"{fw}: duplicate choice values")
            unknown = set(f.errors) - ERROR_KEYS
            if unknown:
                raise ContentError(f"{fw}: unknown error keys {sorted(unknown)}")
            if not f.optional and "required" not in f.errors:
                raise ContentError(f"{fw}: a required field needs an errors.required message")
            if "please" in " ".join(f.errors.values()).lower():
                raise ContentError(f"{fw}: error messages do not say 'please'")


__all__ = [
    "Choice",
    "Condition",
    "Field",
    "Page",
    "Questionnaire",
    "Section",
    "load_questionnaire",
]
