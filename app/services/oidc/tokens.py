"""Token issuance at the token endpoint; one function per grant type."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import OAuthError
from app.core.keys import KeyStore
from app.models import Client
from app.services.oidc.clients import authenticate_client, read_client_credentials

# Scopes of the sandbox's own APIs, granted to machine tokens; OIDC scopes (openid, profile…) are for logins.
API_SCOPES = frozenset({"citizen.identity", "citizen.residence", "citizen.family", "citizen.contact", "citizen.verify"})
ACCESS_TOKEN_TYPE = "at+jwt"


def issue_token(
    db: Session, keys: KeyStore, settings: Settings, authorization: str | None, form: dict[str, Any]
) -> dict[str, Any]:
    grant_type = form["grant_type"]
    client = authenticate_client(db, read_client_credentials(authorization, form))
    if grant_type not in GRANTS:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    if grant_type not in client.grant_types:
        raise OAuthError("unauthorized_client", f"this client may not use the {grant_type} grant")
    return GRANTS[grant_type](db, keys, settings, client, form)


def _client_credentials(
    db: Session, keys: KeyStore, settings: Settings, client: Client, form: dict[str, Any]
) -> dict[str, Any]:
    allowed = API_SCOPES.intersection(client.scopes)
    requested = set(str(form.get("scope") or "").split()) or allowed
    if not requested <= allowed:
        raise OAuthError("invalid_scope", f"not allowed for this client: {' '.join(sorted(requested - allowed))}")
    scope = " ".join(sorted(requested))
    token = mint_access_token(db, keys, settings, subject=client.client_id, client_id=client.client_id, scope=scope)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": settings.access_token_ttl_seconds,
        "scope": scope,
    }


def mint_access_token(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    *,
    subject: str,
    client_id: str,
    scope: str,
    extra: dict[str, Any] | None = None,
) -> str:
    """A JWT access token in the RFC 9068 shape, for the sandbox's own APIs."""
    now = int(datetime.now(UTC).timestamp())
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
    }
    return keys.sign(db, claims, typ=ACCESS_TOKEN_TYPE)


GRANTS = {"client_credentials": _client_credentials}
