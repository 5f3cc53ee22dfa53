"""Deadlines: working days skip weekends and Vietnamese public holidays (Tết included); a period in days counts
every day but ends on a working day (Bộ luật Dân sự 2015 art. 147(1), 148(5))."""

from datetime import date

import pytest

from app.services.procedures.working_days import add_days, add_working_days, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 6, 2), True),  # a Monday
        (date(2025, 6, 7), False),  # Saturday
        (date(2025, 6, 8), False),  # Sunday
        (date(2025, 9, 2), False),  # National Day
        (date(2026, 2, 17), False),  # Tết (Lunar New Year) 2026
        (date(2026, 4, 27), False),  # Hùng Kings' day, observed on Monday
    ],
)
def test_working_day_excludes_weekends_and_public_holidays(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_start_day_does_not_count() -> None:
    assert add_working_days(date(2025, 6, 2), 1) == date(2025, 6, 3)


def test_friday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2025, 6, 6), 1) == date(2025, 6, 9)


def test_ten_working_days_span_two_weekends() -> None:
    assert add_working_days(date(2025, 6, 2), 10) == date(2025, 6, 16)


def test_fifteen_working_days_span_three_weekends() -> None:
    assert add_working_days(date(2025, 6, 2), 15) == date(2025, 6, 23)


def test_reunification_and_labour_day_are_skipped() -> None:
    # 30 April and 1 May 2025, plus 2 May given as a day off in exchange for Saturday 26 April.
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_tet_holiday_week_is_skipped() -> None:
    # Friday 13 February 2026, then Tết from Monday 16 to Friday 20 February.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_deadline_from_a_weekend_day_counts_from_the_next_working_day() -> None:
    assert add_working_days(date(2025, 6, 7), 1) == date(2025, 6, 9)


def test_zero_days_is_the_start_day() -> None:
    assert add_working_days(date(2025, 6, 7), 0) == date(2025, 6, 7)


def test_a_period_in_days_counts_weekends_and_leaves_out_the_start_day() -> None:
    """Luật Lý lịch tư pháp 2009 art. 48: 10 days (ngày) from Monday 02/06/2025 end on Thursday 12/06/2025."""
    assert add_days(date(2025, 6, 2), 10) == date(2025, 6, 12)
    assert add_days(date(2025, 6, 2), 15) == date(2025, 6, 17)


def test_a_period_in_days_ending_on_a_weekend_ends_on_the_monday() -> None:
    assert add_days(date(2025, 6, 4), 10) == date(2025, 6, 16)  # Saturday 14/06 → Monday 16/06


def test_a_period_in_days_ending_in_tet_ends_after_it() -> None:
    """Tết 2026: holidays 16–20/02 between two weekends; 10 days from 06/02 end on 16/02, so on 23/02."""
    assert add_days(date(2026, 2, 6), 10) == date(2026, 2, 23)


def test_zero_days_on_a_rest_day_is_the_next_working_day() -> None:
    assert add_days(date(2025, 6, 7), 0) == date(2025, 6, 9)
