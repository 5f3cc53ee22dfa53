"""What every benchmark shares: options, the machine's load, free ports, CPU time, the JSON summary."""

import json
import os
import platform
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def parse_sizes(text: str) -> list[int]:
    """ "10000,1000000" → [10000, 1000000]; underscores allowed as in Python literals."""
    return [int(part) for part in text.split(",") if part.strip()]


def load_average() -> float | None:
    """The one-minute load average, the benchmark itself included: anything else running slows the figures down."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_cpu_seconds(process_groups: list[int]) -> float | None:
    """User + system CPU seconds of the live processes in these process groups (a server and its workers).

    None where there is no /proc. Workers that already exited are not counted.
    """
    if not Path("/proc/self/stat").exists():
        return None
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) in process_groups:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def write_results(name: str, results: dict[str, Any]) -> Path:
    """bench/results/<name>.json, with enough about the machine to compare runs."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        **results,
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path
