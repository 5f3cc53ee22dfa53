"""`vneid-sandbox serve` as a newcomer runs it: a real server process, then a second start on the same data."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database

CLI = Path(sys.executable).with_name("vneid-sandbox")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(database_url: str, port: int, log: Path) -> Iterator[str]:
    env = {**os.environ, "VNEID_DATABASE_URL": database_url, "VNEID_PORT": str(port), "VNEID_POPULATION": "200"}
    env.pop("VNEID_ADMIN_TOKEN", None)
    with log.open("w") as out:
        process = subprocess.Popen([str(CLI), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _admin_token(log: Path) -> str:
    match = re.search(r"Admin token:\s+(\S+)", log.read_text())
    assert match, log.read_text()
    return match.group(1)


def test_serve_seeds_once_and_answers_persona_lookups(tmp_path: Path) -> None:
    port = _free_port()
    with fresh_database(tmp_path) as url:
        with serve(url, port, tmp_path / "first.log") as base:
            token = httpx.post(
                f"{base}/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=("demo-agency", "demo-agency-secret"),
            ).json()["access_token"]
            record = httpx.get(
                f"{base}/v1/citizens/001090000001",
                params={"purpose": "e2e check"},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            assert record["full_name"] == "Nguyễn Văn An"
            assert "SANDBOX" in httpx.get(f"{base}/").text
        first_log = (tmp_path / "first.log").read_text()
        assert f"URL:          http://127.0.0.1:{port}/" in first_log
        assert "seeded 212 citizens" in first_log

        with serve(url, port, tmp_path / "second.log") as base:
            admin = {"Authorization": f"Bearer {_admin_token(tmp_path / 'second.log')}"}
            assert len(httpx.get(f"{base}/sandbox/personas", headers=admin).json()) == 12
        second_log = (tmp_path / "second.log").read_text()
        assert "seeded" not in second_log, "a second start must not re-seed"
        assert _admin_token(tmp_path / "first.log") == _admin_token(tmp_path / "second.log")
