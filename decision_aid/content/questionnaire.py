"""The question pages as data: sections, pages, fields, choices and when a page applies."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

FIELD_TYPES = {"radio", "checkboxes", "select", "number", "text", "textarea"}
PAGE_KINDS = {"question", "interruption", "loop_list"}
CONDITION_OPS = {"equals", "not_equals", "in", "contains", "not_contains", "answered"}
ERROR_KEYS = {"required", "too_long", "not_number", "too_small", "too_large", "invalid"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""
    exclusive: bool = False  # checkboxes: "None of these" style answers that stand alone


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
    suffix: str = ""
    width: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    reveal_if: Condition | None = None  # shown (and required) only when another field matches
    check_label: str = ""


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


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: tuple[Section, ...]
    pages: tuple[Page, ...]

    def page(self, page_id: str) -> Page:
        for p in self.pages:
            if p.id == page_id:
                return p
        raise KeyError(page_id)

    def section_title(self, section_id: str) -> str:
        for s in self.sections:
            if s.id == section_id:
                return s.title
        raise KeyError(section_id)


def load_questionnaire(data_dir: Path, instruments: dict[str, Any]) -> Questionnaire:
    """Read questionnaire.toml; PHQ-9 and GAD-7 pages are expanded from instruments.toml."""
    from .loader import ContentError, _read, build

    raw = _read(data_dir, "questionnaire.toml")
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
            # Expand e.g. instrument_items = "phq9" into one page per verbatim item.
            inst_id = row.pop("instrument_items")
            inst = instruments.get(inst_id)
            if inst is None:
                raise ContentError(f"{where}: unknown instrument '{inst_id}'")
            pages.extend(_instrument_pages(inst, row, where))
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
            fields.append(f)
        row["field"] = fields
        row["fields"] = row.pop("field")
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


def _condition(raw: Any, where: str) -> Condition:
    """Build a Condition by hand: its value may be text, a list of text or absent."""
    from .loader import ContentError

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
    from .loader import ContentError

    if not isinstance(raw, list):
        raise ContentError(f"{where}: expected a list")
    return tuple(_condition(c, f"{where}[{i}]") for i, c in enumerate(raw))


def _instrument_pages(inst: Any, row: dict[str, Any], where: str) -> list[Page]:
    from .loader import build

    pages = []
    n = len(inst.items)
    for k, item in enumerate(inst.items, start=1):
        field_id = f"{inst.id}_{k}"
        required = f"Select how often you have been bothered by this: {item[0].lower()}{item[1:]}"
        page_row = {
            "id": field_id,
            "section": row["section"],
            "heading": item,
            "instrument": inst.id,
            "body": row.get("body", []) if k == 1 else [],
            "why": row.get("why", ""),
            "fields": [
                {
                    "id": field_id,
                    "type": "radio",
                    "label": item,
                    "hint": f"{inst.stem} Question {k} of {n}.",
                    "choices": [{"value": v, "label": lab} for v, lab in inst.choices],
                    "errors": {"required": required},
                    "check_label": item,
                }
            ],
        }
        pages.append(build(Page, page_row, f"{where}/{field_id}"))
    return pages


def _validate(q: Questionnaire, section_ids: set[str]) -> None:
    from .loader import ContentError

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
        for cond in page.applies_if:
            if cond.op not in CONDITION_OPS:
                raise ContentError(f"{where}: unknown condition op '{cond.op}'")
        for f in page.fields:
            fw = f"{where}.{f.id}"
            if f.type not in FIELD_TYPES:
                raise ContentError(f"{fw}: unknown field type '{f.type}'")
            key = f"{page.loop}:{f.id}" if page.loop else f.id
            if key in seen_fields:
                raise ContentError(f"{fw}: duplicate field id")
            seen_fields.add(key)
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


def field_ids(page: Page) -> list[str]:
    return [f.id for f in page.fields]


__all__ = [
    "Choice",
    "Condition",
    "Field",
    "Page",
    "Questionnaire",
    "Section",
    "field_ids",
    "load_questionnaire",
]
