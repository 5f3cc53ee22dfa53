"""The FAPI 2.0 flow of demo-fapi through HTTP (PAR, PKCE, private_key_jwt, DPoP, iss, encrypted ID token and
userinfo), and one refusal for each protection taken away."""

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from app.services.oidc import par
from app.services.oidc.grants import pkce_challenge
from tests.conftest import ISSUER
from tests.fapi.kit import (
    CALLBACK,
    KEYS,
    PKJWT_KEY,
    DpopKey,
    authorize,
    callback,
    client_auth,
    code,
    decrypt,
    encrypting_client,
    push,
    redeem,
    tokens,
    tokens_of,
    verified,
)

USERINFO = f"{ISSUER}/oauth2/userinfo"


def test_the_whole_fapi2_flow(client: TestClient) -> None:
    dpop = DpopKey()
    pushed = push(client, dpop)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["expires_in"] == 60
    assert pushed.json()["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    answer = callback(authorize(client, pushed.json()["request_uri"]))
    assert answer["iss"] == ISSUER
    assert answer["state"] == "fapi-state"
    response = redeem(client, answer["code"], dpop)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "DPoP"
    assert verified(client, body["access_token"], audience=f"{ISSUER}/v1")["cnf"] == {"jkt": dpop.thumbprint}
    assert body["id_token"].count(".") == 4  # a JWE: encrypted to demo-fapi's key
    id_token = verified(client, decrypt(body["id_token"]))
    assert id_token["nonce"] == "fapi-nonce"
    assert id_token["personal_id"] if "personal_id" in id_token else id_token["sub"]
    userinfo = client.get(
        "/oauth2/userinfo",
        headers={
            "Authorization": f"DPoP {body['access_token']}",
            "DPoP": dpop.proof("GET", USERINFO, body["access_token"]),
        },
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.headers["content-type"] == "application/jwt"
    assert verified(client, decrypt(userinfo.text))["sub"] == id_token["sub"]


@pytest.mark.parametrize("alg", ["ES256", "PS256", "EdDSA"])
def test_dpop_proofs_of_every_advertised_algorithm_bind_the_tokens(client: TestClient, alg: str) -> None:
    dpop = DpopKey(alg)
    body = tokens(client, dpop)
    assert verified(client, body["access_token"], audience=f"{ISSUER}/v1")["cnf"]["jkt"] == dpop.thumbprint
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"], **client_auth()},
        headers={"DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/token")},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["token_type"] == "DPoP"


def test_discovery_advertises_what_the_flow_uses(client: TestClient) -> None:
    meta = client.get("/.well-known/openid-configuration").json()
    assert meta["pushed_authorization_request_endpoint"] == f"{ISSUER}/oauth2/par"
    assert meta["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "EdDSA"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["request_parameter_supported"] is True
    assert "none" not in meta["request_object_signing_alg_values_supported"]
    assert meta["id_token_encryption_alg_values_supported"] == ["RSA-OAEP-256", "ECDH-ES+A256KW"]
    assert meta["id_token_encryption_enc_values_supported"] == ["A256GCM"]


@pytest.mark.parametrize("key_alg", ["RSA-OAEP-256", "ECDH-ES+A256KW"])
def test_every_advertised_encryption_algorithm_encrypts_id_tokens_and_userinfo(
    client: TestClient, admin_headers: dict[str, str], key_alg: str
) -> None:
    meta = client.get("/.well-known/openid-configuration").json()
    for entry in ("id_token_encryption_alg_values_supported", "userinfo_encryption_alg_values_supported"):
        assert key_alg in meta[entry]
    registration = encrypting_client(key_alg)
    assert client.post("/sandbox/clients", json=registration, headers=admin_headers).status_code == 201
    client_id, dpop = registration["client_id"], DpopKey()
    body = tokens_of(client, dpop, client_id)
    kid = next(k["kid"] for k in registration["jwks"]["keys"] if k["use"] == "enc")
    assert KEYS[kid]["alg"] == key_alg
    id_token = verified(client, decrypt(body["id_token"], kid), audience=client_id)
    assert id_token["nonce"] == "fapi-nonce"
    headers = {
        "Authorization": f"DPoP {body['access_token']}",
        "DPoP": dpop.proof("GET", USERINFO, body["access_token"]),
    }
    userinfo = client.get("/oauth2/userinfo", headers=headers)
    assert userinfo.headers["content-type"] == "application/jwt"
    assert verified(client, decrypt(userinfo.text, kid), audience=client_id)["sub"] == id_token["sub"]


# --- Each protection taken away is refused ------------------------------------------------------------------------


def test_without_par_the_authorization_request_is_refused(client: TestClient) -> None:
    response = client.get(
        "/oauth2/authorize",
        params={
            "client_id": "demo-fapi",
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid",
            "code_challenge": "a" * 43,
            "code_challenge_method": "S256",
            "state": "s",
        },
        follow_redirects=False,
    )
    answer = callback(response)
    assert answer["error"] == "invalid_request"
    assert "PAR" in answer["error_description"]


def test_without_pkce_the_pushed_request_is_refused(client: TestClient) -> None:
    response = push(client, code_challenge=None, code_challenge_method=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["plain", None])
def test_pkce_must_be_s256(client: TestClient, method: str | None) -> None:
    response = push(client, code_challenge_method=method)
    assert response.json()["error"] == "invalid_request"


def test_without_client_authentication_par_is_refused(client: TestClient) -> None:
    response = push(client, auth={})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_rs256_client_assertion_is_refused_for_a_fapi2_client(client: TestClient) -> None:
    rsa_key = {**PKJWT_KEY, "kid": "demo-fapi-sig-2026"}
    response = push(client, auth=client_auth(key=rsa_key))
    assert response.status_code == 401
    assert "PS256, ES256, EdDSA" in response.json()["error_description"]


def test_only_response_type_code(client: TestClient) -> None:
    assert push(client, response_type="code id_token").json()["error"] == "unsupported_response_type"


def test_a_request_uri_works_once(client: TestClient) -> None:
    request_uri = push(client).json()["request_uri"]
    assert "code" in callback(authorize(client, request_uri))
    again = authorize(client, request_uri)
    assert again.status_code == 400
    assert "invalid_request_uri" in again.text


def test_a_request_uri_is_bound_to_its_client(client: TestClient) -> None:
    request_uri = push(client).json()["request_uri"]
    assert authorize(client, request_uri, client_id="demo-bank").status_code == 400
    assert "code" in callback(authorize(client, request_uri))  # the other client's attempt did not use it up


def test_a_request_uri_expires(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    request_uri = push(client).json()["request_uri"]
    monkeypatch.setattr(par, "datetime", _Later)
    response = authorize(client, request_uri)
    assert response.status_code == 400
    assert "expired" in response.text


def test_a_pushed_request_uri_cannot_be_pushed(client: TestClient) -> None:
    assert push(client, request_uri="urn:ietf:params:oauth:request_uri:x").json()["error"] == "invalid_request"


def test_without_dpop_the_token_request_is_refused(client: TestClient) -> None:
    response = redeem(client, code(client), None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_dpop_proof"


def test_a_code_bound_at_par_needs_the_same_dpop_key(client: TestClient) -> None:
    response = redeem(client, code(client, DpopKey()), DpopKey())
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_dpop_jkt_must_name_the_proof_key(client: TestClient) -> None:
    response = push(client, DpopKey(), dpop_jkt=DpopKey().thumbprint)
    assert response.json()["error"] == "invalid_dpop_proof"


def test_the_public_clients_refresh_token_is_bound_to_the_dpop_key(client: TestClient) -> None:
    verifier = "spa-verifier-" + "y" * 40
    dpop = DpopKey()
    redirect = "http://127.0.0.1:5173/callback"
    query = {
        "client_id": "demo-spa",
        "redirect_uri": redirect,
        "response_type": "code",
        "scope": "openid",
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
        "login_hint": "an",
        "dpop_jkt": dpop.thumbprint,
    }
    location = client.get("/oauth2/authorize", params=query, follow_redirects=False).headers["location"]
    code_value = location.split("code=")[1].split("&")[0]
    token_url = f"{ISSUER}/oauth2/token"
    first = client.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code_value,
            "redirect_uri": redirect,
            "code_verifier": verifier,
            "client_id": "demo-spa",
        },
        headers={"DPoP": dpop.proof("POST", token_url)},
    )
    assert first.status_code == 200, first.text
    stolen = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"], "client_id": "demo-spa"},
        headers={"DPoP": DpopKey().proof("POST", token_url)},
    )
    assert stolen.status_code == 400
    assert stolen.json()["error"] == "invalid_grant"


class _Later:
    """par.datetime 61 seconds from now: the request_uri's lifetime has passed."""

    @staticmethod
    def now(tz: dt.tzinfo | None = None) -> dt.datetime:
        return dt.datetime.now(tz) + dt.timedelta(seconds=61)


def test_a_client_assertion_stays_spent_after_a_refused_pushed_request(client: TestClient) -> None:
    auth = client_auth()
    assert push(client, auth=auth, response_type="token").json()["error"] == "unsupported_response_type"
    replayed = push(client, auth=auth)
    assert replayed.status_code == 401
    assert "replay" in replayed.json()["error_description"]
