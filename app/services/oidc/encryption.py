"""Responses encrypted to the client (ID tokens, userinfo) and userinfo as a signed JWT, by the client's registered
`*_encrypted_response_alg`/`_enc` and `userinfo_signed_response_alg` (OIDC Registration §2)."""

from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import OAuthError
from app.core.jwe import CONTENT_ENCRYPTIONS, KEY_ALGORITHMS, EncryptionKeyUnusable, encrypt
from app.core.keys import TOKEN_ALGORITHMS, KeyStore
from app.core.outbound import OutboundPolicy
from app.models import Client
from app.services.oidc.client_keys import encryption_key

DEFAULT_ENC = "A256GCM"
DEFAULT_USERINFO_ALG = "RS256"  # an encrypted userinfo is signed first (nested JWT), RS256 unless registered


def registration_problems(metadata: dict[str, Any]) -> list[str]:
    problems = []
    if metadata.get("userinfo_signed_response_alg") not in (None, *TOKEN_ALGORITHMS):
        problems.append(f"userinfo_signed_response_alg must be one of {', '.join(TOKEN_ALGORITHMS)}")
    for response in ("id_token", "userinfo"):
        alg, enc = (
            metadata.get(f"{response}_encrypted_response_alg"),
            metadata.get(f"{response}_encrypted_response_enc"),
        )
        if alg is None:
            if enc is not None:
                problems.append(f"{response}_encrypted_response_enc needs {response}_encrypted_response_alg")
            continue
        if alg not in KEY_ALGORITHMS:
            problems.append(f"{response}_encrypted_response_alg must be one of {', '.join(KEY_ALGORITHMS)}")
        if enc not in (None, *CONTENT_ENCRYPTIONS):
            problems.append(f"{response}_encrypted_response_enc must be one of {', '.join(CONTENT_ENCRYPTIONS)}")
        inline = (metadata.get("jwks") or {}).get("keys")
        if inline is not None and not any(k.get("use") == "enc" and k.get("alg") == alg for k in inline):
            problems.append(f"{response} encryption with {alg} needs a key in jwks with use enc and alg {alg}")
        elif inline is None and not metadata.get("jwks_uri"):
            problems.append(f"{response} encryption needs jwks or jwks_uri with the encryption key")
    return problems


def seal(settings: Settings, client: Client, response: str, jwt: str) -> str:
    """`jwt` (a signed ID token or userinfo) encrypted to the client when it registered encryption of `response`
    (`id_token` or `userinfo`), unchanged otherwise (a nested JWT: signed, then encrypted)."""
    alg: str | None = getattr(client, f"{response}_encrypted_response_alg")
    if alg is None:
        return jwt
    enc = getattr(client, f"{response}_encrypted_response_enc") or DEFAULT_ENC
    key = encryption_key(client, alg, OutboundPolicy.of(settings))
    if key is None:
        raise OAuthError("invalid_client", f"the client has no {alg} encryption key (use enc) in its JWKS", status=401)
    try:
        return encrypt(jwt, key, alg=alg, enc=enc, cty="JWT")
    except EncryptionKeyUnusable as exc:
        raise OAuthError("invalid_client", str(exc), status=401) from exc


def userinfo_jwt(db: Session, keys: KeyStore, settings: Settings, client: Client, claims: dict[str, Any]) -> str | None:
    """Userinfo as a JWT signed with the client's `userinfo_signed_response_alg` (with `iss` and `aud`, OIDC Core
    §5.3.2), then encrypted if the client asked; None for a client that takes plain JSON."""
    alg = client.userinfo_signed_response_alg
    if alg is None and client.userinfo_encrypted_response_alg is None:
        return None
    signed = keys.sign(
        db, {**claims, "iss": settings.public_url, "aud": client.client_id}, alg=alg or DEFAULT_USERINFO_ALG
    )
    return seal(settings, client, "userinfo", signed)
