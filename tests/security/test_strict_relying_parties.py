"""What the strictest relying-party libraries found (issue 10, "Strict relying-party libraries"), each as a test that
fails if the finding comes back. The libraries themselves run against a live sandbox in tests/interop/."""

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from app.services.oidc.grants import pkce_challenge
from tests.api.test_login_pages import BANK_CALLBACK, VERIFIER, authorize_url, callback_params, go
from tests.conftest import ISSUER, basic

AGENCY_CALLBACK = f"{ISSUER}/demo/agency/callback"
LOA1, LOA2 = "urn:vneid:loa:1", "urn:vneid:loa:2"


def redeem(client: TestClient, location: str, who: tuple[str, str] = ("demo-bank", "demo-bank-secret")) -> Any:
    """The token response for the code in a callback location."""
    callback = BANK_CALLBACK if who[0] == "demo-bank" else AGENCY_CALLBACK
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": callback}
        | ({"code_verifier": VERIFIER} if who[0] == "demo-bank" else {}),
        headers=basic(*who),
    )
    assert response.status_code == 200, response.text
    return response.json()


def sign_in(client: TestClient, **params: str) -> Any:
    """Tokens of a headless sign-in of `an` (or the login_hint given) to demo-bank."""
    return redeem(client, go(client, authorize_url(**{"login_hint": "an", **params})))


# --- introspection, JWKS, registration ----------------------------------------------------------------------------


@pytest.mark.parametrize("client_id", ["demo-spa", "vneid-app"])
def test_introspection_refuses_clients_that_cannot_authenticate(client: TestClient, client_id: str) -> None:
    token = sign_in(client)["access_token"]
    response = client.post("/oauth2/introspect", data={"client_id": client_id, "token": token})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_public_clients_may_still_revoke_their_tokens(client: TestClient) -> None:
    response = client.post("/oauth2/revoke", data={"client_id": "demo-spa", "token": "not-a-token"})
    assert response.status_code == 200


def test_jwks_keys_say_use_and_not_key_ops(client: TestClient) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys
    assert all(key["use"] == "sig" and "key_ops" not in key for key in keys)


