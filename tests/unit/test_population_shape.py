"""The generated population looks like Việt Nam's: the 2019 census (GSO, Tổng điều tra dân số và nhà ở 2019).

References are the files the generator reads (seed_data/census_2019.json, census_2019_provinces.csv), whose
figures come from the census; each assertion states its tolerance. One population of 40,000 (seed 6) is shared.
"""

from collections import Counter
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest

from app.services.population.census import census_2019
from app.services.population.dates import age_on, birthday
from app.services.population.generator import ACCOUNTS_FROM, REFERENCE_DATE, GeneratedHousehold, PopulationGenerator
from app.services.reference import catalog

SIZE = 40_000


@cache
def households() -> list[GeneratedHousehold]:
    return list(PopulationGenerator(6, catalog(), set(), "hash").households(SIZE))


def citizens() -> list[dict[str, Any]]:
    return [c for h in households() for c in h.citizens]


def living() -> list[dict[str, Any]]:
    return [c for c in citizens() if c["date_of_death"] is None]


def age(citizen: dict[str, Any]) -> int:
    return age_on(citizen["date_of_birth"], REFERENCE_DATE)


def test_age_pyramid_follows_the_census() -> None:
    """Each 5-year band within 2 points of the census share; 0–14 year-olds 24.3 % ± 2 points."""
    people = living()
    bands = Counter(census_2019().band_of(age(c)).first for c in people)
    for band in census_2019().age_bands:
        assert abs(100 * bands[band.first] / len(people) - band.percent) <= 2, band
    children = sum(bands[first] for first in (0, 5, 10)) / len(people)
    assert abs(100 * children - 24.3) <= 2


def test_sex_ratio_follows_the_census() -> None:
    """99.1 men per 100 women (47,881,061 / 48,327,923) ± 2.5; boys outnumber girls under 15 (≈ 110)."""
    people = living()
    men = sum(c["sex"] == "male" for c in people)
    assert abs(100 * men / (len(people) - men) - 99.1) <= 2.5
    young = [c["sex"] for c in people if age(c) < 15]
    assert 104 <= 100 * young.count("male") / young.count("female") <= 116


def test_old_people_are_mostly_women_as_in_the_census() -> None:
    """75.3 men per 100 women aged 60+ ± 4 (the census 2019 bands of seed_data/census_2019.json, weighted by their
    shares: 86.5 at 60–64 down to 52 at 80+): women outlive their husbands, so the old have many widows."""
    bands = [b for b in census_2019().age_bands if b.first >= 60]
    reference = sum(b.percent * b.male_share for b in bands) / sum(b.percent * (1 - b.male_share) for b in bands)
    assert round(100 * reference, 1) == 75.3
    old = [c for c in living() if age(c) >= 60]
    men = sum(c["sex"] == "male" for c in old)
    assert abs(100 * men / (len(old) - men) - 75.3) <= 4
    women = [c for c in old if c["sex"] == "female"]
    assert sum(c["marital_status"] == "widowed" for c in women) / len(women) >= 0.3, "many widows"


def test_household_sizes_follow_the_census() -> None:
    """3.5 people a household ± 0.1; each size's share within 1.5 points of the reference."""
    sizes = Counter(len(h.citizens) for h in households())
    assert abs(sum(s * n for s, n in sizes.items()) / len(households()) - 3.5) <= 0.1
    for size, percent in census_2019().household_sizes.items():
        assert abs(100 * sizes[size] / len(households()) - percent) <= 1.5, size


def test_people_live_where_the_census_counted_them() -> None:
    """Each 2025 province's share of people within 0.8 points of its 2019 provinces' (Hà Nội 8.4 %, TP HCM 13.1 %).

    Households are placed by draws, so a big province's share wanders: about 0.35 points (one standard deviation)
    for TP HCM in 11,000 households; 0.8 is over two of them, for the largest of 34 deviations."""
    expected: Counter[str] = Counter()
    for province in census_2019().provinces:
        expected[catalog().legacy_provinces[province.id_prefix].new_province_code] += province.population
    total = sum(expected.values())
    people = Counter(catalog().communes[c["permanent_commune_code"]].province_code for c in citizens())
    for code, population in expected.items():
        assert abs(100 * people[code] / SIZE - 100 * population / total) <= 0.8, catalog().provinces[code].name
    assert 0.3 <= 100 * people["12"] / SIZE <= 0.7, "Lai Châu holds about half a percent of the people"


def test_ethnic_groups_live_in_their_regions_with_their_own_names() -> None:
    by_province: dict[str, Counter[str]] = {}
    for c in citizens():
        province = catalog().communes[c["permanent_commune_code"]].province_code
        by_province.setdefault(province, Counter())[c["ethnicity_code"]] += 1
    share = lambda province, group: by_province[province][group] / by_province[province].total()  # noqa: E731
    assert share("14", "03") > 0.35, "Thái in Sơn La"
    assert share("12", "08") > 0.15, "Mông in Lai Châu"
    assert share("79", "06") > 0.02, "Hoa in TP HCM"
    assert share("01", "08") == 0, "no Mông village in Hà Nội"
    names = {code: [c["full_name"] for c in citizens() if c["ethnicity_code"] == code] for code in ("03", "08", "05")}
    surnames = {"03": {"Lò", "Lường", "Quàng", "Cầm"}, "08": {"Giàng", "Sùng", "Thào", "Vàng"}, "05": {"Thạch", "Danh"}}
    for code, expected in surnames.items():
        assert sum(n.split()[0] in expected for n in names[code]) / len(names[code]) > 0.2, code
    ede = [c for c in citizens() if c["ethnicity_code"] == "11"]
    assert all(c["full_name"].startswith("Y " if c["sex"] == "male" else "H'") for c in ede)


