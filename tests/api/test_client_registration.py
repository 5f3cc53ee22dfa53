"""Registering a client of one's own through the sandbox controls."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import basic

SECRET_CLIENT = {
    "client_id": "my-rental-app",
    "name": "Rental app (test)",
    "kind": "business",
    "auth_methods": ["client_secret_basic"],
    "grant_types": ["client_credentials"],
    "scopes": ["citizen.verify"],
    "purpose": "Xác minh người thuê nhà",
}


def test_registered_client_gets_a_secret_once_and_can_use_it(client: TestClient, admin_headers: dict[str, str]) -> None:
    registered = client.post("/sandbox/clients", headers=admin_headers, json=SECRET_CLIENT)
    assert registered.status_code == 201, registered.text
    secret = registered.json()["client_secret"]
    token = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic("my-rental-app", secret)
    )
    assert (token.status_code, token.json()["scope"]) == (200, "citizen.verify")
    again = client.post("/sandbox/clients", headers=admin_headers, json=SECRET_CLIENT)
    assert (again.status_code, again.json()["code"]) == (409, "client_exists")


@pytest.mark.parametrize(
    "changes",
    [
        {"auth_methods": ["private_key_jwt"]},
        {"auth_methods": ["none"]},
        {"kind": "public"},
        {"grant_types": ["authorization_code"]},
        {"jwks_uri": "https://keys.example/jwks.json"},
    ],
)
def test_inconsistent_registrations_are_refused(
    client: TestClient, admin_headers: dict[str, str], changes: dict
) -> None:
    response = client.post("/sandbox/clients", headers=admin_headers, json={**SECRET_CLIENT, **changes})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_client_metadata")


def test_registration_needs_the_admin_token(client: TestClient) -> None:
    assert client.post("/sandbox/clients", json=SECRET_CLIENT).status_code == 401
