"""SQLAlchemy 2 engine, one session per request, and the declarative Base."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from decision_aid.serving.config import normalise_database_url

V = TypeVar("V", bound=Callable[..., Any])


class Base(DeclarativeBase):
    pass


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_DEFERRED = "sqlite_deferred_read"
_READS_FIRST = "reads_first"
_WRITER = "sqlite_writer_turn"
# A writer waits this long for the lock before giving up with a 503: under a burst of saves
# (100 patients, 16 threads) 5 s was not always enough on 2 cores.
BUSY_TIMEOUT_MS = 15000
WRITER_TURN_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000


def reads_first(view: V) -> V:
    """Mark a view whose writes all come at its end (below its route decorator). On SQLite its
    transaction begins as a read, like a GET's, and takes the write lock at its first write,
    so other patients' saves do not wait while this one works out its page; a row another
    request changed in between fails the row's version check (StaleDataError)."""
    setattr(view, _READS_FIRST, True)
    return view


def _reading_request() -> bool:
    if not has_request_context():
        return False
    if request.method in READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _READS_FIRST, False))


def _takes_the_lock(statement: str, context: Any) -> bool:
    """A write, or a read that asked for row locks (SELECT ... FOR UPDATE on PostgreSQL)."""
    if statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str) -> Engine:
    """SQLite for development and small single-host use: WAL, a busy timeout, and write
    transactions that take the write lock up front (BEGIN IMMEDIATE), so a writer waits for
    the lock instead of failing with SQLITE_BUSY when it upgrades a read. It also serialises
    two POSTs for one record (a double click): the second sees the first's save.

    GET requests only read (apart from an audit row), so they begin DEFERRED and never queue
    behind writers for the lock (WAL readers do not block); so do the views marked reads_first
    (the journey's pages answer again when the version check fails: patient/conflicts.py). At
    its first write, or its first read with row locks (with_for_update), such a transaction
    ends its read snapshot (nothing was written yet) and begins IMMEDIATE, waiting for the lock
    like any writer; rows it read earlier are still protected by the optimistic version check.

    Writers of one process queue for their turn on a lock of their own before BEGIN IMMEDIATE
    (WriterTurns): a thread waiting there wakes the moment the lock is free, while one waiting
    inside SQLite's busy handler polls, sleeping up to 100 ms between tries, and a newcomer can
    overtake it. So SQLite's lock is only contended between processes, one writer from each.
    """
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    turns = _TURNS[engine] = WriterTurns(WRITER_TURN_TIMEOUT_S)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy issue BEGIN itself instead of pysqlite.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the file and loses no commit when the app crashes;
        # only a power cut may drop the last commits. FULL paid an fsync (~10 ms) per commit.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
        deferred = _reading_request()
        conn.info[_DEFERRED] = deferred
        if deferred:
            conn.exec_driver_sql("BEGIN")
            return
        turns.take(conn.info)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(conn.info)
            raise

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_upgrade(conn, cursor, statement, _params, context, _many):  # type: ignore[no-untyped-def]
        if conn.info.get(_DEFERRED) and _takes_the_lock(statement, context):
            conn.info[_DEFERRED] = False
            cursor.execute("COMMIT")  # nothing was written yet: this only ends the snapshot
            turns.take(conn.info)
            cursor.execute("BEGIN IMMEDIATE")

    # The turn ends when the connection goes back to the pool (after its COMMIT), or at a
    # rollback, or if the connection is thrown away.
    event.listen(engine, "rollback", lambda conn: turns.give_back(conn.info))
    event.listen(engine.pool, "reset",
                 lambda _dbapi, record, _state: turns.give_back(record.info))
    event.listen(engine.pool, "checkin", lambda _dbapi, record: turns.give_back(record.info))
    event.listen(engine.pool, "invalidate",
                 lambda _dbapi, record, _exc: turns.give_back(record.info))
    event.listen(engine.pool, "close", lambda _dbapi, record: turns.give_back(record.info))
    return engine


def writer_turns(engine: Engine) -> WriterTurns | None:
    """The writers' queue of a SQLite engine made here (None for PostgreSQL)."""
    return _TURNS.get(engine)


class WriterTurns:
    """One writer at a time per process. A turn not given back within `timeout` (a bug) is not
    waited for forever: the writer then goes on to SQLite's own busy wait."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()

    def take(self, info: dict[Any, Any]) -> None:
        if not info.get(_WRITER):
            info[_WRITER] = self._lock.acquire(timeout=self.timeout)

    def give_back(self, info: dict[Any, Any]) -> None:
        if info.pop(_WRITER, False):
            self._lock.release()

    def taken(self) -> bool:
        return self._lock.locked()


_TURNS: weakref.WeakKeyDictionary[Engine, WriterTurns] = weakref.WeakKeyDictionary()


def init_db(app: Flask) -> None:
    engine = make_engine(str(app.config["DATABASE_URL"]))
    app.extensions["db_engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    session: Session | None = g.get("db_session")
    if session is None:
        session = g.db_session = current_app.extensions["sessionmaker"]()
    return session


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()

