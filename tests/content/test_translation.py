"""Spanish content and catalog: every mirror file is there, loads and is translated; the loader
refuses a missing or extra Spanish string; the gettext catalog is complete, has no fuzzy or
obsolete entries, keeps every placeholder, and is compiled after install (issue 13)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from decision_aid.content import load_content
from decision_aid.content.loader import DATA_DIR
from tests.content.conftest import EditFn
from tests.support.spanish import ENGLISH_WORDS

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "decision_aid" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo"
BABEL_CFG = TRANSLATIONS / "babel.cfg"
NOT_TRANSLATED = {"sources.toml"}  # source titles stay in their own language
# Ids and enums (the shape rules of I18N.md); a table under one of these keys is still text.
NON_TEXT = {
    "id", "option_ids", "source_ids", "option_id", "when", "design", "benefit", "relapse",
    "side_effect", "stopping", "value", "type", "op", "field", "section", "choice_set",
    "choices_from", "loop", "instrument_items", "kind", "category", "version", "chat_url",
    "safety_plan_url", "url", "unit", "grade", "brands", "clinician", "citation", "short_id",
}
CLINICIAN_WORDING = {"clinician", "notes", "trial_categories"}  # stays English by design
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")


def _english_files() -> list[str]:
    return sorted(p.name for p in DATA_DIR.glob("*.toml") if p.name not in NOT_TRANSLATED)


def test_every_content_file_but_sources_has_a_spanish_mirror() -> None:
    es_dir = DATA_DIR / "es"
    missing = [name for name in _english_files() if not (es_dir / name).is_file()]
    assert not missing, f"no Spanish mirror in data/es/ for {missing}"
    extra = sorted(p.name for p in es_dir.glob("*.toml")
                   if not (DATA_DIR / p.name).is_file() or p.name in NOT_TRANSLATED)
    assert not extra, f"Spanish files with no English file to mirror (or not to translate): {extra}"


def test_spanish_content_loads_with_the_same_ids() -> None:
    from decision_aid.content import LANGUAGES, load_contents

    assert tuple(LANGUAGES) == ("en", "es")
    contents = load_contents()
    assert set(contents) == {"en", "es"}
    en, es = contents["en"], contents["es"]
    assert [o.id for o in es.options] == [o.id for o in en.options]
    assert list(es.medicines) == list(en.medicines)
    assert [p.id for p in es.questionnaire.pages] == [p.id for p in en.questionnaire.pages]
    assert es.sources == en.sources  # titles stay in their own language
    # Translated, not copied: the patient-facing words differ.
    assert es.crisis.heading != en.crisis.heading
    assert [o.name for o in es.options] != [o.name for o in en.options]
    assert load_content(DATA_DIR, language="es") == es


def _strings(en: Any, es: Any, path: str) -> list[tuple[str, str, str]]:
    """(path, English, Spanish) for every text string of a mirror, by the shape rules."""
    if isinstance(en, dict) and isinstance(es, dict):
        out = []
        for key, value in en.items():
            nested = isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(x, dict) for x in value))
            if key in CLINICIAN_WORDING or (key in NON_TEXT and not nested) or key not in es:
                continue
            out += _strings(value, es[key], f"{path}.{key}")
        return out
    if isinstance(en, list) and isinstance(es, list):
        return [s for i, (a, b) in enumerate(zip(en, es, strict=False))
                for s in _strings(a, b, f"{path}[{i}]")]
    if isinstance(en, str) and isinstance(es, str):
        return [(path, en, es)]
    return []


@pytest.mark.parametrize("name", _english_files())
def test_spanish_mirror_is_translated_not_copied(name: str) -> None:
    es_path = DATA_DIR / "es" / name
    if not es_path.is_file():
        pytest.fail(f"data/es/{name} is missing")
    en = tomllib.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    es = tomllib.loads(es_path.read_text(encoding="utf-8"))
    copied = [
        f"{path}: {text[:80]}" for path, text, spanish in _strings(en, es, name)
        if spanish == text and len(text.split()) >= 3
        and ENGLISH_WORDS & {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
    ]
    assert not copied, f"{len(copied)} English strings left in data/es/{name}:\n" + "\n".join(
        copied[:40])


# --- the loader refuses an incomplete or changed translation -----------------------------------


def _load_es(data_dir: Path) -> Any:
    return load_content(data_dir, language="es")


def test_loader_refuses_a_missing_spanish_string(data_copy: Path, edit: EditFn) -> None:
    _load_es(data_copy)  # the untouched copy loads
    edit("es/crisis.toml", lambda doc: doc["crisis"].pop("heading"))
    from decision_aid.content import ContentError

    with pytest.raises(ContentError, match=r"crisis.*heading"):
        _load_es(data_copy)


def test_loader_refuses_an_empty_spanish_string(data_copy: Path, edit: EditFn) -> None:
    def blank(doc: dict[str, Any]) -> None:
        doc["option"][0]["name"] = " "

    edit("es/options.toml", blank)
    from decision_aid.content import ContentError

    with pytest.raises(ContentError, match=r"name"):
        _load_es(data_copy)


def test_loader_refuses_an_extra_spanish_key(data_copy: Path, edit: EditFn) -> None:
    edit("es/crisis.toml", lambda doc: doc["crisis"].update(titulo_extra="Hola"))
    from decision_aid.content import ContentError

    with pytest.raises(ContentError, match=r"titulo_extra"):
        _load_es(data_copy)


def test_loader_refuses_a_changed_id(data_copy: Path, edit: EditFn) -> None:
    def rename(doc: dict[str, Any]) -> None:
        doc["option"][0]["id"] = "seguir"

    edit("es/options.toml", rename)
    from decision_aid.content import ContentError

    with pytest.raises(ContentError, match=r"seguir|id"):
        _load_es(data_copy)


def test_loader_refuses_a_missing_spanish_file(data_copy: Path) -> None:
    (data_copy / "es" / "glossary.toml").unlink()
    from decision_aid.content import ContentError

    with pytest.raises(ContentError, match=r"glossary"):
        _load_es(data_copy)
    load_content(data_copy)  # English alone still loads


# --- the gettext catalog ------------------------------------------------------------------------


def _catalog(path: Path) -> Catalog:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing (I18N-TEMPLATES)"
    with path.open("rb") as fh:
        return read_po(fh, locale="es" if path == PO else None)


def _ids(catalog: Catalog) -> set[Any]:
    return {m.id for m in catalog if m.id}


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(s and s.strip() for s in strings)


def test_catalog_translates_every_message_with_no_fuzzy_or_obsolete_entry() -> None:
    pot, po = _catalog(POT), _catalog(PO)
    assert len(_ids(pot)) >= 50, "the template catalog holds almost nothing: were pages wrapped?"
    missing = sorted(str(i) for i in _ids(pot) - _ids(po))
    assert not missing, f"{len(missing)} msgids not in messages.po (run make translations): " \
        f"{missing[:20]}"
    untranslated = sorted(str(m.id) for m in po if m.id and not _translated(m))
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    fuzzy = sorted(str(m.id) for m in po if m.id and m.fuzzy)
    assert not fuzzy and not po.fuzzy, f"fuzzy entries: {fuzzy[:20]}"
    assert not po.obsolete, f"obsolete entries: {sorted(map(str, po.obsolete))[:20]}"
    only_po = sorted(str(i) for i in _ids(po) - _ids(pot))
    assert not only_po, f"entries the templates no longer use: {only_po[:20]}"


def test_catalog_is_up_to_date_with_the_templates_and_code() -> None:
    """Every string the templates and Python mark for translation is in the Spanish catalog."""
    assert BABEL_CFG.is_file(), "decision_aid/translations/babel.cfg is missing"
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    # As `make translations` extracts: over templates/ and decision_aid/, -k _l -k lazy_gettext.
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str] = set()
    for folder in ("templates", "decision_aid"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map, options_map, keywords=keywords):
            found.add(message[0] if isinstance(message, tuple) else message)
    assert len(found) >= 50
    po = _catalog(PO)
    missing = sorted(m for m in found if m and m not in _ids(po)
                     and not any(isinstance(i, tuple) and i[0] == m for i in _ids(po)))
    assert not missing, f"{len(missing)} strings marked in the code are not in messages.po " \
        f"(run make translations, then translate): {missing[:20]}"


def test_catalog_placeholders_match() -> None:
    po = _catalog(PO)
    problems = [f"{m.id!r}: {errors}" for m, errors in po.check() if errors]
    for m in po:
        if not m.id or not _translated(m):
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(str(i) for i in ids))))
        for s in strings:
            if sorted(set(PLACEHOLDER.findall(str(s)))) != wanted:
                problems.append(f"{m.id!r}: placeholders {wanted} vs {s!r}")
    assert not problems, "\n".join(problems[:20])


def _plain(value: Any) -> Any:
    """A message id or string as a hashable value (plural forms come as lists or tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalog_is_there_and_matches_the_po() -> None:
    """make install / run / test compile the catalog (never committed): it must match the .po."""
    assert MO.is_file(), ("messages.mo is missing: `make` compiles it with pybabel compile "
                          "(I18N-CORE: Makefile)")
    po = _catalog(PO)
    with MO.open("rb") as fh:
        mo = read_mo(fh)
    want = {_plain(m.id): _plain(m.string) for m in po if m.id and not m.fuzzy}
    have = {_plain(m.id): _plain(m.string) for m in mo if m.id}
    stale = sorted(str(k) for k in want if have.get(k) != want[k])
    assert not stale, f"messages.mo is older than messages.po for {stale[:10]}"


def test_compiled_catalog_is_ignored_by_git() -> None:
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert re.search(r"^\*\.mo$|^decision_aid/translations/.*\.mo$", ignore, re.M), \
        ".gitignore must keep compiled catalogs (*.mo) out of the repo"
