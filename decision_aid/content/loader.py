"""Load the TOML content files into frozen records, failing loudly on anything incomplete."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .fact_names import KNOWN_FACTS, PRIORITY_IDS
from .medicine_names import medicine_names
from .questionnaire import load_questionnaire
from .records import ContentError, build
from .schema import (
    CLAIM_DESIGNS,
    CLAIM_KINDS,
    GRADES,
    HEADLINE_ROWS,
    Claim,
    ClinicClaim,
    Content,
    Crisis,
    Figure,
    GlossaryTerm,
    Headline,
    Instrument,
    Medicine,
    Meta,
    NotKnown,
    Option,
    PointRule,
    Priority,
    QuestionToAsk,
    Source,
)
from .translation import DEFAULT_LANGUAGE, LANGUAGES, read_translated
from .trial_wording import load_trial_wording
from .wording import load_wording

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = ["DATA_DIR", "LANGUAGES", "ContentError", "build", "load_content", "load_contents",
           "validate"]


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


_CLAIM_LISTS = (("benefit_claims", "benefit"), ("harm_claims", "harm"))


def _build_claims(raw_opt: dict[str, Any], where: str) -> dict[str, tuple[Claim, ...]]:
    """The option's claim lists; each claim's kind comes from its list, and design is required."""
    built: dict[str, tuple[Claim, ...]] = {}
    for list_name, kind in _CLAIM_LISTS:
        rows = raw_opt.get(list_name, [])
        if not isinstance(rows, list):
            raise ContentError(f"{where}.{list_name}: expected a list")
        claims = []
        for i, row in enumerate(rows):
            at = f"{where}.{list_name}[{i}]"
            if isinstance(row, dict):
                at = f"{where}.{row.get('id', i)}"
                # The dataclass has a default for readers' convenience; the content must say it.
                if "design" not in row:
                    raise ContentError(f"{at}: missing field 'design'")
                if row.get("kind", kind) != kind:
                    raise ContentError(f"{at}: a claim in {list_name} must have kind '{kind}'")
            claims.append(dataclasses.replace(build(Claim, row, at), kind=kind))
        built[list_name] = tuple(claims)
    return built


def _build_headline(
    raw: Any, claims: dict[str, tuple[Claim, ...]], sources: dict[str, Source], where: str
) -> Headline:
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: missing headline (rows {', '.join(HEADLINE_ROWS)})")
    unknown = set(raw) - set(HEADLINE_ROWS)
    if unknown:
        raise ContentError(f"{where}.headline: unknown row(s) {sorted(unknown)}")
    by_id = {c.id: c for c in (*claims["benefit_claims"], *claims["harm_claims"])}
    rows: dict[str, Figure] = {}
    for name in HEADLINE_ROWS:
        at = f"{where}.headline.{name}"
        value = raw.get(name)
        if value is None:
            raise ContentError(f"{at}: missing headline row '{name}'")
        if isinstance(value, str):
            if value not in by_id:
                raise ContentError(f"{at}: '{value}' is not a claim of this option")
            claim = by_id[value]
            wanted = "benefit" if name == "benefit" else "harm"
            if claim.kind != wanted:
                raise ContentError(f"{at}: '{value}' must be a {wanted} claim")
            rows[name] = claim
        elif isinstance(value, dict):
            record = build(NotKnown, value, at)
            for sid in record.source_ids:
                if sid not in sources:
                    raise ContentError(f"{at}: unknown source id '{sid}'")
            rows[name] = record
        else:
            raise ContentError(f"{at}: expected a claim id or a not-known record")
    return Headline(**rows)


def _build_option(raw: Any, sources: dict[str, Source], where: str) -> Option:
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a table")
    where = f"option {raw.get('id', where)}"
    claims = _build_claims(raw, where)
    headline = _build_headline(raw.get("headline"), claims, sources, where)
    option: Option = build(Option, raw, where, resolved={**claims, "headline": headline})
    return option


def load_content(data_dir: Path = DATA_DIR, language: str = DEFAULT_LANGUAGE) -> Content:
    """The checked content in `language` ("es": each data/es file laid over its English one;
    a missing or extra translation is a ContentError naming every path)."""

    def _read(_dir: Path, name: str) -> dict[str, Any]:
        return read_translated(_dir, name, language)

    meta = build(Meta, _read(data_dir, "meta.toml").get("meta"), "meta")
    sources_list = _many(Source, _read(data_dir, "sources.toml").get("source"), "source")
    _unique([s.id for s in sources_list], "sources")
    sources = {s.id: s for s in sources_list}

    raw_options = _read(data_dir, "options.toml").get("option")
    if not isinstance(raw_options, list) or not raw_options:
        raise ContentError("option: expected at least one entry")
    options = tuple(
        _build_option(row, sources, f"option[{i}]") for i, row in enumerate(raw_options)
    )
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
        questionnaire=load_questionnaire(data_dir, instruments, language),
        language=language,
        medicine_names=medicine_names([{m.id: m for m in medicines_list}]),
    )
    validate(content)
    load_trial_wording(data_dir, frozenset(sources), frozenset(content.medicines), language)
    load_wording(data_dir, language)
    return content


def load_contents(data_dir: Path = DATA_DIR) -> dict[str, Content]:
    """The content in every language, by code; the Spanish must match the English in shape.
    Each recognises a typed medicine name in any of the languages."""
    contents = {language: load_content(data_dir, language) for language in LANGUAGES}
    names = medicine_names(c.medicines for c in contents.values())
    return {code: dataclasses.replace(c, medicine_names=names) for code, c in contents.items()}


def _check_sources(ids: tuple[str, ...], sources: dict[str, Source], where: str) -> None:
    if not ids:
        raise ContentError(f"{where}: names no source")
    for sid in ids:
        if sid not in sources:
            raise ContentError(f"{where}: unknown source id '{sid}'")


def _check_claim(claim: Claim, sources: dict[str, Source], where: str) -> None:
    at = f"{where}.{claim.id}"
    _check_sources(claim.source_ids, sources, at)
    for value in (claim.value, claim.comparison_value, claim.low, claim.high):
        if value is not None and not 0 <= value <= 100:
            raise ContentError(f"{at}: a value per 100 must be between 0 and 100")
    if claim.design not in CLAIM_DESIGNS:
        raise ContentError(f"{at}: design must be one of {CLAIM_DESIGNS}")
    if claim.kind not in CLAIM_KINDS:
        raise ContentError(f"{at}: kind must be one of {CLAIM_KINDS}")
    if (claim.low is None) != (claim.high is None):
        raise ContentError(f"{at}: give both low and high, or neither")
    if claim.low is not None and claim.high is not None and not (
        claim.low <= claim.value <= claim.high
    ):
        raise ContentError(f"{at}: low <= value <= high must hold")
    if claim.design == "uncontrolled" and claim.comparison_value is not None:
        raise ContentError(f"{at}: an uncontrolled figure has no comparison value")
    if claim.outcome.lower().startswith("relapse") and claim.kind != "harm":
        raise ContentError(f"{at}: a relapse figure must be a harm")


def _check_option_grade(opt: Option, where: str) -> None:
    if opt.grade not in GRADES:
        raise ContentError(f"{where}: grade must be one of {GRADES}")
    basis = opt.grade_basis
    if basis.design not in ("blinded", "open", "none"):
        raise ContentError(f"{where}: grade_basis.design must be blinded, open or none")
    if opt.grade != basis.grade():
        raise ContentError(
            f"{where}: grade '{opt.grade}' does not follow the rule (it gives '{basis.grade()}')"
        )


def _check_headline(opt: Option, sources: dict[str, Source], where: str) -> None:
    relapse = opt.headline.relapse
    if isinstance(relapse, Claim) and relapse.kind != "harm":
        raise ContentError(f"{where}: the relapse row must be a harm")
    for name, figure in opt.headline.rows():
        if isinstance(figure, NotKnown):
            for sid in figure.source_ids:
                if sid not in sources:
                    raise ContentError(f"{where}.headline.{name}: unknown source id '{sid}'")


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
        _check_headline(opt, sources, where)
        _check_option_grade(opt, where)
        claim_ids.extend(f.id for _, f in opt.headline.rows() if isinstance(f, NotKnown))
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
        for sid in rule.source_ids:
            if sid not in sources:
                raise ContentError(f"point rule for {rule.option_id}: unknown source id '{sid}'")
    for q in content.questions_to_ask:
        if q.when is not None and q.when not in KNOWN_FACTS:
            raise ContentError(f"question to ask: unknown fact '{q.when}'")
    meta = content.meta
    if meta.next_review <= meta.published:
        raise ContentError("meta: next_review must come after published")
    for name in ("grade_rule", "who_numbers_are_about", "headline_note"):
        if not getattr(meta, name):
            raise ContentError(f"meta: missing field '{name}'")
