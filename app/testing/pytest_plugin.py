"""The sandbox's pytest plugin (entry point `pytest11`): each test, or each xdist worker, gets a world of its own.

The server is the one named by `--vneid-url` / `VNEID_URL` (with `--vneid-admin-token` / `VNEID_ADMIN_TOKEN`), or,
when none is named, one the plugin starts (`vneid-sandbox serve` on a free loopback port, SQLite in a temporary
folder), once per run: the workers of `pytest -n N` share it, and the last one to finish stops it.

Fixtures: `vneid_world` (a new world per test), `vneid_worker_world` (one per session, so per xdist worker) and
`vneid_sandbox` (the server: `create_world()` for anything else). Worlds are deleted when their fixture ends.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.file_lock import file_lock
from app.testing.world import SandboxError, World

START_TIMEOUT_SECONDS = 60
_started: dict[int, subprocess.Popen[bytes]] = {}  # servers this process started, to reap when it stops them
# The started server's own (root) population; worlds get theirs from --vneid-population.
ROOT_POPULATION = 100


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vneid", "VNeID Sandbox worlds")
    group.addoption(
        "--vneid-url",
        default=os.environ.get("VNEID_URL"),
        help="a running sandbox to make worlds on (default: $VNEID_URL, else the plugin starts one)",
    )
    group.addoption(
        "--vneid-admin-token",
        default=os.environ.get("VNEID_ADMIN_TOKEN"),
        help="its admin token (default: $VNEID_ADMIN_TOKEN)",
    )
    group.addoption("--vneid-population", type=int, default=1000, help="citizens of each world (default 1000)")
    group.addoption("--vneid-seed", type=int, default=None, help="seed of each world (default: the server's)")


@dataclass
class Sandbox:
    """A sandbox server, driven with its admin token."""

    url: str
    admin_token: str
    population: int
    seed: int | None

    def create_world(self, *, seed: int | None = None, population: int | None = None, ttl: int = 3600) -> World:
        body = {
            "seed": self.seed if seed is None else seed,
            "population": self.population if population is None else population,
            "ttl": ttl,
        }
        response = httpx.post(f"{self.url}/sandbox/worlds", json=body, headers=self._admin, timeout=120)
        if response.status_code != 201:
            raise SandboxError(f"creating a world on {self.url} gave {response.status_code}: {response.text}")
        return World(response.json())

    def delete_world(self, world: World) -> None:
        world.close()
        httpx.delete(f"{self.url}/sandbox/worlds/{world.id}", headers=self._admin, timeout=30)

    @property
    def _admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


@pytest.fixture(scope="session")
def vneid_sandbox(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    population: int = pytestconfig.getoption("vneid_population")
    seed: int | None = pytestconfig.getoption("vneid_seed")
    url: str | None = pytestconfig.getoption("vneid_url")
    if url:
        token: str | None = pytestconfig.getoption("vneid_admin_token")
        if not token:
            raise pytest.UsageError(
                "--vneid-url needs the sandbox's admin token: --vneid-admin-token or VNEID_ADMIN_TOKEN"
            )
        yield Sandbox(url.rstrip("/"), token, population, seed)
        return
    with _shared_server(tmp_path_factory) as (url, token):
        yield Sandbox(url, token, population, seed)


@pytest.fixture
def vneid_world(vneid_sandbox: Sandbox) -> Iterator[World]:
    """A world of its own for this test."""
    world = vneid_sandbox.create_world()
    yield world
    vneid_sandbox.delete_world(world)


@pytest.fixture(scope="session")
def vneid_worker_world(vneid_sandbox: Sandbox) -> Iterator[World]:
    """One world for the whole session: for each xdist worker, its own."""
    world = vneid_sandbox.create_world()
    yield world
    vneid_sandbox.delete_world(world)


@contextmanager
def _shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server of this run's: under xdist the workers share one through a state file in the run's temporary
    folder (the parent of each worker's), counting its users; the last one out stops it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        server = _start(tmp_path_factory.mktemp("vneid"))
        try:
            yield server["url"], server["admin_token"]
        finally:
            _stop(server["pid"])
        return
    shared = tmp_path_factory.getbasetemp().parent
    state = shared / "vneid-server.json"
    with file_lock(shared / "vneid-server.lock"):
        server = json.loads(state.read_text()) if state.exists() else _start(shared / "vneid")
        server["users"] = server.get("users", 0) + 1
        state.write_text(json.dumps(server))
    try:
        yield server["url"], server["admin_token"]
    finally:
        with file_lock(shared / "vneid-server.lock"):
            server = json.loads(state.read_text())
            server["users"] -= 1
            if server["users"] == 0:
                _stop(server["pid"])
                state.unlink()
            else:
                state.write_text(json.dumps(server))


def _start(directory: Path) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VNEID_")} | {
        "VNEID_DATABASE_URL": f"sqlite:///{directory / 'sandbox.db'}",
        "VNEID_HOST": "127.0.0.1",
        "VNEID_PORT": str(port),  # the issuer, hence every world's base URL, is http://HOST:PORT
        "VNEID_ADMIN_TOKEN": token,
        "VNEID_POPULATION": str(ROOT_POPULATION),
        "VNEID_LOG_LEVEL": "WARNING",
    }
    log = directory / "server.log"
    command = [sys.executable, "-m", "app.cli", "serve", "--workers", "1"]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    _started[process.pid] = process
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return {"url": url, "admin_token": token, "pid": process.pid}
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process.pid)
            raise SandboxError(f"the sandbox did not start; its log:\n{log.read_text()}")
        time.sleep(0.2)


def _stop(pid: int) -> None:
    """SIGTERM to the server's process group; its parent (the process that started it) waits for it."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    process = _started.pop(pid, None)
    if process is None:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(pid, signal.SIGKILL)
        process.wait()
