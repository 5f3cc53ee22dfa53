"""idpyoidc (the IdentityPython relying party, strict about JWKS and message formats) against the live sandbox: its
RPHandler signs in headlessly (a persona's login_hint), then uses the same client for refresh, userinfo,
introspection, revocation and logout. Any exception of the library fails the test."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from cryptojwt import KeyJar
from idpyoidc.client.defaults import DEFAULT_OIDC_SERVICES
from idpyoidc.client.rp_handler import RPHandler

from tests.interop.conftest import Sandbox

ROOT = Path(__file__).resolve().parents[2]
PKJWT_JWKS = json.loads((ROOT / "seed_data" / "demo-pkjwt.private.jwks.json").read_text())
AN = "001090000001"
PKCE = {
    "function": "idpyoidc.client.oauth2.add_on.pkce.add_support",
    "kwargs": {"code_challenge_length": 64, "code_challenge_method": "S256"},
}
SERVICES = {
    **DEFAULT_OIDC_SERVICES,
    "introspection": {"class": "idpyoidc.client.oauth2.introspection.Introspection"},
    "token_revocation": {"class": "idpyoidc.client.oauth2.token_revocation.TokenRevocation"},
    "end_session": {"class": "idpyoidc.client.oidc.end_session.EndSession"},
}


@pytest.fixture(autouse=True)
def keys_written_to_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RPHandler writes the keys it generates to ./private and ./static: keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


def relying_party(
    sandbox: Sandbox,
    client_id: str,
    auth_method: str,
    keyjar: KeyJar | None = None,
    preference: dict[str, list[str]] | None = None,
    **config: Any,
) -> RPHandler:
    """An RPHandler for one of the demo clients, configured the way its documentation shows."""
    path = {"demo-bank": "/demo/bank/callback", "demo-pkjwt": "/demo/pkjwt/callback"}[client_id]
    client_config = {
        "issuer": sandbox.base,
        "client_id": client_id,
        "redirect_uris": [f"{sandbox.base}{path}"],
        "client_type": "oidc",
        "services": SERVICES,
        "add_ons": {"pkce": PKCE},
        "client_authn_methods": [auth_method],
        **config,
        "preference": {
            "response_types": ["code"],
            "token_endpoint_auth_methods_supported": [auth_method],
            **(preference or {}),
        },
    }
    return RPHandler(
        base_url=sandbox.base, client_configs={client_id: client_config}, keyjar=keyjar, httpc_params={"verify": False}
    )


def sign_in(rp: RPHandler, sandbox: Sandbox, client_id: str, scope: str = "openid profile") -> dict[str, Any]:
    """begin → the browser's headless trip through /oauth2/authorize → finalize (code, tokens, ID token, userinfo)."""
    url = rp.begin(client_id, req_args={"login_hint": AN, "scope": scope})
    location = httpx.get(url).headers["location"]
    result: dict[str, Any] = rp.finalize(sandbox.base, dict(parse_qsl(urlsplit(location).query)))
    assert "error" not in result, result
    return result


def service(rp: RPHandler, sandbox: Sandbox) -> Callable[..., Any]:
    client = rp.issuer2rp[sandbox.base]
    return lambda name, **args: client.do_request(name, request_args=args)


def test_code_flow_with_pkce_userinfo_refresh_introspection_and_revocation(sandbox: Sandbox) -> None:
    rp = relying_party(sandbox, "demo-bank", "client_secret_basic", client_secret="demo-bank-secret")
    result = sign_in(rp, sandbox, "demo-bank", "openid profile address")
    assert result["userinfo"]["personal_id"] == AN
    assert result["id_token"]["sub"] == result["userinfo"]["sub"]

    refreshed = rp.refresh_access_token(result["state"])
    assert refreshed["access_token"] != result["token"]

    client = rp.issuer2rp[sandbox.base]
    assert client.do_request("introspection", request_args={"token": refreshed["access_token"]})["active"] is True
    # The revocation request as idpyoidc makes it; its parser refuses any answer without content, which RFC 7009
    # §2.2 allows, so the 200 is checked here.
    revocation = client.get_service("token_revocation").get_request_parameters(
        request_args={"token": refreshed["refresh_token"]}
    )
    answer = httpx.post(revocation["url"], content=revocation["body"], headers=revocation["headers"])
    assert answer.status_code == 200, answer.text
    assert client.do_request("introspection", request_args={"token": refreshed["access_token"]})["active"] is False


def test_client_secret_post(sandbox: Sandbox) -> None:
    rp = relying_party(sandbox, "demo-bank", "client_secret_post", client_secret="demo-bank-secret")
    assert sign_in(rp, sandbox, "demo-bank")["userinfo"]["name"]


def test_private_key_jwt_with_es256_id_tokens(sandbox: Sandbox) -> None:
    keyjar = KeyJar()
    keyjar.import_jwks(PKJWT_JWKS, "")  # the published key pair of demo-pkjwt, and only it
    rp = relying_party(
        sandbox,
        "demo-pkjwt",
        "private_key_jwt",
        keyjar,
        preference={
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        },
    )
    assert sign_in(rp, sandbox, "demo-pkjwt")["id_token"]["aud"] == ["demo-pkjwt"]


def test_logout_ends_the_sign_in(sandbox: Sandbox) -> None:
    rp = relying_party(sandbox, "demo-bank", "client_secret_basic", client_secret="demo-bank-secret")
    result = sign_in(rp, sandbox, "demo-bank")
    logout = rp.logout(result["state"], post_logout_redirect_uri=f"{sandbox.base}/demo/bank/callback")
    response = httpx.get(logout["url"])
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"{sandbox.base}/demo/bank/callback")
    with pytest.raises(Exception, match="invalid_grant"):
        rp.refresh_access_token(result["state"])


def test_key_rotation_new_tokens_verify_through_the_jwks(sandbox: Sandbox) -> None:
    rp = relying_party(sandbox, "demo-bank", "client_secret_basic", client_secret="demo-bank-secret")
    sign_in(rp, sandbox, "demo-bank")  # the library has fetched the JWKS
    rotated = httpx.post(
        f"{sandbox.base}/sandbox/keys/rotate", headers={"Authorization": f"Bearer {sandbox.admin_token}"}
    )
    assert rotated.status_code == 200, rotated.text
    assert sign_in(rp, sandbox, "demo-bank")["id_token"]["sub"]
