"""What the sandbox's processes share to act as one: cache versions and the workers that serve."""

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class CacheVersion(Base):
    """One row per area of rarely changing state (clients, keys, clock, scenarios, revocations). Every change
    writes a new random version in the same transaction; a process that reads another version reloads its cache."""

    __tablename__ = "cache_version"

    area: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class ServerWorker(Base):
    """A worker process of a running `serve`, seen alive at `seen_at` (its heartbeat)."""

    __tablename__ = "server_worker"

    worker_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(40), index=True)
    workers: Mapped[int] = mapped_column(Integer)  # how many workers the instance runs
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxWorld(Base):
    """An isolated sandbox world served at `/w/{id}` (app/services/worlds.py). Its data lives in a storage unit of
    its own (a SQLite file, a PostgreSQL schema); this registry row, in the default world's database, is how every
    process and instance finds it, and `last_used_at` is how it expires when idle."""

    __tablename__ = "sandbox_world"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    ttl_seconds: Mapped[int] = mapped_column(Integer)
    # The schema revision its storage was made with: after an upgrade, older worlds are gone rather than broken.
    revision: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
