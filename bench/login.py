"""Login throughput: the full OpenID Connect code flow and client_credentials, next to a bare route.

    python -m bench.login [--seconds 10] [--concurrency 4] [--population 1000]

Seeds a fresh SQLite file in a temporary directory, starts one uvicorn worker serving the sandbox plus a bare
route (bench/bare_app.py: a plain `def` returning constant JSON, behind the same middleware) on a free loopback
port, with the settings `vneid-sandbox serve` uses, then measures in turn, with the same clients and concurrency:

- bare: GET /bench/bare;
- login: the full code flow of a relying party, each iteration one login: GET /oauth2/authorize with PKCE S256
  and a headless `login_hint` (a test client signs the persona in at once) → 303 with the code; POST
  /oauth2/token (authorization_code, client_secret_basic, code_verifier) → access, ID and refresh tokens;
  GET /oauth2/userinfo;
- client_credentials: POST /oauth2/token (client_credentials, client_secret_basic).

The load generator is a closed loop of threads on keep-alive httpx clients in this process, so it shares the
machine with the server: its CPU use is printed next to the server's. Figures are printed and written to
bench/results/login.json; nothing is asserted.
"""

import argparse
import base64
import hashlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bench.bare_app import BARE_PATH
from bench.common import write_results

ROOT = Path(__file__).resolve().parents[1]
LOGIN_CLIENT = ("demo-bank", "demo-bank-secret")  # confidential, authorization code + PKCE, client_secret_basic
MACHINE_CLIENT = ("demo-agency", "demo-agency-secret")
# Level-2 personas with an active account, signed in round robin (a login is the same work for any of them).
PERSONAS = ("001090000001", "040203000003", "001175000004", "031088000005", "048185000006")
LOGIN_SCOPE = "openid profile"

# One unit of work: True when it succeeded. `index` numbers the calls of one worker.
Operation = Callable[[httpx.Client, int], bool]


@dataclass
class Measurement:
    operations: int
    failures: int
    seconds: float
    latencies: list[float]
    client_cpu: float
    server_cpu: float | None

    def summary(self, requests_per_operation: int) -> dict[str, Any]:
        percentiles = statistics.quantiles(self.latencies, n=100, method="inclusive") if self.latencies else [0] * 99
        rate = self.operations / self.seconds
        return {
            "operations": self.operations,
            "failures": self.failures,
            "per_second": round(rate, 1),
            "http_requests_per_operation": requests_per_operation,
            "http_requests_per_second": round(rate * requests_per_operation, 1),
            "p50_ms": round(percentiles[49] * 1000, 2),
            "p99_ms": round(percentiles[98] * 1000, 2),
            "client_cpu_percent": round(100 * self.client_cpu / self.seconds),
            "server_cpu_percent": None if self.server_cpu is None else round(100 * self.server_cpu / self.seconds),
        }


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (None where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(clients: list[httpx.Client], operation: Operation, seconds: float, server_pid: int) -> Measurement:
    """Each client in its own thread calls `operation` back to back until the deadline."""
    results: list[tuple[list[float], int]] = [([], 0)] * len(clients)
    deadline = time.perf_counter() + seconds

    def work(worker: int) -> None:
        latencies: list[float] = []
        failures = 0
        index = worker * 1_000_000
        while (started := time.perf_counter()) < deadline:
            try:
                ok = operation(clients[worker], index)
            except httpx.HTTPError:
                ok = False
            index += 1
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
        results[worker] = (latencies, failures)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    server_before, client_before, started = _cpu_seconds(server_pid), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_after = _cpu_seconds(server_pid)
    return Measurement(
        operations=sum(len(latencies) for latencies, _ in results),
        failures=sum(failures for _, failures in results),
        seconds=elapsed,
        latencies=[latency for latencies, _ in results for latency in latencies],
        client_cpu=time.process_time() - client_before,
        server_cpu=None if server_before is None or server_after is None else server_after - server_before,
    )


def bare(client: httpx.Client, _index: int) -> bool:
    return client.get(BARE_PATH).status_code == 200


def login(client: httpx.Client, index: int, *, redirect_uri: str) -> bool:
    """One relying-party login: authorize (headless) → code → token (PKCE, client_secret_basic) → userinfo."""
    client_id, secret = LOGIN_CLIENT
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    authorize = client.get(
        "/oauth2/authorize",
        params={
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": LOGIN_SCOPE,
            "state": state,
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": PERSONAS[index % len(PERSONAS)],
        },
    )
    if authorize.status_code != 303:
        return False
    query = parse_qs(urlsplit(authorize.headers["location"]).query)
    if query.get("state") != [state] or "code" not in query:
        return False
    token = client.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client_id, secret),
    )
    if token.status_code != 200 or "id_token" not in token.json():
        return False
    userinfo = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    return userinfo.status_code == 200


