"""Security headers, caching and CORS on every response (issue 10: the low findings on framing, sniffing, caching
of token-bearing responses, request size, and browser clients)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import basic

SPA_ORIGIN = "http://localhost:5173"


@pytest.mark.parametrize("path", ["/", "/app", "/healthz", "/.well-known/openid-configuration", "/nowhere"])
def test_no_page_can_be_framed_or_sniffed(client: TestClient, path: str) -> None:
    headers = client.get(path, follow_redirects=False).headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_responses_with_tokens_or_personal_data_are_never_stored(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    token = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic("demo-agency", "demo-agency-secret")
    )
    citizen = client.get("/v1/citizens/001090000001", headers=agency_headers)
    login_page = client.get("/app", follow_redirects=False)
    for response in (token, citizen, login_page):
        assert response.headers["cache-control"] == "no-store"


def test_public_documents_stay_cacheable(client: TestClient) -> None:
    for path in ("/.well-known/jwks.json", "/.well-known/openid-configuration", "/openapi.json"):
        assert client.get(path).headers.get("cache-control") != "no-store"


def test_browser_clients_may_call_the_provider_endpoints_cross_origin(client: TestClient) -> None:
    discovery = client.get("/.well-known/openid-configuration", headers={"Origin": SPA_ORIGIN})
    assert discovery.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/oauth2/token",
        headers={
            "Origin": SPA_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "DPoP",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers


def test_a_browser_client_can_read_the_dpop_nonce_and_the_challenge(client: TestClient) -> None:
    refused = client.get("/oauth2/userinfo", headers={"Origin": SPA_ORIGIN})
    exposed = {name.strip().lower() for name in refused.headers["access-control-expose-headers"].split(",")}
    assert {"dpop-nonce", "www-authenticate"} <= exposed


def test_other_endpoints_are_same_origin_only(client: TestClient, agency_headers: dict[str, str]) -> None:
    response = client.get("/v1/citizens/001090000001", headers={**agency_headers, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/sandbox/reset", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_a_body_over_one_megabyte_is_refused_with_413(client: TestClient, agency_headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/citizens/verify",
        headers={**agency_headers, "Content-Type": "application/json"},
        content=b'{"items": [' + b" " * (1024 * 1024 + 1) + b"]}",
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "payload_too_large"


def test_a_chunked_body_over_one_megabyte_is_refused_with_413(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"items": ['
        for _ in range(20):
            yield b" " * 65536

    response = client.post(
        "/v1/citizens/verify", headers={**agency_headers, "Content-Type": "application/json"}, content=chunks()
    )
    assert response.status_code == 413


def test_rfc_8414_metadata_is_the_discovery_document(client: TestClient) -> None:
    oauth = client.get("/.well-known/oauth-authorization-server")
    assert oauth.status_code == 200
    assert oauth.json() == client.get("/.well-known/openid-configuration").json()
