"""What the shipped deployment files expose (issue 10: M12 — a default admin token in docker-compose, the port
published on every interface)."""

import re
from pathlib import Path

COMPOSE = (Path(__file__).parents[2] / "docker-compose.yml").read_text(encoding="utf-8")


def test_m12_docker_compose_ships_no_admin_token() -> None:
    (token,) = re.findall(r"^\s+VNEID_ADMIN_TOKEN:\s*(.+)$", COMPOSE, re.M)
    # `${VAR:?message}` refuses to start without one; a literal or `${VAR:-default}` would ship a token anyone reads.
    assert re.fullmatch(r"\$\{VNEID_ADMIN_TOKEN:\?[^}]+\}", token), token


def test_m12_docker_compose_publishes_on_loopback_only() -> None:
    blocks = re.findall(r"^\s+ports:\n((?:\s+(?:#.*|- .+)\n)+)", COMPOSE, re.M)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    published = [line.removeprefix("- ").strip("'\"") for line in lines if line.startswith("- ")]
    assert published, "the proxy publishes the sandbox"
    assert all(port.startswith("127.0.0.1:") for port in published), published
