"""Content test fixtures: the loaded content, editable copies of the data, offline textstat."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from decision_aid.content import Content, load_content
from decision_aid.content.loader import DATA_DIR


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


# --- editable copies of the data directory ------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string with ASCII escapes is a valid TOML basic string.
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dump_toml(doc: dict[str, Any]) -> str:
    """Write a parsed TOML document back (inline tables; enough for round-tripping test edits)."""
    return "".join(f"{key} = {_toml_value(value)}\n" for key, value in doc.items())


EditFn = Callable[[str, Callable[[dict[str, Any]], None]], None]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the content data directory, safe to break."""
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


@pytest.fixture
def edit(data_copy: Path) -> EditFn:
    """edit("options.toml", fn): parse the copied file, let fn change it in place, write it back."""

    def _edit(name: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = data_copy / name
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(dump_toml(doc), encoding="utf-8")

    return _edit
