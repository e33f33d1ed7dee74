"""The CapabilityStatement served at /fhir/metadata: what this read-only server offers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import codes as C

SOFTWARE = "Depression treatment options decision aid"
SECURITY = (
    "Send an API token as 'Authorization: Bearer <token>'. Tokens are read-only and made by an "
    "administrator from the command line. Only summaries the person chose to share are served. "
    "The CapabilityStatement and the Questionnaire need no token."
)


def _read(
    kind: str, profile: str | None = None, search: list[Any] | None = None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "type": kind,
        "interaction": [{"code": "read"}],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
    }
    if profile:
        resource["profile"] = profile
    if search is not None:
        resource["interaction"].append({"code": "search-type"})
    if search:
        resource["searchParam"] = search
    return resource


def capability_statement(base: str) -> dict[str, Any]:
    data = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": datetime.now(UTC).date().isoformat(),
        "kind": "instance",
        "software": {"name": SOFTWARE},
        "implementation": {"description": "Read-only FHIR API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": False,
                "service": [{"text": "API token (Bearer)"}],
                "description": SECURITY,
            },
            "resource": [
                _read("Questionnaire", C.SDC_QUESTIONNAIRE.split("|")[0], search=[]),
                _read("QuestionnaireResponse", C.SDC_RESPONSE.split("|")[0], search=[
                    {"name": "shared", "type": "date",
                     "documentation": "When the person shared the summary (eq, ge, gt, le, lt)."},
                    {"name": "flagged", "type": "token",
                     "documentation": "true: PHQ-9 item 9 was answered above 'Not at all'."},
                    {"name": "_count", "type": "number",
                     "documentation": "Page size, 1 to 200 (default 50)."},
                ]),
                _read("Observation"),
                _read("DocumentReference"),
                _read("Bundle"),
            ],
        }],
    }
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(data)
    return data
