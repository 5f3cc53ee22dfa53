"""The sandbox's own outbound requests never reach into the network it runs in (issue 10: M8, blind SSRF through
webhooks and client jwks_uri)."""

import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import OAuthError
from app.core.outbound import DestinationRefused, OutboundPolicy, PinnedTransport
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


def revoke_a_consent_to_the_bank(client: TestClient, admin_headers: dict[str, str]) -> None:
    """An event for demo-bank's subscriptions: an revokes the bank's consent in the VNeID app."""
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


def test_each_delivery_is_checked_again_and_refused_without_connecting(
    client: TestClient, bank_headers: dict[str, str], database: Database, admin_headers: dict[str, str]
) -> None:
    subscribed = client.post(
        "/v1/webhooks", headers=bank_headers, json={"url": "http://127.0.0.1:9/hooks", "events": EVENTS}
    ).json()
    revoke_a_consent_to_the_bank(client, admin_headers)
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


REBINDING = ["93.184.216.34", "169.254.169.254"]  # first a public address, then the metadata service


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`*.rebind.example` answers REBINDING in turn, as an attacker's name server with a TTL of 0 would; other names
    resolve as usual. Returns the answers given, as they are given."""
    answers: list[str] = []
    resolve = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if not host.endswith("rebind.example"):
            return resolve(host, port, *args, **kwargs)  # type: ignore[arg-type]
        answers.append(REBINDING[len(answers) % 2] if host != "metadata.rebind.example" else REBINDING[1])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[-1], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_m8_a_request_connects_to_the_address_that_was_checked_not_to_a_rebound_name(
    rebinding_dns: list[str],
) -> None:
    connected: list[httpx.Request] = []

    def network(request: httpx.Request) -> httpx.Response:
        connected.append(request)
        return httpx.Response(204)

    policy = OutboundPolicy(allow_loopback=False, allowed_networks=())
    with httpx.Client(transport=PinnedTransport(policy, httpx.MockTransport(network))) as http:
        assert http.post("https://hooks.rebind.example:8443/in", content=b"{}").status_code == 204
    (request,) = connected
    assert rebinding_dns == ["93.184.216.34"]  # resolved once, checked, and that address is the one connected to
    assert (request.url.host, request.url.port) == ("93.184.216.34", 8443)
    assert request.headers["host"] == "hooks.rebind.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.rebind.example"  # the certificate is checked for the name


def test_m8_a_name_that_resolves_into_the_metadata_service_is_never_connected_to(rebinding_dns: list[str]) -> None:
    connected: list[httpx.Request] = []
    network = httpx.MockTransport(lambda request: connected.append(request) or httpx.Response(204))  # type: ignore[func-returns-value]
    with httpx.Client(transport=PinnedTransport(TEST_OUTBOUND, network)) as http:
        with pytest.raises(httpx.ConnectError, match="169.254.169.254, a link-local address"):
            http.get("http://metadata.rebind.example/latest/meta-data/")
    assert connected == []


def test_m8_a_webhook_to_a_name_that_resolves_into_a_private_network_is_refused(
    client: TestClient, bank_headers: dict[str, str], rebinding_dns: list[str]
) -> None:
    url = "http://metadata.rebind.example/hooks"
    response = client.post("/v1/webhooks", headers=bank_headers, json={"url": url, "events": EVENTS})
    assert (response.status_code, response.json()["code"]) == (422, "destination_not_allowed")
    assert response.json()["address"] == "169.254.169.254"


class _Receiver(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.hosts.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_pinned_request_reaches_a_real_receiver_by_name() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://localhost:{server.server_port}/hooks"  # ::1 first on many hosts: the next address is tried
        with httpx.Client(transport=PinnedTransport(TEST_OUTBOUND), timeout=5) as http:
            assert http.post(url, content=b"{}").status_code == 204
    finally:
        server.shutdown()
        server.server_close()
    assert _Receiver.hosts == [f"localhost:{server.server_port}"]


def test_low_a_slow_receiver_delays_no_other_receiver(
    client: TestClient, bank_headers: dict[str, str], database: Database, admin_headers: dict[str, str]
) -> None:
    """The slow receiver's delivery is due first; it answers only once the other receiver has had its delivery, or
    gives up after 10 seconds: one dispatcher delivering in turn would make it give up."""
    for host in ("slow", "fast"):
        subscribed = client.post(
            "/v1/webhooks", headers=bank_headers, json={"url": f"http://{host}.example/hooks", "events": EVENTS}
        )
        assert subscribed.status_code == 201, subscribed.text
    revoke_a_consent_to_the_bank(client, admin_headers)
    fast_delivered = threading.Event()
    order: list[str] = []

    def receivers(request: httpx.Request) -> httpx.Response:
        if request.url.host == "slow.example":
            order.append("slow: the other was delivered" if fast_delivered.wait(10) else "slow: gave up waiting")
        else:
            order.append("fast")
            fast_delivered.set()
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(receivers)) as http:
        assert (
            webhooks.deliver_due(database.sessions, datetime.now(UTC) + timedelta(minutes=1), http, TEST_OUTBOUND) == 2
        )
    assert order == ["fast", "slow: the other was delivered"]
