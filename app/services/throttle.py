"""Attempt throttles shared by every worker and instance: at most `limit` failures per key in a window, then 429
with Retry-After until the window ends. The counters live in the database (`AttemptCounter`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.models import AttemptCounter


class TooManyAttempts(AppError):
    in_api = False  # only the web pages throttle so far
    status, code, title = 429, "too_many_attempts", "Too many attempts; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed attempts; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


@dataclass(frozen=True)
class Throttle:
    name: str
    limit: int
    window: timedelta

    def _counter(self, db: Session, key: str, now: datetime) -> AttemptCounter | None:
        counter = db.get(AttemptCounter, f"{self.name}:{key}", with_for_update=True)
        return counter if counter is not None and now - counter.window_started_at < self.window else None

    def check(self, db: Session, key: str, now: datetime) -> None:
        """Refuse (429) while `key` has used up its failures of the current window."""
        counter = self._counter(db, key, now)
        if counter is not None and counter.attempts >= self.limit:
            remaining = counter.window_started_at + self.window - now
            raise TooManyAttempts(max(1, ceil(remaining.total_seconds())))

    def record_failure(self, db: Session, key: str, now: datetime) -> None:
        counter = self._counter(db, key, now)
        if counter is None:
            db.merge(AttemptCounter(key=f"{self.name}:{key}", window_started_at=now, attempts=1))
        else:
            counter.attempts += 1
