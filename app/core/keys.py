"""The sandbox's signing keys and every JOSE operation on them (PyJWT + cryptography).

Keys are generated once, persisted in the database (so every worker signs with the same key) and
cached here per process after parsing. Verification pins the algorithm to the key, never to the
token header, and requires `exp`, `iss` and `aud`.
"""

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.versions import Area, VersionedCache, bump
from app.models import SigningKey

TOKEN_KEYS = "token"
DOCUMENT_KEYS = "document"  # documents get keys of their own, with their own kid in the JWKS
ACTIVE, NEXT, RETIRED = "active", "next", "retired"
TOKEN_ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 5
VERIFIED_LIMIT = 50_000  # tokens remembered as verified, per process


# The key types the sandbox signs with (RS256, ES256): narrower than what cryptography can load.
SigningPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class TokenInvalid(Exception):
    """A JWT failed verification; the message says why, for the integrator."""


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    alg: str
    private_key: SigningPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        return {**_public_jwk(self.private_key), "kid": self.kid, "alg": self.alg, "use": "sig"}


@dataclass(frozen=True)
class Unsigned:
    """Claims and the key chosen for them, signed later: signing is CPU work that need not hold a write transaction
    (on SQLite, the one write gate), so a writer decides what to sign, commits, then signs."""

    key: LoadedKey
    claims: dict[str, Any]
    typ: str = "JWT"

    def sign(self) -> str:
        return jwt.encode(
            self.claims, self.key.private_key, algorithm=self.key.alg, headers={"kid": self.key.kid, "typ": self.typ}
        )


def _public_jwk(private_key: SigningPrivateKey) -> dict[str, Any]:
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    else:
        jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    # PyJWT adds key_ops to RSA keys; next to `use` it makes strict libraries (cryptojwt) refuse the key, and
    # RFC 7517 §4.3 says the two SHOULD NOT be used together. JWKS entries say `use` only.
    jwk.pop("key_ops", None)
    return jwk


def _new_private_key(alg: str) -> SigningPrivateKey:
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class SpareKeys:
    """RSA keys generated ahead in a background thread: a new sandbox world needs four (tokens and documents,
    active and next), about 100 ms each, which would make up most of its creation time."""

    def __init__(self) -> None:
        self._keys: list[SigningPrivateKey] = []
        self._lock = threading.Lock()
        self._filling = False

    def take(self, alg: str) -> SigningPrivateKey:
        if alg == "RS256":
            with self._lock:
                if self._keys:
                    return self._keys.pop()
        return _new_private_key(alg)

    @property
    def available(self) -> int:
        with self._lock:
            return len(self._keys)

    def keep(self, count: int) -> None:
        """Top the spares up to `count` in a background thread (one at a time)."""
        with self._lock:
            if self._filling or len(self._keys) >= count:
                return
            self._filling = True
        threading.Thread(target=self._fill, args=(count,), name="spare-keys", daemon=True).start()

    def _fill(self, count: int) -> None:
        try:
            while True:
                with self._lock:
                    if len(self._keys) >= count:
                        return
                key = _new_private_key("RS256")
                with self._lock:
                    self._keys.append(key)
        finally:
            with self._lock:
                self._filling = False


spare_keys = SpareKeys()


def _generate(purpose: str, alg: str, now: datetime, status: str) -> SigningKey:
    private = spare_keys.take(alg)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    # RFC 7638 thumbprint as kid: stable, unique, and checkable by anyone holding the public key.
    kid = _thumbprint(_public_jwk(private))
    return SigningKey(kid=kid, alg=alg, purpose=purpose, status=status, private_pem=pem, created_at=now)


def _thumbprint(jwk: dict[str, Any]) -> str:
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyRecord:
    """A signing key row as the cache keeps it: parsed once per process."""

    key: LoadedKey
    purpose: str
    status: str
    created_at: datetime
    retired_at: datetime | None


