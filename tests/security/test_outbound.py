"""The sandbox's own outbound requests never reach into the network it runs in (issue 10: M8, blind SSRF through
webhooks and client jwks_uri)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import OAuthError
from app.core.outbound import DestinationRefused, OutboundPolicy
from app.services import webhooks
from app.services.oidc.client_keys import signing_keys
from app.services.oidc.clients import find_client
from tests.conftest import TEST_OUTBOUND, make_settings

EVENTS = ["consent.revoked"]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.1:8080/",
        "http://192.168.1.1/",
        "http://0.0.0.0:22/",
        "http://[fe80::1]/",
    ],
)
def test_m8_webhooks_into_private_link_local_or_reserved_networks_are_refused(
    client: TestClient, bank_headers: dict[str, str], url: str
) -> None:
    response = client.post("/v1/webhooks", headers=bank_headers, json={"url": url, "events": EVENTS})
    assert (response.status_code, response.json()["code"]) == (422, "destination_not_allowed")


def test_loopback_receivers_work_while_the_sandbox_listens_on_loopback(
    client: TestClient, bank_headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/webhooks", headers=bank_headers, json={"url": "http://127.0.0.1:9/hooks", "events": EVENTS}
    )
    assert response.status_code == 201


def test_loopback_is_refused_when_the_sandbox_listens_elsewhere() -> None:
    policy = OutboundPolicy.of(make_settings("sqlite://", host="0.0.0.0"))
    with pytest.raises(DestinationRefused, match="loopback"):
        policy.check("http://127.0.0.1:8000/sandbox/receiver/x")


def test_the_operator_allow_list_opens_a_private_network() -> None:
    policy = OutboundPolicy.of(Settings(host="0.0.0.0", outbound_allowed_networks="10.0.0.0/8, 192.168.7.0/24"))  # type: ignore[arg-type]
    policy.check("http://10.20.30.40/hooks")
    policy.check("http://192.168.7.9/hooks")
    with pytest.raises(DestinationRefused):
        policy.check("http://192.168.8.9/hooks")


def test_each_delivery_is_checked_again_and_refused_without_connecting(
    client: TestClient, bank_headers: dict[str, str], database: Database, admin_headers: dict[str, str]
) -> None:
    subscribed = client.post(
        "/v1/webhooks", headers=bank_headers, json={"url": "http://127.0.0.1:9/hooks", "events": EVENTS}
    ).json()
    granted = client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={
            "personal_id": "001090000001",
            "client_id": "demo-bank",
            "purpose": "Mở tài khoản",
            "scopes": ["citizen.identity"],
        },
    ).json()
    app = client.post(
        "/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": "vneid-app", "scope": "openid"}
    ).json()["access_token"]
    client.delete(f"/v1/me/consents/{granted['id']}", headers={"Authorization": f"Bearer {app}"})
    connected: list[httpx.Request] = []
    elsewhere = OutboundPolicy(allow_loopback=False, allowed_networks=())  # as if the sandbox now listened publicly

    def receiver(request: httpx.Request) -> httpx.Response:
        connected.append(request)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        assert webhooks.deliver_due(database.sessions, datetime.now(UTC) + timedelta(minutes=1), http, elsewhere) == 1
    assert connected == []
    (delivery,) = client.get(f"/v1/webhooks/{subscribed['id']}/deliveries", headers=bank_headers).json()
    assert delivery["last_status_code"] is None
    assert "loopback" in delivery["last_error"]
    assert TEST_OUTBOUND.allow_loopback  # the suite's own deliveries keep working


def test_m8_a_client_jwks_uri_into_the_metadata_service_is_never_fetched(
    client: TestClient, admin_headers: dict[str, str], database: Database
) -> None:
    registered = client.post(
        "/sandbox/clients",
        headers=admin_headers,
        json={
            "client_id": "ssrf-probe",
            "name": "SSRF probe",
            "kind": "business",
            "auth_methods": ["private_key_jwt"],
            "grant_types": ["client_credentials"],
            "scopes": ["citizen.identity"],
            "jwks_uri": "http://169.254.169.254/latest/meta-data/jwks",
            "purpose": "probe",
        },
    )
    assert registered.status_code == 201, registered.text
    with database.sessions() as db:
        probe = find_client(db, "ssrf-probe")
        assert probe is not None
        with pytest.raises(OAuthError, match="not reachable"):
            signing_keys(probe, "any", TEST_OUTBOUND)
