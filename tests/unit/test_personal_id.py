"""The 12-digit personal identification number: PPP G YY NNNNNN."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.population.personal_id import compose_personal_id, parse_personal_id
from app.services.reference import catalog

PREFIXES = sorted(catalog().legacy_provinces)


@given(
    prefix=st.sampled_from(PREFIXES),
    sex=st.sampled_from(["male", "female"]),
    year=st.integers(min_value=1900, max_value=2026),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_composed_ids_parse_back_to_their_facts(prefix: str, sex: str, year: int, serial: int) -> None:
    personal_id = compose_personal_id(prefix, sex, year, serial)
    assert len(personal_id) == 12
    facts = parse_personal_id(personal_id, current_year=2026)
    assert (facts.province_prefix, facts.sex, facts.birth_year) == (prefix, sex, year)


@pytest.mark.parametrize(
    ("personal_id", "sex", "year"),
    [
        ("001090000001", "male", 1990),
        ("079195000002", "female", 1995),
        ("040203000003", "male", 2003),
        ("001320000009", "female", 2020),
    ],
)
def test_persona_ids_encode_sex_and_birth_year(personal_id: str, sex: str, year: int) -> None:
    facts = parse_personal_id(personal_id, current_year=2026)
    assert (facts.sex, facts.birth_year) == (sex, year)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00109000001", "exactly 12 digits"),
        ("0010900000x1", "exactly 12 digits"),
        ("003090000001", "province code"),
        ("097090000001", "province code"),
        ("001690000001", "4th digit"),
        ("001230000001", "future"),
        ("001427000001", "future"),
    ],
)
def test_malformed_ids_say_why(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_personal_id(value, current_year=2026)


def test_there_are_63_birth_registration_provinces_and_34_current_ones() -> None:
    assert len(catalog().legacy_provinces) == 63
    assert len(catalog().provinces) == 34
    assert len(catalog().communes) == 3321
    assert {p.new_province_code for p in catalog().legacy_provinces.values()} == set(catalog().provinces)
    assert catalog().legacy_provinces["036"].new_province_code == "37"  # Nam Định merged into Ninh Bình
    assert len(catalog().ethnic_groups) == 54
