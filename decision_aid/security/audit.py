"""Append-only audit trail: who did what to which record, never the answers themselves."""

from __future__ import annotations

import ipaddress
import logging

from flask import has_request_context, request

from decision_aid.storage.db import get_session
from decision_aid.storage.models import AuditEvent

log = logging.getLogger("decision_aid.security.audit")

ACTIONS = {
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "lockout",
    "view",
    "print",
    "pdf",
    "open_by_code",
    "open_by_code_failed",
    "mark_reviewed",
    "audit_view",
    "audit_export",
    "patient_save",
    "patient_open",
    "patient_open_failed",
    "patient_share",
    "patient_unshare",
    "patient_pdf",
    "patient_delete",
    "purge",
    "clinician_created",
    "clinician_disabled",
    "mfa_enrolled",
    "mfa_enrol_failed",
    "mfa_removed",
    "mfa_recovery_used",
    "mfa_recovery_new",
    "password_changed",
    "password_change_failed",
}


def truncated_ip() -> str | None:
    """Keep the network, drop the host part (IPv4 /24, IPv6 /48): enough to spot abuse."""
    if not has_request_context() or not request.remote_addr:
        return None
    try:
        ip = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record(
    action: str,
    *,
    actor: str,
    clinician_id: int | None = None,
    response_id: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    commit: bool = True,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        actor=actor,
        clinician_id=clinician_id,
        action=action,
        response_id=response_id,
        outcome=outcome,
        ip=truncated_ip(),
        detail=detail,
    )
    session = get_session()
    session.add(event)
    if commit:
        session.commit()
    log.info("audit action=%s actor=%s outcome=%s", action, actor, outcome)
    return event
