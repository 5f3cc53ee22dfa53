"""A worker process's own life beside its requests: its thread budget and its background loops."""

from datetime import UTC, datetime

import httpx

from app.core import journal
from app.core.background import Periodic
from app.core.config import Settings
from app.core.db import Database
from app.core.outbound import OutboundPolicy, PinnedTransport
from app.services import sandbox, webhooks, workers
from app.services.worlds import Worlds

# Threads beyond the admitted requests: every admitted request can always get one (see core.admission).
SPARE_THREADS = 8


CHECKPOINT_SECONDS = 1.0
WORLD_EXPIRY_SECONDS = 10.0


def background_loops(settings: Settings, database: Database, worlds: Worlds) -> list[Periodic]:
    """The worker's loops: webhook delivery (every world's, on its own clock), the heartbeat that makes /healthz
    ready, the request journal's writes (every world's), the SQLite checkpoint kept out of the requests' commits, and
    the deletion of idle worlds."""
    loops: list[Periodic] = []
    if database.on_engine:  # a test's single connection is not for other threads
        # Idle worlds are deleted; the registry is in the database the worker started with.
        # Their files or schemas that no registry row names (a crash's leftovers) go too, from the first round on.
        loops.append(
            Periodic("world-expiry", WORLD_EXPIRY_SECONDS, lambda: (worlds.expire(database), worlds.sweep(database)))
        )
    if settings.webhook_dispatcher:
        policy = OutboundPolicy.of(settings)
        http = httpx.Client(transport=PinnedTransport(policy), timeout=webhooks.TIMEOUT_SECONDS, follow_redirects=False)

        def deliver() -> None:
            # Every live world's due events, each on its own world's clock.
            for each in (database, *(world.database for world in worlds.live(database))):
                webhooks.deliver_due(each.sessions, sandbox_now(each), http, policy)

        loops.append(Periodic("webhook-dispatcher", 1.0, deliver))
    instance_id = settings.instance_id
    if instance_id is not None:

        def beat() -> None:
            with database.sessions.begin() as db:
                workers.beat(db, datetime.now(UTC), instance_id, settings.worker_count)

        loops.append(Periodic("heartbeat", workers.HEARTBEAT_SECONDS, beat))
    loops.append(Periodic("journal", journal.FLUSH_SECONDS, journal.flush_all))
    if database.checkpoints_in_background:
        loops.append(Periodic("wal-checkpoint", CHECKPOINT_SECONDS, database.checkpoint))
    return loops


def sandbox_now(database: Database) -> datetime:
    with database.read_sessions() as db:
        return sandbox.clock_for(db).now()
