"""Sandbox worlds: isolated copies of the whole sandbox, created on demand, served at `/w/{id}`, expired when idle.

A world's data lives in a storage unit of its own (app/services/world_storage): a SQLite file beside the default
database, or a PostgreSQL schema on the default database's engine and pool. Everything inside is the world's own:
population, accounts, consents, grants, tokens, applications, documents, payments, webhooks, scenarios, clock,
signing keys and admin token. Its population is copied from a template made once per (seed, population, schema
revision): generating 10,000 citizens takes about a second, copying them a few milliseconds.

The registry (`sandbox_world`) lives in the default database. Every process resolves a world lazily from it, on
the first request that names it, and checks it on every request, so a world created, deleted or expired through
one worker or instance is seen by all of them at once.
"""

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from app.core.clock import Clock
from app.core.config import Settings
from app.core.db import Database
from app.core.errors import AppError
from app.core.keys import KeyStore, spare_keys
from app.core.migrations import head_revision
from app.core.versions import forget_world
from app.core.world import WORLD_PREFIX, World
from app.models.runtime import SandboxWorld
from app.services import sandbox
from app.services.world_storage import Storage

logger = logging.getLogger(__name__)

POPULATION_LIMIT = 20_000
WORLD_LIMIT = 100  # live worlds per sandbox
DEFAULT_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 7 * 86_400
# A request refreshes its world's `last_used_at` at most this often (one write), so use keeps a world alive.
TOUCH_SECONDS = 30
# RSA keys a new world takes: tokens and documents, active and next. Five worlds' worth are kept ready.
SPARE_KEYS = 20
_WORLD_ID_BYTES = 6


class TooManyWorlds(AppError):
    status, code, title = 429, "too_many_worlds", "The sandbox already has as many worlds as it allows"


class WorldsRootOnly(AppError):
    status, code, title = 403, "worlds_root_only", "Worlds are managed at the root URL with the sandbox admin token"


class WorldsUnavailable(AppError):
    status, code, title = 409, "worlds_unavailable", "This sandbox cannot hold worlds (in-memory database)"


@dataclass(frozen=True)
class WorldInfo:
    """A world as its registry row describes it; `admin_token` only in the answer to its creation."""

    id: str
    base_url: str
    seed: int
    population: int
    ttl_seconds: int
    created_at: datetime
    expires_at: datetime
    admin_token: str | None = None

    @property
    def issuer(self) -> str:
        """A world is its own OpenID provider, at its root."""
        return self.base_url


