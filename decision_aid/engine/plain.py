"""Frozen dataclasses to JSON-ready values and back, driven by their type hints.

The saved summary snapshot is `to_plain(summary)`; `from_plain(Summary, data)` rebuilds exactly
the same value (tuples, dates, nested records, `Claim | NotKnown` unions). A record class that
brings its own `to_dict` / `from_dict` (such as TrialAssessment) is converted with those.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


class SnapshotError(ValueError):
    """A stored value does not have the shape its record expects."""


def to_plain(value: Any, *, own: bool = True) -> Any:
    """JSON-ready lists, dicts, strings and numbers for a record (own=False: use its to_dict)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not own and hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: to_plain(getattr(value, f.name), own=False)
                for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        return [to_plain(v, own=False) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, own=False) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(cls: type[T], data: Any, *, own: bool = True) -> T:
    """The record of type `cls` that `to_plain` turned into `data`."""
    return typing.cast(T, _convert(cls, data, own=own))


def _record(cls: type, data: Any, own: bool) -> Any:
    if not own and hasattr(cls, "from_dict"):
        return cls.from_dict(data)
    if not isinstance(data, Mapping):
        raise SnapshotError(f"{cls.__name__}: expected a mapping")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _convert(hints[f.name], data[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise SnapshotError(f"{cls.__name__}: {f.name} is missing")
    return cls(**values)


def _fits(cls: type, data: Any) -> bool:
    if not isinstance(data, Mapping):
        return False
    names = {f.name for f in dataclasses.fields(cls)}
    required = {f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    return required <= data.keys() <= names


def _convert(tp: Any, data: Any, own: bool = False) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        members = typing.get_args(tp)
        if data is None and type(None) in members:
            return None
        records: list[type] = [m for m in members
                               if isinstance(m, type) and dataclasses.is_dataclass(m)]
        for member in records:
            if _fits(member, data):
                return _record(member, data, own=False)
        others = [m for m in members if m is not type(None) and m not in records]
        if len(others) == 1:
            return _convert(others[0], data)
        raise SnapshotError(f"no member of {tp} fits the stored value")
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(data, list | tuple):
            raise SnapshotError(f"{tp}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in data)
        return tuple(_convert(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        _key, item = typing.get_args(tp)
        if not isinstance(data, Mapping):
            raise SnapshotError(f"{tp}: expected a mapping")
        return {str(k): _convert(item, v) for k, v in data.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record(tp, data, own)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if tp is date:
        if isinstance(data, date):
            return data
        try:
            return date.fromisoformat(str(data))
        except ValueError as exc:
            raise SnapshotError("not a date") from exc
    if tp is Any:
        return data
    if tp is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if isinstance(tp, type) and not isinstance(data, tp):
        raise SnapshotError(f"expected {tp.__name__}, got {type(data).__name__}")
    return data
