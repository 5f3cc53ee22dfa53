"""The OpenID Connect provider end to end, as an integrator meets it: a real `vneid-sandbox serve` process, driven by
independent libraries. Authlib (httpx integration) plays the relying party; joserfc validates every ID token
against the published JWKS. Nothing here uses the provider's own OAuth or JOSE code; its database is opened only
to read the server's signing key (to forge tokens that differ from genuine ones in one respect) and to register
extra clients (PS256, ES256 and EdDSA client assertions, advertised but used by no seeded client).
"""

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import create_db_engine
from app.core.versions import Area, bump
from app.models import Client, SigningKey
from tests.conftest import form
from tests.databases import fresh_database
from tests.e2e.authlib_quiet import OAuth2Client, OAuthError, PrivateKeyJWT, generate_token
from tests.e2e.live_server import free_port, serve
from tests.fapi import kit as fapi

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "e2e-oidc-admin-token"
AN, BINH, GIANG, HAI, KHOA = "001090000001", "079195000002", "092093000007", "036050000008", "046098000010"
LOA1, LOA2 = "urn:vneid:loa:1", "urn:vneid:loa:2"
PURPOSE = {"X-Purpose": "test"}  # too short for an agency's read: only sent where a 401 must come first
GOOD_PURPOSE = {"X-Purpose": "e2e test run"}
SECRETS = {"demo-bank": "demo-bank-secret", "demo-agency": "demo-agency-secret"}
DEFAULT_AUTH = {
    "demo-bank": "client_secret_basic",
    "demo-agency": "client_secret_basic",
    "demo-spa": "none",
    "demo-pkjwt": "private_key_jwt",
}
REDIRECT_PATHS = {
    "demo-bank": "/demo/bank/callback",
    "demo-agency": "/demo/agency/callback",
    "demo-pkjwt": "/demo/pkjwt/callback",
}
SPA_REDIRECT = "http://127.0.0.1:53682/callback"  # loopback: any port (RFC 8252 §7.3)
PKJWT_JWK = json.loads((ROOT / "seed_data" / "demo-pkjwt.private.jwks.json").read_text())["keys"][0]
# Client assertion algorithms no seeded client uses (demo-pkjwt signs RS256): a client is registered for each, with
# a key generated for the run (see assertion_keys).
ASSERTION_KEYS: dict[str, Callable[[], Any]] = {
    "PS256": lambda: RSAKey.generate_key(2048, private=True),
    "ES256": lambda: ECKey.generate_key("P-256", private=True),
    "EdDSA": lambda: OKPKey.generate_key("Ed25519", private=True),
}


# --- the server ----------------------------------------------------------------------------------------------------


# Every client shares one TLS context (all traffic is plain HTTP on loopback): httpx builds one per client otherwise,
# loading the CA bundle each time, which cost more than the requests themselves.
TLS = ssl.create_default_context()


def plain_client(**kwargs: Any) -> httpx.Client:
    """A client without a cookie jar, like a fresh `httpx.get` each time, but keeping its connections alive."""
    no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(verify=TLS, timeout=10, follow_redirects=False, cookies=no_cookies, **kwargs)


@dataclass
class Live:
    base: str
    database_url: str
    http: httpx.Client
    meta: dict[str, Any] = field(default_factory=dict)
    cached_jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    @property
    def token_endpoint(self) -> str:
        return self.meta["token_endpoint"]

    def jwks(self) -> dict[str, Any]:
        response = self.http.get(self.meta["jwks_uri"])
        assert response.status_code == 200, response.text
        return response.json()

    def jwks_for(self, kid: str) -> dict[str, Any]:
        """The JWKS as a relying party caches it: fetched again only for a kid it does not know yet."""
        if kid not in {k["kid"] for k in self.cached_jwks["keys"]}:
            self.cached_jwks = self.jwks()
        return self.cached_jwks

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return self.http.request(method, self.url(path), headers=headers, **kwargs)

    def arm(self, scenario: str, client_id: str) -> None:
        response = self.admin("POST", "/sandbox/scenarios", json={"name": scenario, "client_id": client_id})
        assert response.status_code == 201, response.text

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A transaction on the live server's own database (what no HTTP endpoint offers: keys, clients)."""
        engine = create_db_engine(self.database_url)
        try:
            with Session(engine) as session, session.begin():
                yield session
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    directory = tmp_path_factory.mktemp("oidc-e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {"VNEID_ADMIN_TOKEN": ADMIN_TOKEN, "VNEID_ISSUER": base, "VNEID_LOG_LEVEL": "WARNING"}
    with fresh_database(directory) as url, serve(url, port, directory / "server.log", environment) as served:
        assert served == base
        with plain_client() as http:
            server = Live(base, url, http)
            server.meta = http.get(server.url("/.well-known/openid-configuration")).json()
            yield server


# --- the relying party (Authlib) and the ID token validation (joserfc) ----------------------------------------------


@dataclass
class Authorization:
    """One trip through the authorization endpoint: where it sent the browser, and what the client remembered."""

    location: str
    query: dict[str, str]
    state: str
    nonce: str
    verifier: str


class Kit:
    """What a relying party needs against the live server, built on Authlib and joserfc only."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self._closers: list[Callable[[], None]] = []

    def close(self) -> None:
        for close in self._closers:
            close()

    def redirect_uri(self, client_id: str) -> str:
        return SPA_REDIRECT if client_id == "demo-spa" else self.live.url(REDIRECT_PATHS[client_id])

    def client(
        self,
        client_id: str,
        auth_method: str | None = None,
        *,
        scope: str | None = "openid profile",
        assertion_claims: dict[str, Any] | None = None,
        assertion_key: dict[str, Any] | None = None,
    ) -> OAuth2Client:
        """An Authlib client; for private_key_jwt, each request carries a fresh RFC 7523 assertion (new jti),
        unless `assertion_claims` fixes one."""
        auth_method = auth_method or DEFAULT_AUTH.get(client_id, "private_key_jwt")
        secret: Any = SECRETS.get(client_id)
        if auth_method == "private_key_jwt":
            jwk = assertion_key or PKJWT_JWK
            secret = {"EC": ECKey, "RSA": RSAKey, "OKP": OKPKey}[jwk["kty"]].import_key(jwk)
        client = OAuth2Client(
            client_id,
            secret,
            token_endpoint_auth_method=auth_method,
            revocation_endpoint_auth_method=auth_method,
            scope=scope,
            redirect_uri=self.redirect_uri(client_id) if client_id in DEFAULT_AUTH else None,
            code_challenge_method="S256",
            timeout=10,
            verify=TLS,
        )
        if auth_method == "private_key_jwt":
            jwk = assertion_key or PKJWT_JWK
            client.register_client_auth_method(
                PrivateKeyJWT(
                    self.live.token_endpoint, claims=assertion_claims, headers={"kid": jwk["kid"]}, alg=jwk["alg"]
                )
            )
        self._closers.append(client.close)
        return client

    def browser(self) -> httpx.Client:
        """A browser with a cookie jar, that does not follow redirects by itself."""
        browser = httpx.Client(base_url=self.live.base, follow_redirects=False, timeout=10, verify=TLS)
        self._closers.append(browser.close)
        return browser

    def authorize(
        self,
        client: OAuth2Client,
        persona: str | None = AN,
        *,
        pkce: bool = True,
        browser: httpx.Client | None = None,
        **params: str,
    ) -> Authorization:
        """GET the authorization URL Authlib builds. With `persona`, a test client signs that persona in at once
        (login_hint) and the answer is a 303 to the redirect URI."""
        verifier = generate_token(48)
        nonce = generate_token(16)
        if persona is not None:
            params.setdefault("login_hint", persona)
        url, state = client.create_authorization_url(
            self.live.meta["authorization_endpoint"], code_verifier=verifier if pkce else None, nonce=nonce, **params
        )
        response = (browser or self.live.http).get(url)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        return Authorization(location, dict(parse_qsl(urlsplit(location).query)), state, nonce, verifier)

    def sign_in(
        self, client: OAuth2Client, persona: str = AN, *, validate: bool = True, **params: str
    ) -> tuple[Authorization, dict[str, Any]]:
        """The code flow with PKCE: authorize headlessly, exchange the code (Authlib checks the state), and
        validate the ID token with joserfc unless told not to."""
        authorization = self.authorize(client, persona, **params)
        assert "code" in authorization.query, authorization.location
        assert authorization.location.startswith(f"{client.redirect_uri}?")
        token = client.fetch_token(
            self.live.token_endpoint,
            authorization_response=authorization.location,
            state=authorization.state,
            code_verifier=authorization.verifier,
        )
        if validate and "id_token" in token:
            self.validate_id_token(token["id_token"], client.client_id, authorization.nonce)
        return authorization, dict(token)

    def refresh(self, client: OAuth2Client, refresh_token: str, **params: str) -> dict[str, Any]:
        """A refresh; its ID token (if any) is validated too, without a nonce (OIDC Core §12.2)."""
        token = dict(client.refresh_token(self.live.token_endpoint, refresh_token=refresh_token, **params))
        if "id_token" in token:
            self.validate_id_token(token["id_token"], client.client_id, None)
        return token

    def interactive_sign_in(self, browser: httpx.Client, client: OAuth2Client, persona: str = "an") -> Authorization:
        """Through the pages: the sandbox's persona panel, then the consent screen if it is shown."""
        authorization = self.authorize(client, None, browser=browser)
        assert authorization.location.startswith("/login/"), authorization.location
        response = browser.post(f"{page_path(authorization.location)}/persona", data=form(browser, persona=persona))
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        if location.startswith("/login/"):  # the consent screen
            assert f'action="{page_path(location)}/consent"' in browser.get(location).text
            response = browser.post(f"{page_path(location)}/consent", data=form(browser, decision="approve"))
            assert response.status_code == 303, response.text
            location = response.headers["location"]
        assert "vneid_session" in browser.cookies
        return Authorization(
            location,
            dict(parse_qsl(urlsplit(location).query)),
            authorization.state,
            authorization.nonce,
            authorization.verifier,
        )

    def validate_id_token(
        self, id_token: str, client_id: str, nonce: str | None, jwks: dict[str, Any] | None = None
    ) -> jwt.Token:
        """joserfc: signature against the published JWKS, then iss, aud, exp, iat, sub and nonce."""
        if jwks is None:
            jwks = self.live.jwks_for(jws.extract_compact(id_token.encode()).protected.get("kid", ""))
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256", "ES256"])
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.live.base},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "sub": {"essential": True},
        }
        if nonce is not None:
            options["nonce"] = {"essential": True, "value": nonce}
        JWTClaimsRegistry(leeway=5, **options).validate(token.claims)
        return token

    def jarm_response(self, authorization: Authorization, client_id: str) -> dict[str, Any]:
        """joserfc: the `response` JWT of a JARM answer, its only parameter, checked against the published JWKS
        (signature, then iss, aud and exp, as JARM §2.4 asks of the client); its claims."""
        assert set(authorization.query) == {"response"}, authorization.query
        response = authorization.query["response"]
        jwks = self.live.jwks_for(jws.extract_compact(response.encode()).protected.get("kid", ""))
        token = jwt.decode(response, KeySet.import_key_set(jwks), algorithms=["RS256", "ES256"])
        JWTClaimsRegistry(
            leeway=5,
            iss={"essential": True, "value": self.live.base},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
        ).validate(token.claims)
        return token.claims

    def introspect(self, client: OAuth2Client, token: str) -> dict[str, Any]:
        response = client.introspect_token(self.live.meta["introspection_endpoint"], token=token)
        assert response.status_code == 200, response.text
        return response.json()

    def userinfo(self, access_token: str, method: str = "GET") -> httpx.Response:
        headers = {"Authorization": f"Bearer {access_token}"}
        return self.live.http.request(method, self.live.meta["userinfo_endpoint"], headers=headers)

    def citizen(self, access_token: str, purpose: dict[str, str] | None = None) -> httpx.Response:
        """GET /v1/citizens/{an}; a business client reads under its consent, so it sends no purpose."""
        headers = {"Authorization": f"Bearer {access_token}", **(purpose or {})}
        return self.live.http.get(self.live.url(f"/v1/citizens/{AN}"), headers=headers)


