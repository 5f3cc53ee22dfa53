"""RFC 9207: every authorization response names the issuer, success and error alike."""

from fastapi.testclient import TestClient

from tests.api.test_login_pages import authorize_url, callback_params, go
from tests.conftest import ISSUER


def test_a_code_comes_back_with_iss(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an")))
    assert params["code"]
    assert params["iss"] == ISSUER


def test_an_error_comes_back_with_iss(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an", scope="openid%20citizen.family")))
    assert params["error"] == "invalid_scope"
    assert params["iss"] == ISSUER


def test_discovery_says_iss_is_sent(client: TestClient) -> None:
    assert client.get("/.well-known/openid-configuration").json()["authorization_response_iss_parameter_supported"]
