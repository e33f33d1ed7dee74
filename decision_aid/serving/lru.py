"""One small thread-safe LRU for per-process caches keyed by a record: the typed summaries,
the rendered summary bodies and the PDFs.

Keys are tuples whose first item is the record id, so everything cached for one record can be
dropped at once (finish, delete, a language change). Entries are also keyed by the row's version,
so a stale entry is never found again; drop() only frees memory early.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K", bound=tuple[object, ...])
V = TypeVar("V")


class RecordLRU(Generic[K, V]):
    """At most `size` entries; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, record_id: str) -> None:
        """Forget every entry of one record."""
        with self._lock:
            for key in [k for k in self._items if k[0] == record_id]:
                del self._items[key]
