"""Field encryption for health answers, and keyed hashing for codes.

Answers and summary snapshots are encrypted with Fernet (AES-CBC + HMAC) before they reach the
database, so a copied database file or dump does not reveal them. DATA_KEYS holds one or more
Fernet keys separated by commas: the first encrypts, all of them decrypt. To retire a key, put
the new key first, run `flask --app decision_aid rotate-data-keys` (re-encrypts every row under
the first key; see cli.py), then drop the old key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import Text, TypeDecorator

_fernet: MultiFernet | None = None
_primary: Fernet | None = None


class MissingKeyError(ValueError):
    """Stored data was encrypted with a key that DATA_KEYS no longer holds (or was altered)."""


def configure(data_keys: str) -> None:
    global _fernet, _primary
    keys = [k.strip() for k in data_keys.split(",") if k.strip()]
    if not keys:
        raise ValueError("DATA_KEYS holds no key")
    fernets = [Fernet(k.encode()) for k in keys]
    _fernet = MultiFernet(fernets)
    _primary = fernets[0]


def _cipher() -> MultiFernet:
    if _fernet is None:
        raise RuntimeError("crypto.configure() has not been called")
    return _fernet


def encrypt_json(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return _cipher().encrypt(raw).decode()


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(_cipher().decrypt(token.encode()))
    except InvalidToken as exc:
        raise MissingKeyError(
            "stored data could not be decrypted with the configured keys") from exc


def under_first_key(token: str) -> bool:
    """True if the first (encrypting) key opens this token, so rotation can skip it."""
    _cipher()
    assert _primary is not None
    try:
        _primary.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same plaintext encrypted under the first key (MissingKeyError if no key opens it)."""
    try:
        return _cipher().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise MissingKeyError("no configured key opens this value") from exc


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored as Fernet ciphertext in a text column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else decrypt_json(value)


def keyed_hash(pepper: str, value: str) -> str:
    return hmac.new(pepper.encode(), value.encode(), hashlib.sha256).hexdigest()
