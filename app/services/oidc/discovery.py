"""The OpenID Provider metadata (discovery document). It lists only what is implemented: a test checks each entry."""

from typing import Any

from app.core.jwe import CONTENT_ENCRYPTIONS, KEY_ALGORITHMS
from app.core.keys import TOKEN_ALGORITHMS
from app.services.identity.accounts import ACR_BY_LEVEL
from app.services.oidc.authorize import SCOPES
from app.services.oidc.claims import SUPPORTED_CLAIMS
from app.services.oidc.client_keys import CLIENT_SIGNING_ALGORITHMS
from app.services.oidc.dpop import DPOP_ALGORITHMS
from app.services.oidc.tokens import GRANTS

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]


def metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth2/authorize",
        "token_endpoint": f"{issuer}/oauth2/token",
        "userinfo_endpoint": f"{issuer}/oauth2/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "pushed_authorization_request_endpoint": f"{issuer}/oauth2/par",
        "require_pushed_authorization_requests": False,
        "revocation_endpoint": f"{issuer}/oauth2/revoke",
        "introspection_endpoint": f"{issuer}/oauth2/introspect",
        "end_session_endpoint": f"{issuer}/oauth2/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "jwt", "query.jwt"],  # JARM: `jwt` is `query.jwt` for the code flow
        "grant_types_supported": sorted(GRANTS),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(TOKEN_ALGORITHMS),
        "userinfo_signing_alg_values_supported": list(TOKEN_ALGORITHMS),
        "id_token_encryption_alg_values_supported": list(KEY_ALGORITHMS),
        "id_token_encryption_enc_values_supported": list(CONTENT_ENCRYPTIONS),
        "userinfo_encryption_alg_values_supported": list(KEY_ALGORITHMS),
        "userinfo_encryption_enc_values_supported": list(CONTENT_ENCRYPTIONS),
        "dpop_signing_alg_values_supported": list(DPOP_ALGORITHMS),
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        # Client assertions (private_key_jwt) and request objects are verified alike (client_keys.py).
        "token_endpoint_auth_signing_alg_values_supported": list(CLIENT_SIGNING_ALGORITHMS),
        # Public clients revoke their own tokens with their client_id alone (RFC 7009 §5), but never introspect.
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": list(CLIENT_SIGNING_ALGORITHMS),
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS[:-1],
        "introspection_endpoint_auth_signing_alg_values_supported": list(CLIENT_SIGNING_ALGORITHMS),
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": sorted(SCOPES),
        "claims_supported": SUPPORTED_CLAIMS
        + ["iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "sid"],
        "claims_parameter_supported": True,
        "authorization_response_iss_parameter_supported": True,
        # JARM responses are signed with the key and algorithm of the client's ID tokens (id_token_alg).
        "authorization_signing_alg_values_supported": list(TOKEN_ALGORITHMS),
        "request_parameter_supported": True,
        "request_object_signing_alg_values_supported": list(CLIENT_SIGNING_ALGORITHMS),
        # Only the request_uri values of pushed requests: no client-hosted request objects are fetched.
        "request_uri_parameter_supported": False,
        "acr_values_supported": list(ACR_BY_LEVEL.values()),
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["vi", "en"],
        "claim_types_supported": ["normal"],
        "frontchannel_logout_supported": False,
        "backchannel_logout_supported": False,
    }
