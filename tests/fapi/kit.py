"""A FAPI 2.0 relying party for the tests, on PyJWT (signing) and joserfc (decryption): demo-fapi's documented
keys, DPoP keys of its own, PAR, private_key_jwt and PKCE."""

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi.testclient import TestClient
from joserfc import jwe
from joserfc.jwk import import_key

from app.services.oidc.grants import pkce_challenge
from tests.conftest import ISSUER

ROOT = Path(__file__).resolve().parents[2]
KEYS = {k["kid"]: k for k in json.loads((ROOT / "seed_data" / "demo-fapi.private.jwks.json").read_text())["keys"]}
SIGNING_KEY = KEYS["demo-fapi-sig-2026"]
PKJWT_KEY = json.loads((ROOT / "seed_data" / "demo-pkjwt.private.jwks.json").read_text())["keys"][0]
CALLBACK = f"{ISSUER}/demo/fapi/callback"
VERIFIER = "fapi-verifier-" + "x" * 40
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@contextmanager
def against(base: str) -> Iterator[None]:
    """Point the kit at a live server (tests/e2e) instead of the in-process app's issuer."""
    global ISSUER, CALLBACK
    saved = ISSUER, CALLBACK
    ISSUER, CALLBACK = base, f"{base}/demo/fapi/callback"
    try:
        yield
    finally:
        ISSUER, CALLBACK = saved


def signed(claims: dict[str, Any], key: dict[str, Any] = SIGNING_KEY, **headers: Any) -> str:
    headers = {"kid": key["kid"], **headers}
    return jwt.encode(claims, jwt.PyJWK(key).key, algorithm=headers.pop("alg", key["alg"]), headers=headers)


def client_auth(client_id: str = "demo-fapi", key: dict[str, Any] = SIGNING_KEY, **headers: Any) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": ISSUER, "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": signed(claims, key, **headers)}


class DpopKey:
    """The client's own DPoP key pair; each proof is fresh (new jti) unless told otherwise."""

    def __init__(self, alg: str = "ES256") -> None:
        self.alg = alg
        self.private = {
            "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
            "PS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "EdDSA": ed25519.Ed25519PrivateKey.generate,
        }[alg]()
        self.jwk = json.loads(jwt.get_algorithm_by_name(alg).to_jwk(self.private.public_key()))
        self.jwk.pop("key_ops", None)

    @property
    def thumbprint(self) -> str:
        return str(import_key(self.jwk).thumbprint())

    def proof(self, method: str, url: str, access_token: str | None = None, **overrides: Any) -> str:
        claims: dict[str, Any] = {"jti": uuid.uuid4().hex, "htm": method, "htu": url, "iat": int(time.time())}
        if access_token is not None:
            claims["ath"] = jwt.utils.base64url_encode(hashlib.sha256(access_token.encode()).digest()).decode()
        claims.update(overrides)
        return jwt.encode(
            {k: v for k, v in claims.items() if v is not None},
            self.private,
            algorithm=self.alg,
            headers={"typ": "dpop+jwt", "jwk": self.jwk},
        )


def push(
    client: TestClient, dpop: DpopKey | None = None, *, auth: dict[str, str] | None = None, **params: str | None
) -> Any:
    """POST /oauth2/par as demo-fapi with PKCE; `params` override or (as None) drop the request's parameters."""
    body = {
        "client_id": "demo-fapi",
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": "fapi-state",
        "nonce": "fapi-nonce",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "login_hint": "an",
        **(client_auth() if auth is None else auth),
        **params,
    }
    headers = {"DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/par")} if dpop else {}
    return client.post("/oauth2/par", data={k: v for k, v in body.items() if v is not None}, headers=headers)


def authorize(client: TestClient, request_uri: str, client_id: str = "demo-fapi") -> Any:
    query = urlencode({"client_id": client_id, "request_uri": request_uri})
    return client.get(f"/oauth2/authorize?{query}", follow_redirects=False)


def callback(response: Any) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def code(client: TestClient, dpop: DpopKey | None = None, **params: str) -> str:
    pushed = push(client, dpop, **params)
    assert pushed.status_code == 201, pushed.text
    return callback(authorize(client, pushed.json()["request_uri"]))["code"]


def redeem(client: TestClient, code: str, dpop: DpopKey | None, **extra: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": VERIFIER}
    headers = {"DPoP": dpop.proof("POST", f"{ISSUER}/oauth2/token")} if dpop else {}
    return client.post("/oauth2/token", data={**data, **client_auth(), **extra}, headers=headers)


def tokens(client: TestClient, dpop: DpopKey) -> dict[str, Any]:
    response = redeem(client, code(client, dpop), dpop)
    assert response.status_code == 200, response.text
    return dict(response.json())


def public(key: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in key.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


def encrypting_client(key_alg: str) -> dict[str, Any]:
    """A `fapi2` registration like demo-fapi's that asks for ID tokens and userinfo encrypted with `key_alg`, to
    demo-fapi's encryption key of that algorithm."""
    enc_key = next(k for k in KEYS.values() if k["use"] == "enc" and k["alg"] == key_alg)
    client_id = f"fapi-{key_alg.lower().replace('+', '-')}"
    return {
        "client_id": client_id,
        "name": f"FAPI client encrypting with {key_alg}",
        "kind": "business",
        "auth_methods": ["private_key_jwt"],
        "grant_types": ["authorization_code"],
        "redirect_uris": [CALLBACK],
        "scopes": ["openid", "profile"],
        "purpose": "Kiểm thử mã hoá",
        "id_token_alg": "ES256",
        "profile": "fapi2",
        "jwks": {"keys": [public(SIGNING_KEY), public(enc_key)]},
        "id_token_encrypted_response_alg": key_alg,
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "ES256",
        "userinfo_encrypted_response_alg": key_alg,
        "userinfo_encrypted_response_enc": "A256GCM",
    }


def tokens_of(client: TestClient, dpop: DpopKey, client_id: str) -> dict[str, Any]:
    """tokens() for another client holding demo-fapi's signing key."""
    pushed = push(client, dpop, client_id=client_id, auth=client_auth(client_id))
    assert pushed.status_code == 201, pushed.text
    answer = callback(authorize(client, pushed.json()["request_uri"], client_id))
    response = redeem(client, answer["code"], dpop, **client_auth(client_id))
    assert response.status_code == 200, response.text
    return dict(response.json())


def decrypt(token: str, kid: str = "demo-fapi-enc-ec-2026") -> str:
    key = KEYS[kid]
    registry = jwe.JWERegistry(algorithms=[key["alg"], "A256GCM"])
    plaintext = jwe.decrypt_compact(token, import_key(key), registry=registry).plaintext
    assert plaintext is not None
    return plaintext.decode()


def verified(client: TestClient, token: str, audience: str = "demo-fapi") -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    key = next(k for k in client.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == header["kid"])
    return dict(jwt.decode(token, jwt.PyJWK(key).key, algorithms=[key["alg"]], audience=audience, issuer=ISSUER))
