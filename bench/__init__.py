"""Benchmarks: `python -m bench.seed` and `python -m bench.lookup` print figures and never assert timings."""
