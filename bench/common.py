"""What every benchmark shares: the size option and the JSON summary under bench/results/."""

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def parse_sizes(text: str) -> list[int]:
    """ "10000,1000000" → [10000, 1000000]; underscores allowed as in Python literals."""
    return [int(part) for part in text.split(",") if part.strip()]


def load_average() -> float | None:
    """The one-minute load average, the benchmark itself included: anything else running slows the figures down."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


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
