"""RFC 9449 §7 at the protected resources: a DPoP-bound token works only with a fresh, single-use proof of its key
for this method and URL, carrying the token's hash; every other shape is `invalid_dpop_proof` with a DPoP
challenge. And the server-nonce scenario at the token endpoint and at the resources."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ISSUER, basic
from tests.fapi.kit import DpopKey, client_auth, code, redeem, tokens

USERINFO = f"{ISSUER}/oauth2/userinfo"


@pytest.fixture
def bound(client: TestClient) -> tuple[DpopKey, str]:
    dpop = DpopKey()
    return dpop, tokens(client, dpop)["access_token"]


def test_a_fresh_proof_of_the_key_reaches_userinfo(client: TestClient, bound: tuple[DpopKey, str]) -> None:
    dpop, token = bound
    response = client.get(
        "/oauth2/userinfo", headers={"Authorization": f"DPoP {token}", "DPoP": dpop.proof("GET", USERINFO, token)}
    )
    assert response.status_code == 200, response.text


MUTATIONS: dict[str, Callable[[DpopKey, str], dict[str, str]]] = {
    "bearer-scheme": lambda key, token: {"Authorization": f"Bearer {token}", "DPoP": key.proof("GET", USERINFO, token)},
    "no-proof": lambda key, token: {"Authorization": f"DPoP {token}"},
    "stale": lambda key, token: {
        "Authorization": f"DPoP {token}",
        "DPoP": key.proof("GET", USERINFO, token, iat=int(time.time()) - 300),
    },
    "wrong-method": lambda key, token: {"Authorization": f"DPoP {token}", "DPoP": key.proof("POST", USERINFO, token)},
    "wrong-url": lambda key, token: {
        "Authorization": f"DPoP {token}",
        "DPoP": key.proof("GET", f"{ISSUER}/v1/me", token),
    },
    "wrong-key": lambda key, token: {"Authorization": f"DPoP {token}", "DPoP": DpopKey().proof("GET", USERINFO, token)},
    "no-ath": lambda key, token: {"Authorization": f"DPoP {token}", "DPoP": key.proof("GET", USERINFO)},
    "not-a-jwt": lambda key, token: {"Authorization": f"DPoP {token}", "DPoP": "not.a.proof"},
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_every_bad_proof_is_refused(client: TestClient, bound: tuple[DpopKey, str], mutation: str) -> None:
    dpop, token = bound
    response = client.get("/oauth2/userinfo", headers=MUTATIONS[mutation](dpop, token))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_dpop_proof"
    assert response.headers["www-authenticate"].startswith("DPoP ")
    assert 'error="invalid_dpop_proof"' in response.headers["www-authenticate"]


def test_a_replayed_proof_is_refused(client: TestClient, bound: tuple[DpopKey, str]) -> None:
    dpop, token = bound
    headers = {"Authorization": f"DPoP {token}", "DPoP": dpop.proof("GET", USERINFO, token)}
    assert client.get("/oauth2/userinfo", headers=headers).status_code == 200
    replay = client.get("/oauth2/userinfo", headers=headers)
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]


def test_a_bearer_token_is_not_accepted_under_the_dpop_scheme(client: TestClient, bank_headers: dict[str, str]) -> None:
    token = bank_headers["Authorization"].removeprefix("Bearer ")
    response = client.get(
        "/v1/citizens/001090000001", headers={"Authorization": f"DPoP {token}", "DPoP": DpopKey().proof("GET", "x")}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_dpop_proof"


def test_the_dpop_nonce_scenario_makes_the_client_retry_with_the_server_nonce(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    armed = client.post(
        "/sandbox/scenarios", json={"name": "dpop_nonce", "client_id": "demo-fapi"}, headers=admin_headers
    )
    assert armed.status_code in (200, 201), armed.text
    dpop = DpopKey()
    authorization_code = code(client)  # PAR without a proof: the nonce is asked for at the token request
    first = redeem(client, authorization_code, dpop)
    assert first.status_code == 400
    assert first.json()["error"] == "use_dpop_nonce"
    nonce = first.headers["dpop-nonce"]
    retry = client.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": authorization_code,
            "redirect_uri": f"{ISSUER}/demo/fapi/callback",
            "code_verifier": "fapi-verifier-" + "x" * 40,
            **client_auth(),
        },
        headers={"DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/token", nonce=nonce)},
    )
    assert retry.status_code == 200, retry.text


def test_a_dpop_bound_client_credentials_token_reads_the_population_api(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    dpop = DpopKey("EdDSA")
    token = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "citizen.identity"},
        headers={**basic("demo-agency", "demo-agency-secret"), "DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/token")},
    ).json()
    assert token["token_type"] == "DPoP"
    url = f"{ISSUER}/v1/citizens/001090000001"
    purpose = {"X-Purpose": agency_headers["X-Purpose"]}
    bound = {"Authorization": f"DPoP {token['access_token']}", **purpose}
    assert client.get(url, headers={**bound, "DPoP": dpop.proof("GET", url, token["access_token"])}).status_code == 200
    as_bearer = client.get(url, headers={"Authorization": f"Bearer {token['access_token']}", **purpose})
    assert as_bearer.status_code == 401
    assert as_bearer.json()["code"] == "invalid_dpop_proof"


def arm_dpop_nonce(client: TestClient, admin_headers: dict[str, str], client_id: str, times: int | None = None) -> None:
    armed = client.post(
        "/sandbox/scenarios", json={"name": "dpop_nonce", "client_id": client_id, "times": times}, headers=admin_headers
    )
    assert armed.status_code in (200, 201), armed.text


def agency_bound_token(client: TestClient, dpop: DpopKey) -> str:
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "citizen.identity"},
        headers={**basic("demo-agency", "demo-agency-secret"), "DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/token")},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.mark.parametrize(
    ("client_id", "path"), [("demo-fapi", "/oauth2/userinfo"), ("demo-agency", "/v1/citizens/001090000001")]
)
def test_the_dpop_nonce_scenario_reaches_the_protected_resources(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str], client_id: str, path: str
) -> None:
    dpop = DpopKey()
    token = tokens(client, dpop)["access_token"] if client_id == "demo-fapi" else agency_bound_token(client, dpop)
    arm_dpop_nonce(client, admin_headers, client_id)
    url = f"{ISSUER}{path}"

    def get(proof: str) -> Any:
        purpose = {"X-Purpose": agency_headers["X-Purpose"]}
        return client.get(path, headers={"Authorization": f"DPoP {token}", "DPoP": proof, **purpose})

    first = get(dpop.proof("GET", url, token))
    assert first.status_code == 401, first.text
    assert first.json()["code"] == "use_dpop_nonce"
    assert first.headers["www-authenticate"].startswith("DPoP ")
    assert 'error="use_dpop_nonce"' in first.headers["www-authenticate"]
    nonce = first.headers["dpop-nonce"]
    forged = get(dpop.proof("GET", url, token, nonce=nonce[:-4] + "AAAA"))
    assert (forged.status_code, forged.json()["code"]) == (401, "use_dpop_nonce")
    retry = get(dpop.proof("GET", url, token, nonce=nonce))
    assert retry.status_code == 200, retry.text


def test_resource_requests_do_not_use_up_the_dpop_nonce_scenario(
    client: TestClient, admin_headers: dict[str, str], bound: tuple[DpopKey, str]
) -> None:
    dpop, token = bound
    arm_dpop_nonce(client, admin_headers, "demo-fapi", times=1)
    for _ in range(2):
        proof = dpop.proof("GET", USERINFO, token)
        answer = client.get("/oauth2/userinfo", headers={"Authorization": f"DPoP {token}", "DPoP": proof})
        assert answer.json()["code"] == "use_dpop_nonce"
    [armed] = client.get("/sandbox/scenarios", headers=admin_headers).json()["armed"]
    assert armed["remaining"] == 1  # for a token or PAR request
