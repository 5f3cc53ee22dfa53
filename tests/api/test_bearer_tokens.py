"""Every forged, expired or misdirected token is refused by the protected endpoints with 401."""

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.keys import KeyStore
from tests.conftest import ISSUER

PROTECTED = [
    ("GET", "/v1/citizens/001090000001"),
    ("GET", "/v1/citizens/001090000001/household"),
    ("POST", "/v1/citizens/verify"),
]


def _claims(**overrides: object) -> dict:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": f"{ISSUER}/v1",
        "sub": "demo-agency",
        "client_id": "demo-agency",
        "scope": "citizen.identity citizen.family citizen.verify",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    return {**claims, **overrides}


def _forgeries(db: Session) -> dict[str, str]:
    key = KeyStore().active(db)
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed = jwt.encode(_claims(), key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "at+jwt"})
    head, payload, signature = signed.split(".")
    tampered_payload = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps(_claims(sub="demo-bank", client_id="demo-bank")).encode()
    ).decode()

    def sign(claims: dict, **headers: object) -> str:
        return jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "at+jwt", **headers}
        )

    return {
        "alg_none": jwt.encode(_claims(), None, algorithm="none", headers={"kid": key.kid, "typ": "at+jwt"}),
        "hs256_with_public_key": _hs256(public_pem, key.kid),
        "expired": sign(_claims(iat=int(time.time()) - 900, exp=int(time.time()) - 600)),
        "wrong_audience": sign(_claims(aud="https://elsewhere.example")),
        "wrong_issuer": sign(_claims(iss="https://evil.example")),
        "unknown_kid": sign(_claims(), kid="no-such-key"),
        "other_key_same_kid": jwt.encode(
            _claims(), other, algorithm="RS256", headers={"kid": key.kid, "typ": "at+jwt"}
        ),
        "tampered_payload": f"{head}.{tampered_payload}.{signature}",
        "not_an_access_token": sign(_claims(), typ="JWT"),
        "missing_exp": sign({k: v for k, v in _claims().items() if k != "exp"}),
        "garbage": "not-a-jwt",
    }


def _hs256(secret: bytes, kid: str) -> str:
    # PyJWT refuses to HMAC-sign with a PEM key, as it should; build the forgery by hand.
    import hashlib
    import hmac
    import json

    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": kid, "typ": "at+jwt"}).encode())
    body = jwt.utils.base64url_encode(json.dumps(_claims()).encode())
    mac = hmac.new(secret, header + b"." + body, hashlib.sha256).digest()
    return b".".join([header, body, jwt.utils.base64url_encode(mac)]).decode()


FORGERY_NAMES = [
    "alg_none",
    "hs256_with_public_key",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "unknown_kid",
    "other_key_same_kid",
    "tampered_payload",
    "not_an_access_token",
    "missing_exp",
    "garbage",
]


@pytest.mark.parametrize("forgery", FORGERY_NAMES)
@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_forged_tokens_are_refused(client: TestClient, db: Session, forgery: str, method: str, path: str) -> None:
    token = _forgeries(db)[forgery]
    response = client.request(
        method,
        path,
        headers={"Authorization": f"Bearer {token}", "X-Purpose": "audit"},
        json={"personal_id": "001090000001", "full_name": "Nguyễn Văn An"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"] == 'Bearer realm="vneid-sandbox", error="invalid_token"'


def test_a_genuine_token_of_the_same_shape_is_accepted(client: TestClient, db: Session) -> None:
    key = KeyStore().active(db)
    token = jwt.encode(_claims(), key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "at+jwt"})
    response = client.get(PROTECTED[0][1], headers={"Authorization": f"Bearer {token}", "X-Purpose": "audit"})
    assert response.status_code == 200


@pytest.mark.parametrize("authorization", [None, "Basic ZGVtbzpkZW1v", "Bearer"])
def test_missing_bearer_token_is_401_with_challenge(client: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(PROTECTED[0][1], headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="vneid-sandbox"'
