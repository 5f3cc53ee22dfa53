"""DPoP (RFC 9449): proofs that the caller holds the private key a token is bound to.

A proof is a JWT signed with the client's key (its public JWK in the header), for one HTTP method and URL, made
just now, used once. The token endpoint binds the tokens it issues to the proof's key (`cnf.jkt`); every protected
resource then wants `Authorization: DPoP <token>` with a fresh proof carrying the token's hash (`ath`). Used proofs
are remembered in the database, so no worker accepts one twice. Server nonces (§8, §9) are the `dpop_nonce`
scenario, at the token endpoint, PAR and the protected resources.
"""

import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from joserfc.errors import JoseError
from joserfc.jwk import import_key
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import WriteRefused, reads_only, record_later
from app.core.errors import AppError, OAuthError
from app.core.keys import KeyStore, TokenInvalid
from app.models import Client, UsedDpopProof
from app.services.oidc import profiles, scenarios
from app.services.oidc.clients import find_client
from app.services.oidc.scenarios import Stage

DPOP_ALGORITHMS = ("ES256", "PS256", "EdDSA")
PROOF_TYPE = "dpop+jwt"
MAX_AGE_SECONDS = 60  # a proof older than this (by `iat`) is stale
LEEWAY_SECONDS = 5
NONCE_TYPE = "dpop-nonce+jwt"
NONCE_SECONDS = 300
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
CHALLENGE = f'DPoP algs="{" ".join(DPOP_ALGORITHMS)}"'
REPLAYED = "this DPoP proof was already used (jti)"


