"""What the benchmarks send: the data files of the Lua scripts, made in Python before any load starts.

- Code flows (bench/lua/codeflow.lua): authorize URLs with PKCE S256 challenges, a nonce and the state that
  names their verifier; the token request of a client (client_secret_basic, or private_key_jwt with client
  assertions signed here in advance, since wrk cannot sign); for the sandbox, a persona's `login_hint`.
- Look-ups (bench/lua/paths.lua): GET /v1/citizens/{personal_id} over a random sample of the seeded IDs, with
  a client-credentials token of demo-agency and a stated purpose; bare routes.
"""

import base64
import hashlib
import json
import secrets
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any

import jwt
from sqlalchemy import create_engine, text

from bench.bare_app import BARE_ASYNC_PATH, BARE_PATH
from bench.common import ROOT
from bench.peers import SINGPASS, rp_signing_key

FLOW_STARTS = 256  # distinct authorize requests (PKCE pairs, nonces, states) a run cycles through
SAMPLE_SIZE = 1_000  # personal IDs a look-up run cycles through
ASSERTION_LIFETIME = 3600  # seconds: assertions are signed before the run, and must stay valid through it
LOGIN_SCOPE = "openid profile"
PURPOSE = "Benchmark"  # the stated legal purpose of demo-agency's look-ups
AGENCY = ("demo-agency", "demo-agency-secret")
BANK = ("demo-bank", "demo-bank-secret")  # client_secret_basic; redirect URI {issuer}/demo/bank/callback
PKJWT = "demo-pkjwt"  # private_key_jwt (RS256); redirect URI {issuer}/demo/pkjwt/callback
PKJWT_KEYS = ROOT / "seed_data" / "demo-pkjwt.private.jwks.json"
MOCKPASS_CLIENT = "bench-rp"  # mockpass takes any client_id and redirect_uri
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = "application/x-www-form-urlencoded"


def level2_personas() -> list[str]:
    """Personal IDs of the personas with an active level 2 account: a test client signs them in at once."""
    personas = json.loads((ROOT / "seed_data" / "personas.json").read_text(encoding="utf-8"))["personas"]
    return [
        persona["personal_id"]
        for persona in personas
        if (persona.get("account") or {}).get("level") == 2 and persona["account"].get("status") == "active"
    ]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _flow_starts(authorize_path: str, params: dict[str, str], login_hints: list[str] | None) -> dict[str, list]:
    """FLOW_STARTS authorize paths, the state of each naming its PKCE verifier."""
    paths, verifiers = [], []
    for state in range(FLOW_STARTS):
        verifier, challenge = _pkce_pair()
        query = {
            **params,
            "response_type": "code",
            "state": str(state),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if login_hints:
            query["login_hint"] = login_hints[state % len(login_hints)]
        paths.append(f"{authorize_path}?{urllib.parse.urlencode(query)}")
        verifiers.append(verifier)
    return {"authorize": paths, "verifiers": verifiers}


def sandbox_codeflow(issuer: str, *, client: str = "bank", userinfo: bool = False, assertions: int = 0) -> dict:
    """Code flows of a relying party against the sandbox, persona logins through `login_hint`.

    client "bank": demo-bank with client_secret_basic. client "pkjwt": demo-pkjwt with private_key_jwt, one
    fresh assertion for each of `assertions` token requests (the sandbox refuses a replayed jti).
    """
    client_id = BANK[0] if client == "bank" else PKJWT
    redirect_uri = f"{issuer}/demo/{client}/callback"
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": LOGIN_SCOPE}
    data: dict[str, Any] = _flow_starts("/oauth2/authorize", params, level2_personas())
    body = {"grant_type": "authorization_code", "redirect_uri": redirect_uri}
    headers = {"Content-Type": FORM}
    if client == "bank":
        headers["Authorization"] = "Basic " + base64.b64encode(f"{BANK[0]}:{BANK[1]}".encode()).decode()
    else:
        body.update({"client_id": client_id, "client_assertion_type": JWT_BEARER})
        key = json.loads(PKJWT_KEYS.read_text(encoding="utf-8"))["keys"][0]
        data["assertions"] = client_assertions(key, client_id, f"{issuer}/oauth2/token", assertions)
    data.update(token_path="/oauth2/token", token_headers=headers, token_body=urllib.parse.urlencode(body))
    if userinfo:
        data["userinfo_path"] = "/oauth2/userinfo"
    return data


def mockpass_codeflow(base_url: str, *, assertions: int) -> dict:
    """Code flows against mockpass's Singpass v2: headless login, token with private_key_jwt (its test RP key)."""
    redirect_uri = f"http://127.0.0.1/{MOCKPASS_CLIENT}/callback"
    params = {"client_id": MOCKPASS_CLIENT, "redirect_uri": redirect_uri, "scope": "openid"}
    data: dict[str, Any] = _flow_starts(f"{SINGPASS}/authorize", params, None)
    body = {
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        "client_id": MOCKPASS_CLIENT,
        "client_assertion_type": JWT_BEARER,
    }
    data.update(
        token_path=f"{SINGPASS}/token",
        token_headers={"Content-Type": FORM},
        token_body=urllib.parse.urlencode(body),
        assertions=client_assertions(rp_signing_key(), MOCKPASS_CLIENT, f"{base_url}{SINGPASS}", assertions),
    )
    return data


def client_assertions(private_jwk: dict[str, Any], client_id: str, audience: str, count: int) -> list[str]:
    """`count` RFC 7523 client assertions, each with its own jti, valid for ASSERTION_LIFETIME seconds."""
    key = jwt.PyJWK(private_jwk)
    algorithm = private_jwk.get("alg") or key.algorithm_name
    headers = {"kid": private_jwk["kid"], "typ": "JWT"}
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + ASSERTION_LIFETIME}
    return [
        jwt.encode({**claims, "jti": uuid.uuid4().hex}, key.key, algorithm=algorithm, headers=headers)
        for _ in range(count)
    ]


def sample_personal_ids(database_url: str, size: int = SAMPLE_SIZE) -> list[str]:
    """A random sample of the citizens' personal IDs, read from the seeded database."""
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT personal_id FROM citizen ORDER BY random() LIMIT :size")
            return list(connection.scalars(query, {"size": size}))
    finally:
        engine.dispose()


def agency_token(base_url: str) -> str:
    """A client-credentials access token of demo-agency."""
    request = urllib.request.Request(
        f"{base_url}/oauth2/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={
            "Content-Type": FORM,
            "Authorization": "Basic " + base64.b64encode(f"{AGENCY[0]}:{AGENCY[1]}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def lookups(personal_ids: list[str], token: str) -> dict[str, Any]:
    """GET /v1/citizens/{personal_id} as demo-agency, with the purpose in X-Purpose."""
    return {
        "paths": [f"/v1/citizens/{personal_id}" for personal_id in personal_ids],
        "headers": {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE},
    }


def bare(asynchronous: bool = False) -> dict[str, Any]:
    return {"paths": [BARE_ASYNC_PATH if asynchronous else BARE_PATH], "headers": {}}
