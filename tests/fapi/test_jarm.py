"""JARM (JWT Secured Authorization Response Mode): with `response_mode=jwt` (or `query.jwt`) every answer to the
redirect URI, success or error, is one `response` JWT signed with the sandbox's keys. The client checks it as
oauth4webapi's validateJwtAuthResponse does: signature against the JWKS, `iss`, `aud`, `exp`."""

import time
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from app.services.oidc import authorize
from tests.api.test_login_pages import BANK_CALLBACK, VERIFIER, authorize_url, callback_params, go, sign_in
from tests.conftest import ISSUER
from tests.fapi import kit
from tests.fapi.kit import DpopKey
from tests.fapi.test_request_objects import request_claims


def response_claims(client: TestClient, params: dict[str, str], audience: str = "demo-bank") -> dict[str, Any]:
    """The claims of the `response` JWT, verified as a client must; the only parameter of the answer."""
    assert set(params) == {"response"}, params
    token = params["response"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in client.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=[key["alg"]],
        audience=audience,
        issuer=ISSUER,
        options={"require": ["iss", "aud", "exp"]},
    )
    return dict(claims)


@pytest.mark.parametrize("mode", ["jwt", "query.jwt"])
def test_a_code_comes_back_as_a_signed_response_jwt(client: TestClient, mode: str) -> None:
    before = int(time.time())
    claims = response_claims(client, callback_params(go(client, authorize_url(login_hint="an", response_mode=mode))))
    assert claims["state"] == "s-1"
    assert claims["aud"] == "demo-bank"
    assert before + 60 < claims["exp"] <= int(time.time()) + authorize.RESPONSE_JWT_TTL_SECONDS
    token = client.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": claims["code"],
            "redirect_uri": BANK_CALLBACK,
            "code_verifier": VERIFIER,
        },
        auth=("demo-bank", "demo-bank-secret"),
    )
    assert token.status_code == 200, token.text


def test_the_response_is_signed_like_the_clients_id_tokens(client: TestClient) -> None:
    url = authorize_url(client_id="demo-pkjwt", redirect_uri=f"{ISSUER}/demo/pkjwt/callback", response_mode="jwt")
    location = go(client, url + "&login_hint=an")
    token = location.split("response=", 1)[1]
    assert jwt.get_unverified_header(token)["alg"] == "ES256"


def test_an_error_comes_back_as_a_response_jwt(client: TestClient) -> None:
    params = callback_params(
        go(client, authorize_url(login_hint="an", scope="openid%20citizen.family", response_mode="jwt"))
    )
    claims = response_claims(client, params)
    assert claims["error"] == "invalid_scope"
    assert claims["error_description"]
    assert claims["state"] == "s-1"


def test_an_error_found_before_the_response_mode_is_read_is_a_jwt_too(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(response_type="token", response_mode="jwt")))
    assert response_claims(client, params)["error"] == "unsupported_response_type"


def test_a_declined_consent_comes_back_as_a_response_jwt(client: TestClient) -> None:
    consent_page = sign_in(client, response_mode="jwt", prompt="consent")
    claims = response_claims(client, callback_params(go(client, f"{consent_page}/consent", decision="decline")))
    assert claims["error"] == "access_denied"
    assert claims["state"] == "s-1"


def test_an_unknown_response_mode_is_refused_in_the_query_as_before(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an", response_mode="form_post.jwt")))
    assert params["error"] == "invalid_request"
    assert params["iss"] == ISSUER


def test_a_tampered_response_fails_the_signature_check(client: TestClient) -> None:
    token = callback_params(go(client, authorize_url(login_hint="an", response_mode="jwt")))["response"]
    header, payload, signature = token.split(".")
    claims = jwt.utils.base64url_decode(payload)
    forged = jwt.utils.base64url_encode(claims.replace(b'"s-1"', b'"s-2"')).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        response_claims(client, {"response": f"{header}.{forged}.{signature}"})


def test_an_expired_response_is_refused_by_the_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    then = time.time() - authorize.RESPONSE_JWT_TTL_SECONDS - 60
    monkeypatch.setattr(authorize.time, "time", lambda: then)
    params = callback_params(go(client, authorize_url(login_hint="an", response_mode="jwt")))
    monkeypatch.undo()
    with pytest.raises(jwt.ExpiredSignatureError):
        response_claims(client, params)


def test_a_response_for_another_client_is_refused(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an", response_mode="jwt")))
    with pytest.raises(jwt.InvalidAudienceError):
        response_claims(client, params, audience="demo-agency")


def test_a_pushed_request_asks_for_a_jwt_response(client: TestClient) -> None:
    dpop = DpopKey()
    pushed = kit.push(client, dpop, response_mode="jwt")
    assert pushed.status_code == 201, pushed.text
    claims = response_claims(client, kit.callback(kit.authorize(client, pushed.json()["request_uri"])), "demo-fapi")
    assert claims["state"] == "fapi-state"
    assert kit.redeem(client, claims["code"], dpop).status_code == 200


def test_a_signed_request_object_inside_par_asks_for_a_jwt_response(client: TestClient) -> None:
    claims = request_claims("demo-fapi", kit.CALLBACK, state="in-the-object", response_mode="jwt")
    request_object = kit.signed(claims, typ="oauth-authz-req+jwt")
    pushed = kit.push(client, response_type=None, redirect_uri=None, scope=None, request=request_object)
    assert pushed.status_code == 201, pushed.text
    answer = response_claims(client, kit.callback(kit.authorize(client, pushed.json()["request_uri"])), "demo-fapi")
    assert answer["state"] == "in-the-object"
    assert answer["code"]


def test_discovery_advertises_jarm(client: TestClient) -> None:
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        meta = client.get(path).json()
        assert {"jwt", "query.jwt"} <= set(meta["response_modes_supported"])
        assert meta["authorization_signing_alg_values_supported"] == ["RS256", "ES256"]
