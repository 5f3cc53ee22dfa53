"""The `vneid-sandbox` command: serve, migrate, seed, reset."""

import argparse
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from app.core import openapi
from app.core.clock import clock
from app.core.config import Settings, get_settings
from app.core.db import Database, create_db_engine, serialise_setup
from app.core.keys import KeyStore
from app.core.migrations import upgrade
from app.services import sandbox
from app.services.population.seeding import SeedSummary
from app.serving import run_workers

WORKER_HEALTHCHECK_SECONDS = 30


def _print(*parts: object) -> None:
    print(*parts, flush=True)  # noqa: T201  (a CLI talks on stdout)


def _progress(done: int, total: int) -> None:
    if total:
        sys.stderr.write(f"\r  seeding citizens: {done:>9,} / {total:,} ({done * 100 // total}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _summary(summary: SeedSummary) -> str:
    rate = summary.citizens / summary.seconds if summary.seconds else 0
    return (
        f"seeded {summary.citizens:,} citizens in {summary.households:,} households, "
        f"{summary.accounts:,} VNeID accounts, {summary.convictions:,} convictions "
        f"in {summary.seconds:.1f} s ({rate:,.0f} citizens/s)"
    )


def prepare(settings: Settings) -> sandbox.Bootstrap:
    """Migrate, then bootstrap: seeds on first start only, so a second start changes nothing."""
    engine = create_db_engine(settings.database_url)
    database = Database(engine)
    try:
        upgrade(engine)
        with database.sessions.begin() as db:
            serialise_setup(db.connection())
            return sandbox.bootstrap(db, settings, KeyStore(), clock, _progress)
    finally:
        database.dispose()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    settings = settings.model_copy(
        update={
            "host": args.host or settings.host,
            "port": args.port or settings.port,
            "workers": args.workers or settings.workers,
        }
    )
    workers = settings.worker_count
    ready = prepare(settings)
    if ready.seeded:
        _print(_summary(ready.seeded))
    _print(f"""
  VNeID Sandbox (SANDBOX — synthetic data only)
  URL:          {settings.public_url}/
  API docs:     {settings.public_url}/docs
  Admin token:  {ready.admin_token}
  Database:     {settings.database_url}
  Workers:      {workers}
""")
    # Workers re-read settings from the environment; carry the command-line overrides there, and this instance's
    # id, under which each worker's heartbeat tells /healthz that it serves.
    os.environ |= {
        "VNEID_HOST": settings.host,
        "VNEID_PORT": str(settings.port),
        "VNEID_WORKERS": str(workers),
        "VNEID_INSTANCE_ID": uuid.uuid4().hex,
    }
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=False,
        log_level="warning",
        proxy_headers=False,  # the app believes forwarded headers from VNEID_TRUSTED_PROXIES only (app/main.py)
        # A worker answers the supervisor's pings only once it has imported the app; on a busy machine that takes
        # longer than uvicorn's 5 s, and the supervisor would kill and restart it over and over.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    if workers > 1:
        run_workers(config)
    else:
        uvicorn.Server(config).run()


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    engine = create_db_engine(settings.database_url)
    database = Database(engine)
    upgrade(engine)
    database.dispose()
    _print("database is at the latest schema")


def cmd_seed(settings: Settings, _args: argparse.Namespace) -> None:
    ready = prepare(settings)
    _print(_summary(ready.seeded) if ready.seeded else "already seeded; use `vneid-sandbox reset` to start over")


def cmd_reset(settings: Settings, _args: argparse.Namespace) -> None:
    ready = prepare(settings)
    if ready.seeded:  # a new database: the first-start seeding just made the seed state, so seed only once
        _print(_summary(ready.seeded))
        return
    database = Database.from_url(settings.database_url)
    with database.sessions.begin() as db:
        _print(_summary(sandbox.reset(db, settings)))
    database.dispose()


def cmd_openapi(settings: Settings, args: argparse.Namespace) -> None:
    """Write the OpenAPI document the app serves (the committed contract is docs/openapi.json)."""
    from app.main import create_app  # the whole app, for this command only

    app = create_app(settings.model_copy(update={"database_url": "sqlite://"}))
    Path(args.path).write_text(openapi.render(app.openapi()), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="vneid-sandbox", description="VNeID Sandbox (synthetic data only)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, seed on first start, and serve")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="worker processes (default: VNEID_WORKERS, else one per core)")
    commands.add_parser("migrate", help="upgrade the database schema to the latest migration")
    commands.add_parser("seed", help="migrate and seed the population if the database is new")
    commands.add_parser("reset", help="restore the seed state (same VNEID_SEED, same citizens)")
    document = commands.add_parser("openapi", help="write the OpenAPI document (the contract) to a file")
    document.add_argument("path", help="e.g. docs/openapi.json")
    args = parser.parse_args(argv)
    handlers = {
        "serve": cmd_serve,
        "migrate": cmd_migrate,
        "seed": cmd_seed,
        "reset": cmd_reset,
        "openapi": cmd_openapi,
    }
    handlers[args.command](get_settings(), args)


if __name__ == "__main__":
    main()
