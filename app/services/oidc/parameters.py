"""Request parameters of the OAuth and OpenID Connect endpoints: each sent at most once (RFC 6749 §3.1, §3.2)."""

from collections import Counter
from collections.abc import Iterable

from app.core.errors import OAuthError


def repeated(items: Iterable[tuple[str, object]]) -> list[str]:
    """Names of the parameters that appear more than once; a request with any is malformed (`invalid_request`):
    which of the values would count is exactly what a client and a provider might disagree on."""
    return sorted(name for name, count in Counter(name for name, _ in items).items() if count > 1)


def refuse_repeated(items: Iterable[tuple[str, object]]) -> None:
    twice = repeated(items)
    if twice:
        raise OAuthError("invalid_request", f"parameters sent more than once (RFC 6749 §3.1): {', '.join(twice)}")
