"""What the benchmarks send: the data files of the Lua scripts, made in Python before any load starts.

- Code flows (bench/lua/codeflow.lua): authorize URLs with PKCE S256 challenges, a nonce and the state that
  names their verifier; the token request of a client (client_secret_basic, or private_key_jwt with client
  assertions signed here in advance, since wrk cannot sign); for the sandbox, a persona's `login_hint`.
- The FAPI 2.0 flow of demo-fapi (the same script): the same authorization requests pushed (PAR) with
  private_key_jwt, and DPoP proofs for the token requests, all signed here in advance.
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
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import import_key
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
FAPI = "demo-fapi"  # profile fapi2: PAR, private_key_jwt (ES256), DPoP; redirect URI {issuer}/demo/fapi/callback
FAPI_KEYS = ROOT / "seed_data" / "demo-fapi.private.jwks.json"
# The sandbox refuses a DPoP proof whose iat is older than 60 s (README, FAPI 2.0): proofs signed before a run
# are good for a run that ends within this many seconds of their signing.
DPOP_PROOF_SECONDS = 50
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


def _flow_starts(params: dict[str, str], login_hints: list[str] | None) -> tuple[list[dict[str, str]], list[str]]:
    """FLOW_STARTS authorization requests (parameters) and their PKCE verifiers; each request's state is the index
    of its verifier."""
    requests, verifiers = [], []
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
        requests.append(query)
        verifiers.append(verifier)
    return requests, verifiers


def _authorize_paths(authorize_path: str, params: dict[str, str], login_hints: list[str] | None) -> dict[str, list]:
    requests, verifiers = _flow_starts(params, login_hints)
    return {
        "authorize": [f"{authorize_path}?{urllib.parse.urlencode(query)}" for query in requests],
        "verifiers": verifiers,
    }


def sandbox_codeflow(issuer: str, *, client: str = "bank", userinfo: bool = False, assertions: int = 0) -> dict:
    """Code flows of a relying party against the sandbox, persona logins through `login_hint`.

    client "bank": demo-bank with client_secret_basic. client "pkjwt": demo-pkjwt with private_key_jwt, one
    fresh assertion for each of `assertions` token requests (the sandbox refuses a replayed jti).
    """
    client_id = BANK[0] if client == "bank" else PKJWT
    redirect_uri = f"{issuer}/demo/{client}/callback"
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": LOGIN_SCOPE}
    data: dict[str, Any] = _authorize_paths("/oauth2/authorize", params, level2_personas())
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


def sandbox_fapi_flow(issuer: str, *, flows: int) -> dict:
    """The FAPI 2.0 flow of demo-fapi, `flows` times at most without reusing a signed value:
    POST /oauth2/par (private_key_jwt, PKCE, `dpop_jkt` binding the code to the client's DPoP key) → 201 with a
    request_uri; GET /oauth2/authorize?client_id=…&request_uri=… → 303 with the code; POST /oauth2/token
    (private_key_jwt, a DPoP proof) → DPoP-bound tokens and an encrypted ID token. Two client assertions and one
    DPoP proof per flow, signed here with iat = now (see DPOP_PROOF_SECONDS)."""
    redirect_uri = f"{issuer}/demo/fapi/callback"
    dpop_key = ec.generate_private_key(ec.SECP256R1())  # the client's own, one for the run
    dpop_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(dpop_key.public_key()))
    params = {
        "client_id": FAPI,
        "redirect_uri": redirect_uri,
        "scope": LOGIN_SCOPE,
        "dpop_jkt": str(import_key(dpop_jwk).thumbprint()),
    }
    requests, verifiers = _flow_starts(params, level2_personas())
    client = {"client_id": FAPI, "client_assertion_type": JWT_BEARER}
    key = next(k for k in json.loads(FAPI_KEYS.read_text(encoding="utf-8"))["keys"] if k.get("use") == "sig")
    return {
        "verifiers": verifiers,
        "par_path": "/oauth2/par",
        "par_bodies": [urllib.parse.urlencode({**query, **client}) for query in requests],
        "authorize_with_request_uri": f"/oauth2/authorize?client_id={FAPI}&request_uri=",
        "par_headers": {"Content-Type": FORM},
        "token_path": "/oauth2/token",
        "token_headers": {"Content-Type": FORM},
        "token_body": urllib.parse.urlencode(
            {"grant_type": "authorization_code", "redirect_uri": redirect_uri, **client}
        ),
        # The issuer as audience: the sandbox takes it at PAR and at the token endpoint alike (RFC 7523 §3).
        "assertions": client_assertions(key, FAPI, issuer, 2 * flows),
        "dpop_proofs": dpop_proofs(dpop_key, dpop_jwk, "POST", f"{issuer}/oauth2/token", flows),
    }


def dpop_proofs(
    private_key: ec.EllipticCurvePrivateKey, public_jwk: dict, method: str, url: str, count: int
) -> list[str]:
    """`count` RFC 9449 proofs (ES256) for `method` and `url`, each with its own jti; without `ath`, as at the token
    endpoint."""
    headers = {"typ": "dpop+jwt", "jwk": public_jwk}
    claims = {"htm": method, "htu": url, "iat": int(time.time())}
    return [
        jwt.encode({**claims, "jti": uuid.uuid4().hex}, private_key, algorithm="ES256", headers=headers)
        for _ in range(count)
    ]


def mockpass_codeflow(base_url: str, *, assertions: int) -> dict:
    """Code flows against mockpass's Singpass v2: headless login, token with private_key_jwt (its test RP key)."""
    redirect_uri = f"http://127.0.0.1/{MOCKPASS_CLIENT}/callback"
    params = {"client_id": MOCKPASS_CLIENT, "redirect_uri": redirect_uri, "scope": "openid"}
    data: dict[str, Any] = _authorize_paths(f"{SINGPASS}/authorize", params, None)
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
