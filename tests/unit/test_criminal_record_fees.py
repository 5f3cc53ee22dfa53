"""The criminal-record certificate fee: rules as data with validity dates and legal sources, applied on a date.

Sources: Thông tư 244/2016/TT-BTC (until 23/04/2025), Thông tư 16/2025/TT-BTC (from 24/04/2025, with an online
rate of 170,000 VND until 31/12/2025), Nghị quyết 11/2024/NQ-HĐND of Hà Nội (01/06/2024 – 31/12/2025, extra
copies covered up to 50,000 VND a request). Each boundary is tested on both sides.
"""

from dataclasses import replace
from datetime import date

import pytest

from app.schemas.criminal_record import FeeCategory
from app.services.procedures.criminal_record.fee import FeeFacts, FeeRulesMissing, fee_rules, quote
from app.services.reference import load_json

# Thông tư 244/2016/TT-BTC → Thông tư 16/2025/TT-BTC
LAST_DAY_OF_TT244 = date(2025, 4, 23)
FIRST_DAY_OF_TT16 = date(2025, 4, 24)
# Thông tư 16/2025/TT-BTC: online rate until 31/12/2025
LAST_DAY_OF_ONLINE_RATE = date(2025, 12, 31)
AFTER_ONLINE_RATE = date(2026, 1, 1)
# Nghị quyết 11/2024/NQ-HĐND (Hà Nội): 01/06/2024 – 31/12/2025
BEFORE_SUBSIDY = date(2024, 5, 31)
SUBSIDY_STARTS = date(2024, 6, 1)
IN_SUBSIDY = date(2025, 6, 2)
SUBSIDY_ENDS = date(2025, 12, 31)
AFTER_SUBSIDY = date(2026, 1, 1)

ADULT_HCMC = FeeFacts(category="standard", age=30, permanent_province_code="79", account_level=2)
ADULT_HCMC_COUNTER = replace(ADULT_HCMC, channel="counter")
ADULT_HANOI = replace(ADULT_HCMC, permanent_province_code="01")


def total(on: date, facts: FeeFacts, copies: int = 1) -> int:
    return quote(on, copies, facts).total_vnd


# --- Thông tư 16/2025/TT-BTC and the end of Thông tư 244/2016/TT-BTC ---------------------------------------------


@pytest.mark.parametrize(
    ("on", "rule_id", "amount"),
    [
        (LAST_DAY_OF_TT244, "tt244_standard_fee", 200_000),
        (FIRST_DAY_OF_TT16, "tt16_online_fee_2025", 170_000),
        (LAST_DAY_OF_ONLINE_RATE, "tt16_online_fee_2025", 170_000),
        (AFTER_ONLINE_RATE, "tt16_standard_fee", 200_000),
    ],
)
def test_tt16_2025_online_rate_runs_from_24_april_to_31_december_2025(on: date, rule_id: str, amount: int) -> None:
    result = quote(on, 1, ADULT_HCMC)
    assert (result.rules_applied, result.total_vnd) == ([rule_id], amount)


def test_the_online_rate_is_for_requests_on_vneid_only() -> None:
    result = quote(FIRST_DAY_OF_TT16, 1, ADULT_HCMC_COUNTER)
    assert (result.rules_applied, result.total_vnd) == (["tt16_standard_fee"], 200_000)


def test_quote_names_the_rule_and_its_source() -> None:
    result = quote(IN_SUBSIDY, 1, ADULT_HCMC)
    assert result.rule == "TT 16/2025/TT-BTC, online rate until 31/12/2025"
    assert result.sources == ["Thông tư 16/2025/TT-BTC"]
    assert result.lines[0].source == "Thông tư 16/2025/TT-BTC"
    assert quote(LAST_DAY_OF_TT244, 1, ADULT_HCMC).sources == ["Thông tư 244/2016/TT-BTC"]
    assert quote(AFTER_ONLINE_RATE, 1, ADULT_HCMC).rule == "TT 16/2025/TT-BTC, standard fee"