def test_ede_children_carry_their_mothers_clan() -> None:
    by_id = {c["personal_id"]: c for c in citizens()}
    children = [c for c in citizens() if c["ethnicity_code"] == "11" and by_id.get(c["mother_personal_id"] or "")]
    assert children
    for child in children:
        mother = by_id[child["mother_personal_id"]]
        if mother["ethnicity_code"] == "11":
            assert child["full_name"].split()[-1] == mother["full_name"].split()[-1]


def test_villages_outside_towns_and_streets_in_them() -> None:
    rural = Counter()
    for h in households():
        street, kind = h.household["street"], catalog().communes[h.household["commune_code"]].kind
        if kind == "Xã":
            rural[street.split()[0]] += 1
        else:
            assert street.startswith("Số "), street
    assert "Số" not in rural
    assert {"Thôn", "Xóm", "Ấp", "Bản", "Buôn", "Làng"} <= rural.keys()


def test_hometowns_are_mostly_the_birthplace_and_children_share_their_fathers() -> None:
    people = citizens()
    assert sum(c["hometown"] == c["place_of_birth"] for c in people) / len(people) >= 0.6
    by_id = {c["personal_id"]: c for c in people}
    fathers = [(c, by_id[c["father_personal_id"]]) for c in people if c["father_personal_id"] in by_id]
    kinh = [(child, father) for child, father in fathers if child["ethnicity_code"] == father["ethnicity_code"] == "01"]
    assert kinh
    assert all(child["hometown"] == father["hometown"] for child, father in kinh)


PENAL_CODES = ((date(2018, 1, 1), "Bộ luật Hình sự 2015"), (date(2000, 7, 1), "Bộ luật Hình sự 1999"))
WAIT_YEARS = {"án treo": 1, "Phạt tiền": 1, "Cải tạo": 1, "7 năm tù": 3}  # BLHS 2015 art. 70(2); other prison: 2


def test_convictions_cite_the_code_in_force_and_are_expunged_by_art_70() -> None:
    convictions = [v for h in households() for v in h.convictions]
    assert len({v["article"].split(" ", 2)[2] for v in convictions}) == 3
    for v in convictions:
        judged = v["judgment_date"]
        code = next((name for start, name in PENAL_CODES if judged >= start), "Bộ luật Hình sự 1985")
        assert v["article"].endswith(code), v
        assert judged >= date(1986, 1, 1)
        if v["sentence_completed_on"] is None:
            assert not v["expunged"]
            continue
        wait = next((years for key, years in WAIT_YEARS.items() if key in v["sentence"]), 2)
        cleared = birthday(v["sentence_completed_on"], wait)
        assert v["expunged"] == (cleared < REFERENCE_DATE), v
        assert v["expunged_on"] == (cleared if v["expunged"] else None)


@pytest.mark.parametrize(("on", "at_most"), [(REFERENCE_DATE, 0), (REFERENCE_DATE + timedelta(days=365), 0.04)])
def test_living_adults_hold_a_card_renewed_at_the_legal_ages(on: date, at_most: float) -> None:
    """Luật Căn cước 2023 art. 21: renewal at 14, 25, 40, 60. Valid for all on the reference date; a year later only
    those who reached a renewal age and did not renew early hold an expired card."""
    holders = [c for c in living() if age(c) >= 14]
    assert all(c["id_card_issued_on"] for c in holders)
    assert all(date(2021, 1, 1) <= c["id_card_issued_on"] < REFERENCE_DATE for c in holders)
    expired = [c for c in holders if c["id_card_expires_on"] and c["id_card_expires_on"] <= on]
    assert len(expired) / len(holders) <= at_most


def test_only_people_alive_when_accounts_began_have_one() -> None:
    """VNeID accounts exist from Nghị định 59/2022/NĐ-CP (in force 20/10/2022): no one who died before has one; one
    who died since keeps a locked account (lock reason death); the living have only active ones."""
    died = {c["personal_id"]: c["date_of_death"] for c in citizens() if c["date_of_death"] is not None}
    accounts = [a for h in households() for a in h.accounts]
    dead_accounts = [a for a in accounts if a["personal_id"] in died]
    assert ACCOUNTS_FROM == date(2022, 10, 20)
    assert all(died[a["personal_id"]] >= ACCOUNTS_FROM for a in dead_accounts)
    assert all((a["status"], a["lock_reason"]) == ("locked", "death") for a in dead_accounts)
    assert dead_accounts  # deaths since 20/10/2022 still show a locked account
    assert any(day < ACCOUNTS_FROM for day in died.values())  # and earlier deaths exist, without one
    assert all(a["status"] == "active" for a in accounts if a["personal_id"] not in died)
