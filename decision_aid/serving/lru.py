"""One small thread-safe LRU for per-process caches keyed by a record: the typed summaries,
the rendered summary bodies and the PDFs.

Keys are tuples whose first item is the record id, so everything cached for one record can be
dropped at once (finish, delete, a language change). Entries are also keyed by the row's version,
so a stale entry is never found again; drop() only frees memory early.

An entry not used for `idle_seconds` (15 minutes unless given) is forgotten at the next use of
the cache. A delete drops a record's entries only in the worker that served it; every other
worker's copies are unreachable (a request must find the record row first) and, with this limit,
gone from memory within 15 minutes of their last use once that worker serves anyone.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K", bound=tuple[object, ...])
V = TypeVar("V")

IDLE_SECONDS = 15 * 60


class RecordLRU(Generic[K, V]):
    """At most `size` entries; the least recently used goes first."""

    def __init__(self, size: int, idle_seconds: float = IDLE_SECONDS) -> None:
        self.size = size
        self.idle_seconds = idle_seconds
        # Ordered by last use, oldest first, each with its last-use time (monotonic clock).
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def _forget_idle(self, now: float) -> None:
        while self._items:
            key, (_, used) = next(iter(self._items.items()))
            if now - used < self.idle_seconds:
                return
            del self._items[key]

    def get(self, key: K) -> V | None:
        now = time.monotonic()
        with self._lock:
            self._forget_idle(now)
            found = self._items.get(key)
            if found is None:
                return None
            self._items[key] = (found[0], now)
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        now = time.monotonic()
        with self._lock:
            self._forget_idle(now)
            self._items[key] = (value, now)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, record_id: str) -> None:
        """Forget every entry of one record."""
        with self._lock:
            for key in [k for k in self._items if k[0] == record_id]:
                del self._items[key]
