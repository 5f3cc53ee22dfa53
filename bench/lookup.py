"""Look-up throughput and latency of GET /v1/citizens/{personal_id} next to a bare route, at two population sizes.

    python -m bench.lookup [--sizes 10000,1000000] [--seconds 5] [--rounds 3] [--concurrency 8]

For each size: seed a fresh SQLite file with `vneid-sandbox seed`, start one uvicorn worker serving the sandbox
plus a bare route (bench/bare_app.py) on a free loopback port, then measure the bare route and the look-up in
turn (bearer token and audit trail as in real use), with the same client and concurrency. The load generator is
a closed loop over keep-alive connections in this process, so it shares the machine with the server: its CPU use
is printed next to the server's to show which of the two was the limit.
"""

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from app.core.db import create_db_engine
from app.models import Citizen
from bench.bare_app import BARE_PATH
from bench.common import load_average, parse_sizes, write_results

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SIZE = 1_000
SEED_TIMEOUT = 600  # seconds; a million citizens take under a minute on an idle 2-core machine
CLIENT_ID, CLIENT_SECRET = "demo-agency", "demo-agency-secret"
TARGET_RATIO = 0.5  # look-up throughput against the bare route's
TARGET_P99_GROWTH = 1.5  # p99 at the largest population against the smallest


@dataclass
class Measurement:
    """One stretch of load on one route."""

    seconds: float
    latencies: list[float]  # of the successful requests
    failures: int
    client_cpu: float  # CPU seconds of this process, the load generator
    server_cpu: float | None  # CPU seconds of the server, where /proc tells


def summarise(runs: list[Measurement]) -> dict[str, Any]:
    seconds = sum(run.seconds for run in runs)
    latencies = [latency for run in runs for latency in run.latencies]
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    server_cpu = [run.server_cpu for run in runs if run.server_cpu is not None]
    return {
        "requests": len(latencies),
        "failures": sum(run.failures for run in runs),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentiles[49] * 1000, 2),
        "p99_ms": round(percentiles[98] * 1000, 2),
        "client_cpu_percent": round(100 * sum(run.client_cpu for run in runs) / seconds),
        "server_cpu_percent": round(100 * sum(server_cpu) / seconds) if len(server_cpu) == len(runs) else None,
    }


class LoadGenerator:
    """`concurrency` keep-alive HTTP/1.1 connections, each sending one request after another (a closed loop).

    Plain asyncio streams in one thread, not an HTTP client library: the load generator shares the two CPUs with
    the server, and httpx in threads spent about as much CPU per request as the bare route does, capping that
    route at half its rate, which flattered the look-up / bare ratio.
    """

    def __init__(self, port: int, headers: dict[str, str], concurrency: int, server_pid: int) -> None:
        self.port, self.headers, self.server_pid = port, headers, server_pid
        self.runner = asyncio.Runner()  # one event loop, so the connections live from one run to the next
        self.connections = [self.runner.run(asyncio.open_connection("127.0.0.1", port)) for _ in range(concurrency)]

    def close(self) -> None:
        for _, writer in self.connections:
            writer.close()
        self.runner.close()

    def run(self, paths: Sequence[str], seconds: float) -> Measurement:
        requests = [_request(path, self.headers) for path in paths]
        server_cpu, client_cpu, started = _cpu_seconds(self.server_pid), time.process_time(), time.perf_counter()
        results = self.runner.run(self._all(requests, started + seconds))
        elapsed = time.perf_counter() - started
        server_after = _cpu_seconds(self.server_pid)
        return Measurement(
            elapsed,
            [latency for latencies, _ in results for latency in latencies],
            sum(failures for _, failures in results),
            time.process_time() - client_cpu,
            None if server_cpu is None or server_after is None else server_after - server_cpu,
        )

    async def _all(self, requests: list[bytes], deadline: float) -> list[tuple[list[float], int]]:
        loops = (
            _requests_until(reader, writer, requests, deadline, random.Random(index))
            for index, (reader, writer) in enumerate(self.connections)
        )
        return await asyncio.gather(*loops)


async def _requests_until(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    requests: list[bytes],
    deadline: float,
    rng: random.Random,
) -> tuple[list[float], int]:
    """Latencies of the successful requests, and how many failed."""
    latencies: list[float] = []
    failures = 0
    while (started := time.perf_counter()) < deadline:
        writer.write(rng.choice(requests))
        if await _response_status(reader) == 200:
            latencies.append(time.perf_counter() - started)
        else:
            failures += 1
    return latencies, failures


