"""Several processes act as one sandbox: two `serve` instances on one database, and one instance with two workers.

What one process changes, the other sees at its next request: codes, signing keys, scenarios, the clock; and each
webhook event is delivered once although every process runs a dispatcher. On SQLite the instances share the file;
on PostgreSQL (the suite's second run) the database, as N instances behind a load balancer would.
"""

import base64
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from sqlalchemy import create_engine, func, select

from app.core.db import normalise_url
from app.models import Citizen
from tests.databases import fresh_database
from tests.e2e.live_server import client_credentials, free_port, live_server
from tests.e2e.receiver import running_receiver

ADMIN = "cluster-admin-token"
AN, DUNG = "001090000001", "001175000004"
DUNG_HOME = {"street": "Số 18 ngõ 68 phố Xuân Thủy", "commune_code": "00166"}


@dataclass(frozen=True)
class Cluster:
    """Two ways into one sandbox: `a` and `b` are different processes (or, with workers, possibly the same)."""

    a: str
    b: str
    issuer: str


def _cluster(tmp_path_factory: pytest.TempPathFactory, name: str, instances: int, workers: int) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp(name)
    ports = [free_port() for _ in range(instances)]
    issuer = f"http://127.0.0.1:{ports[0]}"  # one public URL, as behind a load balancer
    env = {"VNEID_ADMIN_TOKEN": ADMIN, "VNEID_ISSUER": issuer, "VNEID_WORKERS": str(workers)}
    with fresh_database(folder) as url, live_server(url, ports[0], folder / "a.log", env) as first:
        if instances == 1:
            yield Cluster(first.base, first.base, issuer)
            return
        with live_server(url, ports[1], folder / "b.log", env) as second:
            yield Cluster(first.base, second.base, issuer)


