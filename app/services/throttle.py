"""Attempt throttles shared by every worker and instance: at most `limit` failures per key in a window, then 429
with Retry-After for a whole window from the failure that reached the limit. The counters live in the database
(`AttemptCounter`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.models import AttemptCounter


class TooManyAttempts(AppError):
    status, code, title = 429, "too_many_attempts", "Too many attempts; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed attempts; try again in {retry_after} s ({ceil(retry_after / 60)} min)",
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

    def retry_after(self, db: Session, key: str, now: datetime) -> int | None:
        """Seconds until `key` may try again, or None when it has failures left in the current window."""
        counter = self._counter(db, key, now)
        if counter is None or counter.attempts < self.limit:
            return None
        return max(1, ceil((counter.window_started_at + self.window - now).total_seconds()))

    def check(self, db: Session, key: str, now: datetime) -> None:
        """Refuse (429) while `key` has used up its failures of the current window."""
        seconds = self.retry_after(db, key, now)
        if seconds is not None:
            raise TooManyAttempts(seconds)

    def record_failure(self, db: Session, key: str, now: datetime) -> bool:
        """Count a failure; True when it used up the key's last one (the lockout starts now)."""
        counter = self._counter(db, key, now)
        if counter is None:
            counter = db.merge(AttemptCounter(key=f"{self.name}:{key}", window_started_at=now, attempts=0))
        counter.attempts += 1
        if counter.attempts < self.limit:
            return False
        # Failures spread over a window would otherwise leave only the window's tail as lockout.
        counter.window_started_at = now
        return True

    def forget(self, db: Session, key: str) -> None:
        """Start the count of `key` again (a success)."""
        counter = db.get(AttemptCounter, f"{self.name}:{key}")
        if counter is not None:
            db.delete(counter)