def test_registered_redirect_uris_are_kept_exactly_and_matched_exactly(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    uris = ["https://rp.example", "https://RP.example:443/cb/../cb?tenant=a%2Fb"]
    registration = {
        "client_id": "exact-redirects",
        "name": "Exact redirects (test)",
        "kind": "business",
        "auth_methods": ["client_secret_basic"],
        "grant_types": ["authorization_code"],
        "redirect_uris": uris,
        "scopes": ["openid"],
        "purpose": "Kiểm thử",
    }
    registered = client.post("/sandbox/clients", headers=admin_headers, json=registration)
    assert registered.status_code == 201, registered.text
    assert registered.json()["redirect_uris"] == uris
    for uri in uris:
        location = go(
            client,
            authorize_url(
                client_id="exact-redirects", redirect_uri=quote(uri, safe=""), scope="openid", login_hint="an"
            ),
        )
        assert location.startswith(uri + ("&" if "?" in uri else "?") + "code="), location
    normalised = client.get(authorize_url(client_id="exact-redirects", redirect_uri=quote("https://rp.example/")))
    assert normalised.status_code == 400


@pytest.mark.parametrize(
    "uri", ["https://rp.example/cb#frag", "ftp://rp.example/cb", "https:///cb", "https://rp .example"]
)
def test_redirect_uris_that_are_not_absolute_http_uris_are_refused(
    client: TestClient, admin_headers: dict[str, str], uri: str
) -> None:
    registration = {
        "client_id": "bad-redirect",
        "name": "Bad redirect (test)",
        "kind": "business",
        "auth_methods": ["client_secret_basic"],
        "grant_types": ["authorization_code"],
        "redirect_uris": [uri],
        "scopes": ["openid"],
        "purpose": "Kiểm thử",
    }
    assert client.post("/sandbox/clients", headers=admin_headers, json=registration).status_code == 422


# --- the authorization request ------------------------------------------------------------------------------------


def test_unknown_scopes_are_ignored(client: TestClient) -> None:
    tokens = sign_in(client, scope=quote("openid email profile https://partner.example/x"))
    assert tokens["scope"] == "openid profile"


def test_known_scopes_the_client_is_not_registered_for_are_still_refused(client: TestClient) -> None:
    assert callback_params(go(client, authorize_url(scope="openid%20citizen.family")))["error"] == "invalid_scope"


def test_a_request_with_only_unknown_scopes_is_refused(client: TestClient) -> None:
    assert callback_params(go(client, authorize_url(scope="email")))["error"] == "invalid_scope"


def test_offline_access_is_kept_for_clients_that_refresh_and_ignored_for_others(client: TestClient) -> None:
    bank = sign_in(client, scope=quote("openid offline_access"))
    assert (bank["scope"], "refresh_token" in bank) == ("openid offline_access", True)
    agency_url = authorize_url(
        client_id="demo-agency",
        redirect_uri=quote(AGENCY_CALLBACK),
        scope=quote("openid offline_access"),
        login_hint="an",
    ).replace(f"&code_challenge={pkce_challenge(VERIFIER)}&code_challenge_method=S256", "")
    agency = redeem(client, go(client, agency_url), ("demo-agency", "demo-agency-secret"))
    assert (agency["scope"], "refresh_token" in agency) == ("openid", False)


@pytest.mark.parametrize(
    ("acr_values", "acr"),
    [(f"{LOA2} {LOA1}", LOA1), (f"{LOA1} {LOA2}", LOA1), (f"urn:other {LOA1}", LOA1), ("urn:other", LOA1)],
)
def test_acr_values_is_a_list_of_acceptable_levels_in_order_of_preference(
    client: TestClient, acr_values: str, acr: str
) -> None:
    tokens = sign_in(client, login_hint="binh", acr_values=quote(acr_values))  # binh's account is level 1
    assert jwt.decode(tokens["id_token"], options={"verify_signature": False})["acr"] == acr


def test_acr_values_that_the_account_meets_none_of_are_refused(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="binh", acr_values=quote(LOA2))))
    assert (params["error"], params["vneid_error"]) == (
        "unmet_authentication_requirements",
        "insufficient_account_level",
    )


def test_a_request_uri_that_was_not_pushed_is_request_uri_not_supported(client: TestClient) -> None:
    url = authorize_url(login_hint="an", request_uri=quote("https://rp.example/request.jwt", safe=""))
    assert callback_params(go(client, url))["error"] == "request_uri_not_supported"


def test_a_missing_response_type_is_refused(client: TestClient) -> None:
    url = authorize_url(login_hint="an").replace("&response_type=code", "")
    assert callback_params(go(client, url))["error"] == "invalid_request"


