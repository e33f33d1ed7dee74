"""Clinician passwords: the length and common-password rules, and argon2id hashing.

The rules follow NIST SP 800-63B and ASVS 2.1: at least 12 and at most 128 characters, no
composition rules, and a check against a built-in list of common and breached passwords.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128

# Passwords of 12 or more characters that top public breach lists; shorter ones fail on length.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "1234567890123", "12345678901234", "123456789000", "111111111111",
        "000000000000", "123123123123", "123321123321", "987654321098", "098765432109",
        "qwertyuiop12", "qwertyuiopas", "qwerty123456", "qwertyqwerty", "qwerty12345678",
        "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "asdfghjkl123", "asdfasdfasdf",
        "abcdefghijkl", "abcd1234abcd", "abc123abc123", "aaaaaaaaaaaa", "password1234",
        "password12345", "password123!", "passw0rd1234", "p@ssw0rd1234", "p@$$w0rd1234",
        "passwordpassword", "password@123", "mypassword123", "thisismypassword",
        "iloveyou1234", "iloveyou12345", "welcome12345", "welcome@1234", "letmein12345",
        "changeme1234", "changeme12345", "administrator", "admin1234567", "admin@123456",
        "trustno1trustno1", "correcthorsebatterystaple", "monkey123456", "dragon123456",
        "sunshine1234", "princess1234", "superman1234", "starwars1234", "football1234",
        "baseball1234", "michael12345", "jennifer1234", "computer1234", "internet1234",
        "whatever1234", "hello1234567", "helloworld123", "qazwsxedcrfv", "1qazxsw23edc",
        "iloveyouiloveyou", "nopassword123", "letmeinletmein", "secret123456",
    }
)

# A common word padded with digits or symbols ("Password2024!") is no better than the word.
COMMON_WORDS = frozenset(
    {
        "password", "passw0rd", "qwerty", "iloveyou", "welcome", "letmein", "changeme",
        "admin", "administrator", "secret", "football", "baseball", "monkey", "dragon",
        "sunshine", "princess", "superman", "starwars", "trustno1", "master", "login",
        "hello", "doctor", "nurse", "clinic", "clinician", "hospital", "depression",
        "decisionaid",
    }
)

MSG_TOO_SHORT = f"Password must be {MIN_LENGTH} characters or more"
MSG_TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
MSG_TOO_COMMON = (
    "Password is too common and easy to guess. Choose a different password, "
    "for example 3 or more random words"
)
MSG_LIKE_EMAIL = "Password must not contain the email address"

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s"})


def normalise(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def _core_word(password: str) -> str:
    return password.casefold().strip("0123456789!@#$%^&*()-_=+.?,;:~ ").translate(_LEET)


def check_password(password: str, *, email: str | None = None) -> str | None:
    """Return the message for the first rule this password breaks, or None if it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return MSG_TOO_SHORT
    if len(password) > MAX_LENGTH:
        return MSG_TOO_LONG
    folded = password.casefold()
    if (
        folded in COMMON_PASSWORDS
        or len(set(folded)) <= 2
        or _core_word(password) in COMMON_WORDS
        or _core_word(password.rstrip("0123456789!@#$%^&*()-_=+.?,;:~ ")) in COMMON_WORDS
    ):
        return MSG_TOO_COMMON
    if email:
        local = email.casefold().split("@", 1)[0]
        if folded == email.casefold() or (len(local) >= 4 and local in folded):
            return MSG_LIKE_EMAIL
    return None


def hasher(profile: str = "default") -> PasswordHasher:
    """argon2-cffi defaults (RFC 9106 low-memory) in production; a cheap profile for tests."""
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, profile: str = "default") -> str:
    return hasher(profile).hash(normalise(password))


def verify_password(stored_hash: str, password: str, profile: str = "default") -> bool:
    try:
        return hasher(profile).verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, profile: str = "default") -> bool:
    try:
        return hasher(profile).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


_DUMMY: dict[str, str] = {}


def dummy_hash(profile: str = "default") -> str:
    """A hash to verify against when no account matches, so both paths take similar time."""
    if profile not in _DUMMY:
        _DUMMY[profile] = hash_password("no account has this password", profile)
    return _DUMMY[profile]
