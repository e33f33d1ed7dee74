"""Balance checks shared by the content tests (IPDAS C1: benefits and harms in equal detail)."""

from __future__ import annotations

from collections.abc import Iterable

from decision_aid.content.schema import Option

# Words: benefits and harms (with their claim labels) differ by at most this share of the larger.
BALANCE_TOLERANCE = 0.25

# Numbers (also stated in decision_aid/content/IPDAS.md, item C1): every option has at least
# MIN_BENEFITS numeric benefit claims and MIN_HARMS numeric harm claims; within an option, harms are
# never fewer than benefits minus 1 and the two counts differ by at most MAX_GAP_WITHIN; across
# options, the counts of benefits, and of harms, differ by at most MAX_SPREAD.
MIN_BENEFITS = 2
MIN_HARMS = 3
MAX_GAP_WITHIN = 3
MAX_SPREAD = 3


def balance_word_counts(option: Option) -> tuple[int, int]:
    """(words in benefits + benefit claim labels, words in harms + harm claim labels)."""

    def words(texts: Iterable[str]) -> int:
        return sum(len(t.split()) for t in texts)

    benefits = words(option.benefits) + words(c.label for c in option.benefit_claims)
    harms = words(option.harms) + words(c.label for c in option.harm_claims)
    return benefits, harms


def is_balanced(option: Option) -> bool:
    benefits, harms = balance_word_counts(option)
    return abs(benefits - harms) <= BALANCE_TOLERANCE * max(benefits, harms)


def numeric_counts(option: Option) -> tuple[int, int]:
    """(numeric benefit claims, numeric harm claims): every Claim carries a number per 100."""
    return len(option.benefit_claims), len(option.harm_claims)


def balance_problems(options: Iterable[Option]) -> list[str]:
    problems = []
    counts = {o.id: numeric_counts(o) for o in options}
    for oid, (b, h) in counts.items():
        if b < MIN_BENEFITS or h < MIN_HARMS:
            problems.append(f"{oid}: {b} benefits / {h} harms, below the minimum")
        if h < b - 1 or abs(b - h) > MAX_GAP_WITHIN:
            problems.append(f"{oid}: {b} benefits / {h} harms is out of balance")
    for i, what in ((0, "benefits"), (1, "harms")):
        values = [c[i] for c in counts.values()]
        if values and max(values) - min(values) > MAX_SPREAD:
            problems.append(f"{what} per option range {min(values)}..{max(values)}")
    return problems
