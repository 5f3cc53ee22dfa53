"""The token endpoint (one function per grant type), ID tokens, revocation (RFC 7009) and introspection (RFC 7662)."""

import base64
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal, get_args

import jwt
from sqlalchemy.orm import Session

from app.core import journal
from app.core.config import Settings
from app.core.errors import RETRY_AFTER_SECONDS, OAuthError
from app.core.keys import KeyStore, TokenInvalid, Unsigned
from app.core.versions import Area, bump, changed_here, versions
from app.models import Client, Grant, RefreshToken, RevokedToken
from app.services.oidc import dpop, encryption, grants, scenarios
from app.services.oidc.claims import claim_names, release_claims, subject_for
from app.services.oidc.clients import PUBLIC, authenticate_client, read_client_credentials
from app.services.oidc.scenarios import ScenarioName, Stage
from app.services.population.audit import ID_TOKEN

# Scopes of the sandbox's own APIs, granted to machine tokens; OIDC scopes (openid, profile…) are for logins.
ApiScope = Literal[
    "citizen.identity", "citizen.residence", "citizen.family", "citizen.contact", "citizen.sensitive", "citizen.verify"
]
API_SCOPES: frozenset[str] = frozenset(get_args(ApiScope))
ACCESS_TOKEN_TYPE = "at+jwt"


@dataclass(frozen=True)
class IssuedTokens:
    body: dict[str, Any]
    # The token_slow scenario: answer this much later, once the transaction is over (see core.admission).
    delay_seconds: float = 0


@dataclass(frozen=True)
class UnsignedIdToken:
    """An ID token's claims but `at_hash`, which needs the signed access token, and what to do once it is signed."""

    token: Unsigned
    fault: ScenarioName | None
    seal: Callable[[str], str]

    def sign(self, access_token: str) -> str:
        token = replace(self.token, claims={**self.token.claims, "at_hash": at_hash(access_token)}).sign()
        if self.fault == ScenarioName.ID_TOKEN_BAD_SIGNATURE:
            head, payload, signature = token.split(".")
            token = f"{head}.{payload}.{signature[::-1]}"
        return self.seal(token)


@dataclass(frozen=True)
class UnsignedTokens:
    """A token response decided in the write transaction (code spent, refresh token stored, claims and keys chosen)
    and signed by `sign()` once that transaction has committed: signing is most of the endpoint's CPU, and on SQLite
    a write transaction holds the one write gate every writer of every worker queues on."""

    access_token: Unsigned
    fields: dict[str, Any]  # token_type, expires_in, scope
    id_token: UnsignedIdToken | None = None
    refresh_token: str | None = field(default=None, repr=False)

    def sign(self) -> dict[str, Any]:
        access_token = self.access_token.sign()
        body = {"access_token": access_token, **self.fields}
        if self.id_token is not None:
            body["id_token"] = self.id_token.sign(access_token)
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        return body


def issue_token(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    authorization: str | None,
    form: dict[str, Any],
    dpop_proofs: list[str] | None = None,
) -> IssuedTokens:
    """Tokens for an authenticated client; bound to the key of the request's DPoP proof when there is one."""
    client = authenticate_client(db, read_client_credentials(authorization, form), settings)
    try:
        proof = dpop.token_request_proof(
            db, keys, settings, client, dpop_proofs or [], f"{settings.public_url}/oauth2/token"
        )
        unsigned, delay = _grant(db, keys, settings, client, form, proof.jkt if proof else None)
        db.commit()  # the rows the tokens rest on are committed before the tokens exist, and the gate is free
        return IssuedTokens(unsigned.sign(), delay)
    except OAuthError:
        # What happened before the refusal stands: a spent client assertion, a used-up scenario, a grant revoked
        # for code replay or refresh-token reuse. Grants validate everything before they write anything else.
        db.commit()
        raise


