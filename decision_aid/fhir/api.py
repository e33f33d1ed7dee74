"""The read-only FHIR R4 REST API at /fhir, for clinic systems holding an API token.

Public: GET /fhir/metadata, GET /fhir/Questionnaire[/<id>] (the questions hold no patient data).
With `Authorization: Bearer <token>`: QuestionnaireResponse read and search, Bundle,
Observation and DocumentReference read. Only shared, saved, unexpired summaries are ever found;
anything else is a 404, the same as an unknown id. Every read and refusal is audited.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from typing import Any

from flask import Blueprint, Flask, g, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from decision_aid.security import audit
from decision_aid.security.crypto import MissingKeyError
from decision_aid.serving.extensions import client_ip, limiter
from decision_aid.serving.pdf import PdfTimeout
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord

from ..clinician.access import live_condition
from . import build, capability, search, tokens
from .outcomes import fhir_response, outcome
from .questionnaire import QUESTIONNAIRE_ID

log = logging.getLogger("decision_aid.fhir")

bp = Blueprint("fhir", __name__, url_prefix="/fhir")
PUBLIC = frozenset({"fhir.metadata", "fhir.questionnaire", "fhir.questionnaires"})
NOT_FOUND = "No resource with this id is available to this token."
DEFAULT_RATE = "120 per minute"
FAILED_AUTH_RATE = "20 per minute"


def _rate() -> str:
    return build.setting("FHIR_RATE_LIMIT", DEFAULT_RATE)


def _token_key() -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        return "fhir-ip:" + client_ip()
    return "fhir-token:" + hashlib.sha256(header.encode()).hexdigest()[:32]


limiter.limit(_rate, key_func=_token_key)(bp)
limiter.limit(FAILED_AUTH_RATE, key_func=client_ip, deduct_when=lambda r: r.status_code == 401)(bp)


def _actor() -> str:
    token = g.get("fhir_token")
    return f"token:{token.id}" if token is not None else "anonymous"


@bp.before_request
def _require_token() -> BaseResponse | None:
    if request.endpoint in PUBLIC or request.endpoint == "fhir.unsupported":
        return None
    token = tokens.check(tokens.bearer(request.headers.get("Authorization")))
    if token is None:
        audit.record("fhir_read", actor="anonymous", outcome="denied", detail="no_valid_token")
        return outcome(401, "A valid API token is needed: Authorization: Bearer <token>.")
    g.fhir_token = token
    return None


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> BaseResponse:
    status = exc.code or 500
    messages = {
        404: "This server has no such FHIR endpoint.",
        405: "This FHIR API is read-only: only GET is supported.",
        429: "Too many requests for this token. Wait a minute and try again.",
    }
    resp = outcome(status, messages.get(status, exc.description or exc.name))
    if status == 429:
        resp.headers["Retry-After"] = "60"
    return resp


@bp.errorhandler(OperationalError)
def _db_down(_exc: OperationalError) -> BaseResponse:
    log.error("fhir database_unavailable path=%s", request.path)
    get_session().rollback()
    resp = outcome(503, "The database is not available just now. Try again shortly.")
    resp.headers["Retry-After"] = "5"
    return resp


@bp.errorhandler(PdfTimeout)
def _pdf_slow(_exc: PdfTimeout) -> BaseResponse:
    resp = outcome(503, "The PDF took too long to make. Try again shortly.")
    resp.headers["Retry-After"] = "10"
    return resp


@bp.errorhandler(search.BadSearch)
def _bad_search(exc: search.BadSearch) -> BaseResponse:
    return outcome(400, str(exc))


@bp.errorhandler(MissingKeyError)
def _key_missing(exc: MissingKeyError) -> BaseResponse:
    """A record saved under a data key DATA_KEYS no longer holds: 503, and an audit row."""
    named = getattr(exc, "record_id", None) or next(iter((request.view_args or {}).values()), "")
    record_id = str(named)[:36] if _is_uuid(str(named)[:36]) else None
    log.error("fhir data_key_missing path=%s record=%s", request.path, record_id)
    get_session().rollback()
    audit.record("fhir_read", actor=_actor(), response_id=record_id, outcome="error",
                 detail="data_key_missing")
    resp = outcome(503, "This record cannot be read on this server just now (its data key is "
                        "not configured). Tell the people who run this server.")
    resp.headers["Retry-After"] = "5"
    return resp


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> BaseResponse:
    error_id = secrets.token_hex(4)
    log.error("fhir unexpected error_id=%s path=%s type=%s", error_id, request.path,
              type(exc).__name__)
    get_session().rollback()
    return outcome(500, f"Something went wrong on the server (error {error_id}).")


@bp.get("/metadata")
def metadata() -> BaseResponse:
    return fhir_response(capability.capability_statement(build.api_base()))


@bp.get("/Questionnaire/<qid>")
def questionnaire(qid: str) -> BaseResponse:
    if qid != QUESTIONNAIRE_ID:
        return outcome(404, "There is no Questionnaire with this id.")
    return fhir_response(build.questionnaire_json())


@bp.get("/Questionnaire")
def questionnaires() -> BaseResponse:
    data = build.questionnaire_json()
    return fhir_response(search.searchset(build.api_base(), request.url, [data], None))


def shared_record(rid: str) -> PatientRecord | None:
    """The record if it is shared and live, else None (malformed ids included)."""
    try:
        uuid.UUID(rid)
    except ValueError:
        return None
    stmt = select(PatientRecord).where(
        PatientRecord.id == rid, PatientRecord.shared.is_(True), live_condition())
    return get_session().scalars(stmt).first()


def _load(rid: str, kind: str) -> PatientRecord | None:
    record = shared_record(rid)
    if record is None:
        audit.record("fhir_read", actor=_actor(), outcome="denied", detail=f"{kind}:not_found")
        return None
    audit.record("fhir_read", actor=_actor(), response_id=record.id, detail=kind)
    return record


@bp.get("/QuestionnaireResponse/<rid>")
def questionnaire_response(rid: str) -> BaseResponse:
    record = _load(rid, "QuestionnaireResponse")
    if record is None:
        return outcome(404, NOT_FOUND)
    return fhir_response(build.response_json(record, validate=True))


@bp.get("/QuestionnaireResponse")
def search_responses() -> BaseResponse:
    query = search.parse(request.args)
    records, cursor = search.run(query)
    for record in records:
        audit.record("fhir_read", actor=_actor(), response_id=record.id,
                     detail="QuestionnaireResponse:search", commit=False)
    audit.record("fhir_search", actor=_actor(), detail=f"{query.describe()} results={len(records)}")
    resources = [build.response_json(r) for r in records]
    return fhir_response(search.searchset(build.api_base(), request.url, resources, cursor))


@bp.get("/Bundle/<rid>")
def bundle(rid: str) -> BaseResponse:
    record = _load(rid, "Bundle")
    if record is None:
        return outcome(404, NOT_FOUND)
    return fhir_response(build.bundle_json(record, build.clinician_pdf(record)))


def _part(kind: str, resource_id: str) -> BaseResponse:
    record = _load(resource_id[:36], kind)
    if record is None:
        return outcome(404, NOT_FOUND)
    pdf = build.clinician_pdf(record) if kind == "DocumentReference" else None
    for entry in build.bundle_json(record, pdf)["entry"]:
        resource: dict[str, Any] = entry["resource"]
        if resource["resourceType"] == kind and resource["id"] == resource_id:
            return fhir_response(resource)
    return outcome(404, NOT_FOUND)


@bp.get("/Observation/<oid>")
def observation(oid: str) -> BaseResponse:
    return _part("Observation", oid)


@bp.get("/DocumentReference/<did>")
def document_reference(did: str) -> BaseResponse:
    return _part("DocumentReference", did)


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unsupported(rest: str) -> BaseResponse:
    if request.method != "GET":
        return outcome(405, "This FHIR API is read-only: only GET is supported.")
    return outcome(404, "This server has no such FHIR endpoint.")


def init_api(app: Flask) -> None:
    from decision_aid.serving.extensions import csrf

    csrf.exempt(bp)  # no cookies are used here and nothing but GET is served
    app.register_blueprint(bp)
