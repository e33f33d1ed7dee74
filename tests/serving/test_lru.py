"""The per-record caches forget what has not been used for a while (summaries, bodies, PDFs)."""

from __future__ import annotations

import pytest

from decision_aid.serving import lru
from decision_aid.serving.lru import RecordLRU


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(lru.time, "monotonic", fake)
    return fake


def test_an_idle_entry_is_forgotten_at_the_next_use(clock: Clock) -> None:
    cache: RecordLRU[tuple[str, int], bytes] = RecordLRU(10, idle_seconds=60)
    cache.put(("deleted-elsewhere", 1), b"pdf")
    cache.put(("in-use", 1), b"summary")
    clock.now += 50
    assert cache.get(("in-use", 1)) == b"summary"  # used again: its idle time starts over
    clock.now += 20  # the first entry idle 70 s, the second 20 s
    assert cache.get(("other", 1)) is None
    assert len(cache) == 1
    assert cache.get(("deleted-elsewhere", 1)) is None
    assert cache.get(("in-use", 1)) == b"summary"


def test_the_default_idle_limit_is_15_minutes(clock: Clock) -> None:
    cache: RecordLRU[tuple[str], str] = RecordLRU(10)
    cache.put(("r",), "body")
    clock.now += 15 * 60 - 1
    assert cache.get(("r",)) == "body"
    clock.now += 15 * 60
    cache.put(("s",), "other")
    assert cache.get(("r",)) is None and len(cache) == 1


def test_size_bound_and_drop(clock: Clock) -> None:
    cache: RecordLRU[tuple[str, int], str] = RecordLRU(2)
    cache.put(("a", 1), "a1")
    cache.put(("a", 2), "a2")
    cache.get(("a", 1))
    cache.put(("b", 1), "b1")  # ("a", 2) was least recently used
    assert cache.get(("a", 2)) is None and cache.get(("a", 1)) == "a1"
    cache.drop("a")
    assert cache.get(("a", 1)) is None and cache.get(("b", 1)) == "b1"