@pytest.fixture
def kit(live: Live) -> Iterator[Kit]:
    kit = Kit(live)
    yield kit
    kit.close()


@pytest.fixture
def disarm(live: Live) -> Iterator[None]:
    """Scenario tests: nothing armed before, nothing left armed after (even when the test fails)."""
    assert live.admin("DELETE", "/sandbox/scenarios").status_code == 204
    yield
    assert live.admin("DELETE", "/sandbox/scenarios").status_code == 204


def assertion_client_id(alg: str) -> str:
    return f"e2e-{alg.lower()}-assertion"


@pytest.fixture(scope="module")
def assertion_keys(live: Live) -> dict[str, dict[str, Any]]:
    """One client per algorithm of ASSERTION_KEYS, registered in the live server's database (the registration
    endpoint would make it a test client), and its private JWK by algorithm."""
    private_keys = {}
    with live.db() as db:
        for alg, generate in ASSERTION_KEYS.items():
            key, kid = generate(), f"e2e-{alg.lower()}"
            private_keys[alg] = {**key.as_dict(private=True), "kid": kid, "alg": alg}
            db.add(
                Client(
                    client_id=assertion_client_id(alg),
                    name=f"e2e {alg} assertion client",
                    kind="agency",
                    secret_hash=None,
                    auth_methods=["private_key_jwt"],
                    grant_types=["client_credentials"],
                    redirect_uris=[],
                    scopes=["citizen.identity"],
                    jwks={"keys": [{**key.as_dict(private=False), "kid": kid, "alg": alg, "use": "sig"}]},
                    purpose="e2e",
                    test_client=False,
                    id_token_alg="RS256",
                )
            )
        bump(db, Area.CLIENTS)  # the server's workers reload their client cache
    return private_keys


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6, independently of the provider: left half of SHA-256, base64url without padding."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def page_path(location: str) -> str:
    """/login/{transaction} of a redirect to a login page, without its query (?lang=…, ?error=…)."""
    return urlsplit(location).path


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def oauth_error(call: Callable[[], Any]) -> OAuthError:
    with pytest.raises(OAuthError) as raised:
        call()
    return raised.value


# --- discovery: every advertised value works ------------------------------------------------------------------------


