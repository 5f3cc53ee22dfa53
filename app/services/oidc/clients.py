"""The client registry and client authentication at the token endpoint (RFC 6749 §2.3)."""

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit, urlunsplit

import jwt
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import journal
from app.core.config import Settings
from app.core.errors import AppError, Conflict, OAuthError
from app.core.outbound import OutboundPolicy
from app.core.versions import Area, VersionedCache, bump
from app.models import Client, UsedAssertion
from app.services.oidc import encryption, profiles
from app.services.oidc.client_keys import ClientJwtInvalid, decode_client_jwt
from app.services.reference import load_json

BUSINESS, AGENCY, PUBLIC, FIRST_PARTY = "business", "agency", "public", "first_party"


def hash_secret(secret: str) -> str:
    # Client secrets are long random strings, so a plain SHA-256 is enough (no brute-force stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


def _load_clients(db: Session) -> dict[str, Client]:
    # Detached copies, never the session's own instances: the cache is shared by every request of the process.
    return {row.client_id: Client(**row._asdict()) for row in db.execute(select(*Client.__table__.columns))}


_clients = VersionedCache(Area.CLIENTS, _load_clients)


def find_client(db: Session, client_id: str) -> Client | None:
    """A registered client, from the per-process cache (read-only: change clients through this module)."""
    return _clients.get(db).get(client_id)


def seed_clients(db: Session, issuer: str) -> int:
    """(Re)write the demo clients of seed_data/clients.json, with `{issuer}` filled in.

    An upsert, not delete-and-insert: webhook subscriptions and grants refer to the clients."""
    document = load_json("clients.json")
    for entry in document["clients"]:
        db.merge(
            Client(
                client_id=entry["client_id"],
                name=entry["name"],
                kind=entry["kind"],
                secret_hash=hash_secret(entry["secret"]) if entry.get("secret") else None,
                auth_methods=entry["auth_methods"],
                grant_types=entry["grant_types"],
                redirect_uris=[uri.replace("{issuer}", issuer) for uri in entry["redirect_uris"]],
                scopes=entry["scopes"],
                jwks=entry.get("jwks"),
                purpose=entry["purpose"],
                test_client=entry["test_client"],
                id_token_alg=entry["id_token_alg"],
                **_security_metadata(entry),
            )
        )
    db.flush()
    bump(db, Area.CLIENTS)
    return len(document["clients"])


# Client metadata of the security features (profile, PAR, DPoP, response encryption), all optional.
SECURITY_METADATA = (
    "profile",
    "require_pushed_authorization_requests",
    "dpop_bound_access_tokens",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
)


def _security_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    chosen = {name: metadata[name] for name in SECURITY_METADATA if metadata.get(name) is not None}
    if chosen.get("profile") == profiles.FAPI2:  # the profile's demands, stored so every reader sees them
        chosen |= {"require_pushed_authorization_requests": True, "dpop_bound_access_tokens": True}
    return chosen


JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A client assertion is made for one request: a long-lived one is a reusable credential if it leaks. One hour is
# the longest that common client libraries make by default (Authlib; openid-client and oauth4webapi use 60 s).
MAX_ASSERTION_SECONDS = 3600


@dataclass(frozen=True)
class ClientCredentials:
    """What a request presented to authenticate its client."""

    method: str
    client_id: str
    secret: str | None = None
    assertion: str | None = None


def read_client_credentials(authorization: str | None, form: dict[str, Any]) -> ClientCredentials:
    """Find the one authentication method a token request used; more than one is an error (RFC 6749 §2.3)."""
    presented: list[ClientCredentials] = []
    if authorization and authorization.lower().startswith("basic "):
        presented.append(_basic(authorization[6:].strip()))
    if form.get("client_assertion") or form.get("client_assertion_type"):
        presented.append(_assertion(form))
    if form.get("client_secret"):
        if not form.get("client_id"):
            raise OAuthError("invalid_request", "client_secret was sent without client_id")
        presented.append(ClientCredentials("client_secret_post", form["client_id"], form["client_secret"]))
    if not presented:
        if form.get("client_id"):
            return ClientCredentials("none", form["client_id"])
        raise _invalid_client(
            "client authentication is required (client_secret_basic, client_secret_post or private_key_jwt)",
            basic_challenge=True,
        )
    if len(presented) > 1:
        raise OAuthError("invalid_request", "use exactly one client authentication method")
    if form.get("client_id") and form["client_id"] != presented[0].client_id:
        raise OAuthError("invalid_request", "client_id does not match the authenticated client")
    return presented[0]


