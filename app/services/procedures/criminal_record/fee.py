"""The criminal-record certificate fee: rules as data with validity dates, applied on a given date.

The rules are in seed_data/criminal_record_fees.json: a base fee, reductions, a surcharge per copy, exemptions
and local subsidies, each in force between two dates and applying when its conditions hold.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from app.services.reference import load_json

FEES_FILE = "criminal_record_fees.json"
VNEID = "vneid"  # the channel of a request made on VNeID (some subsidies apply only there)


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
    conditions: dict[str, Any] = field(default_factory=dict)
    source: str = ""

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


@dataclass(frozen=True)
class Quote:
    on_date: date
    copies: int
    lines: tuple[FeeLine, ...]

    @property
    def total_vnd(self) -> int:
        return max(0, sum(line.amount_vnd for line in self.lines))

    @property
    def rules_applied(self) -> list[str]:
        return [line.rule_id for line in self.lines]

    def as_data(self) -> dict[str, Any]:
        return {
            "on_date": self.on_date.isoformat(),
            "lines": [line.__dict__ for line in self.lines],
            "rules_applied": self.rules_applied,
            "total_vnd": self.total_vnd,
        }


class FeeRulesMissing(RuntimeError):
    """The fee data has no base fee in force on a date: a data error, not a client's."""


@lru_cache(maxsize=1)
def fee_rules() -> tuple[FeeRule, ...]:
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
            conditions=r.get("conditions", {}),
            source=r.get("source", ""),
        )
        for r in load_json(FEES_FILE)["rules"]
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


def quote(on: date, copies: int, facts: FeeFacts, rules: tuple[FeeRule, ...] | None = None) -> Quote:
    """The fee on a date: the base fee (or the reduced one), extra copies, then the first exemption that
    applies, else the subsidies; each as a line naming its rule."""
    active = [r for r in (rules if rules is not None else fee_rules()) if r.in_force(on)]
    base = next((r for r in active if r.kind == "base"), None)
    if base is None:
        raise FeeRulesMissing(f"no base fee in force on {on}")
    lines = [FeeLine(base.id, base.description, 1, base.amount_vnd)]
    reduction = next((r for r in active if r.kind == "reduction" and _holds(r, facts)), None)
    if reduction is not None:
        lines.append(FeeLine(reduction.id, reduction.description, 1, reduction.amount_vnd - base.amount_vnd))
    for surcharge in (r for r in active if r.kind == "copy_surcharge"):
        extra = copies - surcharge.from_copy + 1
        if extra > 0:
            lines.append(FeeLine(surcharge.id, surcharge.description, extra, extra * surcharge.amount_vnd))
    due = sum(line.amount_vnd for line in lines)
    exemption = next((r for r in active if r.kind == "exemption" and _holds(r, facts)), None)
    if exemption is not None:
        lines.append(FeeLine(exemption.id, exemption.description, 1, -due))
        due = 0
    for subsidy in (r for r in active if r.kind == "subsidy" and _holds(r, facts)):
        if due > 0:
            covered = due * subsidy.percent // 100
            lines.append(FeeLine(subsidy.id, subsidy.description, 1, -covered))
            due -= covered
    return Quote(on, copies, tuple(lines))