def test_discovery_describes_this_issuer(live: Live) -> None:
    response = live.http.get(live.url("/.well-known/openid-configuration"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    meta = response.json()
    assert meta["issuer"] == live.base
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "revocation_endpoint",
        "introspection_endpoint",
        "end_session_endpoint",
    ):
        assert meta[name].startswith(f"{live.base}/"), name


def _unknown(entry: str, value: object) -> str:
    return f"discovery advertises {entry}={value!r} but this test has no check for it: add one"


def check_issuer(kit: Kit, value: str) -> None:
    assert value == kit.live.base
    _, token = kit.sign_in(kit.client("demo-bank"))
    assert kit.validate_id_token(token["id_token"], "demo-bank", None).claims["iss"] == value


def check_authorization_endpoint(kit: Kit, value: str) -> None:
    authorization = kit.authorize(kit.client("demo-bank"))
    assert value == kit.live.url("/oauth2/authorize")
    assert set(authorization.query) == {"code", "state", "iss"}


def check_token_endpoint(kit: Kit, value: str) -> None:
    token = kit.client("demo-agency", scope=None).fetch_token(value, grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["access_token"].count(".") == 2


def check_userinfo_endpoint(kit: Kit, value: str) -> None:
    assert value == kit.live.url("/oauth2/userinfo")
    _, token = kit.sign_in(kit.client("demo-bank"))
    claims = kit.validate_id_token(token["id_token"], "demo-bank", None).claims
    for method in ("GET", "POST"):
        response = kit.userinfo(token["access_token"], method)
        assert response.status_code == 200, response.text
        assert response.json()["sub"] == claims["sub"]


def check_jwks_uri(kit: Kit, value: str) -> None:
    jwks = kit.live.http.get(value).json()
    assert jwks["keys"]
    for key in jwks["keys"]:
        assert {"kid", "alg", "use", "kty"} <= set(key)
        assert key["use"] == "sig"
        assert "d" not in key, "a private key is published"
    keys = KeySet.import_key_set(jwks)
    assert {k["alg"] for k in jwks["keys"]} >= set(kit.live.meta["id_token_signing_alg_values_supported"])
    assert len(keys.keys) == len(jwks["keys"])


def check_revocation_endpoint(kit: Kit, value: str) -> None:
    client = kit.client("demo-bank", scope=None)
    token = client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")
    assert kit.introspect(client, token["access_token"])["active"] is True
    assert client.revoke_token(value, token=token["access_token"], token_type_hint="access_token").status_code == 200
    assert kit.introspect(client, token["access_token"]) == {"active": False}


def check_introspection_endpoint(kit: Kit, value: str) -> None:
    client = kit.client("demo-bank", scope=None)
    token = client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")
    response = client.introspect_token(value, token=token["access_token"])
    assert response.status_code == 200
    assert response.json()["active"] is True
    assert response.json()["client_id"] == "demo-bank"


def check_end_session_endpoint(kit: Kit, value: str) -> None:
    client = kit.client("demo-bank")
    _, token = kit.sign_in(client)
    response = kit.live.http.get(value, params={"id_token_hint": token["id_token"]})
    assert response.status_code == 200  # no post_logout_redirect_uri: the "signed out" page
    assert kit.introspect(client, token["access_token"]) == {"active": False}


def check_response_types_supported(kit: Kit, value: list[str]) -> None:
    for response_type in value:
        assert response_type == "code", _unknown("response_types_supported", response_type)
        authorization = kit.authorize(kit.client("demo-bank"), response_type=response_type)
        assert "code" in authorization.query
        assert "#" not in authorization.location
    for other in ("token", "id_token", "code id_token"):
        authorization = kit.authorize(kit.client("demo-bank"), response_type=other)
        assert authorization.query["error"] == "unsupported_response_type"


def check_response_modes_supported(kit: Kit, value: list[str]) -> None:
    for mode in value:
        assert mode in ("query", "jwt", "query.jwt"), _unknown("response_modes_supported", mode)
        authorization = kit.authorize(kit.client("demo-bank"), response_mode=mode)
        answer = authorization.query if mode == "query" else kit.jarm_response(authorization, "demo-bank")
        assert "code" in answer
        assert answer["state"] == authorization.state
    for other in ("fragment", "form_post", "form_post.jwt"):
        assert kit.authorize(kit.client("demo-bank"), response_mode=other).query["error"] == "invalid_request"


def check_grant_types_supported(kit: Kit, value: list[str]) -> None:
    for grant_type in value:
        if grant_type == "authorization_code":
            _, token = kit.sign_in(kit.client("demo-bank"))
            assert token["access_token"]
            assert token["id_token"]
        elif grant_type == "refresh_token":
            for client_id in ("demo-bank", "demo-spa"):
                client = kit.client(client_id)
                _, token = kit.sign_in(client)
                refreshed = kit.refresh(client, token["refresh_token"])
                assert refreshed["access_token"] != token["access_token"]
                assert kit.userinfo(refreshed["access_token"]).status_code == 200
        elif grant_type == "client_credentials":
            token = kit.client("demo-agency", scope=None).fetch_token(
                kit.live.token_endpoint, grant_type="client_credentials"
            )
            assert kit.citizen(token["access_token"], GOOD_PURPOSE).status_code == 200
        else:
            pytest.fail(_unknown("grant_types_supported", grant_type))


def check_subject_types_supported(kit: Kit, value: list[str]) -> None:
    assert value == ["public"], _unknown("subject_types_supported", value)
    subjects = set()
    for client_id in ("demo-bank", "demo-spa", "demo-pkjwt"):
        auth, token = kit.sign_in(kit.client(client_id))
        subjects.add(kit.validate_id_token(token["id_token"], client_id, auth.nonce).claims["sub"])
    assert len(subjects) == 1, "a public subject is the same for every client"


def check_id_token_signing_alg_values_supported(kit: Kit, value: list[str]) -> None:
    client_of = {"RS256": "demo-bank", "ES256": "demo-pkjwt"}
    jwks = kit.live.jwks()
    for alg in value:
        assert alg in client_of, _unknown("id_token_signing_alg_values_supported", alg)
        auth, token = kit.sign_in(kit.client(client_of[alg]))
        validated = kit.validate_id_token(token["id_token"], client_of[alg], auth.nonce, jwks)
        assert validated.header["alg"] == alg
        assert {"kid": validated.header["kid"], "alg": alg}.items() <= next(
            k for k in jwks["keys"] if k["kid"] == validated.header["kid"]
        ).items()


def check_userinfo_signing_alg_values_supported(kit: Kit, value: list[str]) -> None:
    assert value == ["RS256", "ES256"], _unknown("userinfo_signing_alg_values_supported", value)
    _, token = kit.sign_in(kit.client("demo-bank"))
    assert kit.userinfo(token["access_token"]).headers["content-type"].startswith("application/json")
    http, dpop, fapi_token = _fapi(kit)  # demo-fapi registers ES256 (then encryption)
    userinfo = _fapi_userinfo(kit, http, dpop, fapi_token["access_token"])
    assert userinfo.headers["content-type"] == "application/jwt"
    signed_part = fapi.decrypt(userinfo.text).split(".")[0]
    assert json.loads(base64.urlsafe_b64decode(signed_part + "=="))["alg"] == "ES256"


def _client_for_auth_method(kit: Kit, method: str, **kwargs: Any) -> OAuth2Client:
    if method in ("client_secret_basic", "client_secret_post"):
        return kit.client("demo-bank", method, **kwargs)
    if method == "private_key_jwt":
        return kit.client("demo-pkjwt", method, **kwargs)
    pytest.fail(_unknown("…auth_methods_supported", method))


def check_token_endpoint_auth_methods_supported(kit: Kit, value: list[str]) -> None:
    for method in value:
        if method == "none":
            auth, token = kit.sign_in(kit.client("demo-spa", "none"))
            assert kit.validate_id_token(token["id_token"], "demo-spa", auth.nonce)
            continue
        client = _client_for_auth_method(kit, method, scope=None)
        assert client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]
        _, token = kit.sign_in(_client_for_auth_method(kit, method))
        assert token["id_token"]


def _assertion_clients(kit: Kit, value: list[str], keys: dict[str, dict[str, Any]], entry: str) -> list[OAuth2Client]:
    """A private_key_jwt client per advertised assertion algorithm; and every algorithm the sandbox takes is
    advertised (RS256 by demo-pkjwt, the others by the clients of assertion_keys)."""
    assert sorted(value) == sorted(["RS256", *keys]), f"{entry} must list exactly the algorithms that work"
    clients = []
    for alg in value:
        if alg == "RS256":
            clients.append(kit.client("demo-pkjwt", scope=None))
        elif alg in keys:
            clients.append(kit.client(assertion_client_id(alg), "private_key_jwt", scope=None, assertion_key=keys[alg]))
        else:
            pytest.fail(_unknown(entry, alg))
    return clients


def check_token_endpoint_auth_signing_alg_values_supported(
    kit: Kit, value: list[str], assertion_keys: dict[str, dict[str, Any]]
) -> None:
    entry = "token_endpoint_auth_signing_alg_values_supported"
    for client in _assertion_clients(kit, value, assertion_keys, entry):
        assert client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]


def check_introspection_endpoint_auth_signing_alg_values_supported(
    kit: Kit, value: list[str], assertion_keys: dict[str, dict[str, Any]]
) -> None:
    entry = "introspection_endpoint_auth_signing_alg_values_supported"
    for client in _assertion_clients(kit, value, assertion_keys, entry):
        token = client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]
        assert kit.introspect(client, token)["active"] is True


def check_revocation_endpoint_auth_signing_alg_values_supported(
    kit: Kit, value: list[str], assertion_keys: dict[str, dict[str, Any]]
) -> None:
    entry = "revocation_endpoint_auth_signing_alg_values_supported"
    for client in _assertion_clients(kit, value, assertion_keys, entry):
        token = client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]
        assert client.revoke_token(kit.live.meta["revocation_endpoint"], token=token).status_code == 200
        assert kit.introspect(client, token) == {"active": False}


def _check_endpoint_auth_methods(kit: Kit, value: list[str], revoke: bool) -> None:
    for method in value:
        client = _client_for_auth_method(kit, method, scope=None)
        token = client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]
        assert kit.introspect(client, token)["active"] is True
        if revoke:
            response = client.revoke_token(kit.live.meta["revocation_endpoint"], token=token)
            assert response.status_code == 200, response.text
            assert kit.introspect(client, token) == {"active": False}


AUTHENTICATED_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def check_revocation_endpoint_auth_methods_supported(kit: Kit, value: list[str]) -> None:
    assert value == [*AUTHENTICATED_METHODS, "none"], _unknown("revocation_endpoint_auth_methods_supported", value)
    _check_endpoint_auth_methods(kit, AUTHENTICATED_METHODS, revoke=True)
    spa = kit.client("demo-spa", "none")  # a public client revokes with its client_id alone (RFC 7009 §5)
    _, token = kit.sign_in(spa)
    assert kit.userinfo(token["access_token"]).status_code == 200
    response = spa.revoke_token(kit.live.meta["revocation_endpoint"], token=token["access_token"])
    assert response.status_code == 200, response.text
    assert kit.userinfo(token["access_token"]).status_code == 401


