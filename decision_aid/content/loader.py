"""Load the TOML content files into frozen records, failing loudly on anything incomplete."""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any

from .facts import KNOWN_FACTS, PRIORITY_IDS
from .questionnaire import load_questionnaire
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


class ContentError(ValueError):
    """The content files are incomplete or inconsistent."""


def _read(data_dir: Path, name: str) -> dict[str, Any]:
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
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise ContentError(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        pairs = enumerate(zip(args, value, strict=True))
        return tuple(_coerce(a, v, f"{where}[{i}]") for i, (a, v) in pairs)
    if origin is dict:
        if not isinstance(value, dict):
            raise ContentError(f"{where}: expected a table")
        _, vt = typing.get_args(tp)
        return {str(k): _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return build(tp, value, where)
    raise ContentError(f"{where}: unsupported type {tp!r}")


def _is_optional(tp: Any) -> bool:
    is_union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    return is_union and type(None) in typing.get_args(tp)


def build(cls: type, raw: Any, where: str) -> Any:
    """Build dataclass cls from a TOML table: unknown keys and missing keys are errors."""
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(fields)
    if unknown:
        raise ContentError(f"{where}: unknown field(s) {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
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
