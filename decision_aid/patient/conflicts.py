"""A journey view whose write finds the record changed since it was read (a double click, two
tabs): the row version check fails, and the view is answered once more from the record as it
is now. A second change in a row gets the 409 page. With storage.db.reads_first on SQLite, and
on PostgreSQL always, two requests can read the same version; the version decides.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import abort, g
from sqlalchemy.orm.exc import StaleDataError

from decision_aid.storage.db import get_session

from . import sessions

P = ParamSpec("P")
R = TypeVar("R")
_MAY_ANSWER_AGAIN = "may_answer_again"


class RecordChanged(Exception):
    """Another request wrote the record after this one read it (the row version moved)."""


def answered_again_if_changed(view: Callable[P, R]) -> Callable[P, R]:
    """Run the view once more, from the record as it is now, when commit_record() found the
    record changed."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        setattr(g, _MAY_ANSWER_AGAIN, True)
        try:
            return view(*args, **kwargs)
        except RecordChanged:
            setattr(g, _MAY_ANSWER_AGAIN, False)
            sessions.forget_read()  # the session too is read again (another tab may have ended it)
            return view(*args, **kwargs)

    return wrapped


def commit_record() -> None:
    """Commit; when the record changed meanwhile, roll back and have the view answered again
    (or 409 when it was already, or the view is not wrapped)."""
    db = get_session()
    try:
        db.commit()
    except StaleDataError:
        db.rollback()  # every object read is expired: the next read sees the record as it is
        if not g.get(_MAY_ANSWER_AGAIN):
            abort(409)
        raise RecordChanged from None
