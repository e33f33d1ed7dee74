"""Typed tables: patient responses, clinicians and the audit trail."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from decision_aid.security.crypto import EncryptedJSON
from decision_aid.storage.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class RecordStatus(StrEnum):
    """Where a patient's record is: stored as these strings in a VARCHAR(16) column."""

    DRAFT = "draft"  # while answering
    COMPLETED = "completed"  # once the summary is built
    SAVED = "saved"  # once a retrieval code has been issued


class PatientRecord(Base):
    """One person's answers, from first Continue to a saved summary.

    status moves draft → completed → saved (RecordStatus). Answers and the summary snapshot
    are encrypted at rest.
    """

    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=16, create_constraint=False,
             values_callable=lambda members: [m.value for m in members]),
        default=RecordStatus.DRAFT,
    )
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    page_revisions: Mapped[dict[str, int]] = mapped_column(EncryptedJSON, default=dict)
    summary_snapshot: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, nullable=True)
    sure_answers: Mapped[dict[str, str] | None] = mapped_column(EncryptedJSON, nullable=True)
    content_version: Mapped[str] = mapped_column(String(32))
    consent_version: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    phq9_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gad7_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sure_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Optional words the person adds when sharing (initials, appointment date); encrypted.
    share_label: Mapped[str | None] = mapped_column(EncryptedJSON, nullable=True)
    # The language the person used ("en" or "es"): their summary is saved in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("clinicians.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # Not a ClassVar: SQLAlchemy declares it an instance attribute of Base.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # Keyset pagination for the clinician dashboard: shared summaries, newest first.
        Index("ix_responses_shared_feed", "shared", "shared_at", "id"),
        Index("ix_responses_flagged_feed", "shared", "flagged", "shared_at", "id"),
        Index("ix_responses_updated_at", "updated_at"),
    )




class Clinician(Base):
    __tablename__ = "clinicians"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PatientSession(Base):
    """A patient's server-side session. The cookie carries only a random 256-bit token; this row
    is keyed by its SHA-256, so a copied database does not hand out live sessions.

    `code` is the retrieval code issued in this session (Fernet-encrypted), for the confirmation
    page and the print/PDF made in the same session; it is never put in the cookie. A rotated-away
    row keeps its successor's token (encrypted) for a few seconds only, so a double-clicked save
    lands in the same new session instead of losing it.
    """

    __tablename__ = "patient_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str | None] = mapped_column(EncryptedJSON, nullable=True)
    code_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    successor: Mapped[str | None] = mapped_column(EncryptedJSON, nullable=True)
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """Append-only: the migration adds triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    clinician_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    response_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class ClinicianFactor(Base):
    """A clinician's second factor: an authenticator app (TOTP) or a passkey (WebAuthn).

    The TOTP secret is encrypted at rest; a passkey keeps only its public key. A TOTP factor
    counts only once confirmed with a code; last_step refuses a code used twice.
    """

    __tablename__ = "clinician_factors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64), default="")
    secret: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, nullable=True)
    credential_id: Mapped[str | None] = mapped_column(String(1400), unique=True, nullable=True)
    public_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RecoveryCode(Base):
    """A single-use recovery code, kept only as a keyed hash."""

    __tablename__ = "clinician_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A read-only token for the FHIR API, made by an admin from the CLI.

    Only a keyed hash of the token is kept; `prefix` (the first characters) lets an admin tell
    tokens apart in `fhir-token list`. A revoked token stays as a row, for the audit trail.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(32), default="read")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
