"""A client's public keys for private_key_jwt: registered inline, or fetched from its `jwks_uri`.

Fetched key sets are cached per process for five minutes; an unknown `kid` triggers one early refetch (the
client may have rotated), at most every ten seconds, so forged assertions cannot make us hammer the URI.
"""

import threading
import time
from typing import Any

import httpx

from app.core.errors import OAuthError
from app.core.outbound import DestinationRefused, OutboundPolicy
from app.models import Client

CACHE_SECONDS = 300
MIN_REFETCH_SECONDS = 10
FETCH_TIMEOUT_SECONDS = 3

_cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def client_key(client: Client, kid: str | None, policy: OutboundPolicy) -> dict[str, Any] | None:
    """The client's public JWK with this `kid`, or None. A `jwks_uri` is fetched only where `policy` allows."""
    if client.jwks is not None:
        return _find(client.jwks.get("keys", []), kid)
    if not client.jwks_uri:
        return None
    uri = client.jwks_uri
    return _find(_keys(uri, policy, refresh=False), kid) or _find(_keys(uri, policy, refresh=True), kid)


def _find(keys: list[dict[str, Any]], kid: str | None) -> dict[str, Any] | None:
    return next((k for k in keys if k.get("kid") == kid), None)


def _keys(uri: str, policy: OutboundPolicy, *, refresh: bool) -> list[dict[str, Any]]:
    with _lock:
        fetched_at, keys = _cache.get(uri, (0.0, []))
        age = time.monotonic() - fetched_at
        if age < CACHE_SECONDS and not (refresh and age >= MIN_REFETCH_SECONDS):
            return keys
    try:
        policy.check(uri)
        response = httpx.get(uri, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False)
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
