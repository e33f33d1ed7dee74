"""Recognising a medicine by the name a person types, in English or Spanish.

"Zoloft", "sertraline", "Sertralina" and "SERTRALINA®" all name the same catalogue entry: the
match ignores case, accents, trademark signs and extra spaces, and nothing looser (no guessing
from part of a name).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from .schema import Medicine

_DROP = str.maketrans("", "", "®™©.")


def normalise_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_DROP))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def medicine_names(catalogues: Iterable[Mapping[str, Medicine]]) -> dict[str, str]:
    """Every id, generic name and brand of these catalogues (one per language) -> medicine id."""
    names: dict[str, str] = {}
    for catalogue in catalogues:
        for med in catalogue.values():
            for name in (med.id, med.generic, *med.brands):
                key = normalise_name(name)
                if key:
                    names.setdefault(key, med.id)
    return names
