"""Real `vneid-sandbox serve` processes on free loopback ports, for the end-to-end tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CLI = Path(sys.executable).with_name("vneid-sandbox")
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment: ours, without any VNEID_* setting of the caller's shell, plus the given ones.

    VNEID_ADMIN_TOKEN is absent unless given, so the server generates (and prints) one.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VNEID_")}
    environment |= {"VNEID_DATABASE_URL": database_url, "VNEID_PORT": str(port), "VNEID_POPULATION": "200"}
    return environment | dict(extra or {})


def client_credentials(base: str, client_id: str, secret: str) -> httpx.Response:
    """A token request of an integrator's back end (client_credentials, client_secret_basic)."""
    return httpx.post(f"{base}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


@dataclass(frozen=True)
class LiveServer:
    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL to the server and all its workers at once: a crash, nothing flushed or closed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def live_server(
    database_url: str,
    port: int,
    log: Path,
    extra_env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[LiveServer]:
    """Start `vneid-sandbox serve` in its own process group, wait until /healthz says every worker serves, and stop
    it (workers included) at the end."""
    env = server_environment(database_url, port, extra_env)
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(CLI), "serve", *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield LiveServer(base, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def serve(database_url: str, port: int, log: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A live server's base URL."""
    with live_server(database_url, port, log, extra_env) as server:
        yield server.base
