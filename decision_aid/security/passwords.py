"""Clinician passwords: the length and common-password rules, and argon2id hashing.

The rules follow NIST SP 800-63B and ASVS 2.1: at least 12 and at most 128 characters, no
composition rules, and a check against a maintained list of breached passwords. The list is the
30,000 most common passwords from the Xato 10-million breach corpus, shipped offline inside the
`zxcvbn` package (MIT licence, github.com/dwolfhub/zxcvbn-python); zxcvbn's own guess estimate
catches the same words with dates, keyboard walks and repeats around them.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn score 3 ("safely unguessable", 10^8 guesses or more) is the floor.
MIN_ZXCVBN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide
MIN_CORE_LENGTH = 4

# A common word padded with digits or symbols ("Summer2024!!") is no better than the word.
EXTRA_WORDS = frozenset(
    {"doctor", "nurse", "clinic", "clinician", "hospital", "depression", "decisionaid",
     "correcthorsebatterystaple"}
)

MSG_TOO_SHORT = f"Password must be {MIN_LENGTH} characters or more"
MSG_TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
MSG_TOO_COMMON = (
    "Password is too common and easy to guess. Choose a different password, "
    "for example 3 or more random words"
)
MSG_LIKE_EMAIL = "Password must not contain the email address"

_PADDING = "0123456789!@#$%^&*()-_=+.?,;:~ "
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s"})


@cache
def breached_passwords() -> frozenset[str]:
    # zxcvbn (about 10 MB) loads at the first password check, not in every worker at start.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise(password: str) -> str:
    """NFKC, as NIST asks, so the same password typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def _cores(password: str) -> set[str]:
    folded = password.casefold()
    stripped = folded.strip(_PADDING)
    return {folded, stripped, stripped.translate(_LEET), folded.translate(_LEET).strip(_PADDING)}


def is_common(password: str, user_inputs: list[str] | None = None) -> bool:
    listed = breached_passwords()
    for core in _cores(password):
        if (core in listed and len(core) >= MIN_CORE_LENGTH) or core in EXTRA_WORDS:
            return True
    if len(set(password.casefold())) <= 2:
        return True
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs or [])
    return int(result["score"]) < MIN_ZXCVBN_SCORE


def check_password(password: str, *, email: str | None = None) -> str | None:
    """Return the message for the first rule this password breaks, or None if it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return MSG_TOO_SHORT
    if len(password) > MAX_LENGTH:
        return MSG_TOO_LONG
    folded = password.casefold()
    if email:
        local = email.casefold().split("@", 1)[0]
        if folded == email.casefold() or (len(local) >= 4 and local in folded):
            return MSG_LIKE_EMAIL
    user_inputs = [email.casefold(), email.casefold().split("@", 1)[0]] if email else []
    if is_common(password, user_inputs):
        return MSG_TOO_COMMON
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
