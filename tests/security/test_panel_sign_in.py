"""The sandbox panel's sign-in (issue 10 lows): the cookie held the admin token itself, the sign-in had no throttle,
and X-Forwarded-For was believed from anyone."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.models import AdminSession
from app.routers.web.panel import ADMIN_COOKIE
from tests.conftest import ADMIN_TOKEN, ISSUER, form

PANEL = "/app/sandbox"
PROXY = "10.0.0.1"


def sign_in(browser: TestClient, token: str = ADMIN_TOKEN, **headers: str) -> int:
    browser.get(PANEL)
    return browser.post(f"{PANEL}/login", data=form(browser, admin_token=token), headers=headers).status_code


def signed_in(browser: TestClient) -> bool:
    return 'data-testid="panel-clock"' in browser.get(PANEL).text


@contextmanager
def browser_at(app: FastAPI, address: str) -> Iterator[TestClient]:
    """Another browser at `address`, on the app the `client` fixture pointed at this test's database."""
    with TestClient(app, base_url=ISSUER, client=(address, 40000)) as browser:
        yield browser


def test_the_panel_cookie_is_an_opaque_session_key_not_the_admin_token(client: TestClient, db: Session) -> None:
    assert sign_in(client) == 200
    key = client.cookies[ADMIN_COOKIE]
    assert ADMIN_TOKEN not in key
    assert db.scalars(select(AdminSession)).one().expires_at > datetime.now(UTC) + timedelta(hours=7)
    assert client.post(f"{PANEL}/logout", data=form(client)).status_code == 200
    client.cookies.set(ADMIN_COOKIE, key, path=PANEL)  # the old cookie, replayed after sign-out
    assert not signed_in(client)
    assert db.scalars(select(AdminSession)).all() == []


def test_an_expired_panel_session_shows_the_sign_in_form(client: TestClient, db: Session) -> None:
    sign_in(client)
    session = db.scalars(select(AdminSession)).one()
    session.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    assert not signed_in(client)


def test_panel_sign_in_is_throttled_per_client_address(app: FastAPI, client: TestClient) -> None:
    with browser_at(app, "192.0.2.10") as guesser, browser_at(app, "192.0.2.11") as neighbour:
        assert [sign_in(guesser, f"guess-{n}") for n in range(5)] == [200] * 5  # the form again, with the error
        refused = guesser.post(f"{PANEL}/login", data=form(guesser, admin_token=ADMIN_TOKEN))
        assert refused.status_code == 429
        assert 850 <= int(refused.headers["retry-after"]) <= 900
        assert "Quá nhiều lần thử" in refused.text
        assert not signed_in(guesser)
        assert sign_in(neighbour) == 200
        assert signed_in(neighbour)


def test_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_throttle(app: FastAPI, client: TestClient) -> None:
    with browser_at(app, "192.0.2.20") as guesser:
        for n in range(5):
            sign_in(guesser, f"guess-{n}", **{"X-Forwarded-For": f"198.51.100.{n}"})
        assert sign_in(guesser, **{"X-Forwarded-For": "198.51.100.99"}) == 429


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(settings: Settings, database: Database) -> None:
    behind_proxy = create_app(settings.model_copy(update={"trusted_proxies": [PROXY]}), database=database)
    with browser_at(behind_proxy, PROXY) as proxy:
        for n in range(5):
            sign_in(proxy, f"guess-{n}", **{"X-Forwarded-For": "198.51.100.1"})
        assert sign_in(proxy, **{"X-Forwarded-For": "198.51.100.1"}) == 429
        assert sign_in(proxy, **{"X-Forwarded-For": "198.51.100.2"}) == 200
        assert signed_in(proxy)
