"""Client security profiles: what the FAPI 2.0 Security Profile demands of a `fapi2` client, in one place.

FAPI 2.0 Security Profile (final, 2025) §5.3: pushed authorization requests, PKCE with S256, `response_type=code`
only, sender-constrained tokens (here DPoP), private_key_jwt client authentication, PS256, ES256 or EdDSA
signatures, and authorization codes that live at most 60 seconds (grants.CODE_TTL, for every client).
"""

from typing import Any

from app.core.keys import TOKEN_ALGORITHMS
from app.models import Client
from app.services.oidc.client_keys import CLIENT_SIGNING_ALGORITHMS

FAPI2 = "fapi2"
PROFILES = (FAPI2,)
FAPI2_ALGORITHMS = ("PS256", "ES256", "EdDSA")
# The sandbox signs ID tokens with its RS256 and ES256 keys only: of the profile's algorithms, that leaves ES256.
FAPI2_ID_TOKEN_ALGORITHMS = tuple(alg for alg in FAPI2_ALGORITHMS if alg in TOKEN_ALGORITHMS)


def is_fapi2(client: Client) -> bool:
    return client.profile == FAPI2


def signing_algorithms(client: Client) -> tuple[str, ...]:
    """What the client may sign client assertions and request objects with."""
    return FAPI2_ALGORITHMS if is_fapi2(client) else CLIENT_SIGNING_ALGORITHMS


def requires_par(client: Client) -> bool:
    return client.require_pushed_authorization_requests or is_fapi2(client)


def requires_pkce(client: Client) -> bool:
    return client.kind == "public" or is_fapi2(client)  # clients.PUBLIC; clients imports this module


def requires_dpop(client: Client) -> bool:
    return client.dpop_bound_access_tokens or is_fapi2(client)


def registration_problems(metadata: dict[str, Any]) -> list[str]:
    """What a `fapi2` registration chose that the profile forbids: refused, never silently adjusted."""
    if metadata.get("profile") != FAPI2:
        return []
    return [
        problem
        for wrong, problem in (
            (metadata["auth_methods"] != ["private_key_jwt"], "auth_methods must be exactly [private_key_jwt]"),
            (metadata["kind"] == "public", "a fapi2 client is confidential (kind business or agency)"),
            (
                metadata.get("id_token_alg") not in FAPI2_ID_TOKEN_ALGORITHMS,
                f"id_token_alg must be {' or '.join(FAPI2_ID_TOKEN_ALGORITHMS)} (of the profile's "
                f"{', '.join(FAPI2_ALGORITHMS)}, what the sandbox signs ID tokens with)",
            ),
            (
                metadata.get("require_pushed_authorization_requests") is False,
                "require_pushed_authorization_requests cannot be false",
            ),
            (metadata.get("dpop_bound_access_tokens") is False, "dpop_bound_access_tokens cannot be false"),
        )
        if wrong
    ]
