"""A half-finished sign-in: the password was right, the second factor (or its set-up) is next.

It lives in the session for a few minutes, holds no rights of its own, and names the account's
session generation, so signing out everywhere or disabling the account also ends it.
"""

from __future__ import annotations

import time

from flask import session
from flask_login import current_user

from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

SESSION_PENDING = "clin_pending"
MAX_TRIES = 5
LIFETIME = {"verify": 5 * 60, "enrol": 15 * 60}


def begin_pending(clinician: Clinician, stage: str, next_url: str | None) -> None:
    session.clear()
    session[SESSION_PENDING] = {
        "id": clinician.id,
        "gen": int(clinician.session_generation or 0),
        "at": time.time(),
        "next": next_url or "",
        "stage": stage,
        "tries": 0,
    }


def _state() -> dict[str, object] | None:
    value = session.get(SESSION_PENDING)
    return value if isinstance(value, dict) else None


def pending_clinician(stage: str) -> Clinician | None:
    """The account waiting at this stage, or None (expired, ended, or never begun)."""
    state = _state()
    if state is None or state.get("stage") != stage:
        return None
    started = state.get("at")
    if not isinstance(started, (int, float)) or time.time() - started > LIFETIME[stage]:
        session.pop(SESSION_PENDING, None)
        return None
    cid = state.get("id")
    if not isinstance(cid, int):
        return None
    clinician = get_session().get(Clinician, cid)
    if clinician is None or not clinician.active or clinician.session_generation != state.get(
            "gen"):
        session.pop(SESSION_PENDING, None)
        return None
    return clinician


def pending_next() -> str | None:
    state = _state() or {}
    value = state.get("next")
    return value if isinstance(value, str) and value else None


def count_try() -> int:
    """One more wrong second factor in this sign-in; returns how many so far."""
    state = dict(_state() or {})
    previous = state.get("tries")
    tries = (previous if isinstance(previous, int) else 0) + 1
    state["tries"] = tries
    session[SESSION_PENDING] = state
    return tries


def clear_pending() -> None:
    session.pop(SESSION_PENDING, None)


def enrolling_clinician() -> Clinician | None:
    """Who may add a factor now: the signed-in clinician, or one made to set one up at sign-in."""
    if current_user.is_authenticated:
        return get_session().get(Clinician, int(current_user.id))
    return pending_clinician("enrol")