@pytest.mark.parametrize("category", ["pupil", "student", "revolutionary_merit", "martyr_relative"])
@pytest.mark.parametrize("on", [FIRST_DAY_OF_TT16, AFTER_ONLINE_RATE])
def test_tt16_reduced_fee_is_100000(category: str, on: date) -> None:
    result = quote(on, 1, replace(ADULT_HCMC, category=category, age=17))
    assert result.total_vnd == 100_000
    assert result.rules_applied[-1] == "tt16_reduced_fee"
    assert result.rule.startswith("TT 16/2025/TT-BTC, reduced fee")


@pytest.mark.parametrize("category", ["student", "revolutionary_merit", "martyr_relative"])
def test_tt244_reduced_fee_was_100000(category: str) -> None:
    result = quote(LAST_DAY_OF_TT244, 1, replace(ADULT_HCMC, category=category))
    assert result.total_vnd == 100_000
    assert result.rules_applied == ["tt244_standard_fee", "tt244_reduced_fee"]
    assert result.lines[1].amount_vnd == -100_000


@pytest.mark.parametrize(("on", "expected"), [(LAST_DAY_OF_TT244, 200_000), (FIRST_DAY_OF_TT16, 100_000)])
def test_pupils_from_16_pay_the_reduced_fee_only_under_tt16(on: date, expected: int) -> None:
    assert total(on, replace(ADULT_HCMC_COUNTER, category="pupil", age=16)) == expected


@pytest.mark.parametrize(("on", "expected"), [(LAST_DAY_OF_TT244, 200_000), (FIRST_DAY_OF_TT16, 0)])
def test_near_poor_households_are_exempt_only_under_tt16(on: date, expected: int) -> None:
    result = quote(on, 1, replace(ADULT_HCMC_COUNTER, category="near_poor_household"))
    assert result.total_vnd == expected
    assert ("tt16_exempt_declared" in result.rules_applied) is (expected == 0)


@pytest.mark.parametrize("on", [LAST_DAY_OF_TT244, FIRST_DAY_OF_TT16, AFTER_ONLINE_RATE])
@pytest.mark.parametrize(("copies", "extra"), [(1, 0), (2, 0), (3, 5_000), (10, 40_000)])
def test_copies_cost_5000_each_from_the_third(on: date, copies: int, extra: int) -> None:
    result = quote(on, copies, ADULT_HCMC_COUNTER)
    assert result.total_vnd == 200_000 + extra
    if copies >= 3:
        line = result.lines[-1]
        assert (line.rule_id.endswith("_extra_copy"), line.quantity, line.amount_vnd) == (True, copies - 2, extra)


def test_reduced_fee_still_pays_extra_copies() -> None:
    assert total(AFTER_ONLINE_RATE, replace(ADULT_HCMC, category="student"), copies=4) == 110_000


@pytest.mark.parametrize("on", [LAST_DAY_OF_TT244, FIRST_DAY_OF_TT16])
@pytest.mark.parametrize(("age", "exempt"), [(15, True), (16, False), (59, False), (60, True), (85, True)])
def test_children_under_16_and_people_of_60_or_more_pay_nothing(on: date, age: int, exempt: bool) -> None:
    expected = 0 if exempt else quote(on, 1, ADULT_HCMC).total_vnd
    assert total(on, replace(ADULT_HCMC, age=age)) == expected


@pytest.mark.parametrize("category", ["disabled", "poor_household", "disadvantaged_commune"])
@pytest.mark.parametrize(("on", "prefix"), [(LAST_DAY_OF_TT244, "tt244"), (FIRST_DAY_OF_TT16, "tt16")])
def test_declared_exempt_categories_pay_nothing_even_for_extra_copies(category: str, on: date, prefix: str) -> None:
    result = quote(on, 5, replace(ADULT_HCMC_COUNTER, category=category))
    assert result.total_vnd == 0
    assert result.rules_applied == [f"{prefix}_standard_fee", f"{prefix}_extra_copy", f"{prefix}_exempt_declared"]
    assert result.lines[-1].amount_vnd == -215_000


def test_child_exemption_names_its_rule() -> None:
    result = quote(AFTER_ONLINE_RATE, 1, replace(ADULT_HCMC, age=12))
    assert result.rules_applied[-1] == "tt16_exempt_child"
    assert result.rule == "TT 16/2025/TT-BTC, exempt: children (under 16)"