def _basic(encoded: str) -> ClientCredentials:
    try:
        client_id, secret = base64.b64decode(encoded, validate=True).decode().split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid_client("malformed HTTP Basic credentials", basic_challenge=True) from exc
    client_id, secret = unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: both parts are form-urlencoded
    if "\x00" in client_id + secret:
        raise _invalid_client("malformed HTTP Basic credentials", basic_challenge=True)
    return ClientCredentials("client_secret_basic", client_id, secret)


def _assertion(form: dict[str, Any]) -> ClientCredentials:
    if form.get("client_assertion_type") != JWT_BEARER_ASSERTION or not form.get("client_assertion"):
        raise OAuthError(
            "invalid_request", f"client_assertion_type must be {JWT_BEARER_ASSERTION} with a client_assertion"
        )
    try:
        client_id = jwt.decode(form["client_assertion"], options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as exc:
        raise _invalid_client(f"client_assertion is not a JWT: {exc}", basic_challenge=False) from exc
    if not isinstance(client_id, str) or not client_id or "\x00" in client_id:
        raise _invalid_client("client_assertion has no iss naming the client", basic_challenge=False)
    return ClientCredentials("private_key_jwt", client_id, assertion=form["client_assertion"])


def authenticate_client(db: Session, credentials: ClientCredentials, settings: Settings) -> Client:
    journal.note_client(credentials.client_id)
    client = find_client(db, credentials.client_id)
    if client is None:
        raise _invalid_client("unknown client", basic_challenge=credentials.method == "client_secret_basic")
    if credentials.method not in client.auth_methods:
        raise _invalid_client(
            f"this client does not authenticate with {credentials.method}; "
            f"registered: {', '.join(client.auth_methods)}",
            basic_challenge=credentials.method == "client_secret_basic",
        )
    if credentials.secret is not None and not (
        client.secret_hash and hmac.compare_digest(hash_secret(credentials.secret), client.secret_hash)
    ):
        raise _invalid_client("wrong client secret", basic_challenge=credentials.method == "client_secret_basic")
    if credentials.assertion is not None:
        _verify_assertion(db, client, credentials.assertion, settings)
    return client


def _verify_assertion(db: Session, client: Client, assertion: str, settings: Settings) -> None:
    """RFC 7523 client authentication: signed by a key of the client's JWKS, for us, fresh, used once."""
    try:
        claims = decode_client_jwt(
            client,
            assertion,
            OutboundPolicy.of(settings),
            algorithms=profiles.signing_algorithms(client),
            audience=[settings.public_url, f"{settings.public_url}/oauth2/token"],
            require=["exp", "iss", "sub", "aud", "jti"],
        )
    except ClientJwtInvalid as exc:
        raise _invalid_client(f"client_assertion rejected: {exc}") from exc
    if claims["sub"] != client.client_id:
        raise _invalid_client("client_assertion sub must be the client_id")
    if claims["exp"] > time.time() + MAX_ASSERTION_SECONDS + 5:
        raise _invalid_client(f"client_assertion may be valid for at most {MAX_ASSERTION_SECONDS} s from now (exp)")
    if db.get(UsedAssertion, (client.client_id, str(claims["jti"]))) is not None:
        raise _invalid_client("client_assertion jti already used (replay)")
    db.add(
        UsedAssertion(
            client_id=client.client_id, jti=str(claims["jti"]), expires_at=datetime.fromtimestamp(claims["exp"], UTC)
        )
    )
    db.flush()


def redirect_uri_allowed(client: Client, redirect_uri: str) -> bool:
    """Exact match, except that loopback redirects of native and single-page apps may use any port (RFC 8252 §7.3)."""
    if redirect_uri in client.redirect_uris:
        return True
    parsed = urlsplit(redirect_uri)
    try:
        has_port = parsed.port is not None
    except ValueError:
        return False
    if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "localhost", "::1") or not has_port:
        return False
    return urlunsplit(parsed._replace(netloc=parsed.netloc.rsplit(":", 1)[0])) in client.redirect_uris


