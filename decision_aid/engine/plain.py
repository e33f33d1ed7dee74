"""Frozen dataclasses to JSON-ready values and back, driven by their type hints.

The saved summary snapshot is `to_plain(summary)`; `from_plain(Summary, data)` rebuilds exactly
the same value (tuples, dates, nested records, `Claim | NotKnown` unions). A record class that
brings its own `to_dict` / `from_dict` (such as TrialAssessment) is converted with those.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
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
    return typing.cast(T, _converter(typing.cast(Any, cls), own)(data))


# Each type's converter is built once from its hints (typing.get_origin, dataclasses.fields and
# friends are slow, and a summary holds thousands of values); a record's field converters are
# built at its first use, so a record type that refers to itself does not recurse forever.
Converter = Callable[[Any], Any]


def _identity(data: Any) -> Any:
    return data


@cache
def _layout(cls: type) -> tuple[frozenset[str], frozenset[str]]:
    """A record's field names and the names it cannot do without."""
    fields = dataclasses.fields(cls)
    return (frozenset(f.name for f in fields),
            frozenset(f.name for f in fields
                      if f.default is dataclasses.MISSING
                      and f.default_factory is dataclasses.MISSING))


def _record(cls: type, own: bool) -> Converter:
    if not own and hasattr(cls, "from_dict"):
        from_dict: Converter = cls.from_dict
        return from_dict
    specs: tuple[tuple[str, Converter, bool], ...] = ()
    name = cls.__name__

    def convert(data: Any) -> Any:
        nonlocal specs
        if not specs:
            hints = _hints(cls)
            required = _layout(cls)[1]
            specs = tuple((f.name, _converter(hints[f.name]), f.name in required)
                          for f in dataclasses.fields(cls))
        if not isinstance(data, Mapping):
            raise SnapshotError(f"{name}: expected a mapping")
        values: dict[str, Any] = {}
        for field_name, field_convert, needed in specs:
            if field_name in data:
                values[field_name] = field_convert(data[field_name])
            elif needed:
                raise SnapshotError(f"{name}: {field_name} is missing")
        return cls(**values)

    return convert


def _union(tp: Any) -> Converter:
    members = typing.get_args(tp)
    optional = type(None) in members
    records = [m for m in members if isinstance(m, type) and dataclasses.is_dataclass(m)]
    shapes = [(_layout(m)[0], _layout(m)[1], _converter(m)) for m in records]
    others = [m for m in members if m is not type(None) and m not in records]
    other = _converter(others[0]) if len(others) == 1 else None

    def convert(data: Any) -> Any:
        if data is None and optional:
            return None
        if isinstance(data, Mapping):
            for names, required, record in shapes:
                if required <= data.keys() <= names:
                    return record(data)
        if other is None:
            raise SnapshotError(f"no member of {tp} fits the stored value")
        return other(data)

    return convert


def _tuple(tp: Any) -> Converter:
    args = typing.get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])

        def convert(data: Any) -> Any:
            if not isinstance(data, list | tuple):
                raise SnapshotError(f"{tp}: expected a list")
            return tuple(map(item, data))

        return convert
    items = tuple(_converter(a) for a in args)

    def convert_fixed(data: Any) -> Any:
        if not isinstance(data, list | tuple):
            raise SnapshotError(f"{tp}: expected a list")
        return tuple(c(v) for c, v in zip(items, data, strict=True))

    return convert_fixed


def _mapping(tp: Any) -> Converter:
    _key, item_type = typing.get_args(tp)
    item = _converter(item_type)

    def convert(data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise SnapshotError(f"{tp}: expected a mapping")
        return {str(k): item(v) for k, v in data.items()}

    return convert


def _date(data: Any) -> Any:
    if isinstance(data, date):
        return data
    try:
        return date.fromisoformat(str(data))
    except ValueError as exc:
        raise SnapshotError("not a date") from exc


def _float(data: Any) -> Any:
    if isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if not isinstance(data, float):
        raise SnapshotError(f"expected float, got {type(data).__name__}")
    return data


def _checked(tp: type) -> Converter:
    def convert(data: Any) -> Any:
        if not isinstance(data, tp):
            raise SnapshotError(f"expected {tp.__name__}, got {type(data).__name__}")
        return data

    return convert


@cache
def _converter(tp: Any, own: bool = False) -> Converter:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _union(tp)
    if origin is tuple:
        return _tuple(tp)
    if origin is dict:
        return _mapping(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record(tp, own)
    if isinstance(tp, type) and issubclass(tp, Enum):
        enum_type: Converter = tp
        return enum_type
    if tp is date:
        return _date
    if tp is Any:
        return _identity
    if tp is float:
        return _float
    if isinstance(tp, type):
        return _checked(tp)
    return _identity