@pytest.fixture(scope="module", params=["two-instances", "two-workers"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if request.param == "two-instances":
        yield from _cluster(tmp_path_factory, "cluster-instances", instances=2, workers=1)
    else:
        yield from _cluster(tmp_path_factory, "cluster-workers", instances=1, workers=2)


ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def authorization_code(base: str, issuer: str) -> tuple[str, str]:
    """A code for persona `an` at demo-bank, through the headless login of a test client; and its PKCE verifier."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    response = httpx.get(
        f"{base}/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": "demo-bank",
            "redirect_uri": f"{issuer}/demo/bank/callback",
            "scope": "openid profile",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": AN,
        },
    )
    assert response.status_code == 303, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0], verifier


def redeem(base: str, issuer: str, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        f"{base}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{issuer}/demo/bank/callback",
            "code_verifier": verifier,
        },
        auth=("demo-bank", "demo-bank-secret"),
    )


def machine_token(base: str) -> httpx.Response:
    return client_credentials(base, "demo-agency", "demo-agency-secret")


def test_every_worker_serves_before_health_says_ready(cluster: Cluster) -> None:
    for base in {cluster.a, cluster.b}:
        health = httpx.get(f"{base}/healthz").json()
        assert health["status"] == "ok"
        assert health["workers_serving"] == health["workers"]


def test_a_code_issued_by_one_process_is_redeemed_by_the_other_once(cluster: Cluster) -> None:
    for _ in range(4):  # with workers, each round may cross processes either way
        code, verifier = authorization_code(cluster.a, cluster.issuer)
        tokens = redeem(cluster.b, cluster.issuer, code, verifier)
        assert tokens.status_code == 200, tokens.text
        replay = redeem(cluster.a, cluster.issuer, code, verifier)
        assert replay.json()["error"] == "invalid_grant"


def test_a_key_rotated_through_one_process_signs_at_the_other(cluster: Cluster) -> None:
    rotated = httpx.post(f"{cluster.a}/sandbox/keys/rotate", headers=ADMIN_HEADERS)
    assert rotated.status_code == 200, rotated.text
    new_kids = set(rotated.json()["signing_kids"])
    for _ in range(4):
        token = machine_token(cluster.b).json()["access_token"]
        assert jwt.get_unverified_header(token)["kid"] in new_kids
        published = {key["kid"] for key in httpx.get(f"{cluster.b}/.well-known/jwks.json").json()["keys"]}
        assert new_kids <= published


def test_a_scenario_armed_through_one_process_fires_at_the_other(cluster: Cluster) -> None:
    armed = httpx.post(
        f"{cluster.a}/sandbox/scenarios",
        headers=ADMIN_HEADERS,
        json={"name": "token_unavailable", "client_id": "demo-agency", "times": 3},
    )
    assert armed.status_code in (200, 201), armed.text
    refused = [machine_token(cluster.b) for _ in range(3)]
    assert [r.status_code for r in refused] == [503, 503, 503]
    assert all(r.headers["retry-after"] for r in refused)
    assert machine_token(cluster.a).status_code == 200  # used up, wherever it was used


def test_a_clock_advanced_through_one_process_is_read_at_the_other(cluster: Cluster) -> None:
    before = datetime.fromisoformat(httpx.get(f"{cluster.b}/sandbox/clock", headers=ADMIN_HEADERS).json()["now"])
    advanced = httpx.post(f"{cluster.a}/sandbox/clock/advance", headers=ADMIN_HEADERS, json={"days": 3})
    assert advanced.status_code == 200, advanced.text
    try:
        for _ in range(4):
            seen = datetime.fromisoformat(httpx.get(f"{cluster.b}/sandbox/clock", headers=ADMIN_HEADERS).json()["now"])
            assert seen - before >= timedelta(days=3)
    finally:
        httpx.post(f"{cluster.a}/sandbox/clock/reset", headers=ADMIN_HEADERS).raise_for_status()


def test_each_webhook_event_is_delivered_once(cluster: Cluster) -> None:
    landlord = httpx.post(
        f"{cluster.a}/sandbox/tokens",
        headers=ADMIN_HEADERS,
        json={"persona": "dung", "client_id": "vneid-app", "scope": "openid"},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {landlord}"}
    notices = 8
    with running_receiver() as receiver:
        subscribed = httpx.post(
            f"{cluster.b}/sandbox/webhooks",
            headers=ADMIN_HEADERS,
            json={"client_id": "vneid-app", "url": receiver.url, "events": ["application.created"]},
        )
        assert subscribed.status_code == 201, subscribed.text
        now = datetime.fromisoformat(httpx.get(f"{cluster.a}/sandbox/clock", headers=ADMIN_HEADERS).json()["now"])
        for index in range(notices):
            filed = httpx.post(
                f"{(cluster.a, cluster.b)[index % 2]}/v1/applications/accommodation-notices",
                headers=headers,
                json={
                    **DUNG_HOME,
                    "guest_personal_id": AN,
                    "arrival_at": now.isoformat(),
                    "departure_on": (now + timedelta(days=2)).date().isoformat(),
                    "reason": "Thăm người thân",
                },
            )
            assert filed.status_code == 201, filed.text
        received = receiver.wait_for(notices)
        # Every process's dispatcher polls every second: give a duplicate time to show up before counting.
        received = receiver.wait_for(notices + 1, timeout=3)
    counts = Counter(json.loads(body)["id"] for _, body in received)
    assert len(counts) == notices
    assert set(counts.values()) == {1}


def test_a_world_made_through_one_process_lives_and_dies_at_the_other(cluster: Cluster) -> None:
    made = httpx.post(f"{cluster.a}/sandbox/worlds", json={"population": 50}, headers=ADMIN_HEADERS, timeout=60)
    assert made.status_code == 201, made.text
    world = made.json()
    path, world_admin = f"/w/{world['id']}", {"Authorization": f"Bearer {world['admin_token']}"}
    assert world["base_url"] == f"{cluster.issuer}{path}"
    token = machine_token(f"{cluster.a}{path}").json()["access_token"]
    lookup = {"Authorization": f"Bearer {token}", "X-Purpose": "Xac minh ho so"}
    assert httpx.get(f"{cluster.b}{path}/v1/citizens/{AN}", headers=lookup).status_code == 200
    assert httpx.get(f"{cluster.b}/v1/citizens/{AN}", headers=lookup).status_code == 401  # not the root's token
    root_offset = httpx.get(f"{cluster.b}/sandbox/clock", headers=ADMIN_HEADERS).json()["offset_seconds"]
    httpx.post(f"{cluster.a}{path}/sandbox/clock/advance", json={"days": 2}, headers=world_admin)
    assert httpx.get(f"{cluster.b}{path}/sandbox/clock", headers=world_admin).json()["offset_seconds"] == 2 * 86_400
    assert httpx.get(f"{cluster.a}/sandbox/clock", headers=ADMIN_HEADERS).json()["offset_seconds"] == root_offset
    assert httpx.delete(f"{cluster.b}/sandbox/worlds/{world['id']}", headers=ADMIN_HEADERS).status_code == 204
    gone = httpx.get(f"{cluster.a}{path}/.well-known/jwks.json")
    assert (gone.status_code, gone.json()["code"]) == (404, "world_not_found")


def test_instances_started_at_once_on_a_new_database_migrate_and_seed_once(tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    env = {"VNEID_ADMIN_TOKEN": ADMIN, "VNEID_WORKERS": "1"}
    with fresh_database(tmp_path) as url, ExitStack() as stack, ThreadPoolExecutor(max_workers=2) as pool:
        starting = [
            pool.submit(stack.enter_context, live_server(url, port, tmp_path / f"{port}.log", env)) for port in ports
        ]
        servers = [future.result() for future in starting]
        personas = [httpx.get(f"{s.base}/sandbox/personas", headers=ADMIN_HEADERS) for s in servers]
        assert [p.status_code for p in personas] == [200, 200]
        engine = create_engine(normalise_url(url))
        with engine.connect() as connection:
            citizens = connection.scalar(select(func.count()).select_from(Citizen))
        engine.dispose()
    # VNEID_POPULATION=200 beside the personas and their 4 relatives, seeded once
    assert citizens == 200 + len(personas[0].json()) + 4
