"""The sandbox clock: every rule reads time from here, so tests and the sandbox API can move it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """Wall-clock time shifted by an offset; times are returned in Vietnam's zone (ICT, UTC+7)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return (datetime.now(UTC) + self.offset).astimezone(VIETNAM)

    def today(self) -> date:
        return self.now().date()


clock = Clock()
