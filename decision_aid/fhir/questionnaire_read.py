"""Read a Questionnaire back into the app's own field definitions (the round trip).

`read_fields` parses the JSON with the FHIR library first, so anything it returns came through
validation, then rebuilds each question as a content `Field` plus the conditions that enable it
(its own and its groups'). Tests compare these with the content files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..content.questionnaire import Choice, Condition, Field
from . import codes as C
from .questionnaire import validate, value_of

_CONTROL_TYPES = {"radio-button": "radio", "drop-down": "select", "check-box": "checkboxes"}
_PLAIN_TYPES = {"decimal": "number", "string": "text", "text": "textarea"}


class NotReadable(ValueError):
    """The Questionnaire uses something this app does not write (so cannot read back)."""


@dataclass(frozen=True)
class ReadField:
    field: Field
    conditions: tuple[Condition, ...]  # every condition that must hold for it to be enabled
    group: str  # linkId of the nearest enclosing group


def _ext(item: Mapping[str, Any], url: str) -> Any:
    for ext in item.get("extension", []):
        if ext.get("url") == url:
            return ext
    return None


def _conditions(item: Mapping[str, Any], repeating: set[str]) -> tuple[Condition, ...]:
    if _ext(item, C.EXT_ENABLE_WHEN_EXPRESSION) is not None:
        raise NotReadable(f"{item['linkId']}: enableWhenExpression is not read back")
    rules = item.get("enableWhen", [])
    if not rules:
        return ()
    if item.get("enableBehavior") == "any":
        questions = {r["question"] for r in rules}
        if len(questions) != 1 or any(r["operator"] != "=" for r in rules):
            raise NotReadable(f"{item['linkId']}: only one-question 'any' rules are read back")
        q = questions.pop()
        return (Condition(q, "in", tuple(value_of(q, r["answerCoding"]["code"]) for r in rules)),)
    out = []
    for r in rules:
        q = r["question"]
        if r["operator"] == "exists":
            out.append(Condition(q, "answered"))
            continue
        value = value_of(q, r["answerCoding"]["code"])
        if r["operator"] == "!=":
            out.append(Condition(q, "not_equals", value))
        else:
            out.append(Condition(q, "contains" if q in repeating else "equals", value))
    return tuple(out)


def _field(item: Mapping[str, Any]) -> Field:
    link = str(item["linkId"])
    control = _ext(item, C.EXT_ITEM_CONTROL)
    if item["type"] == "choice":
        code = control["valueCodeableConcept"]["coding"][0]["code"] if control else "radio-button"
        kind = _CONTROL_TYPES[code]
    else:
        kind = _PLAIN_TYPES[item["type"]]
    choices = tuple(
        Choice(
            value=value_of(link, o["valueCoding"]["code"]),
            label=o["valueCoding"].get("display", ""),
            exclusive=_ext(o, C.EXT_OPTION_EXCLUSIVE) is not None,
        )
        for o in item.get("answerOption", [])
    )
    minimum = _ext(item, C.EXT_MIN)
    maximum = _ext(item, C.EXT_MAX)
    hints = [c["text"] for c in item.get("item", []) if c.get("type") == "display"]
    most = _ext(item, C.EXT_MAX_OCCURS)
    return Field(
        id=link,
        type=kind,
        label=str(item.get("text", "")),
        hint=hints[0] if hints else "",
        optional=not item.get("required", False),
        choices=choices,
        minimum=float(minimum["valueDecimal"]) if minimum else None,
        maximum=float(maximum["valueDecimal"]) if maximum else None,
        max_length=item.get("maxLength"),
        max_choices=int(most["valueInteger"]) if most else None,
    )


def read_fields(data: Mapping[str, Any]) -> dict[str, ReadField]:
    """Every question of a Questionnaire (as parsed by the FHIR library), by linkId."""
    parsed = validate(dict(data)).model_dump(mode="json", by_alias=True, exclude_none=True)
    repeating: set[str] = set()

    def collect_repeating(items: list[Mapping[str, Any]]) -> None:
        for item in items:
            if item.get("repeats") and item["type"] != "group":
                repeating.add(str(item["linkId"]))
            collect_repeating(item.get("item", []))

    collect_repeating(parsed.get("item", []))
    out: dict[str, ReadField] = {}

    def walk(items: list[Mapping[str, Any]], inherited: tuple[Condition, ...], group: str) -> None:
        for item in items:
            conds = inherited + _conditions(item, repeating)
            if item["type"] == "group":
                walk(item.get("item", []), conds, str(item["linkId"]))
            elif item["type"] != "display" and not item.get("readOnly"):
                out[str(item["linkId"])] = ReadField(_field(item), conds, group)

    walk(parsed.get("item", []), (), "")
    return out
