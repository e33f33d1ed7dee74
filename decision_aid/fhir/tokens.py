"""API tokens for the FHIR API: made from the CLI, shown once, kept only as a keyed hash.

Every token is read-only (the API has no write operations at all). A token can be revoked at
once and may carry an expiry date. Checking a token costs one indexed lookup by its hash.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from decision_aid.security.crypto import keyed_hash
from decision_aid.storage.db import get_session
from decision_aid.storage.models import ApiToken, utcnow

from .source import as_utc

TOKEN_PREFIX = "dafhir_"  # noqa: S105 - a label, not a secret
READ_SCOPE = "read"
SHOWN_PREFIX = 12
MAX_TOKEN_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    id: int
    name: str
    secret: str  # shown once, never stored


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


def _hash(secret: str) -> str:
    return keyed_hash(str(current_app.config["CODE_PEPPER"]), "api-token:" + secret)


def create(name: str, days: int | None = None) -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        token_hash=_hash(secret),
        scope=READ_SCOPE,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db = get_session()
    db.add(token)
    db.flush()
    return NewToken(token.id, name, secret)


def _info(t: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        scope=t.scope,
        created_at=as_utc(t.created_at) or utcnow(),
        last_used_at=as_utc(t.last_used_at),
        expires_at=as_utc(t.expires_at),
        revoked_at=as_utc(t.revoked_at),
    )


def all_tokens() -> list[TokenInfo]:
    return [_info(t) for t in get_session().scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke(token_id: int) -> TokenInfo | None:
    token = get_session().get(ApiToken, token_id)
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return _info(token)


def bearer(header: str | None) -> str | None:
    """The token from an `Authorization: Bearer ...` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > MAX_TOKEN_LENGTH:
        return None
    return value


def check(secret: str | None) -> TokenInfo | None:
    """The live read-scoped token for this secret, or None (unknown, revoked or expired)."""
    if secret is None:
        return None
    token = get_session().scalars(
        select(ApiToken).where(ApiToken.token_hash == _hash(secret))
    ).first()
    if token is None:
        return None
    info = _info(token)
    if info.state != "active" or info.scope != READ_SCOPE:
        return None
    now = utcnow()
    if info.last_used_at is None or now - info.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        get_session().commit()
    return info
