"""A saved summary as FHIR: QuestionnaireResponse, score Observations, the PDF, in one Bundle.

The QuestionnaireResponse is filled by walking the generated Questionnaire, so its linkIds,
codes and answer Codings are exactly the Questionnaire's. `answers_from_response` reads one back.
No patient identity exists in this app, so no resource has a subject.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import codes as C
from .questionnaire import value_of
from .source import SavedSummary

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

PDF_TITLE = "Decision aid summary (PDF)"
ITEM9_TEXT = "PHQ-9 item 9 (thoughts of being better off dead or of self-harm)"
POSITIVE = ("A", "Abnormal")
NEGATIVE = ("N", "Normal")


def _instant(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def _answer(item: Mapping[str, Any], value: Any) -> list[dict[str, Any]]:
    kind = item.get("type")
    if kind == "choice":
        values = value if isinstance(value, list) else [value]
        by_code = {o["valueCoding"]["code"]: o["valueCoding"] for o in item.get("answerOption", [])}
        out = []
        for v in values:
            if not isinstance(v, str):
                continue
            for code, cod in by_code.items():
                if value_of(str(item["linkId"]), code) == v:
                    out.append({"valueCoding": dict(cod)})
        return out
    if kind == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        return [{"valueDecimal": value}]
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return [{"valueInteger": value}]
    if kind in {"string", "text"} and isinstance(value, str) and value.strip():
        return [{"valueString": value}]
    return []


def _fill(items: list[Mapping[str, Any]], scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        link = str(item["linkId"])
        kind = item.get("type")
        if kind == "display":
            continue
        if kind == "group":
            if item.get("repeats"):
                for element in scope.get(link) or []:
                    if isinstance(element, Mapping):
                        children = _fill(item.get("item", []), element)
                        if children:
                            out.append({"linkId": link, "text": item.get("text"), "item": children})
                continue
            children = _fill(item.get("item", []), scope)
            if children:
                out.append({"linkId": link, "text": item.get("text"), "item": children})
            continue
        answer = _answer(item, scope.get(link))
        if answer:
            entry: dict[str, Any] = {"linkId": link, "text": item.get("text"), "answer": answer}
            out.append(entry)
    return out


def build_response(
    questionnaire: Mapping[str, Any],
    summary: SavedSummary,
    answers: Mapping[str, Any],
    sure: Mapping[str, str],
) -> dict[str, Any]:
    scope = {**answers, **sure, "phq9_total": summary.phq9_total,
             "gad7_total": summary.gad7_total}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": summary.id,
        "meta": {"profile": [C.SDC_RESPONSE]},
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "status": "completed",
        "language": summary.language,
        "authored": _instant(summary.authored),
        "item": _fill(questionnaire["item"], scope),
    }


def answers_from_response(
    questionnaire: Mapping[str, Any], response: Mapping[str, Any]
) -> dict[str, Any]:
    """The stored-answer shape back from a QuestionnaireResponse (scores are not answers)."""
    defs: dict[str, Mapping[str, Any]] = {}

    def index(items: list[Mapping[str, Any]]) -> None:
        for item in items:
            defs[str(item["linkId"])] = item
            index(item.get("item", []))

    index(questionnaire["item"])

    def read(items: list[Mapping[str, Any]], scope: dict[str, Any]) -> None:
        for item in items:
            link = str(item["linkId"])
            d = defs.get(link, {})
            if d.get("type") == "group":
                if d.get("repeats"):
                    element: dict[str, Any] = {}
                    read(item.get("item", []), element)
                    scope.setdefault(link, []).append(element)
                else:
                    read(item.get("item", []), scope)
                continue
            if d.get("readOnly"):
                continue
            values: list[Any] = []
            for ans in item.get("answer", []):
                if "valueCoding" in ans:
                    values.append(value_of(link, ans["valueCoding"]["code"]))
                elif "valueDecimal" in ans:
                    values.append(float(ans["valueDecimal"]))
                elif "valueString" in ans:
                    values.append(ans["valueString"])
                elif "valueInteger" in ans:
                    values.append(int(ans["valueInteger"]))
            if values:
                scope[link] = values if d.get("repeats") else values[0]

    out: dict[str, Any] = {}
    read(response.get("item", []), out)
    return out


def _obs(rid: str, suffix: str, code: tuple[str, str], when: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{rid}-{suffix}",
        "status": "final",
        "category": [{"coding": [{"system": C.OBS_CATEGORY, "code": "survey",
                                  "display": "Survey"}]}],
        "code": {"coding": [{"system": C.LOINC, "code": code[0], "display": code[1]}]},
        "effectiveDateTime": when,
        "issued": when,
    }


def observations(summary: SavedSummary, qr_url: str) -> list[dict[str, Any]]:
    """Panel and total Observations for the PHQ-9 and GAD-7, and the item-9 Observation."""
    when = _instant(summary.authored)
    derived = [{"reference": qr_url}]
    out: list[dict[str, Any]] = []
    for inst, total, band in (
        ("phq9", summary.phq9_total, summary.phq9_band),
        ("gad7", summary.gad7_total, summary.gad7_band),
    ):
        members = []
        if total is not None:
            obs = _obs(summary.id, f"{inst}-total", C.TOTALS[inst], when)
            obs["valueQuantity"] = {"value": total, "unit": "{score}", "system": C.UCUM,
                                    "code": "{score}"}
            if band:
                obs["interpretation"] = [{"text": band}]
            obs["referenceRange"] = [{"low": {"value": 0}, "high":
                                      {"value": C.TOTAL_MAXIMUM[inst]}}]
            obs["derivedFrom"] = derived
            out.append(obs)
            members.append({"reference": f"Observation/{obs['id']}"})
        if inst == "phq9" and summary.item9_value is not None:
            code, display = C.FREQUENCY_ANSWERS[summary.item9_value]
            flag = _obs(summary.id, "phq9-item9", (C.ITEM9, ITEM9_TEXT), when)
            flag["valueCodeableConcept"] = {
                "coding": [{"system": C.LOINC, "code": code, "display": display}]
            }
            interp = POSITIVE if summary.item9_positive else NEGATIVE
            flag["interpretation"] = [{"coding": [{"system": C.INTERPRETATION,
                                                   "code": interp[0], "display": interp[1]}]}]
            flag["derivedFrom"] = derived
            out.append(flag)
            members.append({"reference": f"Observation/{flag['id']}"})
        if members:
            panel = _obs(summary.id, inst, C.PANELS[inst], when)
            panel["hasMember"] = members
            panel["derivedFrom"] = derived
            out.append(panel)
    return out


def document_reference(summary: SavedSummary, pdf: bytes, qr_url: str) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": f"{summary.id}-pdf",
        "status": "current",
        "description": PDF_TITLE,
        "date": _instant(summary.authored),
        "content": [{"attachment": {
            "contentType": "application/pdf",
            "data": base64.b64encode(pdf).decode("ascii"),
            "title": PDF_TITLE,
            "size": len(pdf),
            "creation": _instant(summary.authored),
        }}],
        "context": {"related": [{"reference": qr_url}]},
    }


def build_bundle(
    base: str,
    response: dict[str, Any],
    summary: SavedSummary,
    pdf: bytes | None,
) -> dict[str, Any]:
    """One collection Bundle: the QuestionnaireResponse, its Observations and the PDF."""
    base = base.rstrip("/")
    qr_url = f"QuestionnaireResponse/{response['id']}"
    resources = [response, *observations(summary, qr_url)]
    if pdf is not None:
        resources.append(document_reference(summary, pdf, qr_url))
    return {
        "resourceType": "Bundle",
        "id": summary.id,
        "type": "collection",
        "timestamp": _instant(None),
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def validate_bundle(data: dict[str, Any]) -> Bundle:
    from fhir.resources.R4B.bundle import Bundle

    return Bundle.model_validate(data)
