"""Making the FHIR resources inside the app: settings, the cached Questionnaire, Bundles, the PDF.

Settings (app config, else the environment):
  FHIR_CANONICAL_BASE  the stable base of the Questionnaire's canonical URL (set it in production;
                       without it the base URL of the request is used)
  FHIR_PUBLISHER       the Questionnaire's publisher
  FHIR_RATE_LIMIT      limit per API token (default "120 per minute")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, request

from decision_aid.serving.pdf import PdfCache, render_pdf_isolated
from decision_aid.storage.models import PatientRecord

from . import questionnaire as Q
from . import response as R
from . import source

DEFAULT_PUBLISHER = "Depression treatment options decision aid"
DEFAULT_BASE = "http://localhost/fhir"


def setting(name: str, default: str) -> str:
    value = current_app.config.get(name) or os.environ.get(name)
    return str(value) if value else default


def api_base() -> str:
    """Where this server's FHIR API is, for fullUrl and links."""
    if has_request_context():
        return request.url_root.rstrip("/") + "/fhir"
    return setting("FHIR_CANONICAL_BASE", DEFAULT_BASE).rstrip("/")


def canonical_base() -> str:
    return setting("FHIR_CANONICAL_BASE", api_base()).rstrip("/")


def questionnaire_json() -> dict[str, Any]:
    """The generated Questionnaire, validated once per canonical base and cached on the app."""
    base = canonical_base()
    cache: dict[str, dict[str, Any]] = current_app.extensions.setdefault("fhir_questionnaire", {})
    if base not in cache:
        data = Q.build_questionnaire(
            current_app.extensions["content"], base, setting("FHIR_PUBLISHER", DEFAULT_PUBLISHER)
        )
        Q.validate(data)
        cache[base] = data
    return cache[base]


def response_json(record: PatientRecord, validate: bool = False) -> dict[str, Any]:
    """The QuestionnaireResponse. Search pages skip `validate` (about 10 ms each); the tests
    and `fhir-check` parse every one, and single reads and Bundles are parsed when served."""
    content = current_app.extensions["content"]
    summary = source.from_record(record)
    answers = source.effective_answers(record, content.questionnaire)
    data = R.build_response(questionnaire_json(), summary, answers, source.sure_answers(record))
    if validate:
        from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

        QuestionnaireResponse.model_validate(data)
    return data


def bundle_json(record: PatientRecord, pdf: bytes | None) -> dict[str, Any]:
    data = R.build_bundle(api_base(), response_json(record), source.from_record(record), pdf)
    R.validate_bundle(data)
    return data


def clinician_pdf(record: PatientRecord) -> bytes:
    """The clinician summary PDF, from the same cache the review page's PDF uses."""
    from ..clinician import review

    cache = current_app.extensions.get("pdf_cache")
    if not isinstance(cache, PdfCache):
        cache = PdfCache(int(current_app.config.get("PDF_CACHE_SIZE", 64)))
        current_app.extensions["pdf_cache"] = cache
    key = (record.id, str(record.version), "clinician")
    pdf = cache.get(key)
    if pdf is None:
        html = review._render(record, "pdf")
        pdf = render_pdf_isolated(html, Path(str(current_app.static_folder)))
        cache.put(key, pdf)
    return pdf
