"""Benchmarks (see bench/README.md): `python -m bench.seed`, `bench.lookup`, `bench.login`, `bench.scale`.

They print figures and write bench/results/*.json; they never assert timings. The load comes from wrk (C, driven by
the Lua scripts in bench/lua/), never from a Python process competing with the server for the CPUs.
"""
