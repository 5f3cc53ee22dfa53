"""Unknown query parameters: refused with `400 unknown_parameter` on the API's operations, ignored by the OAuth 2.0
and OpenID Connect endpoints (RFC 6749 §3.1 and §3.2) and the web pages."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN, basic

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_an_operation_takes_the_parameters_it_declares(client: TestClient) -> None:
    response = client.get("/sandbox/journal", params={"client": "demo-bank", "status": "4xx"}, headers=ADMIN)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "query", "unknown"),
    [
        ("/sandbox/journal", "clinet=demo-bank", ["clinet"]),  # misspelt: would have returned every client's
        ("/sandbox/journal", "status=4xx&page=2&=x", ["page", ""]),  # an empty name is a name too
        ("/healthz", "verbose=1", ["verbose"]),  # an operation that takes none
        ("/sandbox/personas", "page=2&page=3", ["page"]),
    ],
)
def test_an_unknown_query_parameter_is_refused_and_named(
    client: TestClient, path: str, query: str, unknown: list[str]
) -> None:
    response = client.get(f"{path}?{query}", headers=ADMIN)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["parameters"]) == ("unknown_parameter", unknown)
    assert all(f"`{name}`" in body["detail"] for name in unknown)


def test_the_refusal_is_explained_in_the_journal(client: TestClient) -> None:
    refused = client.get("/v1/me/access-log?limt=5", headers=ADMIN)
    [entry] = [
        e
        for e in client.get("/sandbox/journal", headers=ADMIN).json()
        if e["request_id"] == refused.headers["x-request-id"]
    ]
    assert entry["error_code"] == "unknown_parameter"
    assert "`limt`" in entry["explanation"]
    assert "would pass: only the parameters this operation takes: `limit`, `offset`" in entry["explanation"]


def test_the_oauth_and_openid_endpoints_ignore_unknown_parameters(client: TestClient) -> None:
    token = client.post(
        "/oauth2/token?tenant=x",
        data={"grant_type": "client_credentials", "vendor_extension": "1"},
        headers=basic("demo-agency", "demo-agency-secret"),
    )
    assert token.status_code == 200, token.text
    assert client.get("/.well-known/openid-configuration?cache_buster=1").status_code == 200
    assert client.get("/.well-known/jwks.json?v=2").status_code == 200


def test_the_web_pages_ignore_unknown_parameters(client: TestClient) -> None:
    assert client.get("/app/sandbox?utm_source=newsletter", follow_redirects=False).status_code != 400
