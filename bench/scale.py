"""Scaling on PostgreSQL: look-ups and logins with 1 worker, 2 workers and two instances sharing one database.

    python -m bench.scale [--postgres postgresql://postgres@127.0.0.1:5432] [--database vneid_bench]
                          [--population 10000] [--seconds 10] [--warmup 3] [--connections 16] [--threads 1]

Installs wrk first when missing (apt-get). Creates a scratch database on the PostgreSQL server (dropped first if it
exists, and dropped at the end), seeds it once with `vneid-sandbox seed`, then for each configuration starts the
sandbox on it through its CLI and measures with wrk (10 s after a 3 s warm-up each):

- 1 worker: one `vneid-sandbox serve --workers 1`;
- 2 workers: one `vneid-sandbox serve --workers 2`;
- 2 instances: two `vneid-sandbox serve --workers 1` on two ports, one public URL, the same database; two wrk
  processes at once, one per instance, the connections split between them (8 + 8), figures added up
  (latency percentiles: the worse instance's).

Look-ups: GET /v1/citizens/{personal_id} as demo-agency over a random sample of the seeded IDs
(bench/lua/paths.lua). Logins: code flows of demo-bank, authorize (PKCE S256, a persona's `login_hint`) + token
(bench/lua/codeflow.lua). PostgreSQL and wrk run on the same 2 cores as the servers. Prints each configuration's
req/s or flows/s, p50/p99, server and wrk CPU and the one-minute load average, then 2 workers ÷ 1 worker (target
≥ 1.6) and 2 instances ÷ 1 worker. Writes bench/results/scale.json. Nothing is asserted.
"""

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench import workloads, wrk
from bench.common import load_average, write_results
from bench.server import sandbox

TARGET_RATIO = 1.6  # 2 workers against 1
CONFIGURATIONS = {  # name → (workers per instance, instances)
    "1 worker": (1, 1),
    "2 workers": (2, 1),
    "2 instances": (1, 2),
}


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on the server (dropped first if it exists, and at the end): its URL."""
    admin = f"{server_url.rstrip('/')}/postgres"

    def drop(connection: psycopg.Connection) -> None:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        drop(connection)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server_url.rstrip('/')}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            drop(connection)


def measure_configuration(
    name: str, database_url: str, args: argparse.Namespace, settings: wrk.Settings, directory: Path
) -> dict[str, Any]:
    workers, instances = CONFIGURATIONS[name]
    with sandbox(args.population, workers=workers, instances=instances, database_url=database_url) as deployment:
        urls = [server.url for server in deployment.servers]
        print(f"\n{name}: {', '.join(urls)} ({deployment.seeded})", flush=True)
        personal_ids = workloads.sample_personal_ids(database_url)
        token = workloads.agency_token(urls[0])
        common = {"warmup": args.warmup, "directory": directory, "process_groups": deployment.process_groups}
        lookups = wrk.measure(
            urls, "paths.lua", lambda _seconds: workloads.lookups(personal_ids, token), settings, **common
        )
        _print_row("look-ups", lookups, "ok")
        issuer = deployment.issuer
        logins = wrk.measure(
            urls, "codeflow.lua", lambda _seconds: workloads.sandbox_codeflow(issuer, client="bank"), settings, **common
        )
        _print_row("logins (authorize + token)", logins, "flows")
    return {"workers": workers, "instances": instances, "lookups": lookups, "logins": logins}


def _print_row(label: str, r: dict[str, Any], counter: str) -> None:
    rate = r["requests_per_second"] if counter == "ok" else r["flows_per_second"]
    unit = "req/s" if counter == "ok" else "flows/s"
    server_cpu = "n/a" if r["server_cpu_percent"] is None else f"{r['server_cpu_percent']}%"
    print(
        f"  {label:<28} {rate:>9,.1f} {unit:<7} p50 {r['p50_ms']:>7.2f} ms  p99 {r['p99_ms']:>7.2f} ms  "
        f"{r[counter]:>7,.0f} ok {r['failures']:>5,.0f} failed  CPU: servers {server_cpu}, wrk {r['wrk_cpu_percent']}%"
        f"  load {r['load_average']}",
        flush=True,
    )
    if r["failures"]:
        print(f"    last failure: {r['last_failure']}")
    if r["socket_errors"]:
        print(f"    socket errors: {r['socket_errors']}")


def ratios(runs: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    def rate(name: str, kind: str) -> float:
        return runs[name][kind]["requests_per_second" if kind == "lookups" else "flows_per_second"]

    result = {}
    for kind in ("lookups", "logins"):
        base = rate("1 worker", kind)
        for name in ("2 workers", "2 instances"):
            result[f"{kind}: {name} / 1 worker"] = round(rate(name, kind) / base, 3) if base else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="vneid_bench", help="scratch database, dropped before and after")
    parser.add_argument("--population", type=int, default=10_000, help="synthetic citizens besides the personas")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the unreported run before each measured one")
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections (all instances)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (-t) of each wrk process")
    args = parser.parse_args()
    settings = wrk.Settings(connections=args.connections, threads=args.threads, seconds=args.seconds)
    wrk.ensure_wrk()
    print(
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.seconds:g}s (after {args.warmup:g} s warm-up), "
        f"PostgreSQL, {os.cpu_count()} CPUs, load average {load_average()} at the start"
    )
    with scratch_database(args.postgres, args.database) as database_url, wrk.temporary_directory() as directory:
        runs = {
            name: measure_configuration(name, database_url, args, settings, Path(directory)) for name in CONFIGURATIONS
        }
    found = ratios(runs)
    print()
    for name, value in found.items():
        verdict = ""
        if "2 workers" in name and value is not None:
            verdict = f" ({'meets' if value >= TARGET_RATIO else 'misses'} the target of ≥ {TARGET_RATIO})"
        print(f"  {name}: {value}{verdict}")
    summary = {
        "wrk": {"threads": settings.threads, "connections": settings.connections, "seconds": settings.seconds},
        "warmup_seconds": args.warmup,
        "database": "postgresql",
        "population": args.population,
        "target_ratio": TARGET_RATIO,
        "runs": runs,
        "ratios": found,
    }
    print(f"results: {write_results('scale', summary)}")


if __name__ == "__main__":
    main()
