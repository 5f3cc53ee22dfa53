"""The 12-digit personal identification number (số định danh cá nhân): `PPP G YY NNNNNN`.

PPP is the birth-registration province of the 63 pre-2025 provinces, G encodes sex and century
(Thông tư 59/2021/TT-BCA), YY the last two digits of the birth year, NNNNNN a random serial.
"""

import re
from dataclasses import dataclass

from app.services.reference import catalog

_SHAPE = re.compile(r"\d{12}")
_CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}


@dataclass(frozen=True, slots=True)
class PersonalIdFacts:
    province_prefix: str
    sex: str
    birth_year: int


def parse_personal_id(value: str, *, current_year: int) -> PersonalIdFacts:
    """What a personal ID says about its holder; ValueError with a readable reason when it is malformed."""
    if not _SHAPE.fullmatch(value):
        raise ValueError("a personal identification number is exactly 12 digits")
    prefix = value[:3]
    if prefix not in catalog().legacy_provinces:
        raise ValueError(f"{prefix} is not a province code of birth registration (001-096)")
    digit = int(value[3])
    if digit not in _CENTURY_BY_DIGIT:
        raise ValueError(f"the 4th digit ({digit}) must encode sex and century: 0-5")
    birth_year = _CENTURY_BY_DIGIT[digit] + int(value[4:6])
    if birth_year > current_year:
        raise ValueError(f"the number encodes a birth year in the future ({birth_year})")
    return PersonalIdFacts(prefix, "male" if digit % 2 == 0 else "female", birth_year)


def personal_id_pattern(*, current_year: int) -> str:
    """What parse_personal_id accepts, as a regular expression (for the OpenAPI schema): a birth-registration
    province, then a sex-and-century digit with a birth year not after `current_year` (1900 to 20YY)."""
    provinces = "|".join(sorted(catalog().legacy_provinces))
    tens, units = divmod(current_year - 2000, 10)
    this_century = f"[0-{tens - 1}][0-9]|{tens}[0-{units}]" if tens else f"0[0-{units}]"
    return f"^(?:{provinces})(?:[01][0-9]{{2}}|[23](?:{this_century}))[0-9]{{6}}$"


def sex_century_digit(sex: str, birth_year: int) -> str:
    century_offset = {1900: 0, 2000: 2, 2100: 4}[birth_year // 100 * 100]
    return str(century_offset + (0 if sex == "male" else 1))


def compose_personal_id(province_prefix: str, sex: str, birth_year: int, serial: int) -> str:
    return f"{province_prefix}{sex_century_digit(sex, birth_year)}{birth_year % 100:02d}{serial:06d}"
