"""Encryption of what the sandbox sends (JWE, RFC 7516) to a client's public key, with joserfc: PyJWT has no JWE,
and hand-written key agreement or key wrapping is how encryption goes wrong."""

from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import import_key

KEY_ALGORITHMS = ("RSA-OAEP-256", "ECDH-ES+A256KW")
CONTENT_ENCRYPTIONS = ("A256GCM",)
# joserfc allows only its "recommended" algorithms unless told; RSA-OAEP-256 is not among them (RSA-OAEP is).
_REGISTRY = jwe.JWERegistry(algorithms=[*KEY_ALGORITHMS, *CONTENT_ENCRYPTIONS])


class EncryptionKeyUnusable(Exception):
    """The client's registered encryption key cannot be used for the algorithm it registered."""


def encrypt(plaintext: str, public_jwk: dict[str, Any], *, alg: str, enc: str, cty: str | None = None) -> str:
    """A compact JWE of `plaintext` that only the holder of `public_jwk`'s private key can read."""
    header = {"alg": alg, "enc": enc, "kid": public_jwk.get("kid"), **({"cty": cty} if cty else {})}
    try:
        return jwe.encrypt_compact(header, plaintext.encode(), import_key(public_jwk), registry=_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise EncryptionKeyUnusable(f"key {public_jwk.get('kid')} cannot encrypt with {alg}: {exc}") from exc