def client_credentials(client: httpx.Client, _index: int) -> bool:
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=MACHINE_CLIENT)
    return response.status_code == 200


def targets(issuer: str) -> dict[str, tuple[str, int, Operation]]:
    """name → (what, HTTP requests per operation, the operation)."""
    redirect_uri = f"{issuer}/demo/bank/callback"  # demo-bank's registered redirect URI
    return {
        "bare": (f"GET {BARE_PATH} (constant JSON)", 1, bare),
        "login": ("full login: authorize + token + userinfo", 3, partial(login, redirect_uri=redirect_uri)),
        "client_credentials": ("POST /oauth2/token client_credentials", 1, client_credentials),
    }


LABELS = {name: label for name, (label, _, _) in targets("").items()}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database: Path, population: int, port: int) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VNEID_")}
    return {
        **environment,
        "VNEID_DATABASE_URL": f"sqlite:///{database}",
        "VNEID_POPULATION": str(population),
        "VNEID_SEED": "6",
        "VNEID_ADMIN_TOKEN": "bench-admin-token",
        "VNEID_HOST": "127.0.0.1",
        "VNEID_PORT": str(port),
        "VNEID_ISSUER": f"http://127.0.0.1:{port}",  # the demo clients' redirect URIs are under the issuer
        "VNEID_LOG_LEVEL": "WARNING",
    }


@contextmanager
def server(environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`vneid-sandbox seed`, then one uvicorn worker serving the sandbox plus the bare route, until the block ends."""
    seeded = subprocess.run(
        [sys.executable, "-m", "app.cli", "seed"], env=environment, cwd=ROOT, capture_output=True, text=True
    )
    if seeded.returncode:
        raise RuntimeError(f"vneid-sandbox seed failed:\n{seeded.stderr}")
    print(seeded.stdout.strip(), flush=True)
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:create_app", "--factory", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", environment["VNEID_PORT"], "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        base_url = environment["VNEID_ISSUER"]
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _print_table(results: dict[str, dict[str, Any]]) -> None:
    header = f"{'per second':>16} {'HTTP req/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'ok':>7} {'failed':>6}  CPU"
    print(f"\n  {'':<44} {header}")
    units = {"bare": "req", "login": "logins", "client_credentials": "tokens"}
    for name, label in LABELS.items():
        m = results[name]
        server_cpu = "n/a" if m["server_cpu_percent"] is None else f"{m['server_cpu_percent']}%"
        print(
            f"  {label:<44} {m['per_second']:>9,.1f} {units[name]:<6} {m['http_requests_per_second']:>11,.1f} "
            f"{m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['operations']:>7,} {m['failures']:>6}  "
            f"server {server_cpu}, client {m['client_cpu_percent']}%"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.login", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measurement")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (threads)")
    parser.add_argument("--population", type=int, default=1000, help="synthetic citizens besides the personas")
    args = parser.parse_args()
    print(
        f"{args.concurrency} concurrent keep-alive connections, {args.seconds:g} s per measurement, "
        f"one uvicorn worker, SQLite, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="vneid-bench-login-") as directory:
        environment = _environment(Path(directory) / "login.db", args.population, _free_port())
        with server(environment, Path(directory) / "server.log") as process:
            clients = [
                httpx.Client(base_url=environment["VNEID_ISSUER"], timeout=30, follow_redirects=False)
                for _ in range(args.concurrency)
            ]
            try:
                results: dict[str, dict[str, Any]] = {}
                for name, (_, requests_per_operation, operation) in targets(environment["VNEID_ISSUER"]).items():
                    run(clients, operation, 1, process.pid)  # warm-up: connections, caches, the thread pool
                    measured = run(clients, operation, args.seconds, process.pid)
                    results[name] = measured.summary(requests_per_operation)
            finally:
                for client in clients:
                    client.close()
    bare_rate = results["bare"]["per_second"]
    ratios = {
        "logins_per_bare_request": round(results["login"]["per_second"] / bare_rate, 4),
        "login_http_requests_per_bare_request": round(results["login"]["http_requests_per_second"] / bare_rate, 4),
        "client_credentials_per_bare_request": round(results["client_credentials"]["per_second"] / bare_rate, 4),
    }
    _print_table(results)
    print(
        f"\n  logins/s ÷ bare req/s: {ratios['logins_per_bare_request']:.1%}   "
        f"(login HTTP requests/s ÷ bare: {ratios['login_http_requests_per_bare_request']:.1%})   "
        f"client_credentials/s ÷ bare req/s: {ratios['client_credentials_per_bare_request']:.1%}"
    )
    summary = {
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "population": args.population,
        "cpus": os.cpu_count(),
        **results,
        "ratios": ratios,
    }
    print(f"results: {write_results('login', summary)}")


if __name__ == "__main__":
    main()
