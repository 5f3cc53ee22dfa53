"""Signed request objects (RFC 9101, JAR): authorization parameters in a JWT the client signed with a key of its
JWKS, sent as `request` at the authorization endpoint or inside a pushed request. Unsigned (`alg: none`) objects
are refused for every client: the sandbox does not advertise `none`."""

import json
import time
from typing import Any

from app.core.config import Settings
from app.core.errors import OAuthError
from app.core.outbound import OutboundPolicy
from app.models import Client
from app.services.oidc import profiles
from app.services.oidc.client_keys import ClientJwtInvalid, decode_client_jwt

MAX_LIFETIME_SECONDS = 3600  # FAPI 2.0 Message Signing §5.3.1: exp at most 60 minutes after nbf
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"


class RequestObjectInvalid(Exception):
    """The `request` parameter failed verification: `invalid_request_object` (RFC 9101 §7)."""


def unpack(settings: Settings, client: Client, params: dict[str, str]) -> dict[str, str]:
    """The authorization parameters the signed `request` carries (the only ones used, RFC 9101 §6.3)."""
    if params.get("request_uri"):
        raise RequestObjectInvalid("send request or request_uri, not both")
    try:
        claims = decode_client_jwt(
            client,
            params["request"],
            OutboundPolicy.of(settings),
            algorithms=profiles.signing_algorithms(client),
            audience=settings.public_url,
            require=["iss", "aud", "exp"],
        )
    except ClientJwtInvalid as exc:
        raise RequestObjectInvalid(f"request object rejected: {exc}") from exc
    except OAuthError as exc:  # the client's jwks_uri could not be read
        raise RequestObjectInvalid(exc.detail) from exc
    if claims.get("client_id", client.client_id) != client.client_id:
        raise RequestObjectInvalid("the request object's client_id is not the client's")
    if claims["exp"] - int(claims.get("nbf", time.time())) > MAX_LIFETIME_SECONDS:
        raise RequestObjectInvalid(f"a request object may live at most {MAX_LIFETIME_SECONDS} s (exp - nbf)")
    if "request" in claims or "request_uri" in claims:
        raise RequestObjectInvalid("a request object may not carry request or request_uri")
    return {**{name: _as_parameter(value) for name, value in claims.items()}, "client_id": client.client_id}


def _as_parameter(value: Any) -> str:
    # JAR carries parameters as JSON members; the rules downstream read them as the query string would carry them.
    return value if isinstance(value, str) else json.dumps(value)
