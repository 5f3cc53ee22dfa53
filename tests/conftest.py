"""Fixtures: one seeded database per run, each test inside a transaction that is rolled back."""

import base64
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.core.clock import clock
from app.core.config import Settings
from app.core.db import Database, create_db_engine
from app.core.keys import KeyStore
from app.core.migrations import upgrade
from app.core.outbound import OutboundPolicy
from app.main import create_app
from app.services import sandbox
from app.web import csrf
from tests.databases import fresh_database

TEST_POPULATION = 300
# What the test settings (host 127.0.0.1, no allow-list) make of outbound requests, for tests that deliver webhooks.
TEST_OUTBOUND = OutboundPolicy(allow_loopback=True, allowed_networks=())
ADMIN_TOKEN = "test-admin-token"
ISSUER = "http://testserver"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "population": TEST_POPULATION,
        "seed": 6,
        "admin_token": ADMIN_TOKEN,
        "issuer": ISSUER,
        "log_level": "WARNING",
        "webhook_dispatcher": False,  # tests deliver explicitly with webhooks.deliver_due
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield make_settings(url)


@pytest.fixture(scope="session")
def seeded_engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    with Session(engine) as db, db.begin():
        sandbox.bootstrap(db, settings, KeyStore(), clock)
    yield engine
    engine.dispose()


@pytest.fixture
def database(seeded_engine: Engine) -> Iterator[Database]:
    """The app's database for one test: everything it commits is rolled back at the end."""
    with seeded_engine.connect() as connection:
        transaction = connection.begin()
        yield Database(connection, join_transaction_mode="create_savepoint")
        transaction.rollback()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session on the test's database, to arrange data or check what the API wrote."""
    with database.sessions() as session:
        yield session


@pytest.fixture(scope="session")
def app(settings: Settings, seeded_engine: Engine) -> FastAPI:
    """One app for the run; each test points it at its own rolled-back database."""
    return create_app(settings, database=Database(seeded_engine))


@pytest.fixture
def client(app: FastAPI, database: Database) -> Iterator[TestClient]:
    app.state.database = database
    with TestClient(app, base_url=ISSUER) as test_client:
        yield test_client


def form(browser: TestClient | httpx.Client, **fields: str) -> dict[str, str]:
    """A web form's fields with the CSRF token its page would carry (the browser must have visited a page)."""
    return {**fields, csrf.FIELD: csrf.token_for(browser.cookies[csrf.COOKIE])}


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def client_token(client: TestClient, client_id: str, secret: str, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = client.post("/oauth2/token", data=data, headers=basic(client_id, secret))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def agency_headers(client: TestClient) -> dict[str, str]:
    token = client_token(client, "demo-agency", "demo-agency-secret")
    return {"Authorization": f"Bearer {token}", "X-Purpose": quote("Xác minh hồ sơ hành chính")}


@pytest.fixture
def bank_headers(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client_token(client, 'demo-bank', 'demo-bank-secret')}"}


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
