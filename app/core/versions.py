"""Per-process caches of rarely changing state, invalidated across processes through the database.

Each area has a version row in `cache_version`. A change writes a new random version in the same transaction as
the change itself (`bump`); every request reads all versions once, with its first cached read, and a cache whose
version differs reloads. So a change committed by any worker or instance is seen by the next request everywhere,
at the cost of one small query per request instead of one query per cached thing. Versions are random rather than
counters so that a rolled-back change can never be mistaken for a later one. Each sandbox world has its own
versions and its own entry in every cache, chosen by the session's world.
"""

import secrets
import threading
import weakref
from collections.abc import Callable
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core.db import WORLD_INFO
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


_caches: "weakref.WeakSet[VersionedCache[object]]" = weakref.WeakSet()


class VersionedCache(Generic[T]):
    """One value per process and world, loaded by `load` and kept while the area's version stays the same."""

    def __init__(self, area: Area, load: Callable[[Session], T]) -> None:
        self.area = area
        self._load = load
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, T]] = {}  # world id → (version, value)
        _caches.add(self)  # type: ignore[arg-type]

    def get(self, db: Session) -> T:
        if changed_here(db, self.area):
            return self._load(db)
        world: str = db.info.get(WORLD_INFO, "")
        version = versions(db).get(self.area, 0)
        with self._lock:
            entry = self._entries.get(world)
        if entry is not None and entry[0] == version:
            return entry[1]
        value = self._load(db)
        with self._lock:
            self._entries[world] = (version, value)
        return value

    def forget(self, world: str) -> None:
        with self._lock:
            self._entries.pop(world, None)


def forget_world(world: str) -> None:
    """Drop a deleted world's entries from every cache of this process."""
    for cache in list(_caches):
        cache.forget(world)
