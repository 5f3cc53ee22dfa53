"""Look-ups per second of GET /v1/citizens/{personal_id} next to bare constant-JSON routes, at two population sizes.

    python -m bench.lookup [--sizes 10000,1000000] [--seconds 10] [--warmup 3] [--connections 16] [--threads 1]
                           [--workers N]

Installs wrk first when missing (apt-get). For each size: `vneid-sandbox seed` into a fresh SQLite file, then
`vneid-sandbox serve` (the CLI's default workers, one per core, unless `--workers`) on a free loopback port, its
app carrying the bare routes of bench/bare_app.py (same server, middleware and workers; a `def` route and an
`async def` one). wrk (16 keep-alive connections, one thread, 10 s after a 3 s warm-up each; bench/lua/paths.lua)
then measures in turn:

- GET /bench/bare and GET /bench/bare-async: constant JSON, the most this server configuration can serve;
- GET /v1/citizens/{personal_id} as demo-agency (a client-credentials token, `X-Purpose` stated), over a random
  sample of 1,000 personal IDs read from the seeded database, each wrk thread going through them in turn;
  every read is audited and metered, as in real use.

Prints req/s, p50/p99, server and wrk CPU and the one-minute load average for each run; then look-up ÷ bare
(the faster bare route; target ≥ 0.5) per size, and look-up p99 at the largest size ÷ p99 at the smallest
(target ≤ 1.5). Writes bench/results/lookup.json. Nothing is asserted.
"""

import argparse
import os
from pathlib import Path
from typing import Any

from bench import workloads, wrk
from bench.bare_app import BARE_ASYNC_PATH, BARE_PATH
from bench.common import load_average, parse_sizes, write_results
from bench.server import Deployment, sandbox

TARGET_RATIO = 0.5  # look-up throughput against the bare route's
TARGET_P99_GROWTH = 1.5  # look-up p99 at the largest population against the smallest
LABELS = {
    "bare": f"GET {BARE_PATH} (def)",
    "bare_async": f"GET {BARE_ASYNC_PATH} (async def)",
    "lookup": "GET /v1/citizens/{personal_id}",
}


def measure_lookups(
    deployment: Deployment, settings: wrk.Settings, *, warmup: int, directory: Path
) -> dict[str, dict[str, Any]]:
    """Both bare routes and the look-up against the first instance of a running deployment, one after another."""
    server = deployment.servers[0]
    personal_ids = workloads.sample_personal_ids(deployment.database_url)
    token = workloads.agency_token(server.url)
    data = {
        "bare": workloads.bare(),
        "bare_async": workloads.bare(asynchronous=True),
        "lookup": workloads.lookups(personal_ids, token),
    }
    results = {}
    for name, paths in data.items():
        results[name] = wrk.measure(
            server.url,
            "paths.lua",
            lambda _seconds, paths=paths: paths,
            settings,
            warmup=warmup,
            directory=directory,
            process_groups=deployment.process_groups,
        )
    return results


def ratio(results: dict[str, dict[str, Any]]) -> float | None:
    """Look-up req/s ÷ the faster bare route's."""
    bare = max(results["bare"]["requests_per_second"], results["bare_async"]["requests_per_second"])
    return round(results["lookup"]["requests_per_second"] / bare, 3) if bare else None


def print_rows(results: dict[str, dict[str, Any]], labels: dict[str, str] = LABELS) -> None:
    print(
        f"    {'':<38} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'ok':>8} {'failed':>6}"
        f" {'server CPU':>10} {'wrk CPU':>7} {'load':>5}"
    )
    for name, r in results.items():
        server_cpu = "n/a" if r["server_cpu_percent"] is None else f"{r['server_cpu_percent']}%"
        print(
            f"    {labels[name]:<38} {r['requests_per_second']:>9,.1f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
            f"{r['ok']:>8,} {r['failures']:>6,} {server_cpu:>10} {r['wrk_cpu_percent']:>6}% {r['load_average']:>5}",
            flush=True,
        )
        if r["failures"]:
            print(f"      last failure: {r['last_failure']}")
        if r["socket_errors"]:
            print(f"      socket errors: {r['socket_errors']}")


def measure_size(population: int, args: argparse.Namespace, settings: wrk.Settings, directory: Path) -> dict:
    print(f"\npopulation {population:,}", flush=True)
    with sandbox(population, workers=args.workers) as deployment:
        print(f"  {deployment.seeded}; {deployment.workers} worker(s) at {deployment.servers[0].url}", flush=True)
        results = measure_lookups(deployment, settings, warmup=args.warmup, directory=directory)
    print_rows(results)
    result = {"population": population, "workers": deployment.workers, **results, "ratio": ratio(results)}
    verdict = "n/a" if result["ratio"] is None else ("meets" if result["ratio"] >= TARGET_RATIO else "misses")
    print(f"    look-up / bare: {result['ratio']} ({verdict} the target of ≥ {TARGET_RATIO})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lookup", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 1_000_000], help="comma-separated populations")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the unreported run before each measured one")
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (-t)")
    parser.add_argument("--workers", type=int, help="vneid-sandbox serve --workers (default: the CLI's default)")
    args = parser.parse_args()
    settings = wrk.Settings(connections=args.connections, threads=args.threads, seconds=args.seconds)
    wrk.ensure_wrk()
    print(
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.seconds:g}s (after {args.warmup:g} s warm-up), "
        f"SQLite, {os.cpu_count()} CPUs, load average {load_average()} at the start"
    )
    with wrk.temporary_directory() as directory:
        runs = [measure_size(size, args, settings, Path(directory)) for size in args.sizes]
    summary: dict[str, Any] = {
        "wrk": {"threads": settings.threads, "connections": settings.connections, "seconds": settings.seconds},
        "warmup_seconds": args.warmup,
        "database": "sqlite",
        "sample_size": workloads.SAMPLE_SIZE,
        "target_ratio": TARGET_RATIO,
        "target_p99_growth": TARGET_P99_GROWTH,
    }
    if len(runs) > 1 and runs[0]["lookup"]["p99_ms"]:
        smallest, largest = runs[0], runs[-1]
        growth = round(largest["lookup"]["p99_ms"] / smallest["lookup"]["p99_ms"], 2)
        summary["p99_growth"] = growth
        verdict = "meets" if growth <= TARGET_P99_GROWTH else "misses"
        print(
            f"\nlook-up p99 at {largest['population']:,} ÷ p99 at {smallest['population']:,}: {growth} "
            f"({verdict} the target of ≤ {TARGET_P99_GROWTH})"
        )
    print(f"results: {write_results('lookup', {**summary, 'runs': runs})}")


if __name__ == "__main__":
    main()
