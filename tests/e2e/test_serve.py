"""`vneid-sandbox serve` as a newcomer runs it: a real server process, then a second start on the same data."""

import re
import subprocess
from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.e2e.live_server import CLI, free_port, serve, server_environment


def _admin_token(log: Path) -> str:
    match = re.search(r"Admin token:\s+(\S+)", log.read_text())
    assert match, log.read_text()
    return match.group(1)


def test_serve_seeds_once_and_answers_persona_lookups(tmp_path: Path) -> None:
    port = free_port()
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
        assert "seeded 216 citizens" in first_log  # 200 generated, 12 personas and their 4 relatives

        with serve(url, port, tmp_path / "second.log") as base:
            admin = {"Authorization": f"Bearer {_admin_token(tmp_path / 'second.log')}"}
            assert len(httpx.get(f"{base}/sandbox/personas", headers=admin).json()) == 12
        second_log = (tmp_path / "second.log").read_text()
        assert "seeded" not in second_log, "a second start must not re-seed"
        assert _admin_token(tmp_path / "first.log") == _admin_token(tmp_path / "second.log")


def test_serve_refuses_a_port_another_sandbox_already_serves(tmp_path: Path) -> None:
    # Workers listen with SO_REUSEPORT, which would otherwise let a second sandbox share the port unnoticed.
    port = free_port()
    with fresh_database(tmp_path) as url, serve(url, port, tmp_path / "first.log"):
        second = subprocess.run(
            [str(CLI), "serve", "--workers", "2"],
            env=server_environment(url, port),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in second.stderr + second.stdout