class ProofRefused(Exception):
    """Why a DPoP proof is refused; the endpoint renders it in its own shape."""

    def __init__(self, reason: str, *, use_nonce: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.use_nonce = reason, use_nonce


class InvalidDpopProof(AppError):
    status, code, title = 401, "invalid_dpop_proof", "Missing or invalid DPoP proof"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_dpop_proof"'})


class UseDpopNonce(AppError):
    """RFC 9449 §9: a protected resource wants its nonce in the proof; the answer carries one to retry with."""

    status, code, title = 401, "use_dpop_nonce", "A DPoP proof with the server's nonce is required"

    def __init__(self, detail: str, nonce: str) -> None:
        challenge = f'{CHALLENGE}, error="use_dpop_nonce"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge, "DPoP-Nonce": nonce})


@dataclass(frozen=True)
class Proof:
    jkt: str  # RFC 7638 thumbprint of the proof's public key


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    return str(import_key(jwk).thumbprint())


def access_token_hash(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


def verify_proof(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    values: list[str],
    *,
    method: str,
    url: str,
    access_token: str | None = None,
    nonce_required: bool = False,
) -> Proof:
    """The proof of one request (RFC 9449 §4.3), checked and remembered as used; ProofRefused otherwise."""
    if len(values) != 1:
        raise ProofRefused("send exactly one DPoP header" if values else "a DPoP proof is required (DPoP header)")
    proof = values[0]
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.PyJWTError as exc:
        raise ProofRefused(f"the DPoP proof is not a JWT: {exc}") from exc
    jwk = header.get("jwk")
    if header.get("typ") != PROOF_TYPE:
        raise ProofRefused(f"the DPoP proof's typ must be {PROOF_TYPE}")
    if header.get("alg") not in DPOP_ALGORITHMS:
        raise ProofRefused(f"the DPoP proof's alg must be one of {', '.join(DPOP_ALGORITHMS)}")
    if not isinstance(jwk, dict) or PRIVATE_MEMBERS & jwk.keys():
        raise ProofRefused("the DPoP proof's header must carry the public key as jwk (and no private part)")
    try:
        claims: dict[str, Any] = jwt.decode(
            proof,
            jwt.PyJWK(jwk, algorithm=header["alg"]).key,
            algorithms=[header["alg"]],
            options={"require": ["jti", "htm", "htu", "iat"], "verify_aud": False, "verify_iat": False},
        )
        jkt = jwk_thumbprint(jwk)
    except (jwt.PyJWTError, JoseError, ValueError) as exc:
        raise ProofRefused(f"the DPoP proof does not verify: {exc}") from exc
    if claims["htm"] != method:
        raise ProofRefused(f"the DPoP proof is for {claims['htm']}, not {method} (htm)")
    if claims["htu"] != url:
        raise ProofRefused(f"the DPoP proof is for {claims['htu']}, not {url} (htu, without query or fragment)")
    now = time.time()
    if not isinstance(claims["iat"], int | float) or not now - MAX_AGE_SECONDS <= claims["iat"] <= now + LEEWAY_SECONDS:
        raise ProofRefused(f"the DPoP proof is stale or from the future (iat must be within {MAX_AGE_SECONDS} s)")
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise ProofRefused("the DPoP proof's ath is not the hash of this access token")
    if nonce_required and not _nonce_ok(db, keys, settings, claims.get("nonce")):
        raise ProofRefused("the server wants a DPoP nonce: retry with the DPoP-Nonce of this answer", use_nonce=True)
    _remember(db, hashlib.sha256(f"{jkt}:{claims['jti']}".encode()).hexdigest(), now)
    return Proof(jkt)


def _remember(db: Session, proof_hash: str, now: float) -> None:
    """Spend the proof. Of two identical proofs at the same instant exactly one passes: the proof's row must be new
    (its primary key), now in a write session, or in a read (a protected resource) when the group commit writes
    it, before the response is sent; the request whose row comes second fails."""
    if db.get(UsedDpopProof, proof_hash) is not None:
        raise ProofRefused(REPLAYED)
    row = UsedDpopProof(
        proof_hash=proof_hash, expires_at=datetime.fromtimestamp(now + MAX_AGE_SECONDS + LEEWAY_SECONDS, UTC)
    )
    if not reads_only(db):
        if not _insert_once(db, row):
            raise ProofRefused(REPLAYED)
        return

    def write(session: Session) -> None:
        if not _insert_once(session, row):
            raise WriteRefused(InvalidDpopProof(REPLAYED))  # only protected resources verify proofs in reads

    record_later(db, write)


def _insert_once(db: Session, row: UsedDpopProof) -> bool:
    try:
        with db.begin_nested():  # another request's row (any worker) wins on the primary key
            db.add(row)
    except IntegrityError:
        return False
    return True


def new_nonce(db: Session, keys: KeyStore, settings: Settings) -> str:
    """A server nonce any worker can check: signed by the sandbox, valid NONCE_SECONDS."""
    now = int(time.time())
    claims = {"iss": settings.public_url, "aud": NONCE_TYPE, "iat": now, "exp": now + NONCE_SECONDS}
    return keys.sign(db, claims, typ=NONCE_TYPE, alg="ES256")


def _nonce_ok(db: Session, keys: KeyStore, settings: Settings, nonce: object) -> bool:
    if not isinstance(nonce, str):
        return False
    try:
        keys.verify(db, nonce, audience=NONCE_TYPE, issuer=settings.public_url, typ=NONCE_TYPE)
    except TokenInvalid:
        return False
    return True


def token_request_proof(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    client: Client,
    values: list[str],
    url: str,
    *,
    required: bool = True,
) -> Proof | None:
    """The proof of a token (or PAR) request, if any: at the token endpoint, required for clients whose tokens are
    DPoP-bound. Refusals in the token endpoint's shape, `use_dpop_nonce` with a fresh `DPoP-Nonce` while the
    scenario is armed."""
    if not values:
        if required and profiles.requires_dpop(client):
            raise OAuthError("invalid_dpop_proof", "this client's tokens are DPoP-bound: send a DPoP proof")
        return None
    db.execute(delete(UsedDpopProof).where(UsedDpopProof.expires_at < datetime.now(UTC)))
    nonce_required = client.test_client and scenarios.take(db, client.client_id, Stage.DPOP_NONCE) is not None
    try:
        return verify_proof(db, keys, settings, values, method="POST", url=url, nonce_required=nonce_required)
    except ProofRefused as refused:
        if refused.use_nonce:
            raise OAuthError(
                "use_dpop_nonce", refused.reason, headers={"DPoP-Nonce": new_nonce(db, keys, settings)}
            ) from None
        raise OAuthError("invalid_dpop_proof", refused.reason) from None


def dpop_access_token(authorization: str | None) -> str | None:
    """The token of `Authorization: DPoP <token>`, or None for any other scheme."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "dpop" else None


def check_resource_request(
    db: Session,
    keys: KeyStore,
    settings: Settings,
    claims: dict[str, Any],
    token: str,
    *,
    dpop_scheme: bool,
    values: list[str],
    method: str,
    url: str,
) -> None:
    """A protected resource's request: a DPoP-bound token only with `Authorization: DPoP` and a proof of the
    token's key for this method and URL (RFC 9449 §7); a Bearer token never under the DPoP scheme."""
    bound = (claims.get("cnf") or {}).get("jkt")
    if bound is None:
        if dpop_scheme:
            raise InvalidDpopProof("this access token is not DPoP-bound: send it as Authorization: Bearer")
        return
    if not dpop_scheme:
        raise InvalidDpopProof("this access token is DPoP-bound: send Authorization: DPoP <token> with a DPoP proof")
    client = find_client(db, str(claims.get("client_id", "")))
    # While armed, whatever its `times` (which count token and PAR requests): a read writes nothing.
    nonce_required = (
        client is not None and client.test_client and scenarios.applies(db, client.client_id, Stage.DPOP_NONCE)
    )
    try:
        proof = verify_proof(
            db, keys, settings, values, method=method, url=url, access_token=token, nonce_required=nonce_required
        )
    except ProofRefused as refused:
        if refused.use_nonce:
            raise UseDpopNonce(refused.reason, new_nonce(db, keys, settings)) from None
        raise InvalidDpopProof(refused.reason) from None
    if proof.jkt != bound:
        raise InvalidDpopProof("the DPoP proof is signed by another key than the one the token is bound to")