def _invalid_client(description: str, *, basic_challenge: bool = False) -> OAuthError:
    headers = {"WWW-Authenticate": 'Basic realm="vneid-sandbox"'} if basic_challenge else None
    return OAuthError("invalid_client", description, status=401, headers=headers)


class ClientExists(Conflict):
    code, title = "client_exists", "A client with this client_id exists"


class InvalidClientMetadata(AppError):
    status, code, title = 422, "invalid_client_metadata", "The client registration is not consistent"


SECRET_METHODS = frozenset({"client_secret_basic", "client_secret_post"})


@dataclass(frozen=True)
class RegisteredClient:
    """A client just registered, with its secret if it has one."""

    client_id: str
    client_secret: Annotated[
        str | None, Field(description="Shown only now; null for public and private_key_jwt clients.")
    ]
    kind: str
    auth_methods: list[str]
    grant_types: list[str]
    redirect_uris: list[str]
    scopes: list[str]


@dataclass(frozen=True)
class ClientMetadata:
    """A client's registration as the registry takes it (the API's `ClientRegistration`, already validated)."""

    client_id: str
    name: str
    kind: str
    auth_methods: list[str]
    grant_types: list[str]
    scopes: list[str]
    purpose: str
    redirect_uris: list[str] = field(default_factory=list)
    jwks: dict[str, Any] | None = None
    jwks_uri: str | None = None
    id_token_alg: str = "RS256"
    profile: str | None = None
    require_pushed_authorization_requests: bool | None = None
    dpop_bound_access_tokens: bool | None = None
    id_token_encrypted_response_alg: str | None = None
    id_token_encrypted_response_enc: str | None = None
    userinfo_signed_response_alg: str | None = None
    userinfo_encrypted_response_alg: str | None = None
    userinfo_encrypted_response_enc: str | None = None


def register_client(db: Session, metadata: ClientMetadata) -> RegisteredClient:
    """Register a test client; returns it with its secret (shown once) when it authenticates with one."""
    if find_client(db, metadata.client_id) is not None:
        raise ClientExists(f"client {metadata.client_id!r} is already registered")
    methods = set(metadata.auth_methods)
    if ("none" in methods) != (metadata.kind == PUBLIC) or ("none" in methods and len(methods) > 1):
        raise InvalidClientMetadata("public clients authenticate with `none` only, and only they do")
    if ("private_key_jwt" in methods) != bool(metadata.jwks or metadata.jwks_uri):
        raise InvalidClientMetadata("give jwks or jwks_uri exactly when private_key_jwt is used")
    if metadata.jwks and metadata.jwks_uri:
        raise InvalidClientMetadata("give jwks or jwks_uri, not both")
    if "authorization_code" in metadata.grant_types and not metadata.redirect_uris:
        raise InvalidClientMetadata("the authorization code grant needs at least one redirect URI")
    chosen = asdict(metadata)  # the checks of the security features read the metadata by name
    problems = profiles.registration_problems(chosen) + encryption.registration_problems(chosen)
    if problems:
        raise InvalidClientMetadata("; ".join(problems))
    secret = secrets.token_urlsafe(32) if methods & SECRET_METHODS else None
    client = Client(
        client_id=metadata.client_id,
        name=metadata.name,
        kind=metadata.kind,
        secret_hash=hash_secret(secret) if secret else None,
        auth_methods=sorted(methods),
        grant_types=sorted(set(metadata.grant_types)),
        redirect_uris=metadata.redirect_uris,
        scopes=sorted(set(metadata.scopes)),
        jwks=metadata.jwks,
        jwks_uri=metadata.jwks_uri,
        purpose=metadata.purpose,
        test_client=True,
        id_token_alg=metadata.id_token_alg,
        **_security_metadata(chosen),
    )
    db.add(client)
    db.flush()
    bump(db, Area.CLIENTS)
    return RegisteredClient(
        client.client_id,
        secret,
        client.kind,
        client.auth_methods,
        client.grant_types,
        client.redirect_uris,
        client.scopes,
    )
