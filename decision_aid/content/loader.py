"""Load the TOML content files into frozen records, failing loudly on anything incomplete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .facts import KNOWN_FACTS, PRIORITY_IDS
from .questionnaire import load_questionnaire
from .records import ContentError, build
from .records import read_toml as _read
from .schema import (
    Claim,
    ClinicClaim,
    Content,
    Crisis,
    GlossaryTerm,
    Instrument,
    Medicine,
    Meta,
    Option,
    PointRule,
    Priority,
    QuestionToAsk,
    Source,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = ["DATA_DIR", "ContentError", "build", "load_content", "validate"]


def _many(cls: type, rows: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(rows, list) or not rows:
        raise ContentError(f"{where}: expected at least one entry")
    return tuple(build(cls, row, f"{where}[{i}]") for i, row in enumerate(rows))


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ContentError(f"{where}: duplicate id '{i}'")
        seen.add(i)


def load_content(data_dir: Path = DATA_DIR) -> Content:
    meta = build(Meta, _read(data_dir, "meta.toml").get("meta"), "meta")
    sources_list = _many(Source, _read(data_dir, "sources.toml").get("source"), "source")
    _unique([s.id for s in sources_list], "sources")
    sources = {s.id: s for s in sources_list}

    options = _many(Option, _read(data_dir, "options.toml").get("option"), "option")
    _unique([o.id for o in options], "options")
    medicines_list = _many(Medicine, _read(data_dir, "medicines.toml").get("medicine"), "medicine")
    _unique([m.id for m in medicines_list], "medicines")
    glossary = _many(GlossaryTerm, _read(data_dir, "glossary.toml").get("term"), "glossary")
    crisis = build(Crisis, _read(data_dir, "crisis.toml").get("crisis"), "crisis")
    clinic_claims = _many(
        ClinicClaim, _read(data_dir, "clinic_claims.toml").get("claim"), "clinic_claim"
    )
    point_rules = _many(PointRule, _read(data_dir, "points.toml").get("point"), "point")
    priorities = _many(Priority, _read(data_dir, "priorities.toml").get("priority"), "priority")
    questions = _many(
        QuestionToAsk, _read(data_dir, "questions_to_ask.toml").get("question"), "question"
    )
    instruments_list = _many(
        Instrument, _read(data_dir, "instruments.toml").get("instrument"), "instrument"
    )
    instruments = {i.id: i for i in instruments_list}

    content = Content(
        meta=meta,
        sources=sources,
        options=options,
        medicines={m.id: m for m in medicines_list},
        glossary=glossary,
        crisis=crisis,
        clinic_claims=clinic_claims,
        point_rules=point_rules,
        priorities=priorities,
        questions_to_ask=questions,
        instruments=instruments,
        questionnaire=load_questionnaire(data_dir, instruments),
    )
    validate(content)
    return content


def _check_sources(ids: tuple[str, ...], sources: dict[str, Source], where: str) -> None:
    if not ids:
        raise ContentError(f"{where}: names no source")
    for sid in ids:
        if sid not in sources:
            raise ContentError(f"{where}: unknown source id '{sid}'")


def _check_claim(claim: Claim, sources: dict[str, Source], where: str) -> None:
    _check_sources(claim.source_ids, sources, f"{where}.{claim.id}")
    for value in (claim.value, claim.comparison_value):
        if value is not None and not 0 <= value <= 100:
            raise ContentError(f"{where}.{claim.id}: a value per 100 must be between 0 and 100")


def validate(content: Content) -> None:
    """Cross-file checks: sources exist, rules point at real options and facts, and so on."""
    sources = content.sources
    option_ids = {o.id for o in content.options}
    if len(content.options) != 9:
        raise ContentError(f"expected the nine options, found {len(content.options)}")
    priority_ids = tuple(p.id for p in content.priorities)
    if priority_ids != PRIORITY_IDS:
        raise ContentError(f"priorities must be, in order: {PRIORITY_IDS}")
    claim_ids: list[str] = []
    for opt in content.options:
        where = f"option {opt.id}"
        _check_sources(opt.source_ids, sources, where)
        if not opt.benefits or not opt.harms:
            raise ContentError(f"{where}: needs benefits and harms")
        for claim in (*opt.benefit_claims, *opt.harm_claims):
            _check_claim(claim, sources, where)
            claim_ids.append(claim.id)
        missing = set(priority_ids) - set(opt.at_a_glance)
        extra = set(opt.at_a_glance) - set(priority_ids)
        if missing or extra:
            raise ContentError(f"{where}: at_a_glance must cover exactly the priorities "
                               f"(missing {sorted(missing)}, unknown {sorted(extra)})")
    _unique(claim_ids, "claims")
    for med in content.medicines.values():
        _check_sources(med.source_ids, sources, f"medicine {med.id}")
    for cc in content.clinic_claims:
        _check_sources(cc.source_ids, sources, f"clinic claim {cc.id}")
        for oid in cc.option_ids:
            if oid not in option_ids:
                raise ContentError(f"clinic claim {cc.id}: unknown option '{oid}'")
    for rule in content.point_rules:
        if rule.option_id not in option_ids:
            raise ContentError(f"point rule: unknown option '{rule.option_id}'")
        if rule.when not in KNOWN_FACTS:
            raise ContentError(f"point rule for {rule.option_id}: unknown fact '{rule.when}'")
    for q in content.questions_to_ask:
        if q.when is not None and q.when not in KNOWN_FACTS:
            raise ContentError(f"question to ask: unknown fact '{q.when}'")
    if content.meta.next_review <= content.meta.published:
        raise ContentError("meta: next_review must come after published")
