"""Logins per second: full OpenID Connect code flows against the sandbox and against mockpass, in one run.

    python -m bench.login [--seconds 10] [--warmup 3] [--connections 16] [--threads 1] [--workers N]
                          [--population 1000]

Installs what it needs first: wrk (apt-get) and mockpass (npm ci from bench/peers/package-lock.json). Then, with
the same wrk settings for every row (16 keep-alive connections, one wrk thread, 10 s after a 3 s warm-up), each
flow being authorize → code → token (→ userinfo), sent by bench/lua/codeflow.lua:

- sandbox, demo-bank: `vneid-sandbox serve` (SQLite; the CLI's default workers, one per core, unless `--workers`)
  on a freshly seeded database of 1,000 citizens; GET /oauth2/authorize with PKCE S256 and a level 2 persona's
  `login_hint` (a test client is signed in at once) → 303 with the code; POST /oauth2/token (authorization_code,
  code_verifier, client_secret_basic) → tokens;
- the same with GET /oauth2/userinfo added to each flow;
- sandbox, demo-pkjwt: the same token request authenticated with private_key_jwt (RS256 client assertions
  signed before the run, one per token request: the sandbox refuses a replayed jti), as mockpass's clients do;
- sandbox, demo-fapi: the FAPI 2.0 flow: POST /oauth2/par (private_key_jwt, PKCE, dpop_jkt) → 201 with a
  request_uri; GET /oauth2/authorize with it → 303 with the code; POST /oauth2/token with a DPoP proof and
  private_key_jwt → DPoP-bound tokens and an encrypted ID token (ES256 assertions and proofs signed before the
  run; the proofs go stale after 60 s, so this row is skipped when --seconds is above 50);
- mockpass (bench/peers.py, its Singpass v2 endpoints, started on a free port as shipped): GET
  /singpass/v2/authorize (headless) → 302 with the code; POST /singpass/v2/token with private_key_jwt (ES512
  assertions with its shipped test relying-party key, signed before the run) → 200 with an encrypted ID token.

Prints flows/s, HTTP requests/s, wrk's per-request p50/p99 latency (all the requests of the flows), server and
wrk CPU, and the one-minute load average after each run; then sandbox flows/s ÷ mockpass flows/s. Writes
bench/results/login.json. Nothing is asserted.
"""

import argparse
import math
import os
from pathlib import Path
from typing import Any

from bench import peers, wrk
from bench.common import load_average, write_results
from bench.server import sandbox
from bench.workloads import DPOP_PROOF_SECONDS, mockpass_codeflow, sandbox_codeflow, sandbox_fapi_flow

TARGET_RATIO = 1.7  # sandbox code flows per second against mockpass's
MOCKPASS_ASSERTIONS_PER_SECOND = 2_000  # enough for its rate here; it does not check jti, so reuse would not show
ASSERTION_MARGIN = 3  # private_key_jwt assertions signed per flow/s the demo-bank flow reached, for demo-pkjwt
# and demo-fapi (whose flows need two assertions and a DPoP proof each)
ROWS = {
    "sandbox_token": ("sandbox  demo-bank  authorize + token", 2),
    "sandbox_userinfo": ("sandbox  demo-bank  authorize + token + userinfo", 3),
    "sandbox_pkjwt_token": ("sandbox  demo-pkjwt authorize + token (private_key_jwt)", 2),
    "sandbox_fapi_token": ("sandbox  demo-fapi  PAR + authorize + token (FAPI 2.0, DPoP)", 3),
    "mockpass_token": ("mockpass singpass   authorize + token (private_key_jwt)", 2),
}
RATIOS = {
    "sandbox_token/mockpass_token": ("sandbox_token", "mockpass_token"),
    "sandbox_pkjwt_token/mockpass_token": ("sandbox_pkjwt_token", "mockpass_token"),
}
# What the FAPI 2.0 protections cost, against the plain code flow (no target).
FAPI_RATIO = ("sandbox_fapi_token", "sandbox_token")
LABEL_WIDTH = max(len(label) for label, _requests in ROWS.values())


def flows(result: dict[str, Any], requests_per_flow: int) -> dict[str, Any]:
    return {**result, "requests_per_flow": requests_per_flow}


def measure_sandbox(
    args: argparse.Namespace, settings: wrk.Settings, directory: Path
) -> tuple[dict[str, dict[str, Any]], int | None]:
    """The sandbox rows, and the number of workers the sandbox ran with."""
    results: dict[str, dict[str, Any]] = {}
    with sandbox(args.population, workers=args.workers) as deployment:
        print(f"sandbox: {deployment.seeded}; {deployment.workers} worker(s) at {deployment.servers[0].url}")
        _print_header()
        url, issuer, groups = deployment.servers[0].url, deployment.issuer, deployment.process_groups

        def run(name: str, data_for: Any) -> None:
            result = wrk.measure(
                url, "codeflow.lua", data_for, settings, warmup=args.warmup, directory=directory, process_groups=groups
            )
            results[name] = flows(result, ROWS[name][1])
            _print_row(name, results[name])

        run("sandbox_token", lambda _seconds: sandbox_codeflow(issuer, client="bank"))
        run("sandbox_userinfo", lambda _seconds: sandbox_codeflow(issuer, client="bank", userinfo=True))
        rate = max(results["sandbox_token"]["flows_per_second"], 50) * ASSERTION_MARGIN
        run(
            "sandbox_pkjwt_token",
            lambda seconds: sandbox_codeflow(issuer, client="pkjwt", assertions=math.ceil(rate * (seconds + 1))),
        )
        if max(args.seconds, args.warmup) > DPOP_PROOF_SECONDS:
            print(
                f"  (demo-fapi skipped: DPoP proofs signed before a run go stale in runs over {DPOP_PROOF_SECONDS} s)"
            )
        else:
            run("sandbox_fapi_token", lambda seconds: sandbox_fapi_flow(issuer, flows=math.ceil(rate * (seconds + 1))))
    return results, deployment.workers


