"""Seeding rate: synthetic citizens into a fresh SQLite file, through the code path `vneid-sandbox seed` uses.

    python -m bench.seed [--sizes 100000,1000000]

For each size: migrate an empty SQLite file in a temporary directory, then time `seed_population` (seed 6, the
default) in one transaction, commit included, in this process. Prints seconds (wall and CPU), citizens per second,
what was made and the one-minute load average after each size; writes bench/results/seed.json. No HTTP, so no wrk.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.core.db import create_db_engine
from app.core.migrations import upgrade
from app.services.population.seeding import seed_population
from bench.common import load_average, parse_sizes, write_results

SEED = 6


def measure(size: int, directory: Path) -> dict[str, Any]:
    """Seconds to seed `size` citizens into a migrated, empty database, commit included."""
    engine = create_db_engine(f"sqlite:///{directory / f'seed-{size}.db'}")
    try:
        upgrade(engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        with Session(engine) as db, db.begin():
            summary = seed_population(db, seed=SEED, population=size)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        engine.dispose()
    return {
        "population": size,
        "citizens": summary.citizens,
        "households": summary.households,
        "accounts": summary.accounts,
        "convictions": summary.convictions,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "citizens_per_second": round(summary.citizens / seconds),
        "load_average": load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[100_000, 1_000_000], help="comma-separated populations")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="vneid-bench-seed-") as directory:
        for size in args.sizes:
            run = measure(size, Path(directory))
            runs.append(run)
            print(
                f"VNEID_POPULATION={size:>9,}: {run['seconds']:7.2f} s ({run['cpu_seconds']:.2f} s CPU), "
                f"{run['citizens_per_second']:>7,} citizens/s; {run['households']:,} households, "
                f"{run['accounts']:,} accounts, {run['convictions']:,} convictions; load average {run['load_average']}",
                flush=True,
            )
    print(f"results: {write_results('seed', {'seed': SEED, 'runs': runs})}")


if __name__ == "__main__":
    main()
