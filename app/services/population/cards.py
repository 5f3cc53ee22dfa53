"""ID cards of the generated population: when the card a person holds was issued (Luật Căn cước 2023 art. 21)."""

from datetime import date, timedelta
from functools import cache

from app.services.population.dates import ID_CARD_MILESTONES, age_on, birthday
from app.services.population.draws import Draws

CHIP_CARDS_FROM = date(2021, 1, 1)  # the chip-based căn cước công dân: everyone's present card dates from then on
CAN_CUOC_FROM = date(2024, 7, 1)  # Luật Căn cước 2023 in force: the căn cước replaces it
EARLY_RENEWAL_SHARE = 0.5  # of people whose renewal age is less than two years away (a sandbox estimate)


@cache
def card_issued_window(birth: date, as_of: date) -> tuple[date, int]:
    """When the card someone holds on `as_of` was issued: (earliest day, days in the window).

    Luật Căn cước 2023 art. 21 (as Luật CCCD 2014 art. 21 before it): a card is renewed at 14, 25, 40 and 60.
    Whoever reached their last renewal age after chip cards began renewed around that birthday (a card issued
    in the two years before it counts for it); the others hold the chip card of the 2021–2022 campaigns or later.
    """
    age = age_on(birth, as_of)
    milestone = birthday(birth, max(m for m in ID_CARD_MILESTONES if m <= age))
    if milestone >= CHIP_CARDS_FROM:
        earliest = max(CHIP_CARDS_FROM, milestone - timedelta(days=180))
        return earliest, max(1, (min(as_of, milestone + timedelta(days=90)) - earliest).days)
    return CHIP_CARDS_FROM, max(1, (min(as_of, date(2022, 7, 1)) - CHIP_CARDS_FROM).days)


@cache
def early_renewal_window(birth: date, as_of: date) -> tuple[date, int] | None:
    """Where the next renewal age comes within two years, the days a căn cước issued since 1 July 2024 (Luật Căn
    cước 2023) already counts for it: such a card stays valid until the renewal age after (art. 21(2))."""
    upcoming = [day for day in (birthday(birth, m) for m in ID_CARD_MILESTONES) if as_of < day <= birthday(as_of, 2)]
    if not upcoming:
        return None
    earliest = max(CAN_CUOC_FROM, birthday(upcoming[0], -2) + timedelta(days=1))
    return (earliest, (as_of - earliest).days) if earliest < as_of else None


def draw_card_issued_on(draws: Draws, birth: date, as_of: date) -> date | None:
    """The issue date of the card held on `as_of` (the day of death for the dead), or None before chip cards."""
    if as_of < CHIP_CARDS_FROM:  # died before chip cards: their card is not on this record
        return None
    earliest, days = card_issued_window(birth, as_of)
    early = early_renewal_window(birth, as_of)
    if early and draws.random() < EARLY_RENEWAL_SHARE:
        earliest, days = early
    return earliest + timedelta(days=draws.below(days))
