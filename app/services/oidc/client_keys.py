"""A client's public keys (private_key_jwt, request objects, response encryption): registered inline, or fetched
from its `jwks_uri`; and the verification of JWTs the client signs.

Fetched key sets are cached per process for five minutes; an unknown `kid` triggers one early refetch (the
client may have rotated), at most every ten seconds, so forged assertions cannot make us hammer the URI.
"""

import threading
import time
from typing import Any

import httpx
import jwt

from app.core.errors import OAuthError
from app.core.outbound import DestinationRefused, OutboundPolicy, PinnedTransport
from app.models import Client

CACHE_SECONDS = 300
# What a client may sign its assertions and request objects with; the fapi2 profile narrows it (oidc/profiles.py).
CLIENT_SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
LEEWAY_SECONDS = 5
MIN_REFETCH_SECONDS = 10
FETCH_TIMEOUT_SECONDS = 3

_cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def signing_keys(client: Client, kid: str | None, policy: OutboundPolicy) -> list[dict[str, Any]]:
    """The client's public signing keys that may have signed a JWT with this `kid`: the one key of that `kid`, or,
    for a JWT without one, every signing key (RFC 7515 makes `kid` optional; the signature then tells which).
    A `jwks_uri` is fetched only where `policy` allows, again early when no key fits (the client may have rotated)."""
    if client.jwks is not None:
        return _matching(client.jwks.get("keys", []), kid)
    if not client.jwks_uri:
        return []
    uri = client.jwks_uri
    return _matching(_keys(uri, policy, refresh=False), kid) or _matching(_keys(uri, policy, refresh=True), kid)


def encryption_key(client: Client, alg: str, policy: OutboundPolicy) -> dict[str, Any] | None:
    """The client's public key for encrypting to it with `alg` (`use: enc`), or None."""
    keys = client.jwks.get("keys", []) if client.jwks is not None else []
    if client.jwks is None and client.jwks_uri:
        keys = _keys(client.jwks_uri, policy, refresh=False)
    return next((k for k in keys if k.get("use") == "enc" and k.get("alg") == alg), None)


class ClientJwtInvalid(Exception):
    """A JWT the client signed failed verification; the message says why."""


def decode_client_jwt(
    client: Client,
    token: str,
    policy: OutboundPolicy,
    *,
    algorithms: tuple[str, ...],
    audience: list[str] | str,
    require: list[str],
    typ: str | None = None,
) -> dict[str, Any]:
    """Claims of a JWT signed by a key of the client's JWKS (by `kid`), with an algorithm among `algorithms` that is
    also the key's, issued by the client. Raises ClientJwtInvalid, or OAuthError when the jwks_uri fails."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ClientJwtInvalid(f"not a signed JWT: {exc}") from exc
    if header.get("alg") not in algorithms:
        raise ClientJwtInvalid(f"the algorithm must be one of {', '.join(algorithms)}")
    if typ is not None and str(header.get("typ", "")).lower() not in (typ, f"application/{typ}"):
        raise ClientJwtInvalid(f"typ must be {typ}")
    keys = signing_keys(client, header.get("kid"), policy)
    if not keys:
        raise ClientJwtInvalid("the kid is not among the client's signing keys (jwks or jwks_uri)")
    for jwk in keys:
        if header["alg"] != jwk.get("alg", header["alg"]):
            if "kid" in header:
                raise ClientJwtInvalid(f"the key {jwk.get('kid')} is for {jwk.get('alg')}, not {header['alg']}")
            continue
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK(jwk).key,
                algorithms=[header["alg"]],
                audience=audience,
                issuer=client.client_id,
                options={"require": require},
                leeway=LEEWAY_SECONDS,
            )
        except (jwt.InvalidSignatureError, jwt.InvalidKeyError, jwt.PyJWKError) as exc:
            if "kid" in header:
                raise ClientJwtInvalid(str(exc)) from exc
            continue  # without a kid, another key of the client may have signed it
        except jwt.PyJWTError as exc:
            raise ClientJwtInvalid(str(exc)) from exc
        return claims
    raise ClientJwtInvalid(f"no {header['alg']} signing key of the client verifies the signature (and no kid was sent)")


def _matching(keys: list[dict[str, Any]], kid: str | None) -> list[dict[str, Any]]:
    signing = [k for k in keys if k.get("use", "sig") == "sig"]
    return signing if kid is None else [k for k in signing if k.get("kid") == kid]


def _keys(uri: str, policy: OutboundPolicy, *, refresh: bool) -> list[dict[str, Any]]:
    with _lock:
        fetched_at, keys = _cache.get(uri, (0.0, []))
        age = time.monotonic() - fetched_at
        if age < CACHE_SECONDS and not (refresh and age >= MIN_REFETCH_SECONDS):
            return keys
    try:
        policy.check(uri)
        with httpx.Client(transport=PinnedTransport(policy), timeout=FETCH_TIMEOUT_SECONDS) as http:
            response = http.get(uri)  # redirects are not followed (httpx's default)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if isinstance(k, dict)]
    except DestinationRefused as refused:
        raise OAuthError(
            "invalid_client", f"the client's jwks_uri is not reachable: {refused.detail}", status=401
        ) from None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise OAuthError("invalid_client", f"the client's jwks_uri could not be read: {exc}", status=401) from exc
    with _lock:
        _cache[uri] = (time.monotonic(), keys)
    return keys
