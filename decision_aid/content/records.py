"""Build frozen records from TOML tables: the part of loading shared by every content file.

Kept apart from loader.py so questionnaire.py can use it without importing the loader back.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any


class ContentError(ValueError):
    """The content files are incomplete or inconsistent."""


def read_toml(data_dir: Path, name: str) -> dict[str, Any]:
    path = data_dir / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ContentError(f"missing content file {name}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{name}: {exc}") from exc


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is date:
        if not isinstance(value, date):
            raise ContentError(f"{where}: expected a date")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ContentError(f"{where}: expected a number")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContentError(f"{where}: expected a whole number")
        return value
    if tp is str:
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{where}: expected non-empty text")
        return value.strip()
    if tp is bool:
        if not isinstance(value, bool):
            raise ContentError(f"{where}: expected true or false")
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _coerce(args[0], value, where)
    if origin is tuple:
        item_types = typing.get_args(tp)
        if not isinstance(value, list):
            raise ContentError(f"{where}: expected a list")
        if len(item_types) == 2 and item_types[1] is Ellipsis:
            return tuple(_coerce(item_types[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        pairs = enumerate(zip(item_types, value, strict=True))
        return tuple(_coerce(a, v, f"{where}[{i}]") for i, (a, v) in pairs)
    if origin is dict:
        if not isinstance(value, dict):
            raise ContentError(f"{where}: expected a table")
        _, vt = typing.get_args(tp)
        return {str(k): _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, where)
    raise ContentError(f"{where}: unsupported type {tp!r}")


def _is_optional(tp: Any) -> bool:
    is_union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    return is_union and type(None) in typing.get_args(tp)


def build(cls: type, raw: Any, where: str, resolved: dict[str, Any] | None = None) -> Any:
    """Build dataclass cls from a TOML table: unknown keys and missing keys are errors.

    resolved: fields the caller has already built (e.g. an option's headline), used as they are.
    """
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a table")
    resolved = resolved or {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(fields)
    if unknown:
        raise ContentError(f"{where}: unknown field(s) {sorted(unknown)}")
    kwargs: dict[str, Any] = dict(resolved)
    for name, f in fields.items():
        if name in resolved:
            continue
        has_default = (
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        )
        if name not in raw:
            if has_default:
                continue
            if _is_optional(hints[name]):
                # TOML has no null: leaving out an optional field (e.g. min_dose) means None.
                kwargs[name] = None
                continue
            raise ContentError(f"{where}: missing field '{name}'")
        kwargs[name] = _coerce(hints[name], raw[name], f"{where}.{name}")
    return cls(**kwargs)
