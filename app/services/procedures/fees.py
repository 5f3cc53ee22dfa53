"""Fees of procedures as data: rules with validity dates, applied on a given date.

A procedure's rules are a JSON file in seed_data/ (criminal_record_fees.json, temporary_residence_fees.json): base
fees, reductions, a surcharge per copy, exemptions and local subsidies, each in force between two dates, applying
when its conditions hold, and naming its legal source.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from app.services.reference import load_json

VNEID = "vneid"  # the channel of a request made on VNeID (some rates and subsidies apply only there)


@dataclass(frozen=True)
class FeeRule:
    id: str
    kind: str  # base, reduction, copy_surcharge, exemption, subsidy
    description: str
    valid_from: date
    valid_until: date | None
    amount_vnd: int = 0
    percent: int = 0
    from_copy: int = 0
    copies_cap_vnd: int | None = None  # a subsidy covers extra copies up to this much per request
    conditions: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the legal text, e.g. "Thông tư 16/2025/TT-BTC"
    rule: str = ""  # what the rule is, in one line, e.g. "TT 16/2025/TT-BTC, online rate until 31/12/2025"

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True)
class FeeFacts:
    """What the rules' conditions look at."""

    category: str
    age: int
    permanent_province_code: str
    account_level: int
    channel: str = VNEID


@dataclass(frozen=True)
class FeeLine:
    rule_id: str
    description: str
    quantity: int
    amount_vnd: int
    source: str


@dataclass(frozen=True)
class Quote:
    on_date: date
    copies: int
    lines: tuple[FeeLine, ...]
    rule: str  # the rule that decides what is paid: the exemption, else the subsidy, else the fee charged

    @property
    def total_vnd(self) -> int:
        return max(0, sum(line.amount_vnd for line in self.lines))

    @property
    def rules_applied(self) -> list[str]:
        return [line.rule_id for line in self.lines]

    @property
    def sources(self) -> list[str]:
        """The legal texts behind the lines, each once, in the order they first apply."""
        return list(dict.fromkeys(line.source for line in self.lines))

    def as_data(self) -> dict[str, Any]:
        return {
            "on_date": self.on_date.isoformat(),
            "lines": [line.__dict__ for line in self.lines],
            "rules_applied": self.rules_applied,
            "rule": self.rule,
            "sources": self.sources,
            "total_vnd": self.total_vnd,
        }


class FeeRulesMissing(RuntimeError):
    """The fee data has no base fee in force on a date: a data error, not a client's."""


@lru_cache
def load_rules(fees_file: str) -> tuple[FeeRule, ...]:
    return tuple(
        FeeRule(
            id=r["id"],
            kind=r["kind"],
            description=r["description"],
            valid_from=date.fromisoformat(r["valid_from"]),
            valid_until=date.fromisoformat(r["valid_until"]) if r.get("valid_until") else None,
            amount_vnd=r.get("amount_vnd", 0),
            percent=r.get("percent", 0),
            from_copy=r.get("from_copy", 0),
            copies_cap_vnd=r.get("copies_cap_vnd"),
            conditions=r.get("conditions", {}),
            source=r.get("source", ""),
            rule=r.get("rule", ""),
        )
        for r in load_json(fees_file)["rules"]
    )


def _holds(rule: FeeRule, facts: FeeFacts) -> bool:
    # Each condition's value comes from the JSON rule file, so it is Any to the checks.
    checks: dict[str, Callable[[Any], bool]] = {
        "fee_categories": lambda v: facts.category in v,
        "age_under": lambda v: facts.age < v,
        "age_at_least": lambda v: facts.age >= v,
        "permanent_province_codes": lambda v: facts.permanent_province_code in v,
        "channels": lambda v: facts.channel in v,
        "min_account_level": lambda v: facts.account_level >= v,
    }
    return all(checks[name](value) for name, value in rule.conditions.items())


def _line(rule: FeeRule, quantity: int, amount_vnd: int) -> FeeLine:
    return FeeLine(rule.id, rule.description, quantity, amount_vnd, rule.source)


def quote(on: date, copies: int, facts: FeeFacts, rules: tuple[FeeRule, ...]) -> Quote:
    """The fee on a date: the base fee (the most specific one that applies, e.g. the 2025 online rate) or the
    reduced one if lower, extra copies, then the first exemption that applies, else the subsidies (which may
    cover extra copies only up to a cap); each as a line naming its rule and source."""
    active = [r for r in rules if r.in_force(on)]
    bases = [r for r in active if r.kind == "base" and _holds(r, facts)]
    if not bases:
        raise FeeRulesMissing(f"no base fee in force on {on}")
    base = max(bases, key=lambda r: len(r.conditions))  # max keeps the first of equals
    deciding = base
    lines = [_line(base, 1, base.amount_vnd)]
    reduction = next((r for r in active if r.kind == "reduction" and _holds(r, facts)), None)
    if reduction is not None and reduction.amount_vnd < base.amount_vnd:
        lines.append(_line(reduction, 1, reduction.amount_vnd - base.amount_vnd))
        deciding = reduction
    copies_vnd = 0
    for surcharge in (r for r in active if r.kind == "copy_surcharge"):
        extra = copies - surcharge.from_copy + 1
        if extra > 0:
            lines.append(_line(surcharge, extra, extra * surcharge.amount_vnd))
            copies_vnd += extra * surcharge.amount_vnd
    due = sum(line.amount_vnd for line in lines)
    exemption = next((r for r in active if r.kind == "exemption" and _holds(r, facts)), None)
    if exemption is not None:
        return Quote(on, copies, (*lines, _line(exemption, 1, -due)), exemption.rule)
    for subsidy in (r for r in active if r.kind == "subsidy" and _holds(r, facts)):
        if due > 0:
            fee_vnd, copies_due = due - copies_vnd, copies_vnd
            covered_copies = copies_due * subsidy.percent // 100
            if subsidy.copies_cap_vnd is not None:
                covered_copies = min(covered_copies, subsidy.copies_cap_vnd)
            covered = fee_vnd * subsidy.percent // 100 + covered_copies
            lines.append(_line(subsidy, 1, -covered))
            due -= covered
            copies_vnd -= covered_copies
            deciding = subsidy
    return Quote(on, copies, tuple(lines), deciding.rule)