def test_a_repeated_authorization_parameter_is_refused_without_redirecting(client: TestClient) -> None:
    response = client.get(authorize_url(login_hint="an") + "&scope=openid%20address", follow_redirects=False)
    assert response.status_code == 400
    assert "scope" in response.text


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"])
def test_a_repeated_form_parameter_is_refused(client: TestClient, path: str) -> None:
    body = "grant_type=client_credentials&scope=citizen.verify&scope=citizen.identity&token=x&token=y"
    response = client.post(
        path,
        content=body,
        headers={**basic("demo-bank", "demo-bank-secret"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


# --- logout -------------------------------------------------------------------------------------------------------


def test_logout_by_form_post_ends_the_session_and_returns_to_the_client(client: TestClient) -> None:
    tokens = sign_in(client)
    response = client.post(
        "/oauth2/logout",
        data={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": BANK_CALLBACK, "state": "bye"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, f"{BANK_CALLBACK}?state=bye")
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert refreshed.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_refuses_a_client_id_that_is_not_the_hints_audience(client: TestClient, method: str) -> None:
    tokens = sign_in(client)
    params = {"id_token_hint": tokens["id_token"], "client_id": "demo-agency"}
    response = (
        client.get(f"/oauth2/logout?{urlencode(params)}", follow_redirects=False)
        if method == "GET"
        else client.post("/oauth2/logout", data=params, follow_redirects=False)
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    still_signed_in = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert still_signed_in.status_code == 200


def test_logout_refuses_an_id_token_hint_it_did_not_issue(client: TestClient) -> None:
    forged = jwt.encode({"iss": ISSUER, "aud": "demo-bank", "sid": "x"}, "k" * 32, algorithm="HS256")
    response = client.get(f"/oauth2/logout?id_token_hint={forged}", follow_redirects=False)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


# --- userinfo -----------------------------------------------------------------------------------------------------


def minted(client: TestClient, admin_headers: dict[str, str], scope: str) -> str:
    response = client.post(
        "/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": "demo-bank", "scope": scope}
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["access_token"])


def test_userinfo_refuses_a_token_without_openid_with_a_bearer_challenge(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.get(
        "/oauth2/userinfo", headers={"Authorization": f"Bearer {minted(client, admin_headers, 'profile')}"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="openid"' in response.headers["WWW-Authenticate"]


def test_userinfo_refuses_a_client_credentials_token_with_a_bearer_challenge(
    client: TestClient, bank_headers: dict[str, str]
) -> None:
    response = client.get("/oauth2/userinfo", headers=bank_headers)
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_userinfo_takes_the_token_in_a_form_encoded_post_body(client: TestClient) -> None:
    tokens = sign_in(client)
    response = client.post("/oauth2/userinfo", data={"access_token": tokens["access_token"]})
    assert response.status_code == 200, response.text
    assert response.json()["personal_id"] == "001090000001"


def test_userinfo_refuses_a_token_sent_both_in_the_header_and_in_the_body(client: TestClient) -> None:
    token = sign_in(client)["access_token"]
    response = client.post(
        "/oauth2/userinfo", data={"access_token": token}, headers={"Authorization": f"Bearer {token}"}
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


def test_the_claims_parameter_chooses_what_userinfo_releases_among_the_consented_claims(client: TestClient) -> None:
    claims = {"userinfo": {"name": None, "phone_number": {"essential": True}}}
    tokens = sign_in(client, scope=quote("openid profile"), claims=quote(json.dumps(claims)))
    released = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert set(released) == {"sub", "name"}  # phone was not consented; birthdate and the rest were not asked for


# --- private_key_jwt ----------------------------------------------------------------------------------------------

PKJWT_KEYS = json.loads((Path(__file__).parents[2] / "seed_data" / "demo-pkjwt.private.jwks.json").read_text())


def assertion_token(client: TestClient, key: Any) -> Any:
    now = int(time.time())
    claims = {"iss": "demo-pkjwt", "sub": "demo-pkjwt", "aud": ISSUER, "exp": now + 60, "jti": uuid.uuid4().hex}
    assertion = jwt.encode(claims, key, algorithm="RS256")  # no kid in the header
    return client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )


def test_a_client_assertion_without_kid_is_verified_with_the_clients_keys(client: TestClient) -> None:
    response = assertion_token(client, jwt.PyJWK(PKJWT_KEYS["keys"][0]).key)
    assert response.status_code == 200, response.text


def test_a_client_assertion_without_kid_signed_by_another_key_is_refused(client: TestClient) -> None:
    response = assertion_token(client, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


# --- 503 -------------------------------------------------------------------------------------------------------------


def test_a_503_from_the_token_endpoint_says_when_to_retry(client: TestClient, admin_headers: dict[str, str]) -> None:
    armed = client.post(
        "/sandbox/scenarios", headers=admin_headers, json={"name": "token_unavailable", "client_id": "demo-bank"}
    )
    assert armed.status_code in (200, 201), armed.text
    refused = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic("demo-bank", "demo-bank-secret")
    )
    assert (refused.status_code, refused.json()["error"]) == (503, "temporarily_unavailable")
    assert int(refused.headers["retry-after"]) > 0
