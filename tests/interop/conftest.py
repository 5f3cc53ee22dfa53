"""One live sandbox for the interop suite: the relying-party libraries (Node and Python) all sign in to it."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.databases import fresh_database
from tests.e2e.live_server import free_port, serve

ADMIN_TOKEN = "interop-admin-token"


@dataclass(frozen=True)
class Sandbox:
    base: str
    admin_token: str = ADMIN_TOKEN


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    directory = tmp_path_factory.mktemp("interop")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # One worker: the libraries see one provider either way (tests/e2e/test_cluster.py covers several processes),
    # and it starts in seconds on a busy CI machine.
    environment = {
        "VNEID_ADMIN_TOKEN": ADMIN_TOKEN,
        "VNEID_ISSUER": base,
        "VNEID_LOG_LEVEL": "WARNING",
        "VNEID_WORKERS": "1",
    }
    with fresh_database(directory) as url, serve(url, port, directory / "server.log", environment) as served:
        yield Sandbox(served)