class KeyStore:
    """The sandbox's keys, read through a per-process cache that every rotation (in any process) invalidates."""

    def __init__(self) -> None:
        self._parsed: dict[str, LoadedKey] = {}
        self._lock = threading.Lock()
        self._records = VersionedCache(Area.KEYS, self._load_records)
        self._verified: dict[tuple[str, str, str, str | None], dict[str, Any]] = {}

    def _parse(self, row: SigningKey) -> LoadedKey:
        with self._lock:
            loaded = self._parsed.get(row.kid)
            if loaded is None:
                private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
                if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
                    raise TypeError(f"signing key {row.kid} is neither RSA nor EC")
                loaded = self._parsed[row.kid] = LoadedKey(row.kid, row.alg, private)
            return loaded

    def _load_records(self, db: Session) -> dict[str, KeyRecord]:
        rows = db.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()
        return {r.kid: KeyRecord(self._parse(r), r.purpose, r.status, r.created_at, r.retired_at) for r in rows}

    def ensure_keys(
        self, db: Session, now: datetime, purpose: str = TOKEN_KEYS, algorithms: tuple[str, ...] = TOKEN_ALGORITHMS
    ) -> None:
        """On first start: an active key per algorithm, and the next one already published."""
        for alg in algorithms:
            for status in (ACTIVE, NEXT):
                if self._row(db, purpose, alg, status) is None:
                    db.add(_generate(purpose, alg, now, status))
                    db.flush()
                    bump(db, Area.KEYS)

    def rotate(self, db: Session, now: datetime, purpose: str = TOKEN_KEYS) -> list[str]:
        """Sign with the published next key, retire the old one (still published), publish a new next key."""
        for alg in TOKEN_ALGORITHMS:
            old, new = self._row(db, purpose, alg, ACTIVE), self._row(db, purpose, alg, NEXT)
            if old is None or new is None:
                raise RuntimeError("keys are not initialised: start the sandbox once")
            old.status, old.retired_at = RETIRED, now
            new.status = ACTIVE
            db.add(_generate(purpose, alg, now, NEXT))
            db.flush()
        bump(db, Area.KEYS)
        return [self.active(db, alg, purpose).kid for alg in TOKEN_ALGORITHMS]

    @staticmethod
    def _row(db: Session, purpose: str, alg: str, status: str) -> SigningKey | None:
        return db.scalars(
            select(SigningKey)
            .where(SigningKey.purpose == purpose, SigningKey.alg == alg, SigningKey.status == status)
            .order_by(SigningKey.created_at.desc())
        ).first()

    def active(self, db: Session, alg: str = "RS256", purpose: str = TOKEN_KEYS) -> LoadedKey:
        for record in reversed(self._records.get(db).values()):  # newest first
            if record.purpose == purpose and record.key.alg == alg and record.status == ACTIVE:
                return record.key
        raise RuntimeError(f"no active {purpose} {alg} key: run `vneid-sandbox migrate` and start once")

    def published(self, db: Session, now: datetime, retention: timedelta) -> list[LoadedKey]:
        """Keys in the JWKS: next and active ones; retired token keys while tokens they signed may live; retired
        document keys for good, since the documents they signed stay valid for years."""
        return [
            r.key
            for r in self._records.get(db).values()
            if r.status != RETIRED
            or r.purpose == DOCUMENT_KEYS
            or (r.retired_at is not None and r.retired_at + retention > now)
        ]

    def sign(
        self, db: Session, claims: dict[str, Any], *, typ: str = "JWT", alg: str = "RS256", purpose: str = TOKEN_KEYS
    ) -> str:
        return self.unsigned(db, claims, typ=typ, alg=alg, purpose=purpose).sign()

    def unsigned(
        self, db: Session, claims: dict[str, Any], *, typ: str = "JWT", alg: str = "RS256", purpose: str = TOKEN_KEYS
    ) -> Unsigned:
        return Unsigned(self.active(db, alg, purpose), claims, typ)

    def verify(
        self, db: Session, token: str, *, audience: str, issuer: str, typ: str | None = None, verify_exp: bool = True
    ) -> dict[str, Any]:
        """Claims of a token signed by one of our keys; TokenInvalid otherwise. Token times are real time.

        `verify_exp=False` is for an expired ID token presented as a hint of who is logging out. A token verified
        once is remembered until it expires: a signature stays valid, and clients send the same token many times.
        """
        remembered = (token, audience, issuer, typ)
        if verify_exp:
            claims = self._verified.get(remembered)
            if claims is not None and claims["exp"] + LEEWAY_SECONDS > time.time():
                return dict(claims)
        claims = self._verify(db, token, audience=audience, issuer=issuer, typ=typ, verify_exp=verify_exp)
        if verify_exp:
            if len(self._verified) >= VERIFIED_LIMIT:
                self._verified.clear()
            self._verified[remembered] = claims
        return dict(claims)

    def _verify(
        self, db: Session, token: str, *, audience: str, issuer: str, typ: str | None, verify_exp: bool
    ) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"not a JWS: {exc}") from exc
        kid = header.get("kid")
        record = self._records.get(db).get(kid) if isinstance(kid, str) else None
        if record is None or record.purpose != TOKEN_KEYS:  # a document key never signs a token
            raise TokenInvalid("unknown signing key (kid)")
        key = record.key
        if header.get("alg") != key.alg:
            raise TokenInvalid(f"algorithm {header.get('alg')!r} is not the key's ({key.alg})")
        if typ is not None and str(header.get("typ", "")).lower() not in (typ, f"application/{typ}"):
            raise TokenInvalid(f"token type must be {typ}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.private_key.public_key(),
                algorithms=[key.alg],
                audience=audience,
                issuer=issuer,
                options={"require": ["exp", "iss", "aud", "iat"], "verify_exp": verify_exp},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as exc:
            raise TokenInvalid(str(exc)) from exc
        # A retired key verifies only what it signed while it was active: a leaked old key cannot mint new tokens.
        if record.retired_at is not None and claims["iat"] > record.retired_at.timestamp() + LEEWAY_SECONDS:
            raise TokenInvalid("signed by a retired key after it was retired")
        return claims
