"""The question pages (content files) as one FHIR R4 Questionnaire, following the SDC guide.

Layout: one group per section; the PHQ-9 and GAD-7 each become a group coded with their LOINC
panel, with LOINC item codes, the LOINC answer list and a read-only total; the medicines loop is a
repeating group; an interruption page is a display item; page `applies_if` and field `reveal_if`
conditions become enableWhen (or an SDC enableWhenExpression where enableWhen cannot say it).
The SURE test, asked after the summary, is a last group. Nothing here is written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..content.questionnaire import Condition, Field, Page, Questionnaire
from ..content.schema import Content, Instrument
from . import codes as C

if TYPE_CHECKING:
    from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

QUESTIONNAIRE_ID = "depression-next-step"
NAME = "DepressionNextStepDecisionAid"
TITLE = "Depression treatment options: questions"
LOOP_TEXT = "Each antidepressant taken during this episode"
TOTAL_TEXT = "Total score"

_TYPES = {
    "radio": ("choice", "radio-button"),
    "select": ("choice", "drop-down"),
    "checkboxes": ("choice", "check-box"),
    "number": ("decimal", ""),
    "text": ("string", ""),
    "textarea": ("text", ""),
}


def canonical_url(base: str) -> str:
    return f"{base.rstrip('/')}/Questionnaire/{QUESTIONNAIRE_ID}"


def is_instrument_item(field_id: str) -> bool:
    return C.item_code(field_id) is not None


def coding(field: Field, value: str) -> dict[str, Any]:
    """The Coding that stands for one stored choice value (LOINC for PHQ-9/GAD-7 items)."""
    if is_instrument_item(field.id) and value in {"0", "1", "2", "3"}:
        code, display = C.FREQUENCY_ANSWERS[int(value)]
        return {"system": C.LOINC, "code": code, "display": display}
    labels = {c.value: c.label for c in field.choices}
    return {"code": value, "display": labels.get(value, value)}


def value_of(field_id: str, code: str) -> str:
    """Back from a Coding's code to the stored value (inverse of `coding`)."""
    if is_instrument_item(field_id):
        for i, (loinc, _) in enumerate(C.FREQUENCY_ANSWERS):
            if loinc == code:
                return str(i)
    return code


def _ext_control(code: str) -> dict[str, Any]:
    return {
        "url": C.EXT_ITEM_CONTROL,
        "valueCodeableConcept": {"coding": [{"system": C.ITEM_CONTROL, "code": code}]},
    }


def _answer_options(field: Field) -> list[dict[str, Any]]:
    options = []
    for choice in field.choices:
        option: dict[str, Any] = {"valueCoding": coding(field, choice.value)}
        ext = []
        if is_instrument_item(field.id):
            ext.append({"url": C.EXT_ORDINAL, "valueDecimal": int(choice.value)})
        if choice.exclusive:
            ext.append({"url": C.EXT_OPTION_EXCLUSIVE, "valueBoolean": True})
        if ext:
            option["extension"] = ext
        options.append(option)
    return options


def _fhirpath_answer(field_id: str) -> str:
    return f"%resource.repeat(item).where(linkId='{field_id}').answer.value"


def _expression(cond: Condition, fields: dict[str, Field]) -> str:
    path = _fhirpath_answer(cond.field)
    field = fields[cond.field]

    def code(v: str) -> str:
        return "'" + str(coding(field, v)["code"]).replace("'", "\\'") + "'"

    if cond.op == "answered":
        return f"{path}.exists()"
    if cond.op in {"equals", "contains"}:
        return f"({path}.code contains {code(cond.value)})"
    if cond.op in {"not_equals", "not_contains"}:
        return f"({path}.code contains {code(cond.value)}).not()"
    values = " | ".join(code(v) for v in cond.value)
    return f"{path}.where(code in ({values})).exists()"


def _enable(conds: tuple[Condition, ...], fields: dict[str, Field]) -> dict[str, Any]:
    """enableWhen for the conditions (all must hold), as the item keys to add."""
    if not conds:
        return {}
    simple = {"equals", "not_equals", "contains", "answered"}
    if len(conds) == 1 and conds[0].op == "in":
        cond = conds[0]
        field = fields[cond.field]
        return {
            "enableWhen": [
                {"question": cond.field, "operator": "=", "answerCoding": coding(field, v)}
                for v in cond.value
            ],
            "enableBehavior": "any",
        }
    if all(c.op in simple for c in conds):
        rules = []
        for cond in conds:
            if cond.op == "answered":
                rules.append({"question": cond.field, "operator": "exists", "answerBoolean": True})
                continue
            operator = "!=" if cond.op == "not_equals" else "="
            rules.append({
                "question": cond.field,
                "operator": operator,
                "answerCoding": coding(fields[cond.field], cond.value),
            })
        return {"enableWhen": rules, **({"enableBehavior": "all"} if len(rules) > 1 else {})}
    expression = " and ".join(_expression(c, fields) for c in conds)
    return {
        "extension": [{
            "url": C.EXT_ENABLE_WHEN_EXPRESSION,
            "valueExpression": {"language": "text/fhirpath", "expression": expression},
        }]
    }


