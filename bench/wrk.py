"""The load generator: wrk (C, from Debian's package), driven by the Lua scripts in bench/lua/.

wrk runs as its own process with `-t` threads (1 by default) and a fixed number of keep-alive connections, each
sending its next request as soon as the previous answer arrives (a closed loop). The Lua scripts count what
succeeded and print one JSON line that `run()` reads; wrk's own latency histogram gives the per-request
percentiles (every request of the run: authorize, token and userinfo alike in a code flow).
"""

import itertools
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.common import group_cpu_seconds, load_average

LUA = Path(__file__).resolve().parent / "lua"
REPORT_PREFIX = "@@bench "


@dataclass(frozen=True)
class Settings:
    connections: int = 16
    threads: int = 1
    seconds: int = 10
    timeout: int = 10  # a request slower than this counts as a timeout and not in the latencies


@dataclass(frozen=True)
class Job:
    """One wrk process: `script` (a file in bench/lua/) against `url` with `data` (see write_data)."""

    url: str
    script: str
    data: Path


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's package when missing (as .ci/run installs Chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise RuntimeError(
            "wrk is missing and there is no apt-get to install it: install wrk (https://github.com/wg/wrk)"
        )
    sudo = [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("installing wrk (apt-get install wrk) ...", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk, but it is not on PATH")
    return found


def lua_literal(value: Any) -> str:
    """A Python value (dict with string keys, list, str, int, float, bool, None) as a Lua expression."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        safe = b"-_.~/:?&=%+,;@!*()' "
        escaped = (
            chr(byte) if (byte < 128 and chr(byte).isalnum()) or byte in safe else f"\\{byte:03d}"
            for byte in value.encode()
        )
        return '"' + "".join(escaped) + '"'
    if isinstance(value, list | tuple):
        return "{" + ",\n".join(lua_literal(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ",\n".join(f"[{lua_literal(str(key))}] = {lua_literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def write_data(directory: Path, name: str, data: dict[str, Any]) -> Path:
    """A Lua data file `return {...}` for a script (read by bench/lua/common.lua through BENCH_DATA)."""
    path = directory / f"{name}.lua"
    path.write_text(f"return {lua_literal(data)}\n", encoding="utf-8")
    return path


def run(jobs: list[Job], settings: Settings, *, process_groups: list[int] | None = None) -> list[dict[str, Any]]:
    """Run the jobs' wrk processes at once for `settings.seconds`; one result per job.

    Each result: requests/s, latency percentiles in ms, wrk's error counts and the script's counters. Every
    result also carries the CPU use (percent of one core) of the servers' process groups and of all the wrk
    processes together, and the one-minute load average when the run ended.
    """
    wrk = ensure_wrk()
    command = [wrk, f"-t{settings.threads}", f"-c{settings.connections}", f"-d{settings.seconds:g}s"]
    command += [f"--timeout={settings.timeout:g}s"]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = group_cpu_seconds(process_groups or [])
    started = time.perf_counter()
    processes = []
    for job in jobs:
        env = {
            **os.environ,
            "BENCH_LUA_DIR": str(LUA),
            "BENCH_DATA": str(job.data),
            "BENCH_THREADS": str(settings.threads),
        }
        processes.append(
            subprocess.Popen(
                [*command, "-s", str(LUA / job.script), job.url],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [process.communicate() for process in processes]
    elapsed = time.perf_counter() - started
    server_after = group_cpu_seconds(process_groups or [])
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    load = load_average()
    results = []
    for job, process, (stdout, stderr) in zip(jobs, processes, outputs, strict=True):
        report = next((line for line in stdout.splitlines() if line.startswith(REPORT_PREFIX)), None)
        if process.returncode or report is None:
            raise RuntimeError(f"wrk against {job.url} exited with {process.returncode}:\n{stdout}\n{stderr}")
        results.append(_result(json.loads(report.removeprefix(REPORT_PREFIX))))
        results[-1]["server_cpu_percent"] = None if server_cpu is None else round(100 * server_cpu / elapsed)
        results[-1]["wrk_cpu_percent"] = round(100 * wrk_cpu / elapsed)
        results[-1]["load_average"] = load
    return results


def measure(
    urls: str | list[str],
    script: str,
    data_for: Callable[[int], dict[str, Any]],
    settings: Settings,
    *,
    warmup: int,
    directory: Path,
    process_groups: list[int] | None = None,
) -> dict[str, Any]:
    """A warm-up run of `warmup` seconds (connections, caches, pools; not reported), then the measured run.

    With several URLs (instances of one deployment), one wrk process per URL runs at the same time, the
    connections split evenly between them, and the result is their sum (see `combined`).
    `data_for(seconds)` makes the script's data for a run of that length, fresh for each wrk process and each
    run: client assertions must not be replayed.
    """
    urls = [urls] if isinstance(urls, str) else urls
    shared = replace(settings, connections=max(settings.threads, settings.connections // len(urls)))
    name = f"{script.removesuffix('.lua')}-{next(_runs)}"

    def jobs(seconds: int, suffix: str) -> list[Job]:
        return [
            Job(url, script, write_data(directory, f"{name}-{index}{suffix}", data_for(seconds)))
            for index, url in enumerate(urls)
        ]

    if warmup > 0:
        run(jobs(warmup, "-warmup"), replace(shared, seconds=warmup), process_groups=process_groups)
    return combined(run(jobs(settings.seconds, ""), shared, process_groups=process_groups))


def combined(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several simultaneous wrk runs as one: counts and rates added up, latency percentiles the worst of them."""
    if len(results) == 1:
        return results[0]
    total = dict(results[0])
    for key, value in results[0].items():
        if key.endswith("_ms") or key == "seconds":
            total[key] = max(result[key] for result in results)
        elif key == "socket_errors":
            total[key] = {
                name: sum(result[key].get(name, 0) for result in results)
                for name in {name for result in results for name in result[key]}
            }
        elif key == "last_failure":
            total[key] = next((result[key] for result in results if result[key]), "")
        elif isinstance(value, int | float) and key not in ("server_cpu_percent", "wrk_cpu_percent", "load_average"):
            total[key] = round(sum(result[key] for result in results), 1)
    total["instances"] = results
    return total


_runs = itertools.count(1)


def _result(report: dict[str, Any]) -> dict[str, Any]:
    seconds = report.pop("duration_us") / 1e6
    latency = report.pop("latency_us")
    errors = report.pop("errors")
    requests = report.pop("requests")
    return {
        "seconds": round(seconds, 2),
        "requests": requests,
        "requests_per_second": round(requests / seconds, 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "socket_errors": {name: count for name, count in errors.items() if name != "status" and count},
        **report,
        **{f"{counter}_per_second": round(report[counter] / seconds, 1) for counter in ("flows",) if counter in report},
    }


def temporary_directory() -> tempfile.TemporaryDirectory:
    """Where a benchmark writes its Lua data files."""
    return tempfile.TemporaryDirectory(prefix="vneid-bench-wrk-")
