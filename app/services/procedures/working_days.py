"""Deadlines: in days (ngày) and in working days (ngày làm việc), as the text setting each deadline says.

Working days skip weekends and Vietnamese public holidays (Tết included). A period in days counts every day, but
Bộ luật Dân sự 2015 art. 147(1) leaves out the start day and art. 148(5) moves an end that falls on a weekend or
public holiday to the next working day (thuvienphapluat.vn/hoi-dap-phap-luat/3896F-hd-thoi-diem-bat-dau-va-ket-
thuc-thoi-han-duoc-xac-dinh-nhu-the-nao.html).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def add_days(start: date, days: int) -> date:
    """The last day of a period of `days` days from `start` (BLDS 2015 art. 147(1), 148(5))."""
    end = start + timedelta(days=days)
    while not is_working_day(end):
        end += timedelta(days=1)
    return end
