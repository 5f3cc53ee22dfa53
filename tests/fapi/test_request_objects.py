"""Signed request objects (RFC 9101) at the authorization endpoint and inside PAR; `fapi2` client registration."""

import time
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from fastapi.testclient import TestClient

from app.services.oidc.grants import pkce_challenge
from tests.conftest import ISSUER
from tests.fapi.kit import CALLBACK, SIGNING_KEY, VERIFIER, authorize, callback, push, signed
from tests.fapi.kit import PKJWT_KEY as PKJWT_JWK

PKJWT_CALLBACK = f"{ISSUER}/demo/pkjwt/callback"


def request_claims(issuer: str, redirect_uri: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": ISSUER,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "client_id": issuer,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": "jar-state",
        "nonce": "jar-nonce",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "login_hint": "an",
        "max_age": 600,
    }
    return {**claims, **overrides}


def authorize_with(client: TestClient, request_object: str) -> Any:
    query = urlencode({"client_id": "demo-pkjwt", "redirect_uri": PKJWT_CALLBACK, "request": request_object})
    return client.get(f"/oauth2/authorize?{query}", follow_redirects=False)


def test_a_signed_request_object_at_the_authorization_endpoint(client: TestClient) -> None:
    response = authorize_with(client, signed(request_claims("demo-pkjwt", PKJWT_CALLBACK), PKJWT_JWK))
    location = response.headers["location"]
    assert location.startswith(PKJWT_CALLBACK), location
    assert "code=" in location
    assert "state=jar-state" in location


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("alg-none", lambda: jwt.encode(request_claims("demo-pkjwt", PKJWT_CALLBACK), None, algorithm="none")),
        (
            "wrong-key",
            lambda: signed(request_claims("demo-pkjwt", PKJWT_CALLBACK), {**SIGNING_KEY, "kid": "demo-pkjwt-2026"}),
        ),
        (
            "wrong-audience",
            lambda: signed(request_claims("demo-pkjwt", PKJWT_CALLBACK, aud="https://other"), PKJWT_JWK),
        ),
        ("expired", lambda: signed(request_claims("demo-pkjwt", PKJWT_CALLBACK, exp=int(time.time()) - 60), PKJWT_JWK)),
        (
            "other-client",
            lambda: signed(request_claims("demo-pkjwt", PKJWT_CALLBACK, client_id="demo-bank"), PKJWT_JWK),
        ),
    ],
)
def test_bad_request_objects_are_invalid_request_object(client: TestClient, name: str, make: Any) -> None:
    location = authorize_with(client, make()).headers["location"]
    assert location.startswith(PKJWT_CALLBACK)
    assert "error=invalid_request_object" in location


def test_a_signed_request_object_inside_par(client: TestClient) -> None:
    request_object = signed(request_claims("demo-fapi", CALLBACK, state="pushed-jar"), typ="oauth-authz-req+jwt")
    pushed = push(client, response_type=None, redirect_uri=None, scope=None, request=request_object)
    assert pushed.status_code == 201, pushed.text
    assert callback(authorize(client, pushed.json()["request_uri"]))["state"] == "pushed-jar"


def test_an_unsigned_request_object_inside_par_is_refused(client: TestClient) -> None:
    unsigned = jwt.encode(request_claims("demo-fapi", CALLBACK), None, algorithm="none")
    assert push(client, request=unsigned).json()["error"] == "invalid_request_object"


FAPI2_CLIENT = {
    "client_id": "my-fapi-bank",
    "name": "My FAPI bank",
    "kind": "business",
    "auth_methods": ["private_key_jwt"],
    "grant_types": ["authorization_code"],
    "redirect_uris": ["https://bank.example/cb"],
    "scopes": ["openid"],
    "purpose": "FAPI tests",
    "id_token_alg": "ES256",
    "profile": "fapi2",
    "jwks": {"keys": [{k: v for k, v in SIGNING_KEY.items() if k != "d"}]},
}


def test_a_fapi2_client_registers_and_must_push(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.post("/sandbox/clients", json=FAPI2_CLIENT, headers=admin_headers).status_code == 201
    query = urlencode(
        {
            "client_id": "my-fapi-bank",
            "redirect_uri": "https://bank.example/cb",
            "response_type": "code",
            "scope": "openid",
            "code_challenge": "a" * 43,
            "code_challenge_method": "S256",
        }
    )
    location = client.get(f"/oauth2/authorize?{query}", follow_redirects=False).headers["location"]
    assert "error=invalid_request" in location


@pytest.mark.parametrize(
    "contradiction",
    [
        {"auth_methods": ["client_secret_basic"], "jwks": None},
        {"id_token_alg": "RS256"},
        {"dpop_bound_access_tokens": False},
        {"require_pushed_authorization_requests": False},
        {"id_token_encrypted_response_alg": "RSA-OAEP-256"},  # no enc key of that alg in jwks
    ],
)
def test_a_fapi2_registration_that_contradicts_the_profile_is_refused(
    client: TestClient, admin_headers: dict[str, str], contradiction: dict[str, Any]
) -> None:
    body = {k: v for k, v in {**FAPI2_CLIENT, **contradiction}.items() if v is not None}
    response = client.post("/sandbox/clients", json=body, headers=admin_headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("alg", ["RS256", "PS256", "EdDSA", "none"])
def test_a_fapi2_client_signs_its_id_tokens_with_es256_and_the_refusal_says_so(
    client: TestClient, admin_headers: dict[str, str], alg: str
) -> None:
    """PS256 and EdDSA are FAPI 2.0 algorithms, but the sandbox has no ID-token key of either: ES256 is the one
    the profile and the sandbox share, and the refusal names exactly that rule."""
    response = client.post("/sandbox/clients", json={**FAPI2_CLIENT, "id_token_alg": alg}, headers=admin_headers)
    assert response.status_code == 422, response.text
    if alg == "RS256":  # a value the schema knows: the profile refuses it
        assert response.json()["code"] == "invalid_client_metadata"
        assert "id_token_alg must be ES256 (" in response.json()["detail"]
    else:  # no ID-token key of that algorithm at all: the schema lists RS256 and ES256
        assert response.json()["code"] == "validation_error"
    assert client.get("/.well-known/openid-configuration").json()["id_token_signing_alg_values_supported"] == [
        "RS256",
        "ES256",
    ]