def check_introspection_endpoint_auth_methods_supported(kit: Kit, value: list[str]) -> None:
    assert value == AUTHENTICATED_METHODS, _unknown("introspection_endpoint_auth_methods_supported", value)
    _check_endpoint_auth_methods(kit, value, revoke=False)
    spa = kit.client("demo-spa", "none")  # not advertised, and refused: RFC 7662 §2.1 wants authentication
    _, token = kit.sign_in(spa)
    refused = spa.introspect_token(kit.live.meta["introspection_endpoint"], token=token["access_token"])
    assert refused.status_code == 401


def check_code_challenge_methods_supported(kit: Kit, value: list[str]) -> None:
    for method in value:
        assert method == "S256", _unknown("code_challenge_methods_supported", method)
        _, token = kit.sign_in(kit.client("demo-spa"))
        assert token["access_token"]
    verifier = generate_token(48)
    refused = kit.authorize(
        kit.client("demo-spa"), pkce=False, code_challenge=verifier, code_challenge_method="plain"
    ).query
    assert refused["error"] == "invalid_request", "plain is not advertised, so it must be refused"


USERINFO_CLAIM_OF_SCOPE = {
    "openid": "sub",
    "profile": "name",
    "address": "address",
    "phone": "phone_number",
    "citizen.sensitive": "ethnicity",  # sensitive data (NĐ 356/2025): userinfo and the population API alike
}


def check_scopes_supported(kit: Kit, value: list[str]) -> None:
    agency = kit.client("demo-agency", scope=None)
    for scope in value:
        if scope == "offline_access":  # OIDC Core §11: kept for clients registered to refresh
            _, token = kit.sign_in(kit.client("demo-bank", scope="openid offline_access"))
            assert (token["scope"], "refresh_token" in token) == ("openid offline_access", True)
            continue
        if scope in USERINFO_CLAIM_OF_SCOPE:
            scopes = "openid" if scope == "openid" else f"openid {scope}"
            _, token = kit.sign_in(kit.client("demo-bank", scope=scopes))
            assert token["scope"].split() == scopes.split()
            assert USERINFO_CLAIM_OF_SCOPE[scope] in kit.userinfo(token["access_token"]).json()
            continue
        token = agency.fetch_token(kit.live.token_endpoint, grant_type="client_credentials", scope=scope)
        assert token["scope"] == scope
        headers = {"Authorization": f"Bearer {token['access_token']}", **GOOD_PURPOSE}
        if scope == "citizen.verify":
            body = {"personal_id": AN, "full_name": "Nguyễn Văn An", "date_of_birth": "1990-03-15", "sex": "male"}
            response = kit.live.http.post(kit.live.url("/v1/citizens/verify"), json=body, headers=headers)
            assert response.status_code == 200, response.text
        elif scope == "citizen.family":
            response = kit.live.http.get(kit.live.url(f"/v1/citizens/{AN}/household"), headers=headers)
            assert response.status_code == 200, response.text
        else:
            field_of_scope = {
                "citizen.identity": "full_name",
                "citizen.residence": "permanent_address",
                "citizen.contact": "phone",
            }
            assert scope in field_of_scope, _unknown("scopes_supported", scope)
            record = kit.citizen(token["access_token"], GOOD_PURPOSE).json()
            assert field_of_scope[scope] in record, record
            others = set(field_of_scope.values()) - {field_of_scope[scope]}
            assert not others & set(record), "only the fields of the granted scope"


def check_claims_supported(kit: Kit, value: list[str]) -> None:
    auth, token = kit.sign_in(kit.client("demo-bank", scope="openid profile address phone citizen.sensitive"))
    id_token = kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims
    userinfo = kit.userinfo(token["access_token"]).json()
    missing = set(value) - set(id_token) - set(userinfo)
    assert not missing, f"advertised claims never released: {sorted(missing)}"


def check_claims_parameter_supported(kit: Kit, value: bool) -> None:
    assert value is True, _unknown("claims_parameter_supported", value)
    claims = json.dumps({"id_token": {"personal_id": None, "birthdate": {"essential": True}}})
    auth, token = kit.sign_in(kit.client("demo-bank", scope="openid profile"), claims=claims)
    id_token = kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims
    assert id_token["personal_id"] == AN
    assert id_token["birthdate"] == "1990-03-15"
    assert "name" not in id_token
    # The parameter chooses among the consented scopes' claims, never adds one (security finding H1).
    auth, token = kit.sign_in(kit.client("demo-bank", scope="openid"), claims=claims)
    id_token = kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims
    assert "personal_id" not in id_token
    assert "birthdate" not in id_token


def check_authorization_response_iss_parameter_supported(kit: Kit, value: bool) -> None:
    assert value is True, _unknown("authorization_response_iss_parameter_supported", value)
    success = kit.authorize(kit.client("demo-bank")).query
    error = kit.authorize(kit.client("demo-bank"), prompt="none login").query
    assert "code" in success
    assert "error" in error
    assert success["iss"] == error["iss"] == kit.live.meta["issuer"]


def check_authorization_signing_alg_values_supported(kit: Kit, value: list[str]) -> None:
    """JARM responses are signed like the client's ID tokens: demo-bank's RS256, demo-pkjwt's ES256."""
    assert set(value) == {"RS256", "ES256"}, _unknown("authorization_signing_alg_values_supported", value)
    for client_id, alg in (("demo-bank", "RS256"), ("demo-pkjwt", "ES256")):
        authorization = kit.authorize(kit.client(client_id), response_mode="jwt")
        assert jws.extract_compact(authorization.query["response"].encode()).protected["alg"] == alg
        assert "code" in kit.jarm_response(authorization, client_id)
        error = kit.authorize(kit.client(client_id), prompt="none login", response_mode="query.jwt")
        assert kit.jarm_response(error, client_id)["error"] == "invalid_request"


def _fapi(kit: Kit, alg: str = "ES256") -> tuple[httpx.Client, fapi.DpopKey, dict[str, Any]]:
    """demo-fapi's whole FAPI 2.0 flow against the live server (tests/fapi/kit.py)."""
    http, dpop = kit.browser(), fapi.DpopKey(alg)
    with fapi.against(kit.live.base):
        return http, dpop, fapi.tokens(http, dpop)


def _fapi_userinfo(kit: Kit, http: httpx.Client, dpop: fapi.DpopKey, token: str) -> httpx.Response:
    url = kit.live.url("/oauth2/userinfo")
    return http.get(url, headers={"Authorization": f"DPoP {token}", "DPoP": dpop.proof("GET", url, token)})


def test_of_one_dpop_proof_sent_twice_at_once_exactly_one_is_accepted(kit: Kit) -> None:
    """The server's workers race for the proof: it must be spent once, even when both copies pass the check for a
    used proof before either is written (RFC 9449 §11.1)."""
    http, dpop, token = _fapi(kit)
    url = kit.live.url("/oauth2/userinfo")
    for _ in range(5):  # each round a new proof, sent twice at the same instant
        headers = {
            "Authorization": f"DPoP {token['access_token']}",
            "DPoP": dpop.proof("GET", url, token["access_token"]),
        }
        start = threading.Barrier(2)

        def send(headers: dict[str, str] = headers, start: threading.Barrier = start) -> httpx.Response:
            with plain_client() as own:  # a connection of its own, as two attackers' copies would come
                start.wait()
                return own.get(url, headers=headers)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: send(), range(2)))
        assert sorted(answer.status_code for answer in answers) == [200, 401], [answer.text for answer in answers]
        refused = next(answer for answer in answers if answer.status_code == 401)
        assert refused.json()["code"] == "invalid_dpop_proof"
        assert 'error="invalid_dpop_proof"' in refused.headers["www-authenticate"]


def check_pushed_authorization_request_endpoint(kit: Kit, value: str) -> None:
    assert value == kit.live.url("/oauth2/par")
    assert _fapi(kit)[2]["token_type"] == "DPoP"


def check_require_pushed_authorization_requests(kit: Kit, value: bool) -> None:
    assert value is False, _unknown("require_pushed_authorization_requests", value)
    assert "code" in kit.authorize(kit.client("demo-bank")).query, "clients that need not push may send plain requests"


def check_dpop_signing_alg_values_supported(kit: Kit, value: list[str]) -> None:
    for alg in value:
        assert alg in ("ES256", "PS256", "EdDSA"), _unknown("dpop_signing_alg_values_supported", alg)
        http, dpop, token = _fapi(kit, alg)
        assert _fapi_userinfo(kit, http, dpop, token["access_token"]).status_code == 200


