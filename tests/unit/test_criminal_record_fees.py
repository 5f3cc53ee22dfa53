"""The criminal-record certificate fee: rules as data with validity dates, applied on a given date."""

from dataclasses import replace
from datetime import date

import pytest

from app.schemas.criminal_record import FeeCategory
from app.services.procedures.criminal_record.fee import FeeFacts, FeeRulesMissing, fee_rules, quote
from app.services.reference import load_json

BEFORE_SUBSIDY = date(2024, 7, 14)
SUBSIDY_STARTS = date(2024, 7, 15)
IN_SUBSIDY = date(2025, 6, 2)
SUBSIDY_ENDS = date(2025, 12, 31)
AFTER_SUBSIDY = date(2026, 1, 1)
ADULT_HCMC = FeeFacts(category="standard", age=30, permanent_province_code="79", account_level=2)
ADULT_HANOI = replace(ADULT_HCMC, permanent_province_code="01")


def total(on: date, facts: FeeFacts, copies: int = 1) -> int:
    return quote(on, copies, facts).total_vnd


def test_standard_fee_is_200000() -> None:
    result = quote(IN_SUBSIDY, 1, ADULT_HCMC)
    assert result.total_vnd == 200_000
    assert result.rules_applied == ["tt244_standard_fee"]
    assert [(line.rule_id, line.amount_vnd) for line in result.lines] == [("tt244_standard_fee", 200_000)]


@pytest.mark.parametrize("category", ["student", "revolutionary_merit", "martyr_relative"])
def test_reduced_fee_is_100000(category: str) -> None:
    result = quote(AFTER_SUBSIDY, 1, replace(ADULT_HCMC, category=category))
    assert result.total_vnd == 100_000
    assert result.rules_applied == ["tt244_standard_fee", "tt244_reduced_fee"]
    assert result.lines[1].amount_vnd == -100_000


@pytest.mark.parametrize(("copies", "expected"), [(1, 200_000), (2, 200_000), (3, 205_000), (10, 240_000)])
def test_copies_cost_5000_each_from_the_third(copies: int, expected: int) -> None:
    result = quote(AFTER_SUBSIDY, copies, ADULT_HCMC)
    assert result.total_vnd == expected
    if copies >= 3:
        line = result.lines[-1]
        assert (line.rule_id, line.quantity, line.amount_vnd) == ("tt244_extra_copy", copies - 2, (copies - 2) * 5_000)


def test_reduced_fee_still_pays_extra_copies() -> None:
    assert total(AFTER_SUBSIDY, replace(ADULT_HCMC, category="student"), copies=4) == 110_000


@pytest.mark.parametrize(("age", "expected"), [(15, 0), (16, 200_000), (59, 200_000), (60, 0), (85, 0)])
def test_children_under_16_and_people_of_60_or_more_pay_nothing(age: int, expected: int) -> None:
    assert total(AFTER_SUBSIDY, replace(ADULT_HCMC, age=age)) == expected


@pytest.mark.parametrize("category", ["disabled", "poor_household", "disadvantaged_commune"])
def test_declared_exempt_categories_pay_nothing_even_for_extra_copies(category: str) -> None:
    result = quote(AFTER_SUBSIDY, 5, replace(ADULT_HCMC, category=category))
    assert result.total_vnd == 0
    assert result.rules_applied == ["tt244_standard_fee", "tt244_extra_copy", "tt244_exempt_declared"]
    assert result.lines[-1].amount_vnd == -215_000


def test_child_exemption_names_its_rule() -> None:
    assert quote(AFTER_SUBSIDY, 1, replace(ADULT_HCMC, age=12)).rules_applied[-1] == "tt244_exempt_child"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (BEFORE_SUBSIDY, 200_000),
        (SUBSIDY_STARTS, 0),
        (IN_SUBSIDY, 0),
        (SUBSIDY_ENDS, 0),
        (AFTER_SUBSIDY, 200_000),
    ],
)
def test_hanoi_subsidy_applies_only_within_its_validity_dates(on: date, expected: int) -> None:
    result = quote(on, 1, ADULT_HANOI)
    assert result.total_vnd == expected
    assert ("hanoi_nq11_2024_subsidy" in result.rules_applied) is (expected == 0)


def test_hanoi_subsidy_covers_extra_copies_and_reduced_fees() -> None:
    result = quote(IN_SUBSIDY, 4, replace(ADULT_HANOI, category="student"))
    assert result.total_vnd == 0
    assert result.lines[-1].rule_id == "hanoi_nq11_2024_subsidy"
    assert result.lines[-1].amount_vnd == -110_000


def test_hanoi_subsidy_is_for_permanent_residents_of_hanoi_only() -> None:
    assert total(IN_SUBSIDY, ADULT_HCMC) == 200_000


def test_hanoi_subsidy_needs_a_level_2_account() -> None:
    assert total(IN_SUBSIDY, replace(ADULT_HANOI, account_level=1)) == 200_000


def test_hanoi_subsidy_is_for_requests_on_vneid_only() -> None:
    assert total(IN_SUBSIDY, replace(ADULT_HANOI, channel="counter")) == 200_000


def test_an_exempt_person_gets_no_subsidy_line() -> None:
    result = quote(IN_SUBSIDY, 1, replace(ADULT_HANOI, age=10))
    assert result.total_vnd == 0
    assert "hanoi_nq11_2024_subsidy" not in result.rules_applied


def test_no_base_fee_in_force_is_a_data_error() -> None:
    with pytest.raises(FeeRulesMissing):
        quote(date(2016, 12, 31), 1, ADULT_HCMC)


def test_every_rule_has_an_id_a_source_and_coherent_dates() -> None:
    rules = fee_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.source
        assert rule.valid_until is None or rule.valid_from <= rule.valid_until


def test_declared_categories_in_the_data_match_the_api_enum() -> None:
    named = {
        category
        for rule in load_json("criminal_record_fees.json")["rules"]
        for category in rule.get("conditions", {}).get("fee_categories", [])
    }
    assert named == {c.value for c in FeeCategory} - {"standard"}


def test_a_new_fee_level_takes_over_on_its_valid_from_date() -> None:
    old, *others = fee_rules()
    assert old.kind == "base"
    rules = (
        replace(old, valid_until=date(2026, 6, 30)),
        replace(old, id="future_fee", amount_vnd=150_000, valid_from=date(2026, 7, 1)),
        *others,
    )
    assert quote(date(2026, 6, 30), 1, ADULT_HCMC, rules).total_vnd == 200_000
    assert quote(date(2026, 7, 1), 1, ADULT_HCMC, rules).rules_applied == ["future_fee"]
    assert quote(date(2026, 7, 1), 1, ADULT_HCMC, rules).total_vnd == 150_000
