"""The token endpoint (client credentials) and the JWKS."""

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ISSUER, basic


def _token(client: TestClient, **data: str) -> dict:
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", **data},
        headers=basic("demo-agency", "demo-agency-secret"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_client_credentials_with_basic_auth_issues_rfc9068_jwt(client: TestClient) -> None:
    body = _token(client)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    header = jwt.get_unverified_header(body["access_token"])
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    jwks = client.get("/.well-known/jwks.json").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(
        body["access_token"], jwt.PyJWK(key).key, algorithms=["RS256"], audience=f"{ISSUER}/v1", issuer=ISSUER
    )
    assert claims["client_id"] == claims["sub"] == "demo-agency"
    assert set(claims["scope"].split()) == {
        "citizen.identity",
        "citizen.residence",
        "citizen.family",
        "citizen.contact",
        "citizen.sensitive",
        "citizen.verify",
    }
    assert claims["exp"] - claims["iat"] == 300
    assert claims["sandbox"] is True


def test_client_secret_post_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "demo-bank", "client_secret": "demo-bank-secret"},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_requested_scope_narrows_the_token(client: TestClient) -> None:
    assert _token(client, scope="citizen.verify")["scope"] == "citizen.verify"


def test_scope_beyond_the_client_is_invalid_scope(client: TestClient) -> None:
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "citizen.family"},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(("client_id", "secret"), [("demo-agency", "wrong"), ("nobody", "x")])
def test_bad_client_credentials_are_invalid_client_with_basic_challenge(
    client: TestClient, client_id: str, secret: str
) -> None:
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_two_authentication_methods_at_once_are_refused(client: TestClient) -> None:
    response = client.post(
        "/oauth2/token",
        headers=basic("demo-agency", "demo-agency-secret"),
        data={"grant_type": "client_credentials", "client_id": "demo-agency", "client_secret": "demo-agency-secret"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_missing_grant_type_is_invalid_request(client: TestClient) -> None:
    response = client.post("/oauth2/token", headers=basic("demo-agency", "demo-agency-secret"))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "missing or invalid: grant_type"}


def test_unknown_grant_type_is_unsupported(client: TestClient) -> None:
    response = client.post(
        "/oauth2/token", data={"grant_type": "password"}, headers=basic("demo-agency", "demo-agency-secret")
    )
    assert response.json()["error"] == "unsupported_grant_type"


def test_public_client_may_not_use_client_credentials(client: TestClient) -> None:
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": "demo-spa"})
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_jwks_publishes_public_keys_only(client: TestClient) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    # Token keys: an active and a next key per algorithm, so clients learn a key before anything is signed with
    # it; document keys: an active and a next RS256 key.
    assert sorted(k["alg"] for k in keys) == ["ES256", "ES256", "RS256", "RS256", "RS256", "RS256"]
    for key in keys:
        assert {"kid", "alg", "use", "kty"} <= key.keys()
        assert key["use"] == "sig"
        assert {"RSA": {"n", "e"}, "EC": {"crv", "x", "y"}}[key["kty"]] <= key.keys()
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()