# --- Nghị quyết 11/2024/NQ-HĐND (Hà Nội) ------------------------------------------------------------------------


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
def test_hanoi_subsidy_runs_from_1_june_2024_to_31_december_2025(on: date, expected: int) -> None:
    result = quote(on, 1, ADULT_HANOI)
    assert result.total_vnd == expected
    assert ("hanoi_nq11_2024_subsidy" in result.rules_applied) is (expected == 0)


def test_hanoi_subsidy_covers_extra_copies_and_reduced_fees() -> None:
    result = quote(IN_SUBSIDY, 4, replace(ADULT_HANOI, category="student"))
    assert result.total_vnd == 0
    assert result.lines[-1].rule_id == "hanoi_nq11_2024_subsidy"
    assert result.lines[-1].amount_vnd == -110_000
    assert result.rule.startswith("Nghị quyết 11/2024/NQ-HĐND Hà Nội")


@pytest.mark.parametrize(("copies", "paid"), [(10, 0), (12, 0), (13, 5_000), (20, 40_000)])
def test_hanoi_subsidy_covers_extra_copies_up_to_50000_per_request(copies: int, paid: int) -> None:
    # 12 copies: 10 extra at 5,000 VND = 50,000, the cap; from the 13th the applicant pays.
    result = quote(IN_SUBSIDY, copies, ADULT_HANOI)
    assert result.total_vnd == paid
    assert result.lines[-1].amount_vnd == -(170_000 + min((copies - 2) * 5_000, 50_000))


def test_hanoi_subsidy_is_for_permanent_residents_of_hanoi_only() -> None:
    assert total(IN_SUBSIDY, ADULT_HCMC) == 170_000


def test_hanoi_subsidy_needs_a_level_2_account() -> None:
    assert total(IN_SUBSIDY, replace(ADULT_HANOI, account_level=1)) == 170_000


def test_hanoi_subsidy_is_for_requests_on_vneid_only() -> None:
    assert total(IN_SUBSIDY, replace(ADULT_HANOI, channel="counter")) == 200_000


def test_an_exempt_person_gets_no_subsidy_line() -> None:
    result = quote(IN_SUBSIDY, 1, replace(ADULT_HANOI, age=10))
    assert result.total_vnd == 0
    assert "hanoi_nq11_2024_subsidy" not in result.rules_applied


# --- The data ------------------------------------------------------------------------------------------------------


def test_no_base_fee_in_force_is_a_data_error() -> None:
    with pytest.raises(FeeRulesMissing):
        quote(date(2016, 12, 31), 1, ADULT_HCMC)


def test_every_rule_has_an_id_a_source_a_summary_and_coherent_dates() -> None:
    rules = fee_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.source
        assert rule.rule
        assert rule.valid_until is None or rule.valid_from <= rule.valid_until


def test_tt244_ends_the_day_before_tt16_begins() -> None:
    by_id = {r.id: r for r in fee_rules()}
    assert all(r.valid_until == LAST_DAY_OF_TT244 for r in fee_rules() if r.id.startswith("tt244_"))
    assert all(r.valid_from == FIRST_DAY_OF_TT16 for r in fee_rules() if r.id.startswith("tt16_"))
    assert by_id["tt16_online_fee_2025"].valid_until == LAST_DAY_OF_ONLINE_RATE


def test_declared_categories_in_the_data_match_the_api_enum() -> None:
    named = {
        category
        for rule in load_json("criminal_record_fees.json")["rules"]
        for category in rule.get("conditions", {}).get("fee_categories", [])
    }
    assert named == {c.value for c in FeeCategory} - {"standard"}


def test_a_new_fee_level_takes_over_on_its_valid_from_date() -> None:
    rules = fee_rules()
    standard = next(r for r in rules if r.id == "tt16_standard_fee")
    others = tuple(r for r in rules if r is not standard)
    rules = (
        replace(standard, valid_until=date(2026, 6, 30)),
        replace(standard, id="future_fee", amount_vnd=150_000, valid_from=date(2026, 7, 1)),
        *others,
    )
    assert quote(date(2026, 6, 30), 1, ADULT_HCMC, rules).total_vnd == 200_000
    assert quote(date(2026, 7, 1), 1, ADULT_HCMC, rules).rules_applied == ["future_fee"]
    assert quote(date(2026, 7, 1), 1, ADULT_HCMC, rules).total_vnd == 150_000
