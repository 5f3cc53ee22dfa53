"""Dates that follow from a birth date: age on a day, birthdays, chip-card renewal (Luật Căn cước 2023 art. 21)."""

from datetime import date
from functools import cache

ID_CARD_MILESTONES = (14, 25, 40, 60)  # the card is renewed at these ages


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def birthday(birth: date, age: int) -> date:
    """The day a person born on `birth` turns `age` (28 February for those born on 29 February, in common years)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + age, day=28)


def id_card_expiry(birth: date, issued: date) -> date | None:
    """A card issued within two (calendar) years before a renewal age stays valid until the next one."""
    renewable_after = birthday(issued, 2)
    for milestone in _renewal_birthdays(birth):
        if milestone > renewable_after:
            return milestone
    return None


# Dates that follow from a birth date alone are cached: a million people share some 36,000 birthdays.
@cache
def _renewal_birthdays(birth: date) -> tuple[date, ...]:
    return tuple(birthday(birth, age) for age in ID_CARD_MILESTONES)
