"""Per-process caches of rarely changing state, invalidated across processes through the database.

Each area has a version row in `cache_version`. A change writes a new random version in the same transaction as
the change itself (`bump`); every request reads all versions once, with its first cached read, and a cache whose
version differs reloads. So a change committed by any worker or instance is seen by the next request everywhere,
at the cost of one small query per request instead of one query per cached thing. Versions are random rather than
counters so that a rolled-back change can never be mistaken for a later one.
"""

import secrets
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import CacheVersion

T = TypeVar("T")
_VERSIONS = "vneid_cache_versions"
_READ_VERSIONS = f"SELECT area, version FROM {CacheVersion.__tablename__}"
_CHANGED = "vneid_cache_changed"


class Area(StrEnum):
    CLIENTS = "clients"
    KEYS = "keys"
    CLOCK = "clock"
    SCENARIOS = "scenarios"
    REVOCATIONS = "revocations"


def versions(db: Session) -> dict[str, int]:
    """The versions this request works with, read once per session."""
    known: dict[str, int] | None = db.info.get(_VERSIONS)
    if known is None:
        # The one query every request makes: plain SQL, without the ORM's per-statement work.
        rows = db.connection().exec_driver_sql(_READ_VERSIONS)
        known = db.info[_VERSIONS] = dict(rows.all())
    return known


def bump(db: Session, *areas: Area) -> None:
    """Record, in the caller's transaction, that these areas changed: every process reloads them."""
    for area in areas:
        version = secrets.randbits(62)
        updated = update(CacheVersion).where(CacheVersion.area == area).values(version=version)
        if db.execute(updated.returning(CacheVersion.area)).first() is None:
            db.add(CacheVersion(area=area, version=version))
            db.flush()
        db.info.setdefault(_CHANGED, set()).add(area)


def changed_here(db: Session, area: Area) -> bool:
    """Whether this session changed the area: its own uncommitted state must be read from the database."""
    return area in db.info.get(_CHANGED, ())


class VersionedCache(Generic[T]):
    """One value per process, loaded by `load` and kept while the area's version stays the same."""

    def __init__(self, area: Area, load: Callable[[Session], T]) -> None:
        self.area = area
        self._load = load
        self._lock = threading.Lock()
        self._version: int | None = None
        self._value: T | None = None

    def get(self, db: Session) -> T:
        if changed_here(db, self.area):
            return self._load(db)
        version = versions(db).get(self.area, 0)
        with self._lock:
            if self._version == version:
                return self._value  # type: ignore[return-value]
        value = self._load(db)
        with self._lock:
            self._version, self._value = version, value
        return value