def _check_encryption(kit: Kit, value: list[str], entry: str) -> None:
    key_algorithms = ["RSA-OAEP-256", "ECDH-ES+A256KW"]
    assert value in (key_algorithms, ["A256GCM"]), _unknown(entry, value)
    http, dpop, token = _fapi(kit)  # demo-fapi registers ECDH-ES+A256KW and A256GCM for both
    with fapi.against(kit.live.base):
        assert fapi.verified(http, fapi.decrypt(token["id_token"]))["aud"] == "demo-fapi"
        userinfo = _fapi_userinfo(kit, http, dpop, token["access_token"]).text
        assert fapi.verified(http, fapi.decrypt(userinfo))["aud"] == "demo-fapi"
        for key_alg in key_algorithms:  # each key algorithm by a client registering it (A256GCM with each)
            registration = fapi.encrypting_client(key_alg)
            registered = kit.live.admin("POST", "/sandbox/clients", json=registration)
            assert registered.status_code in (201, 409), registered.text  # 409: registered by an earlier entry
            client_id, kid = registration["client_id"], registration["jwks"]["keys"][1]["kid"]
            own = fapi.tokens_of(http, dpop, client_id)
            assert fapi.verified(http, fapi.decrypt(own["id_token"], kid), audience=client_id)["aud"] == client_id
            userinfo = _fapi_userinfo(kit, http, dpop, own["access_token"]).text
            assert fapi.verified(http, fapi.decrypt(userinfo, kid), audience=client_id)["aud"] == client_id


def check_id_token_encryption_alg_values_supported(kit: Kit, value: list[str]) -> None:
    _check_encryption(kit, value, "id_token_encryption_alg_values_supported")


def check_id_token_encryption_enc_values_supported(kit: Kit, value: list[str]) -> None:
    _check_encryption(kit, value, "id_token_encryption_enc_values_supported")


def check_userinfo_encryption_alg_values_supported(kit: Kit, value: list[str]) -> None:
    _check_encryption(kit, value, "userinfo_encryption_alg_values_supported")


def check_userinfo_encryption_enc_values_supported(kit: Kit, value: list[str]) -> None:
    _check_encryption(kit, value, "userinfo_encryption_enc_values_supported")


def _request_object(kit: Kit, client_id: str = "demo-pkjwt", key: dict[str, Any] = PKJWT_JWK, **claims: Any) -> str:
    now = int(time.time())
    return fapi.signed(
        {
            "iss": client_id,
            "aud": kit.live.base,
            "exp": now + 300,
            "response_type": "code",
            "redirect_uri": kit.redirect_uri("demo-pkjwt"),
            "scope": "openid",
            "login_hint": AN,
            **claims,
        },
        key,
    )


def check_request_parameter_supported(kit: Kit, value: bool) -> None:
    assert value is True, _unknown("request_parameter_supported", value)
    assert "code" in kit.authorize(kit.client("demo-pkjwt"), request=_request_object(kit)).query
    refused = kit.authorize(kit.client("demo-bank"), request="eyJhbGciOiJub25lIn0.e30.").query
    assert refused["error"] == "invalid_request_object"


