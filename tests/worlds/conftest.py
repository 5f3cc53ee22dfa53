"""An app over a database of its own (worlds make files or schemas beside it), on the backend under test."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.clock import clock
from app.core.db import Database, create_db_engine
from app.core.keys import KeyStore
from app.core.migrations import upgrade
from app.main import create_app
from app.services import sandbox
from tests.conftest import ADMIN_TOKEN, ISSUER, make_settings
from tests.databases import fresh_database

WORLD_POPULATION = 200


@pytest.fixture(scope="module")
def root_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with fresh_database(tmp_path_factory.mktemp("worlds")) as url:
        settings = make_settings(url)
        engine = create_db_engine(url)
        upgrade(engine)
        with Session(engine) as db, db.begin():
            sandbox.bootstrap(db, settings, KeyStore(), clock)
        app = create_app(settings, database=Database(engine))
        with TestClient(app, base_url=ISSUER) as client:
            yield client
        engine.dispose()


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def make_world(root_client: TestClient, admin: dict[str, str]) -> Iterator[object]:
    """Creates worlds of WORLD_POPULATION citizens; deletes them after the test."""
    made: list[str] = []

    def make(**body: object) -> dict[str, str]:
        response = root_client.post("/sandbox/worlds", json={"population": WORLD_POPULATION, **body}, headers=admin)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
        return response.json()

    yield make
    for world_id in made:
        root_client.delete(f"/sandbox/worlds/{world_id}", headers=admin)
