"""Retrieval codes: 80 random bits shown as 16 Crockford base32 characters in groups of four."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    """Return a fresh canonical code (no hyphens) from the operating system's CSPRNG."""
    number = int.from_bytes(secrets.token_bytes(10), "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    return "".join(reversed(chars))


def display(code: str) -> str:
    """Group a canonical code as XXXX-XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(typed: str) -> str | None:
    """Turn what a person typed into the canonical code, or None if it cannot be one."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t\r\n").translate(_TRANSLATE)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
