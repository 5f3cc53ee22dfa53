"""Authorization requests an attacker shapes (issue 10: H1 and the low findings on `claims` and `max_age`)."""

import json
from urllib.parse import quote

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.api.test_login_pages import authorize_url, callback_params, go
from tests.security.test_strict_relying_parties import redeem

EVERYTHING = {"personal_id": None, "address": None, "birthdate": None, "phone_number": None, "name": None}


def id_token_claims(client: TestClient, **params: str) -> dict[str, object]:
    tokens = redeem(client, go(client, authorize_url(login_hint="an", **params)))
    return jwt.decode(tokens["id_token"], options={"verify_signature": False})


def test_h1_the_claims_parameter_never_releases_what_the_scopes_did_not(client: TestClient) -> None:
    claims = id_token_claims(client, scope="openid", claims=quote(json.dumps({"id_token": EVERYTHING})))
    assert not set(EVERYTHING) & set(claims)


def test_h1_the_claims_parameter_chooses_among_the_consented_claims(client: TestClient) -> None:
    claims = id_token_claims(client, scope="openid%20profile", claims=quote(json.dumps({"id_token": EVERYTHING})))
    assert {"personal_id", "birthdate", "name"} <= set(claims)
    assert not {"address", "phone_number"} & set(claims)  # address and phone scopes were not granted


@pytest.mark.parametrize(
    "claims",
    [
        "[" * 1200 + "]" * 1200,
        json.dumps({"id_token": {"name": {"essential": {"deeper": {}}}}}),
        json.dumps({"access_token": {"name": None}}),
        json.dumps({"id_token": ["name"]}),
    ],
    ids=["nested-1200-deep", "nested-spec", "unknown-member", "member-not-object"],
)
def test_malformed_claims_are_refused_with_invalid_request(client: TestClient, claims: str) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an", claims=quote(claims))))
    assert params["error"] == "invalid_request"


@pytest.mark.parametrize("max_age", ["²", "-1", "1e3", "9" * 20])
def test_max_age_must_be_plain_ascii_seconds(client: TestClient, max_age: str) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an", max_age=quote(max_age))))
    assert params["error"] == "invalid_request"