def field_item(
    field: Field, conds: tuple[Condition, ...], fields: dict[str, Field]
) -> dict[str, Any]:
    fhir_type, control = _TYPES[field.type]
    item: dict[str, Any] = {"linkId": field.id, "text": field.label, "type": fhir_type}
    code = C.item_code(field.id)
    if code is not None:
        item["code"] = [{"system": C.LOINC, "code": code}]
    item["required"] = not field.optional
    if field.type == "checkboxes":
        item["repeats"] = True
    if field.max_length is not None:
        item["maxLength"] = field.max_length
    ext: list[dict[str, Any]] = []
    if control:
        ext.append(_ext_control(control))
    if field.minimum is not None:
        ext.append({"url": C.EXT_MIN, "valueDecimal": field.minimum})
    if field.maximum is not None:
        ext.append({"url": C.EXT_MAX, "valueDecimal": field.maximum})
    if field.max_choices is not None:
        ext.append({"url": C.EXT_MAX_OCCURS, "valueInteger": field.max_choices})
    if field.choices:
        item["answerOption"] = _answer_options(field)
    all_conds = conds + ((field.reveal_if,) if field.reveal_if is not None else ())
    enable = _enable(all_conds, fields)
    ext.extend(enable.pop("extension", []))
    item.update(enable)
    if ext:
        item["extension"] = ext
    if field.hint and code is None:
        item["item"] = [{"linkId": f"{field.id}-hint", "text": field.hint, "type": "display"}]
    return item


def _instrument_group(inst: Instrument, items: list[dict[str, Any]]) -> dict[str, Any]:
    group: dict[str, Any] = {"linkId": inst.id, "text": inst.name, "type": "group"}
    stem = {"linkId": f"{inst.id}-stem", "text": inst.stem, "type": "display"}
    group["item"] = [stem, *items]
    if inst.id in C.PANELS:
        code, display = C.PANELS[inst.id]
        group["code"] = [{"system": C.LOINC, "code": code, "display": display}]
        total_code, total_display = C.TOTALS[inst.id]
        group["item"].append({
            "linkId": f"{inst.id}_total",
            "code": [{"system": C.LOINC, "code": total_code, "display": total_display}],
            "text": TOTAL_TEXT,
            "type": "integer",
            "readOnly": True,
        })
    return group


def all_fields(q: Questionnaire) -> dict[str, Field]:
    return {f.id: f for p in q.pages for f in p.fields}


def _section_items(
    pages: Iterable[Page], content: Content, fields: dict[str, Field]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    open_group: dict[str, Any] | None = None  # the instrument or loop group being filled
    group_conds: tuple[Condition, ...] = ()
    for page in pages:
        if page.instrument:
            if open_group is None or open_group.get("linkId") != page.instrument:
                open_group = _instrument_group(content.instruments[page.instrument], [])
                items.append(open_group)
            at = len(open_group["item"]) - (1 if page.instrument in C.PANELS else 0)
            for f in page.fields:
                open_group["item"].insert(at, field_item(f, page.applies_if, fields))
                at += 1
            continue
        if page.loop and page.kind != "loop_list":
            if open_group is None or open_group.get("linkId") != page.loop:
                open_group = {"linkId": page.loop, "text": LOOP_TEXT, "type": "group",
                              "repeats": True, "item": [], **_enable(page.applies_if, fields)}
                items.append(open_group)
                group_conds = page.applies_if
            own = () if page.applies_if == group_conds else page.applies_if
            open_group["item"].extend(field_item(f, own, fields) for f in page.fields)
            continue
        open_group = None
        if page.kind == "interruption":
            heading = page.heading if page.heading[-1:] in ".?!" else f"{page.heading}."
            text = " ".join((heading, *page.body))
            items.append({"linkId": f"page-{page.id}", "text": text, "type": "display",
                          **_enable(page.applies_if, fields)})
            continue
        items.extend(field_item(f, page.applies_if, fields) for f in page.fields)
    return items


def _sure_group(content: Content) -> dict[str, Any] | None:
    sure = content.instruments.get("sure")
    if sure is None:
        return None
    fields = [
        Field(id=f"sure_{k}", type="radio", label=text,
              choices=tuple(_choice(v, lab) for v, lab in sure.choices))
        for k, text in enumerate(sure.items, start=1)
    ]
    index = {f.id: f for f in fields}
    return _instrument_group(sure, [field_item(f, (), index) for f in fields])


def _choice(value: str, label: str) -> Any:
    from ..content.questionnaire import Choice

    return Choice(value=value, label=label)


def build_questionnaire(content: Content, base: str, publisher: str) -> dict[str, Any]:
    """The Questionnaire as FHIR JSON (a dict); `validate` it before serving."""
    q: Questionnaire = content.questionnaire
    fields = all_fields(q)
    items = []
    for section in q.sections:
        pages = [p for p in q.pages if p.section == section.id]
        items.append({"linkId": f"section-{section.id}", "text": section.title, "type": "group",
                      "item": _section_items(pages, content, fields)})
    sure = _sure_group(content)
    if sure is not None:
        items.append(sure)
    attributions = " ".join(i.attribution for i in content.instruments.values())
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "meta": {"profile": [C.SDC_QUESTIONNAIRE]},
        "url": canonical_url(base),
        "version": content.meta.version,
        "name": NAME,
        "title": TITLE,
        "status": "active",
        "subjectType": ["Patient"],
        "date": content.meta.published.isoformat(),
        "publisher": publisher,
        "description": content.meta.decision,
        "copyright": attributions,
        "item": items,
    }


def validate(data: dict[str, Any]) -> FhirQuestionnaire:
    from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

    return FhirQuestionnaire.model_validate(data)
