"""The personal ID's pattern in the OpenAPI schema accepts exactly the numbers the validation rule accepts."""

import re

from hypothesis import given
from hypothesis import strategies as st

from app.services.population.personal_id import parse_personal_id, personal_id_pattern

YEAR = 2026
PATTERN = personal_id_pattern(current_year=YEAR)


def _valid(value: str) -> bool:
    try:
        parse_personal_id(value, current_year=YEAR)
    except ValueError:
        return False
    return True


@given(st.from_regex(PATTERN, fullmatch=True))
def test_every_number_the_schema_admits_passes_the_rule(value: str) -> None:
    assert _valid(value)


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_the_schema_admits_every_number_the_rule_passes(value: str) -> None:
    assert bool(re.fullmatch(PATTERN, value)) == _valid(value)