def _request(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _response_status(reader: asyncio.StreamReader) -> int:
    """Read one response off the connection; the app always sends Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    for line in header_lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            await reader.readexactly(int(value))
            return int(status_line.split()[1])
    raise RuntimeError(f"a response without Content-Length: {status_line!r}")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (None where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database: Path, population: int, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "VNEID_DATABASE_URL": f"sqlite:///{database}",
        "VNEID_POPULATION": str(population),
        "VNEID_SEED": "6",
        "VNEID_ADMIN_TOKEN": "bench-admin-token",
        "VNEID_HOST": "127.0.0.1",
        "VNEID_PORT": str(port),
        # One token outlives the whole run; the default of 300 s would not.
        "VNEID_ACCESS_TOKEN_TTL_SECONDS": "3600",
        "VNEID_LOG_LEVEL": "WARNING",
    }


def seed(environment: dict[str, str]) -> str:
    """Run `vneid-sandbox seed` (as `python -m app.cli seed`) and return its summary line."""
    command = [sys.executable, "-m", "app.cli", "seed"]
    done = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=SEED_TIMEOUT)
    if done.returncode:
        raise RuntimeError(f"vneid-sandbox seed failed:\n{done.stderr}")
    return done.stdout.strip()


def sample_personal_ids(database: Path) -> list[str]:
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            query = select(Citizen.personal_id).order_by(func.random()).limit(SAMPLE_SIZE)
            return list(connection.scalars(query))
    finally:
        engine.dispose()


@contextmanager
def server(environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One uvicorn worker with the settings `vneid-sandbox serve` uses, until the block ends."""
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", environment["VNEID_PORT"], "--workers", "1"]
    command += ["--no-access-log", "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{environment['VNEID_PORT']}", process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{log.read_text()}")


def access_token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET)
    )
    response.raise_for_status()
    return response.json()["access_token"]


def measure_size(population: int, args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    database = directory / f"lookup-{population}.db"
    environment = _environment(database, population, _free_port())
    print(f"\npopulation {population:,}: {seed(environment)}", flush=True)
    lookups = [f"/v1/citizens/{personal_id}" for personal_id in sample_personal_ids(database)]
    targets = {"bare": [BARE_PATH], "lookup": lookups}
    with server(environment, directory / f"server-{population}.log") as process:
        base_url = f"http://127.0.0.1:{environment['VNEID_PORT']}"
        headers = {"Authorization": f"Bearer {access_token(base_url)}", "X-Purpose": "benchmark"}
        load = LoadGenerator(int(environment["VNEID_PORT"]), headers, args.concurrency, process.pid)
        try:
            for paths in targets.values():  # warm-up: connections, caches, the thread pool
                load.run(paths, 1)
            runs: dict[str, list[Measurement]] = {name: [] for name in targets}
            for _ in range(args.rounds):  # alternate, so that drift in the machine hits both alike
                for name, paths in targets.items():
                    runs[name].append(load.run(paths, args.seconds))
        finally:
            load.close()
    result = {"population": population, **{name: summarise(measured) for name, measured in runs.items()}}
    result["load_average"] = load_average()
    result["ratio"] = round(result["lookup"]["rps"] / result["bare"]["rps"], 3)
    _print_size(result)
    return result


def _print_size(result: dict[str, Any]) -> None:
    for name, label in (("bare", f"GET {BARE_PATH}"), ("lookup", "GET /v1/citizens/{personal_id}")):
        m = result[name]
        server_cpu = "n/a" if m["server_cpu_percent"] is None else f"{m['server_cpu_percent']} %"
        client_cpu = f"{m['client_cpu_percent']} %"
        print(
            f"  {label:<32} {m['rps']:>8,.0f} req/s   p50 {m['p50_ms']:6.2f} ms   p99 {m['p99_ms']:6.2f} ms   "
            f"({m['requests']:,} ok, {m['failures']} failed; CPU: server {server_cpu}, client {client_cpu})"
        )
    verdict = "meets" if result["ratio"] >= TARGET_RATIO else "misses"
    print(f"  look-up / bare throughput: {result['ratio']:.0%} ({verdict} the target of ≥ {TARGET_RATIO:.0%})")
    print(f"  load average {result['load_average']} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lookup", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 1_000_000], help="comma-separated populations")
    parser.add_argument("--seconds", type=float, default=5, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each route, alternating")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    args = parser.parse_args()
    print(
        f"{args.concurrency} concurrent keep-alive connections, {args.rounds} × {args.seconds:g} s per route, "
        f"one uvicorn worker, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="vneid-bench-lookup-") as directory:
        runs = [measure_size(size, args, Path(directory)) for size in args.sizes]
    summary: dict[str, Any] = {"concurrency": args.concurrency, "seconds": args.seconds, "rounds": args.rounds}
    if len(runs) > 1:
        smallest, largest = runs[0], runs[-1]
        growth = round(largest["lookup"]["p99_ms"] / smallest["lookup"]["p99_ms"], 2)
        summary["p99_growth"] = growth
        verdict = "meets" if growth <= TARGET_P99_GROWTH else "misses"
        print(
            f"\nlook-up p99 at {largest['population']:,} / p99 at {smallest['population']:,}: {growth:.2f} "
            f"({verdict} the target of ≤ {TARGET_P99_GROWTH})"
        )
    print(f"results: {write_results('lookup', {**summary, 'runs': runs})}")


if __name__ == "__main__":
    main()
