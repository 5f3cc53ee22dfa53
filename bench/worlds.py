"""Sandbox worlds: how long creating one takes, what it costs on disk, and 50 of them live at once.

    python -m bench.worlds [--population 10000] [--worlds 50] [--postgres postgresql://postgres@127.0.0.1:5432]

In this process, through the code path `POST /sandbox/worlds` runs (`Worlds.create`), on SQLite (a temporary
directory) and on a new database of the PostgreSQL server (dropped afterwards; `--postgres ''` skips it). For each
backend: the first world (its template is built: migrate and seed), then worlds made one at a time with the spare
RSA keys ready (the designed path), then `--worlds` made back to back (spares run out: key generation shows), each
one resolved afterwards as a request would. Prints milliseconds and disk per world; writes bench/results/worlds.json.
"""

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.clock import clock
from app.core.config import Settings
from app.core.db import Database, create_db_engine, normalise_url
from app.core.keys import KeyStore, spare_keys
from app.core.migrations import upgrade
from app.services import sandbox
from app.services.world_storage import storage_for
from app.services.worlds import SPARE_KEYS, Worlds
from bench.common import load_average, write_results

WARM_RUNS = 10
KEYS_PER_WORLD = 4


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    url = make_url(normalise_url(server_url))
    name = f"vneid_bench_worlds_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def milliseconds(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def wait_for_spare_keys() -> None:
    spare_keys.keep(SPARE_KEYS)
    while spare_keys.available < KEYS_PER_WORLD:
        time.sleep(0.05)


def disk_per_world(worlds: Worlds, world_id: str) -> int:
    storage: Any = worlds.storage
    if hasattr(storage, "directory"):
        return int((storage.directory / f"{world_id}.db").stat().st_size)
    with Session(storage.engine) as db:
        size = db.execute(
            text(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"
            ),
            {"schema": f"world_{world_id}"},
        ).scalar_one()
    return int(size)


def measure(url: str, population: int, count: int) -> dict[str, Any]:
    settings = Settings(database_url=url, population=100, admin_token="bench", log_level="WARNING")
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as db, db.begin():
        sandbox.bootstrap(db, settings, KeyStore(), clock)
    root = Database(engine)
    worlds = Worlds(settings, storage_for(root, settings))
    try:

        def create() -> str:
            return worlds.create(root, seed=6, population=population, ttl_seconds=3600).id

        first_ms, first = milliseconds(create)
        warm = []
        for _ in range(WARM_RUNS):
            wait_for_spare_keys()
            warm.append(milliseconds(create)[0])
        wait_for_spare_keys()
        started = time.perf_counter()
        burst = [milliseconds(create) for _ in range(count)]
        burst_seconds = time.perf_counter() - started
        resolved = sum(worlds.resolve(root, world_id) is not None for _, world_id in burst)
        return {
            "backend": engine.dialect.name,
            "population": population,
            "first_world_ms": round(first_ms),
            "warm_median_ms": round(statistics.median(warm)),
            "warm_max_ms": round(max(warm)),
            "burst_worlds": count,
            "burst_seconds": round(burst_seconds, 2),
            "burst_median_ms": round(statistics.median(ms for ms, _ in burst)),
            "live_worlds": len(worlds.listing(root)),
            "resolved": resolved,
            "disk_bytes_per_world": disk_per_world(worlds, first),
            "load_average": load_average(),
        }
    finally:
        for info in worlds.listing(root):
            worlds.delete(root, info.id)
        worlds.close_all()
        engine.dispose()


def report(run: dict[str, Any]) -> None:
    print(
        f"{run['backend']:>10}, {run['population']:,} citizens: first world {run['first_world_ms']} ms (template "
        f"built); with spare keys median {run['warm_median_ms']} ms, max {run['warm_max_ms']} ms; "
        f"{run['burst_worlds']} back to back in {run['burst_seconds']} s (median {run['burst_median_ms']} ms), "
        f"{run['resolved']}/{run['live_worlds']} live and resolved; {run['disk_bytes_per_world'] / 1e6:.1f} MB per "
        f"world; load average {run['load_average']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worlds", description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=10_000, help="citizens per world")
    parser.add_argument("--worlds", type=int, default=50, help="worlds made back to back, all live at the end")
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL, no database"
    )
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="vneid-bench-worlds-") as directory:
        runs.append(measure(f"sqlite:///{Path(directory) / 'sandbox.db'}", args.population, args.worlds))
        report(runs[-1])
    if args.postgres:
        with postgres_database(args.postgres) as url:
            runs.append(measure(url, args.population, args.worlds))
            report(runs[-1])
    print(f"results: {write_results('worlds', {'runs': runs})}")


if __name__ == "__main__":
    main()
