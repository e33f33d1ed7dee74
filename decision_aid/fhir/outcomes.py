"""FHIR JSON responses and OperationOutcome errors (never an HTML page under /fhir)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

FHIR_JSON = "application/fhir+json"

# HTTP status -> OperationOutcome issue code
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    429: "throttled",
    500: "exception",
    503: "transient",
}


def fhir_response(data: dict[str, Any], status: int = 200, filename: str | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    resp = Response(body, status=status, mimetype=FHIR_JSON)
    resp.headers["Cache-Control"] = "no-store"
    if filename:
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def outcome(status: int, message: str) -> Response:
    # fhir.resources and pydantic (about 13 MB) load at the first FHIR request, not at start.
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    data = {
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error" if status < 500 or status == 503 else "fatal",
            "code": ISSUE_CODES.get(status, "processing"),
            "diagnostics": message,
        }],
    }
    OperationOutcome.model_validate(data)
    resp = fhir_response(data, status)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return resp
