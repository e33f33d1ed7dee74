"""Field encryption for health answers, and keyed hashing for codes.

Answers and summary snapshots are encrypted with Fernet (AES-CBC + HMAC) before they reach the
database, so a copied database file or dump does not reveal them. DATA_KEYS holds one or more
Fernet keys separated by commas: the first encrypts, all of them decrypt (key rotation).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import Text, TypeDecorator

_fernet: MultiFernet | None = None


def configure(data_keys: str) -> None:
    global _fernet
    keys = [k.strip() for k in data_keys.split(",") if k.strip()]
    if not keys:
        raise ValueError("DATA_KEYS holds no key")
    _fernet = MultiFernet([Fernet(k.encode()) for k in keys])


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
        raise ValueError("stored data could not be decrypted with the configured keys") from exc


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
