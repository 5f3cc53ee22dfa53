"""The worker processes of running `serve` instances: heartbeats, and readiness once every worker serves."""

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import ServerWorker

HEARTBEAT_SECONDS = 2.0
# A worker unseen for this long has stopped serving (it died, or is stuck).
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Readiness:
    serving: int
    expected: int

    @property
    def ready(self) -> bool:
        return self.serving >= self.expected


def worker_id(instance_id: str) -> str:
    return f"{instance_id}:{os.getpid()}"


def beat(db: Session, now: datetime, instance_id: str, workers: int) -> None:
    """This worker serves: refresh its row, and forget workers (of any instance) that stopped long ago."""
    me = db.get(ServerWorker, worker_id(instance_id))
    if me is None:
        db.add(
            ServerWorker(
                worker_id=worker_id(instance_id), instance_id=instance_id, workers=workers, started_at=now, seen_at=now
            )
        )
    else:
        me.seen_at = now
    db.execute(delete(ServerWorker).where(ServerWorker.seen_at < now - FORGET_AFTER))


def readiness(db: Session, now: datetime, instance_id: str, workers: int) -> Readiness:
    serving = db.scalar(
        select(func.count())
        .select_from(ServerWorker)
        .where(ServerWorker.instance_id == instance_id, ServerWorker.seen_at >= now - STALE_AFTER)
    )
    return Readiness(serving or 0, workers)
