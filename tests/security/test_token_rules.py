"""Rules of the token endpoint and of token verification an attacker probes (issue 10, low findings: PKCE
verifier format, long-lived client assertions, document-signing and retired keys accepted by kid)."""

import json
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.keys import DOCUMENT_KEYS, KeyStore
from app.models import SigningKey
from app.services.oidc.grants import pkce_challenge
from tests.api.test_bearer_tokens import _claims
from tests.api.test_login_pages import BANK_CALLBACK, authorize_url, callback_params, go
from tests.conftest import ISSUER, basic

PKJWT_JWK = json.loads((Path(__file__).parents[2] / "seed_data" / "demo-pkjwt.private.jwks.json").read_text())["keys"][
    0
]
CITIZEN = "/v1/citizens/001090000001"


def test_a_pkce_verifier_must_have_the_rfc_7636_form(client: TestClient) -> None:
    code = callback_params(go(client, authorize_url(login_hint="an", code_challenge=pkce_challenge("a"))))["code"]
    token = client.post(
        "/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": BANK_CALLBACK, "code_verifier": "a"},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_request"


def assertion(lifetime_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "iss": "demo-pkjwt",
        "sub": "demo-pkjwt",
        "aud": f"{ISSUER}/oauth2/token",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    return jwt.encode(claims, jwt.PyJWK(PKJWT_JWK).key, algorithm=PKJWT_JWK["alg"], headers={"kid": PKJWT_JWK["kid"]})


def machine_token(client: TestClient, client_assertion: str) -> dict[str, str]:
    return client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion,
        },
    ).json()


def test_a_client_assertion_valid_for_ten_years_is_refused(client: TestClient) -> None:
    assert machine_token(client, assertion(10 * 365 * 86400))["error"] == "invalid_client"
    assert machine_token(client, assertion(2 * 3600))["error"] == "invalid_client"
    assert "access_token" in machine_token(client, assertion(120))


def _signed_with(row: SigningKey, **claims: object) -> str:
    private_key = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    return jwt.encode(_claims(**claims), private_key, algorithm=row.alg, headers={"kid": row.kid, "typ": "at+jwt"})


def test_a_document_signing_key_never_signs_an_access_token(client: TestClient, db: Session) -> None:
    document_key = db.scalars(select(SigningKey).where(SigningKey.purpose == DOCUMENT_KEYS)).first()
    assert document_key is not None
    forged = _signed_with(document_key)
    assert client.get(CITIZEN, headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_retired_key_verifies_only_what_it_signed_before_retirement(
    client: TestClient, db: Session, admin_headers: dict[str, str]
) -> None:
    active = KeyStore().active(db)
    row = db.get(SigningKey, active.kid)
    assert row is not None
    before = _signed_with(row, iat=int(time.time()) - 60)
    assert client.post("/sandbox/keys/rotate", headers=admin_headers).status_code == 200
    db.refresh(row)
    assert row.retired_at is not None
    after = _signed_with(row, iat=int(row.retired_at.timestamp()) + 60)
    assert client.get(CITIZEN, headers={"Authorization": f"Bearer {before}", "X-Purpose": "audit12"}).status_code == 200
    assert client.get(CITIZEN, headers={"Authorization": f"Bearer {after}", "X-Purpose": "audit12"}).status_code == 401