def _grant(
    db: Session, keys: KeyStore, settings: Settings, client: Client, form: dict[str, Any], jkt: str | None
) -> tuple[UnsignedTokens, float]:
    grant_type = form["grant_type"]
    if grant_type not in GRANTS:
        raise OAuthError(
            "unsupported_grant_type",
            f"grant_type {grant_type!r} is not supported",
            passes=f"one of {', '.join(GRANTS)}",
        )
    if grant_type not in client.grant_types:
        raise OAuthError(
            "unauthorized_client",
            f"this client may not use the {grant_type} grant",
            passes=f"grant types registered for {client.client_id}: {', '.join(client.grant_types)}",
        )
    fault = scenarios.take(db, client.client_id, Stage.TOKEN_RESPONSE) if client.test_client else None
    if fault == ScenarioName.TOKEN_UNAVAILABLE:
        raise OAuthError(
            "temporarily_unavailable",
            "sandbox scenario: the token service is down",
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    delay = scenarios.SLOW_SECONDS if fault == ScenarioName.TOKEN_SLOW else 0
    return GRANTS[grant_type](db, keys, settings, client, form, jkt), delay


def _client_credentials(
    db: Session, keys: KeyStore, settings: Settings, client: Client, form: dict[str, Any], jkt: str | None
) -> UnsignedTokens:
    allowed = API_SCOPES.intersection(client.scopes)
    requested = set(str(form.get("scope") or "").split()) or allowed
    if not requested <= allowed:
        raise OAuthError(
            "invalid_scope",
            f"not allowed for this client: {' '.join(sorted(requested - allowed))}",
            passes=f"scopes among {' '.join(sorted(allowed)) or '(none: this client has no API scope)'}",
        )
    scope = " ".join(sorted(requested))
    token = access_token_claims(
        db, keys, settings, subject=client.client_id, client_id=client.client_id, scope=scope, jkt=jkt
    )
    return UnsignedTokens(token, _fields(settings, scope, jkt))


def _authorization_code(
    db: Session, keys: KeyStore, settings: Settings, client: Client, form: dict[str, Any], jkt: str | None
) -> UnsignedTokens:
    if not form.get("code"):
        raise OAuthError("invalid_request", "code is required", passes="code: the one the redirect_uri received")
    now = datetime.now(UTC)
    grant, code = grants.redeem_code(
        db, now, client, form["code"], form.get("redirect_uri"), form.get("code_verifier"), dpop_jkt=jkt
    )
    return token_response(db, keys, settings, client, grant, nonce=code.nonce, claims_request=code.claims, jkt=jkt)


def _refresh_token(
    db: Session, keys: KeyStore, settings: Settings, client: Client, form: dict[str, Any], jkt: str | None
) -> UnsignedTokens:
    if not form.get("refresh_token"):
        raise OAuthError("invalid_request", "refresh_token is required", passes="refresh_token: the latest one issued")
    grant, scope = grants.rotate_refresh_token(
        db, datetime.now(UTC), client, form["refresh_token"], form.get("scope"), dpop_jkt=jkt
    )
    return token_response(db, keys, settings, client, grant, scope=scope, nonce=None, claims_request=None, jkt=jkt)


def token_response(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    client: Client,
    grant: Grant,
    *,
    nonce: str | None,
    claims_request: dict[str, Any] | None,
    scope: str | None = None,
    jkt: str | None = None,
) -> UnsignedTokens:
    """Access token, ID token (for `openid`) and refresh token (when the client may refresh) of a grant, to be
    signed. With a DPoP key (`jkt`) the access token is bound to it, and so is a public client's refresh token
    (RFC 9449 §5)."""
    journal.note_client(client.client_id, grant.personal_id)
    scope = scope or grant.scope
    access_token = access_token_claims(
        db,
        keys,
        settings,
        subject=subject_for(grant.personal_id),
        client_id=client.client_id,
        scope=scope,
        extra={"grant_id": grant.id, "acr": grant.acr, "auth_time": int(grant.auth_time.timestamp())},
        jkt=jkt,
    )
    id_token = None
    if "openid" in scope.split():
        id_token = id_token_claims(db, keys, settings, client, grant, nonce=nonce, claims_request=claims_request)
    refresh_token = None
    if "refresh_token" in client.grant_types:
        bound_to = jkt if client.kind == PUBLIC else None  # a confidential client's is bound by its authentication
        refresh_token = grants.issue_refresh_token(db, datetime.now(UTC), grant, scope, bound_to)
    return UnsignedTokens(access_token, _fields(settings, scope, jkt), id_token, refresh_token)


def _fields(settings: Settings, scope: str, jkt: str | None) -> dict[str, Any]:
    return {"token_type": token_type(jkt), "expires_in": settings.access_token_ttl_seconds, "scope": scope}


def access_token_claims(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    *,
    subject: str,
    client_id: str,
    scope: str,
    extra: dict[str, Any] | None = None,
    jkt: str | None = None,
) -> Unsigned:
    """A JWT access token in the RFC 9068 shape, for the sandbox's own APIs; `cnf.jkt` binds it to a DPoP key."""
    now = int(time.time())
    claims = {
        "iss": settings.public_url,
        "aud": settings.api_audience,
        "sub": subject,
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "nbf": now,
        "exp": now + settings.access_token_ttl_seconds,
        "jti": uuid.uuid4().hex,
        "sandbox": True,
        **(extra or {}),
        **({"cnf": {"jkt": jkt}} if jkt else {}),
    }
    return keys.unsigned(db, claims, typ=ACCESS_TOKEN_TYPE)


def token_type(jkt: str | None) -> str:
    return "DPoP" if jkt else "Bearer"


def id_token_claims(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    client: Client,
    grant: Grant,
    *,
    nonce: str | None,
    claims_request: dict[str, Any] | None,
) -> UnsignedIdToken:
    now = int(time.time())
    requested = (claims_request or {}).get("id_token") or {}
    claims: dict[str, Any] = {
        "iss": settings.public_url,
        "sub": subject_for(grant.personal_id),
        "aud": client.client_id,
        "azp": client.client_id,
        "iat": now,
        "exp": now + settings.access_token_ttl_seconds,
        "auth_time": int(grant.auth_time.timestamp()),
        "acr": grant.acr,
        "amr": grant.amr,
        "sandbox": True,
        **({"nonce": nonce} if nonce else {}),
        **({"sid": grant.session_id} if grant.session_id else {}),
        **release_claims(
            db, client, grant.personal_id, [c for c in claim_names(grant.scope, requested) if c != "sub"], ID_TOKEN
        ),
    }
    fault = scenarios.take(db, client.client_id, Stage.ID_TOKEN) if client.test_client else None
    if fault == ScenarioName.ID_TOKEN_WRONG_ISSUER:
        claims["iss"] = "https://wrong-issuer.vneid-sandbox.example"
    elif fault == ScenarioName.ID_TOKEN_WRONG_AUDIENCE:
        claims["aud"] = "another-client"
    elif fault == ScenarioName.ID_TOKEN_EXPIRED:
        claims["iat"], claims["exp"] = now - 600, now - 300
    elif fault == ScenarioName.ID_TOKEN_NONCE_MISMATCH:
        claims["nonce"] = f"not-{nonce or 'requested'}"
    seal = partial(encryption.seal, settings, client, "id_token")
    return UnsignedIdToken(keys.unsigned(db, claims, alg=client.id_token_alg), fault, seal)


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6: left half of the SHA-256 of the access token (RS256 and ES256 both hash with SHA-256)."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def revoke(db: Session, keys: KeyStore, settings: Settings, client: Client, token: str) -> None:
    """RFC 7009: revoke a refresh token (and its grant) or an access token; unknown tokens are not an error."""
    now = datetime.now(UTC)
    grant = grants.find_refresh_grant(db, token)
    if grant is not None:
        if grant.client_id == client.client_id:
            grants.revoke_grant(db, now, grant, "revoked_by_client")
        return
    claims = _our_access_token(db, keys, settings, token)
    if claims is not None and claims["client_id"] == client.client_id and db.get(RevokedToken, claims["jti"]) is None:
        db.add(RevokedToken(jti=claims["jti"], expires_at=datetime.fromtimestamp(claims["exp"], UTC)))
        bump(db, Area.REVOCATIONS)


def introspect(db: Session, keys: KeyStore, settings: Settings, client: Client, token: str) -> dict[str, Any]:
    """RFC 7662: what an access or refresh token of this client means, or just `active: false`. Only clients that
    authenticate may ask (§2.1): a `client_id` alone proves nothing, so anyone could probe a public client's tokens."""
    if "none" in client.auth_methods:
        raise OAuthError(
            "invalid_client",
            "introspection needs client authentication (RFC 7662 §2.1): a client without credentials cannot introspect",
            status=401,
        )
    grant = grants.find_refresh_grant(db, token)
    if grant is not None:
        row = db.get(RefreshToken, grants.token_hash(token))
        live = row is not None and row.rotated_at is None and row.expires_at > datetime.now(UTC)
        if grant.client_id != client.client_id or grant.revoked_at is not None or not live:
            return {"active": False}
        return {
            "active": True,
            "token_type": "refresh_token",
            "client_id": grant.client_id,
            "scope": row.scope,  # type: ignore[union-attr]
            "sub": subject_for(grant.personal_id),
            "exp": int(row.expires_at.timestamp()),  # type: ignore[union-attr]
            "iss": settings.public_url,
        }
    claims = _our_access_token(db, keys, settings, token)
    if claims is None or claims["client_id"] != client.client_id or live_token(db, claims) is None:
        return {"active": False}
    return {"active": True, "token_type": "Bearer", **claims}


@dataclass(frozen=True)
class LiveToken:
    """An access token revoked neither by itself nor through its grant, and the citizen it acts for (if any)."""

    personal_id: str | None


# jti → (revocation version it was checked at, what it was found to be). Nothing revoked since: no query.
_checked: dict[str, tuple[int, LiveToken]] = {}
_CHECKED_LIMIT = 100_000


def live_token(db: Session, claims: dict[str, Any]) -> LiveToken | None:
    jti = claims["jti"]
    version = versions(db).get(Area.REVOCATIONS, 0)
    checked = _checked.get(jti)
    if checked is not None and checked[0] == version and not changed_here(db, Area.REVOCATIONS):
        return checked[1]
    if db.get(RevokedToken, jti) is not None:
        return None
    grant = db.get(Grant, claims["grant_id"]) if "grant_id" in claims else None
    if "grant_id" in claims and (grant is None or grant.revoked_at is not None):
        return None
    live = LiveToken(grant.personal_id if grant else None)
    if len(_checked) >= _CHECKED_LIMIT:
        _checked.clear()
    _checked[jti] = (version, live)
    return live


def _our_access_token(db: Session, keys: KeyStore, settings: Settings, token: str) -> dict[str, Any] | None:
    try:
        return keys.verify(db, token, audience=settings.api_audience, issuer=settings.public_url, typ=ACCESS_TOKEN_TYPE)
    except (TokenInvalid, jwt.PyJWTError):
        return None


GRANTS = {
    "client_credentials": _client_credentials,
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
}
