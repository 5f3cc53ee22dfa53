"""The synthetic population: every citizen obeys the ID rules and family logic; seeds are reproducible."""

import hashlib
import json
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.population.generator import REFERENCE_DATE, PopulationGenerator, age_on
from app.services.population.names import GIVEN_NAMES, SURNAMES
from app.services.population.personal_id import parse_personal_id
from app.services.population.seeding import personas_document
from app.services.reference import catalog

PERSONA_IDS = {p["personal_id"] for p in personas_document()["personas"]}
# sha256 of the first 2,000 generated citizens for seed 6: QA suites hard-code these people, so any change to
# the generator that changes them is a breaking change and must update this digest on purpose (and say so in
# CHANGELOG.md). Last changed: widows over 60 as in the 2019 census (issue 11 item 5).
GOLDEN_SEED_6_DIGEST = "4ef0d60de1d1de997fbb951da1de7ea594ec7bf7be0045e7e1c09577c463eee3"


def generate(seed: int, size: int) -> list[dict]:
    generator = PopulationGenerator(seed, catalog(), set(PERSONA_IDS), "hash")
    return [c for h in generator.households(size) for c in h.citizens]


def digest(citizens: list[dict]) -> str:
    canonical = json.dumps(citizens, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_seed_6_generates_the_published_population() -> None:
    assert digest(generate(6, 2_000)) == GOLDEN_SEED_6_DIGEST


def test_same_seed_same_citizens_other_seed_others() -> None:
    assert digest(generate(11, 500)) == digest(generate(11, 500))
    assert digest(generate(11, 500)) != digest(generate(12, 500))


def test_population_size_is_exact() -> None:
    assert len(generate(3, 1_234)) == 1_234


def assert_citizen_obeys_the_rules(citizen: dict) -> None:
    facts = parse_personal_id(citizen["personal_id"], current_year=REFERENCE_DATE.year)
    assert facts.sex == citizen["sex"]
    assert facts.birth_year == citizen["date_of_birth"].year
    assert catalog().legacy_provinces[facts.province_prefix].code == citizen["birth_registration_province_code"]
    assert citizen["date_of_birth"] < REFERENCE_DATE
    assert citizen["permanent_commune_code"] in catalog().communes
    assert citizen["full_name"] == " ".join(citizen["full_name"].split())
    if citizen["ethnicity_code"] == "01":  # other groups' names follow their own customs (test_population_shape)
        surname, *middle, given = citizen["full_name"].split(" ")
        assert surname in SURNAMES
        assert len(middle) == 1
        assert given in GIVEN_NAMES[citizen["sex"]]
        assert middle[0] != {"male": "Thị", "female": "Văn"}[citizen["sex"]]
    if citizen["temporary_commune_code"]:
        assert citizen["temporary_commune_code"] != citizen["permanent_commune_code"]
        assert citizen["temporary_commune_code"] in catalog().communes
    if citizen["date_of_death"]:
        assert citizen["date_of_birth"] < citizen["date_of_death"] < REFERENCE_DATE
    if citizen["phone"]:
        assert len(citizen["phone"]) == 10
        assert citizen["phone"].startswith("0")


def assert_families_are_consistent(citizens: list[dict]) -> None:
    by_id = {c["personal_id"]: c for c in citizens}
    assert len(by_id) == len(citizens), "personal IDs must be unique"
    assert not PERSONA_IDS & by_id.keys(), "generated citizens never take a persona's ID"
    for citizen in citizens:
        for parent_key in ("father_personal_id", "mother_personal_id"):
            parent = by_id.get(citizen[parent_key] or "")
            if parent:
                assert age_on(parent["date_of_birth"], citizen["date_of_birth"]) >= 15
                assert parent["sex"] == ("male" if parent_key.startswith("father") else "female")
        father = by_id.get(citizen["father_personal_id"] or "")
        if father and citizen["ethnicity_code"] == father["ethnicity_code"] == "01":
            assert citizen["full_name"].split()[0] == father["full_name"].split()[0], (
                "children carry the father's surname"
            )
        if citizen["marital_status"] == "married":
            assert citizen["spouse_personal_id"], "a married citizen has a spouse on record"
        spouse = by_id.get(citizen["spouse_personal_id"] or "")
        if spouse:
            assert spouse["spouse_personal_id"] == citizen["personal_id"]
            assert spouse["sex"] != citizen["sex"]
            if spouse["date_of_death"] and not citizen["date_of_death"]:
                assert citizen["marital_status"] == "widowed"
    heads = Counter(c["household_code"] for c in citizens if c["relation_to_head"] == "head")
    assert set(heads.values()) == {1}, "every household has exactly one head"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_every_generated_citizen_obeys_the_rules(seed: int) -> None:
    citizens = generate(seed, 400)
    for citizen in citizens:
        assert_citizen_obeys_the_rules(citizen)
    assert_families_are_consistent(citizens)


def test_population_mix_is_realistic() -> None:
    citizens = generate(6, 20_000)
    share = lambda predicate: sum(map(predicate, citizens)) / len(citizens)  # noqa: E731
    assert 0.10 <= share(lambda c: c["temporary_commune_code"] is not None) <= 0.15
    assert 0.005 <= share(lambda c: c["date_of_death"] is not None) <= 0.02
    assert 0.80 <= share(lambda c: c["ethnicity_code"] == "01") <= 0.90
    assert share(lambda c: c["religion_code"] == "none") >= 0.75
    assert 0.45 <= share(lambda c: c["sex"] == "male") <= 0.55
    assert (
        0.8
        <= share(
            lambda c: (
                c["full_name"].split()[0]
                in (
                    "Nguyễn",
                    "Trần",
                    "Lê",
                    "Phạm",
                    "Hoàng",
                    "Huỳnh",
                    "Phan",
                    "Vũ",
                    "Võ",
                    "Đặng",
                    "Bùi",
                    "Đỗ",
                    "Hồ",
                    "Ngô",
                    "Dương",
                    "Lý",
                )
            )
        )
        <= 0.95
    )


@pytest.mark.parametrize(
    ("birth", "on", "age"), [(date(2000, 2, 29), date(2025, 2, 28), 24), (date(2000, 2, 29), date(2025, 3, 1), 25)]
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age