class Worlds:
    """The worlds of this process: created, resolved from the registry, deleted and expired. Every method takes the
    default world's database (`root`), which holds the registry: the app's, whichever it runs on."""

    def __init__(self, settings: Settings, storage: Storage | None) -> None:
        self.settings = settings
        self.storage = storage
        self._open: dict[str, World] = {}
        self._lock = threading.Lock()

    def _settings(self, row: SandboxWorld) -> Settings:
        # The world's issuer is its base URL; its admin token is its own, kept in its database like the root's.
        return self.settings.model_copy(
            update={
                "issuer": base_url(self.settings, row.id),
                "seed": row.seed,
                "population": row.population,
                "admin_token": None,
                "instance_id": None,
            }
        )

    def _require_storage(self) -> Storage:
        if self.storage is None:
            raise WorldsUnavailable("worlds need a database file or PostgreSQL; this sandbox runs in memory")
        return self.storage

    def create(self, root: Database, *, seed: int | None, population: int | None, ttl_seconds: int | None) -> WorldInfo:
        storage = self._require_storage()
        now = datetime.now(UTC)
        with root.read_sessions() as db:
            live = db.scalar(select(func.count()).select_from(SandboxWorld))
        if live is not None and live >= WORLD_LIMIT:
            raise TooManyWorlds(f"at most {WORLD_LIMIT} worlds live at once; delete one or let one expire")
        row = SandboxWorld(
            id=secrets.token_hex(_WORLD_ID_BYTES),
            seed=self.settings.seed if seed is None else seed,
            population=min(self.settings.population, POPULATION_LIMIT) if population is None else population,
            ttl_seconds=ttl_seconds or DEFAULT_TTL_SECONDS,
            revision=head_revision(),
            created_at=now,
            last_used_at=now,
        )
        template = f"{row.seed}_{row.population}_{row.revision}"
        storage.ensure_template(template, row.seed, row.population)
        storage.create(row.id, template)
        try:
            world = self._open_world(row)
            with world.database.sessions.begin() as db:
                made = sandbox.bootstrap(db, world.settings, world.keys, Clock())
            # Registered last: no process ever sees a world that is not ready.
            with root.sessions.begin() as db:
                db.add(row)
        except BaseException:
            self._close(row.id)
            storage.drop(row.id)
            raise
        spare_keys.keep(SPARE_KEYS)
        return _info(self.settings, row, admin_token=made.admin_token)

    def _open_world(self, row: SandboxWorld) -> World:
        with self._lock:
            world = self._open.get(row.id)
            if world is None:
                database = self._require_storage().database(row.id)
                world = self._open[row.id] = World(row.id, database, self._settings(row), KeyStore())
            return world

    def _close(self, world_id: str) -> None:
        with self._lock:
            world = self._open.pop(world_id, None)
        if world is not None and self.storage is not None:
            self.storage.close(world_id, world.database)
        forget_world(world_id)

    def _live_row(self, root: Database, world_id: str, now: datetime) -> SandboxWorld | None:
        with root.read_sessions() as db:
            row: SandboxWorld | None = db.get(SandboxWorld, world_id)
        if row is None or row.revision != head_revision() or _expires_at(row) <= now:
            return None
        return row

    def resolve(self, root: Database, world_id: str) -> World | None:
        """The world a request names, checked against the registry (deleted or expired: None); keeps it alive."""
        now = datetime.now(UTC)
        row = self._live_row(root, world_id, now)
        if row is None:
            self._close(world_id)
            return None
        if now - row.last_used_at >= timedelta(seconds=min(TOUCH_SECONDS, row.ttl_seconds / 10)):
            with root.sessions.begin() as db:
                db.execute(update(SandboxWorld).where(SandboxWorld.id == world_id).values(last_used_at=now))
        return self._open_world(row)

    def read(self, root: Database, world_id: str) -> WorldInfo | None:
        row = self._live_row(root, world_id, datetime.now(UTC))
        return None if row is None else _info(self.settings, row)

    def listing(self, root: Database) -> list[WorldInfo]:
        now = datetime.now(UTC)
        with root.read_sessions() as db:
            rows = db.scalars(select(SandboxWorld).order_by(SandboxWorld.created_at)).all()
        return [_info(self.settings, row) for row in rows if _expires_at(row) > now]

    def live(self, root: Database) -> list[World]:
        """Every live world, opened in this process, without keeping any alive (the webhook dispatcher)."""
        now = datetime.now(UTC)
        with root.read_sessions() as db:
            rows = db.scalars(select(SandboxWorld).where(SandboxWorld.revision == head_revision())).all()
        return [self._open_world(row) for row in rows if _expires_at(row) > now]

    def delete(self, root: Database, world_id: str) -> bool:
        with root.sessions.begin() as db:
            deleted: bool = db.execute(delete(SandboxWorld).where(SandboxWorld.id == world_id)).rowcount > 0
        if deleted:
            self._close(world_id)
            self._require_storage().drop(world_id)
        return deleted

    def sweep(self, root: Database) -> list[str]:
        """Remove the worlds' files or schemas that no registry row names (left by a crash), and stale templates;
        safe in every process at once (see app/services/world_storage)."""
        if self.storage is None:
            return []
        with root.read_sessions() as db:
            named = frozenset(db.scalars(select(SandboxWorld.id)).all())
        removed = self.storage.sweep(named, head_revision())
        if removed:
            logger.warning("removed world storage no registry row names: %s", ", ".join(removed))
        return removed

    def expire(self, root: Database) -> list[str]:
        """Delete the worlds idle for longer than their ttl (or made by an older schema revision)."""
        now = datetime.now(UTC)
        with root.read_sessions() as db:
            rows = db.scalars(select(SandboxWorld)).all()
        gone = [row.id for row in rows if _expires_at(row) <= now or row.revision != head_revision()]
        return [world_id for world_id in gone if self.delete(root, world_id)]

    def close_all(self) -> None:
        for world_id in list(self._open):
            self._close(world_id)


def base_url(settings: Settings, world_id: str) -> str:
    return f"{settings.public_url}{WORLD_PREFIX}{world_id}"


def _expires_at(row: SandboxWorld) -> datetime:
    return row.last_used_at + timedelta(seconds=row.ttl_seconds)


def _info(settings: Settings, row: SandboxWorld, admin_token: str | None = None) -> WorldInfo:
    return WorldInfo(
        id=row.id,
        base_url=base_url(settings, row.id),
        seed=row.seed,
        population=row.population,
        ttl_seconds=row.ttl_seconds,
        created_at=row.created_at,
        expires_at=_expires_at(row),
        admin_token=admin_token,
    )