def measure_mockpass(args: argparse.Namespace, settings: wrk.Settings, directory: Path) -> dict[str, Any]:
    with peers.mockpass() as server:
        print(f"mockpass {peers.version()} (node) at {server.url}")
        result = wrk.measure(
            server.url,
            "codeflow.lua",
            lambda seconds: mockpass_codeflow(
                server.url, assertions=math.ceil(MOCKPASS_ASSERTIONS_PER_SECOND * (seconds + 1))
            ),
            settings,
            warmup=args.warmup,
            directory=directory,
            process_groups=[server.pid],
        )
    result = flows(result, ROWS["mockpass_token"][1])
    _print_row("mockpass_token", result)
    return result


def _print_header() -> None:
    print(
        f"\n  {'':<{LABEL_WIDTH}} {'flows/s':>8} {'HTTP req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'flows':>7}"
        f" {'failed':>6} {'server CPU':>10} {'wrk CPU':>7} {'load':>5}"
    )


def _print_row(name: str, r: dict[str, Any]) -> None:
    server_cpu = "n/a" if r["server_cpu_percent"] is None else f"{r['server_cpu_percent']}%"
    print(
        f"  {ROWS[name][0]:<{LABEL_WIDTH}} {r['flows_per_second']:>8,.1f} {r['requests_per_second']:>10,.1f} "
        f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['flows']:>7,} {r['failures']:>6,} {server_cpu:>10} "
        f"{r['wrk_cpu_percent']:>6}% {r['load_average']:>5}",
        flush=True,
    )
    if r["failures"]:
        print(f"    last failure: {r['last_failure']}")
    if r["socket_errors"]:
        print(f"    socket errors: {r['socket_errors']}")
    for counter, what in (("assertions_reused", "client assertions"), ("dpop_proofs_reused", "DPoP proofs")):
        if r.get(counter):
            print(f"    {r[counter]} {what} were reused: too few were signed before the run")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.login", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the unreported run before each measured one")
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (-t)")
    parser.add_argument("--workers", type=int, help="vneid-sandbox serve --workers (default: the CLI's default)")
    parser.add_argument("--population", type=int, default=1000, help="synthetic citizens besides the personas")
    args = parser.parse_args()
    settings = wrk.Settings(connections=args.connections, threads=args.threads, seconds=args.seconds)
    wrk.ensure_wrk()
    peers.ensure_mockpass()
    print(
        f"wrk -t{settings.threads} -c{settings.connections} -d{settings.seconds:g}s (after {args.warmup:g} s warm-up), "
        f"{os.cpu_count()} CPUs, load average {load_average()} at the start"
    )
    print("latencies: per HTTP request, every request of the flows; load: one-minute load average after the run")
    with wrk.temporary_directory() as directory:
        results, workers = measure_sandbox(args, settings, Path(directory))
        results["mockpass_token"] = measure_mockpass(args, settings, Path(directory))
    ratios = {
        name: round(results[a]["flows_per_second"] / results[b]["flows_per_second"], 3)
        if results[b]["flows_per_second"]
        else None
        for name, (a, b) in RATIOS.items()
    }
    print()
    for name, ratio in ratios.items():
        verdict = "n/a" if ratio is None else ("meets" if ratio >= TARGET_RATIO else "misses")
        print(f"  {name} flows/s: {ratio} ({verdict} the target of ≥ {TARGET_RATIO})")
    fapi, plain = (results.get(row, {}).get("flows_per_second") for row in FAPI_RATIO)
    if fapi is not None and plain:
        fapi_ratio = ratios["/".join(FAPI_RATIO)] = round(fapi / plain, 3)
        print(f"  {'/'.join(FAPI_RATIO)} flows/s: {fapi_ratio} (FAPI 2.0 against the plain code flow)")
    summary = {
        "wrk": {"threads": settings.threads, "connections": settings.connections, "seconds": settings.seconds},
        "warmup_seconds": args.warmup,
        "sandbox": {"workers": workers, "population": args.population, "database": "sqlite"},
        "mockpass_version": peers.version(),
        "results": results,
        "ratios": ratios,
        "target_ratio": TARGET_RATIO,
    }
    print(f"results: {write_results('login', summary)}")


if __name__ == "__main__":
    main()