def _request_object_signer(kit: Kit, alg: str, keys: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """A client that signs its request objects with `alg` (RS256: demo-pkjwt; the others registered here, with the
    key of assertion_keys), and its private key."""
    if alg == "RS256":
        return "demo-pkjwt", PKJWT_JWK
    client_id = f"e2e-{alg.lower()}-request-objects"
    registration = {
        "client_id": client_id,
        "name": f"e2e {alg} request objects",
        "kind": "business",
        "auth_methods": ["private_key_jwt"],
        "grant_types": ["authorization_code"],
        "redirect_uris": [kit.redirect_uri("demo-pkjwt")],
        "scopes": ["openid"],
        "purpose": "e2e",
        "jwks": {"keys": [{**fapi.public(keys[alg]), "use": "sig"}]},
    }
    assert kit.live.admin("POST", "/sandbox/clients", json=registration).status_code == 201
    return client_id, keys[alg]


def check_request_object_signing_alg_values_supported(
    kit: Kit, value: list[str], assertion_keys: dict[str, dict[str, Any]]
) -> None:
    entry = "request_object_signing_alg_values_supported"
    assert sorted(value) == sorted(["RS256", *assertion_keys]), f"{entry} must list exactly the algorithms that work"
    for alg in value:
        client_id, key = _request_object_signer(kit, alg, assertion_keys)
        query = urlencode({"client_id": client_id, "request": _request_object(kit, client_id, key)})
        answer = kit.live.http.get(f"{kit.live.meta['authorization_endpoint']}?{query}")
        assert answer.status_code == 303, answer.text
        assert "code" in dict(parse_qsl(urlsplit(answer.headers["location"]).query)), (alg, answer.headers["location"])
    wrong_audience = _request_object(kit, aud="https://another-provider.example")
    assert kit.authorize(kit.client("demo-pkjwt"), request=wrong_audience).query["error"] == "invalid_request_object"


def check_request_uri_parameter_supported(kit: Kit, value: bool) -> None:
    assert value is False, _unknown("request_uri_parameter_supported", value)
    refused = kit.authorize(kit.client("demo-bank"), request_uri="https://rp.example/request.jwt").query
    assert refused["error"] == "request_uri_not_supported", "only request_uri values of pushed requests are accepted"


PERSONA_OF_ACR = {LOA1: BINH, LOA2: AN}


def check_acr_values_supported(kit: Kit, value: list[str]) -> None:
    for acr in value:
        assert acr in PERSONA_OF_ACR, _unknown("acr_values_supported", acr)
        auth, token = kit.sign_in(kit.client("demo-bank"), PERSONA_OF_ACR[acr], acr_values=acr)
        assert kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims["acr"] == acr
        essential = json.dumps({"id_token": {"acr": {"essential": True, "values": [acr]}}})
        auth, token = kit.sign_in(kit.client("demo-bank"), PERSONA_OF_ACR[acr], claims=essential)
        assert kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims["acr"] == acr
    # A list of acceptable values in order of preference: unknown ones are ignored, the account meets one.
    auth, token = kit.sign_in(kit.client("demo-bank"), BINH, acr_values=f"urn:vneid:loa:9 {LOA2} {LOA1}")
    assert kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims["acr"] == LOA1


def check_prompt_values_supported(kit: Kit, value: list[str]) -> None:
    client = kit.client("demo-agency", scope="openid phone")
    browser = kit.browser()
    signed_in = kit.interactive_sign_in(browser, client)
    assert "code" in signed_in.query, signed_in.location
    for prompt in value:
        if prompt == "none":
            # Signed in and consented: a code at once, without a page.
            again = kit.authorize(client, None, browser=browser, prompt="none")
            assert "code" in again.query, again.location
            # Nobody signed in (no session cookie): login_required, back to the client.
            assert kit.authorize(client, None, prompt="none").query["error"] == "login_required"
        elif prompt == "login":
            again = kit.authorize(client, None, browser=browser, prompt="login")
            assert again.location.startswith("/login/"), "prompt=login must ask for the credentials again"
            assert 'name="password"' in browser.get(again.location).text
        elif prompt == "consent":
            again = kit.authorize(client, None, browser=browser, prompt="consent")
            assert again.location.startswith("/login/"), "prompt=consent must show the consent screen again"
            assert f'action="{page_path(again.location)}/consent"' in browser.get(again.location).text
            approved = browser.post(f"{page_path(again.location)}/consent", data=form(browser, decision="approve"))
            assert "code" in dict(parse_qsl(urlsplit(approved.headers["location"]).query))
        else:
            pytest.fail(_unknown("prompt_values_supported", prompt))


def check_ui_locales_supported(kit: Kit, value: list[str]) -> None:
    for locale in value:
        assert locale in ("vi", "en"), _unknown("ui_locales_supported", locale)
        assert login_page_language(kit, locale) == locale


def login_page_language(kit: Kit, ui_locales: str) -> str:
    browser = kit.browser()
    authorization = kit.authorize(kit.client("demo-bank"), None, browser=browser, ui_locales=ui_locales)
    assert authorization.location.startswith("/login/")
    page = browser.get(authorization.location).text
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def check_claim_types_supported(kit: Kit, value: list[str]) -> None:
    assert value == ["normal"], _unknown("claim_types_supported", value)
    _, token = kit.sign_in(kit.client("demo-bank", scope="openid profile"))
    userinfo = kit.userinfo(token["access_token"]).json()
    assert not {"_claim_names", "_claim_sources"} & set(userinfo)


def check_frontchannel_logout_supported(kit: Kit, value: bool) -> None:
    assert value is False, _unknown("frontchannel_logout_supported", value)


def check_backchannel_logout_supported(kit: Kit, value: bool) -> None:
    assert value is False, _unknown("backchannel_logout_supported", value)


METADATA_CHECKS: dict[str, Callable[..., None]] = {
    name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")
}


def test_every_discovery_entry_has_a_check(live: Live) -> None:
    assert set(live.meta) == set(METADATA_CHECKS), "entries without a check, or checks of entries no longer advertised"


# Authlib signs the EdDSA client assertions with joserfc, which warns that RFC 9864 deprecates the name "EdDSA";
# FAPI 2.0 and RFC 9449 still name it, so the sandbox takes and advertises it.
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated via RFC 9864")
@pytest.mark.parametrize("entry", sorted(METADATA_CHECKS))
def test_advertised_entry_really_works(kit: Kit, assertion_keys: dict[str, dict[str, Any]], entry: str) -> None:
    check = METADATA_CHECKS[entry]
    extra = (assertion_keys,) if check.__code__.co_argcount == 3 else ()
    check(kit, kit.live.meta[entry], *extra)


@pytest.mark.parametrize(("ui_locales", "language"), [("vi", "vi"), ("en", "en"), ("en-US vi", "en"), ("fr vi", "vi")])
def test_login_page_speaks_the_requested_ui_locale(kit: Kit, ui_locales: str, language: str) -> None:
    assert login_page_language(kit, ui_locales) == language


# --- the code flow with PKCE, per client authentication method ------------------------------------------------------

AUTH_METHOD_CASES = [
    ("demo-bank", "client_secret_basic", "RS256"),
    ("demo-bank", "client_secret_post", "RS256"),
    ("demo-pkjwt", "private_key_jwt", "ES256"),
    ("demo-spa", "none", "RS256"),
]


@pytest.mark.parametrize(("client_id", "auth_method", "alg"), AUTH_METHOD_CASES)
def test_code_flow_with_pkce_issues_a_valid_id_token(kit: Kit, client_id: str, auth_method: str, alg: str) -> None:
    client = kit.client(client_id, auth_method)
    before = int(time.time())
    auth, token = kit.sign_in(client)
    assert token["token_type"] == "Bearer"
    assert token["scope"].split() == ["openid", "profile"]
    id_token = kit.validate_id_token(token["id_token"], client_id, auth.nonce)
    claims = id_token.claims
    assert id_token.header["alg"] == alg
    assert claims["acr"] == LOA2
    assert "pwd" in claims["amr"]
    assert before - 5 <= claims["auth_time"] <= claims["iat"] <= int(time.time()) + 5
    assert claims["at_hash"] == at_hash(token["access_token"])
    assert claims["nonce"] == auth.nonce
    assert isinstance(claims["sid"], str)
    assert claims["sid"]
    assert claims["azp"] == client_id
    assert ("refresh_token" in token) == (client_id in ("demo-bank", "demo-spa"))
    assert kit.userinfo(token["access_token"]).json()["sub"] == claims["sub"]


@pytest.mark.parametrize("client_id", ["demo-bank", "demo-pkjwt"])
def test_confidential_clients_must_authenticate(kit: Kit, client_id: str) -> None:
    auth = kit.authorize(kit.client(client_id))
    response = kit.live.http.post(
        kit.live.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": auth.query["code"],
            "code_verifier": auth.verifier,
            "redirect_uri": kit.redirect_uri(client_id),
        },
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


PROFILE_CLAIMS = {"name", "family_name", "middle_name", "given_name", "personal_id", "birthdate", "gender"}


@pytest.mark.parametrize(
    ("scope", "released", "withheld"),
    [
        ("openid", {"sub", "account_level"}, PROFILE_CLAIMS | {"address", "phone_number"}),
        ("openid profile", {"sub"} | PROFILE_CLAIMS, {"address", "phone_number"}),
        ("openid address", {"sub", "address"}, PROFILE_CLAIMS | {"phone_number"}),
        ("openid phone", {"sub", "phone_number", "phone_number_verified"}, PROFILE_CLAIMS | {"address"}),
    ],
)
def test_userinfo_releases_the_claims_of_the_granted_scopes(
    kit: Kit, scope: str, released: set[str], withheld: set[str]
) -> None:
    _, token = kit.sign_in(kit.client("demo-bank", scope=scope))
    userinfo = set(kit.userinfo(token["access_token"]).json())
    assert released <= userinfo
    assert not userinfo & withheld, f"claims of scopes not granted: {userinfo & withheld}"


def test_userinfo_claims_of_persona_an(kit: Kit) -> None:
    auth, token = kit.sign_in(kit.client("demo-bank", scope="openid profile address phone"))
    sub = kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims["sub"]
    userinfo = kit.userinfo(token["access_token"]).json()
    assert userinfo["sub"] == sub
    assert userinfo["name"] == "Nguyễn Văn An"
    assert (userinfo["family_name"], userinfo["middle_name"], userinfo["given_name"]) == ("Nguyễn", "Văn", "An")
    assert userinfo["personal_id"] == AN
    assert userinfo["birthdate"] == "1990-03-15"
    assert userinfo["gender"] == "male"
    address = userinfo["address"]
    assert {"formatted", "street_address", "locality", "region", "country"} <= set(address)
    assert address["country"] == "VN"
    assert address["street_address"] == "Số 5 phố Đội Cấn"
    assert address["street_address"] in address["formatted"]
    assert userinfo["phone_number"] == "+84912000001"
    assert userinfo["phone_number_verified"] is True


# --- refresh, revocation, introspection -----------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token(kit: Kit) -> None:
    client = kit.client("demo-bank")
    _, first = kit.sign_in(client)
    second = kit.refresh(client, first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["id_token"]
    assert kit.introspect(client, first["refresh_token"]) == {"active": False}, "a used refresh token is spent"
    assert kit.introspect(client, second["refresh_token"])["active"] is True
    assert kit.userinfo(second["access_token"]).status_code == 200
    reuse = oauth_error(lambda: client.refresh_token(kit.live.token_endpoint, refresh_token=first["refresh_token"]))
    assert reuse.error == "invalid_grant"


def test_refresh_token_reuse_revokes_the_whole_grant(kit: Kit) -> None:
    client = kit.client("demo-bank")
    _, first = kit.sign_in(client)
    second = kit.refresh(client, first["refresh_token"])
    reuse = oauth_error(lambda: client.refresh_token(kit.live.token_endpoint, refresh_token=first["refresh_token"]))
    assert reuse.error == "invalid_grant"
    assert kit.introspect(client, second["refresh_token"]) == {"active": False}
    assert kit.introspect(client, second["access_token"]) == {"active": False}
    assert kit.userinfo(second["access_token"]).status_code == 401


def test_refresh_may_narrow_but_not_widen_the_scope(kit: Kit) -> None:
    client = kit.client("demo-bank", scope="openid profile phone")
    _, token = kit.sign_in(client)
    narrower = kit.refresh(client, token["refresh_token"], scope="openid")
    assert narrower["scope"] == "openid"
    assert "phone_number" not in kit.userinfo(narrower["access_token"]).json()
    wider = oauth_error(
        lambda: client.refresh_token(
            kit.live.token_endpoint, refresh_token=narrower["refresh_token"], scope="openid address"
        )
    )
    assert wider.error == "invalid_scope"


def test_introspection_before_and_after_revoking_an_access_token(kit: Kit) -> None:
    client = kit.client("demo-bank")
    _, token = kit.sign_in(client)
    sub = kit.validate_id_token(token["id_token"], "demo-bank", None).claims["sub"]
    before = kit.introspect(client, token["access_token"])
    assert before["active"] is True
    assert before["client_id"] == "demo-bank"
    assert before["sub"] == sub
    assert before["scope"] == "openid profile"
    assert before["iss"] == kit.live.base
    assert before["exp"] > time.time()
    assert kit.introspect(kit.client("demo-agency"), token["access_token"]) == {"active": False}, "not its token"

    response = client.revoke_token(
        kit.live.meta["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token"
    )
    assert response.status_code == 200
    assert kit.introspect(client, token["access_token"]) == {"active": False}
    assert kit.userinfo(token["access_token"]).status_code == 401
    assert kit.introspect(client, token["refresh_token"])["active"] is True, "revoking an access token only"


def test_revoking_a_refresh_token_revokes_its_grant(kit: Kit) -> None:
    client = kit.client("demo-bank")
    _, token = kit.sign_in(client)
    before = kit.introspect(client, token["refresh_token"])
    assert before["active"] is True
    assert before["token_type"] == "refresh_token"
    response = client.revoke_token(
        kit.live.meta["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
    )
    assert response.status_code == 200
    assert kit.introspect(client, token["refresh_token"]) == {"active": False}
    assert kit.introspect(client, token["access_token"]) == {"active": False}
    assert kit.userinfo(token["access_token"]).status_code == 401
    refused = oauth_error(lambda: client.refresh_token(kit.live.token_endpoint, refresh_token=token["refresh_token"]))
    assert refused.error == "invalid_grant"


def test_revoking_an_unknown_token_is_not_an_error(kit: Kit) -> None:
    client = kit.client("demo-bank")
    response = client.revoke_token(kit.live.meta["revocation_endpoint"], token="no-such-token")
    assert response.status_code == 200
    assert kit.introspect(client, "no-such-token") == {"active": False}


# --- logout ---------------------------------------------------------------------------------------------------------


def test_logout_redirects_with_state_and_revokes_the_session_tokens(kit: Kit) -> None:
    client = kit.client("demo-bank", scope="openid profile citizen.identity")
    _, token = kit.sign_in(client)
    _, other_session = kit.sign_in(client)
    assert kit.citizen(token["access_token"]).status_code == 200
    response = kit.live.http.get(
        kit.live.meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": client.redirect_uri,
            "state": "xyz",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{client.redirect_uri}?state=xyz"
    assert kit.introspect(client, token["access_token"]) == {"active": False}
    assert kit.introspect(client, token["refresh_token"]) == {"active": False}
    assert kit.userinfo(token["access_token"]).status_code == 401
    assert kit.citizen(token["access_token"], PURPOSE).status_code == 401
    assert kit.introspect(client, other_session["access_token"])["active"] is True, "another session is untouched"


def test_logout_does_not_redirect_to_an_unregistered_uri(kit: Kit) -> None:
    _, token = kit.sign_in(kit.client("demo-bank"))
    response = kit.live.http.get(
        kit.live.meta["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": "https://evil.example/cb"},
    )
    assert response.status_code == 200
    assert "location" not in response.headers


def test_logout_state_is_url_encoded(kit: Kit) -> None:
    client = kit.client("demo-bank")
    _, token = kit.sign_in(client)
    state = "a b&admin=1"
    response = kit.live.http.get(
        kit.live.meta["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": client.redirect_uri, "state": state},
    )
    assert response.status_code == 303
    assert dict(parse_qsl(urlsplit(response.headers["location"]).query)) == {"state": state}


# --- codes: single use, PKCE, redirect URI --------------------------------------------------------------------------


def test_code_replay_is_refused_and_revokes_the_tokens_of_that_code(kit: Kit) -> None:
    client = kit.client("demo-bank")
    auth, token = kit.sign_in(client)
    replay = oauth_error(
        lambda: client.fetch_token(
            kit.live.token_endpoint,
            code=auth.query["code"],
            code_verifier=auth.verifier,
            grant_type="authorization_code",
        )
    )
    assert replay.error == "invalid_grant"
    assert kit.introspect(client, token["access_token"]) == {"active": False}
    assert kit.introspect(client, token["refresh_token"]) == {"active": False}
    assert kit.userinfo(token["access_token"]).status_code == 401


@pytest.mark.parametrize("verifier", ["wrong", "missing"])
def test_pkce_mismatch_is_invalid_grant(kit: Kit, verifier: str) -> None:
    client = kit.client("demo-bank")
    auth = kit.authorize(client)
    sent = {"code_verifier": generate_token(48)} if verifier == "wrong" else {}
    refused = oauth_error(
        lambda: client.fetch_token(
            kit.live.token_endpoint, code=auth.query["code"], grant_type="authorization_code", **sent
        )
    )
    assert refused.error == "invalid_grant"


def test_public_client_without_pkce_is_refused_at_authorize(kit: Kit) -> None:
    assert kit.authorize(kit.client("demo-spa"), pkce=False).query["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [
        ("demo-bank", "https://evil.example/demo/bank/callback"),
        ("demo-bank", "{base}/demo/bank/callback/extra"),
        ("demo-bank", "{base}/demo/agency/callback"),
        ("demo-spa", "http://127.0.0.1:53682/elsewhere"),
        ("demo-spa", "https://127.0.0.1:53682/callback"),
    ],
)
def test_unregistered_redirect_uri_at_authorize_is_a_400_page(kit: Kit, client_id: str, redirect_uri: str) -> None:
    client = kit.client(client_id)
    url, _ = client.create_authorization_url(
        kit.live.meta["authorization_endpoint"],
        code_verifier=generate_token(48),
        redirect_uri=redirect_uri.format(base=kit.live.base),
        login_hint=AN,
    )
    response = kit.live.http.get(url)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


def test_other_redirect_uri_at_token_is_invalid_grant(kit: Kit) -> None:
    client = kit.client("demo-spa")
    auth = kit.authorize(client)
    refused = oauth_error(
        lambda: client.fetch_token(
            kit.live.token_endpoint,
            code=auth.query["code"],
            code_verifier=auth.verifier,
            grant_type="authorization_code",
            redirect_uri="http://127.0.0.1:53683/callback",  # allowed at authorize, but not the one used there
        )
    )
    assert refused.error == "invalid_grant"


def test_code_of_another_client_is_invalid_grant(kit: Kit) -> None:
    auth = kit.authorize(kit.client("demo-bank"))
    agency = kit.client("demo-agency")
    refused = oauth_error(
        lambda: agency.fetch_token(
            kit.live.token_endpoint,
            code=auth.query["code"],
            code_verifier=auth.verifier,
            grant_type="authorization_code",
            redirect_uri=kit.redirect_uri("demo-bank"),
        )
    )
    assert refused.error == "invalid_grant"


# --- private_key_jwt ------------------------------------------------------------------------------------------------


def test_private_key_jwt_assertion_cannot_be_replayed(kit: Kit) -> None:
    client = kit.client("demo-pkjwt", scope=None, assertion_claims={"jti": uuid.uuid4().hex})
    assert client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]
    replay = oauth_error(lambda: client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials"))
    assert replay.error == "invalid_client"
    fresh = kit.client("demo-pkjwt", scope=None)  # a new jti on every request
    for _ in range(2):
        assert fresh.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]


def test_assertion_presented_in_a_failed_request_is_spent(kit: Kit) -> None:
    now = int(time.time())
    claims = {"iss": "demo-pkjwt", "sub": "demo-pkjwt", "aud": kit.live.token_endpoint, "jti": uuid.uuid4().hex}
    assertion = jwt.encode(
        {"alg": "RS256", "kid": PKJWT_JWK["kid"]}, claims | {"iat": now, "exp": now + 60}, RSAKey.import_key(PKJWT_JWK)
    )
    form = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    refused = kit.live.http.post(
        kit.live.token_endpoint, data={"grant_type": "refresh_token", "refresh_token": "x", **form}
    )
    assert refused.json()["error"] == "unauthorized_client"  # demo-pkjwt may not refresh; it did authenticate
    replayed = kit.live.http.post(kit.live.token_endpoint, data={"grant_type": "client_credentials", **form})
    assert replayed.status_code == 401, "the assertion was already presented once"
    assert replayed.json()["error"] == "invalid_client"


@pytest.mark.parametrize("fault", ["other_key", "wrong_audience", "expired", "hs256"])
def test_bad_private_key_jwt_assertions_are_invalid_client(kit: Kit, fault: str) -> None:
    now = int(time.time())
    claims = {"iss": "demo-pkjwt", "sub": "demo-pkjwt", "aud": kit.live.token_endpoint, "jti": uuid.uuid4().hex}
    claims |= {"iat": now, "exp": now + 60}
    header = {"alg": "RS256", "kid": PKJWT_JWK["kid"]}
    key: Any = RSAKey.import_key(PKJWT_JWK)
    if fault == "other_key":
        key = RSAKey.generate_key(2048, private=True)
    elif fault == "wrong_audience":
        claims["aud"] = "https://elsewhere.example/token"
    elif fault == "expired":
        claims |= {"iat": now - 600, "exp": now - 300}
    if fault == "hs256":
        assertion = _hs256({**header, "alg": "HS256"}, claims, json.dumps(PKJWT_JWK).encode())
    else:
        assertion = jwt.encode(header, claims, key)
    response = kit.live.http.post(
        kit.live.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


# --- forged, expired and misdirected access tokens at the protected endpoints --------------------------------------

PROTECTED = ["/oauth2/userinfo", f"/v1/citizens/{AN}"]
FORGERIES = [
    "alg_none",
    "hs256_with_public_key",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "unknown_kid",
    "other_key_same_kid",
    "tampered_payload",
]


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


@dataclass
class Forge:
    genuine: str  # an access token the server issued to a signed-in citizen
    claims: dict[str, Any]
    header: dict[str, Any]
    server_key: RSAKey  # the server's own signing key, read from its database
    public_pem: bytes  # the same key as published in the JWKS

    def signed(self, claims: dict[str, Any] | None = None, **header: Any) -> str:
        return jwt.encode({**self.header, **header}, claims or self.claims, self.server_key)

    def make(self, name: str) -> str:
        now = int(time.time())
        head, _, signature = self.genuine.split(".")
        if name == "alg_none":
            unsigned = {**self.header, "alg": "none"}
            return f"{b64(json.dumps(unsigned).encode())}.{b64(json.dumps(self.claims).encode())}."
        if name == "hs256_with_public_key":
            return _hs256({**self.header, "alg": "HS256"}, self.claims, self.public_pem)
        if name == "expired":
            return self.signed({**self.claims, "iat": now - 900, "nbf": now - 900, "exp": now - 600})
        if name == "wrong_audience":
            return self.signed({**self.claims, "aud": "https://elsewhere.example/v1"})
        if name == "wrong_issuer":
            return self.signed({**self.claims, "iss": "https://evil.example"})
        if name == "unknown_kid":
            return self.signed(kid="no-such-key")
        if name == "other_key_same_kid":
            return jwt.encode(self.header, self.claims, RSAKey.generate_key(2048, private=True))
        if name == "tampered_payload":
            widened = {**self.claims, "scope": f"{self.claims['scope']} citizen.family citizen.contact"}
            return f"{head}.{b64(json.dumps(widened).encode())}.{signature}"
        raise AssertionError(name)


@pytest.fixture(scope="module")
def forge(live: Live) -> Forge:
    kit = Kit(live)
    try:
        _, token = kit.sign_in(kit.client("demo-agency", scope="openid profile citizen.identity"))
    finally:
        kit.close()
    genuine = token["access_token"]
    verified = jwt.decode(genuine, KeySet.import_key_set(live.jwks()), algorithms=["RS256"])
    with live.db() as db:
        pem = db.scalars(select(SigningKey.private_pem).where(SigningKey.kid == verified.header["kid"])).one()
    server_key = RSAKey.import_key(pem)
    published = next(k for k in live.jwks()["keys"] if k["kid"] == verified.header["kid"])
    public_pem = RSAKey.import_key(published).as_pem(private=False)
    return Forge(genuine, verified.claims, dict(verified.header), server_key, public_pem)


@pytest.mark.parametrize("path", PROTECTED)
def test_genuine_and_faithfully_resigned_tokens_are_accepted(kit: Kit, forge: Forge, path: str) -> None:
    """The control: the forgeries below differ from an accepted token only in what each one breaks."""
    for token in (forge.genuine, forge.signed()):
        headers = {"Authorization": f"Bearer {token}", **GOOD_PURPOSE}
        response = kit.live.http.get(kit.live.url(path), headers=headers)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("path", PROTECTED)
def test_forged_tokens_are_refused_by_the_live_server(kit: Kit, forge: Forge, forgery: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {forge.make(forgery)}", **PURPOSE}
    response = kit.live.http.get(kit.live.url(path), headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_an_id_token_is_not_an_access_token(kit: Kit) -> None:
    _, token = kit.sign_in(kit.client("demo-bank"))
    for path in PROTECTED:
        headers = {"Authorization": f"Bearer {token['id_token']}", **PURPOSE}
        assert kit.live.http.get(kit.live.url(path), headers=headers).status_code == 401


# --- personas who cannot sign in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "params", "error", "vneid_error"),
    [
        (GIANG, {}, "access_denied", "account_locked"),
        (HAI, {}, "access_denied", "citizen_deceased"),
        (BINH, {"acr_values": LOA2}, "unmet_authentication_requirements", "insufficient_account_level"),
        ("khoa", {}, "access_denied", "no_account"),
        (KHOA, {}, "access_denied", "no_account"),
    ],
)
def test_personas_who_cannot_sign_in_are_sent_back_with_the_reason(
    kit: Kit, persona: str, params: dict[str, str], error: str, vneid_error: str
) -> None:
    client = kit.client("demo-bank")
    authorization = kit.authorize(client, persona, **params)
    assert authorization.location.startswith(f"{client.redirect_uri}?")
    assert authorization.query["error"] == error
    assert authorization.query["vneid_error"] == vneid_error
    assert authorization.query["state"] == authorization.state
    assert "code" not in authorization.query


def test_level_one_persona_signs_in_without_acr_values(kit: Kit) -> None:
    auth, token = kit.sign_in(kit.client("demo-bank"), BINH)
    assert kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce).claims["acr"] == LOA1


# --- key rotation ---------------------------------------------------------------------------------------------------


def test_key_rotation_publishes_the_new_key_and_keeps_the_old_one(kit: Kit) -> None:
    clients = {"RS256": kit.client("demo-bank"), "ES256": kit.client("demo-pkjwt")}
    old: dict[str, tuple[str, str, str]] = {}
    for alg, client in clients.items():
        auth, token = kit.sign_in(client)
        header = kit.validate_id_token(token["id_token"], client.client_id, auth.nonce).header
        assert header["alg"] == alg
        old[alg] = (header["kid"], token["id_token"], token["access_token"])

    response = kit.live.admin("POST", "/sandbox/keys/rotate")
    assert response.status_code == 200, response.text
    jwks = kit.live.jwks()
    published = {k["kid"] for k in jwks["keys"]}
    for alg, client in clients.items():
        old_kid, old_id_token, old_access_token = old[alg]
        assert old_kid in published, "the retired key stays published while its tokens live"
        kit.validate_id_token(old_id_token, client.client_id, None, jwks)
        assert kit.userinfo(old_access_token).status_code == 200, "tokens of the retired key are still accepted"
        auth, token = kit.sign_in(client)
        header = kit.validate_id_token(token["id_token"], client.client_id, auth.nonce, kit.live.jwks()).header
        assert header["kid"] != old_kid
        assert header["kid"] in response.json()["signing_kids"]


# --- sandbox scenarios ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("disarm")
@pytest.mark.parametrize(
    ("scenario", "failure"),
    [
        ("id_token_wrong_issuer", InvalidClaimError),
        ("id_token_wrong_audience", InvalidClaimError),
        ("id_token_bad_signature", BadSignatureError),
        ("id_token_expired", ExpiredTokenError),
        ("id_token_nonce_mismatch", InvalidClaimError),
    ],
)
def test_id_token_scenarios_fail_validation(kit: Kit, scenario: str, failure: type[JoseError]) -> None:
    client = kit.client("demo-bank")
    kit.live.arm(scenario, "demo-bank")
    auth, token = kit.sign_in(client, validate=False)
    with pytest.raises(failure):
        kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce)
    auth, token = kit.sign_in(client)  # armed once: the next ID token is good again
    kit.validate_id_token(token["id_token"], "demo-bank", auth.nonce)


@pytest.mark.usefixtures("disarm")
def test_token_unavailable_scenario_is_a_503(kit: Kit) -> None:
    client = kit.client("demo-bank", scope=None)
    kit.live.arm("token_unavailable", "demo-bank")
    with pytest.raises(httpx.HTTPStatusError) as raised:  # Authlib raises the HTTP error of a 5xx
        client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")
    assert raised.value.response.status_code == 503
    assert raised.value.response.json()["error"] == "temporarily_unavailable"


@pytest.mark.usefixtures("disarm")
def test_token_unavailable_scenario_armed_once_fires_once(kit: Kit) -> None:
    client = kit.client("demo-bank", scope=None)
    kit.live.arm("token_unavailable", "demo-bank")
    with pytest.raises(httpx.HTTPStatusError):
        client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")
    assert kit.live.admin("GET", "/sandbox/scenarios").json()["armed"] == []
    assert client.fetch_token(kit.live.token_endpoint, grant_type="client_credentials")["access_token"]


@pytest.mark.usefixtures("disarm")
@pytest.mark.parametrize(("scenario", "params"), [("user_cancels", {}), ("user_declines", {"prompt": "consent"})])
def test_user_scenarios_deny_access_at_authorize(kit: Kit, scenario: str, params: dict[str, str]) -> None:
    client = kit.client("demo-bank")
    kit.live.arm(scenario, "demo-bank")
    authorization = kit.authorize(client, **params)
    assert authorization.location.startswith(f"{client.redirect_uri}?")
    assert authorization.query["error"] == "access_denied"
    assert authorization.query["state"] == authorization.state
    assert "code" in kit.authorize(client, **params).query, "armed once"
