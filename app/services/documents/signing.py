"""Issuing, revoking and verifying signed documents: one JWS per document, signed with a document key."""

import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

import jwt
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM
from app.core.errors import NotFound
from app.core.keys import DOCUMENT_KEYS
from app.models import Application, Document, SigningKey
from app.services import webhooks
from app.services.documents.content import DocumentContent, VerificationStatus

if TYPE_CHECKING:  # the procedures import this module; a runtime import back would be circular
    from app.core.context import Env

DOCUMENT_TYPE = "vneid-document+jwt"
CODE_PREFIX = "VN"
CODE_LENGTH = 10  # 50 random bits: guessing a valid code is hopeless, reading one aloud is easy
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford base32 reads what people mistype: I and L as 1, O as 0, and ignores hyphens and spaces.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})
# Documents outlive key rotations: a document key is trusted for as long as this, retired or not.
KEY_TRUST = timedelta(days=365 * 100)


class DocumentNotFound(NotFound):
    code, title = "document_not_found", "No such document"


@dataclass(frozen=True)
class DocumentVerification:
    """The verdict on a presented document. Fields other than `status` are null when unknown."""

    status: Annotated[
        VerificationStatus,
        Field(
            description="`valid`: issued by this sandbox, unchanged and not revoked. `revoked`: issued here, then "
            "revoked. `tampered`: names a document issued here, but the signature or the content does not match. "
            "`unknown`: not issued here (or not a document at all)."
        ),
    ]
    code: str | None = None
    kind: str | None = None
    title: str | None = None
    issued_at: datetime | None = None
    revoked_at: datetime | None = None
    kid: Annotated[str | None, Field(description="Key ID the document was signed with (JWS checks only).")] = None

    @classmethod
    def of(cls, status: VerificationStatus, document: Document, kid: str | None = None) -> "DocumentVerification":
        return cls(
            status=status,
            code=document.code,
            kind=document.kind,
            title=document.payload.get("title"),
            issued_at=document.issued_at.astimezone(VIETNAM),
            revoked_at=document.revoked_at and document.revoked_at.astimezone(VIETNAM),
            kid=kid,
        )


@dataclass(frozen=True)
class DocumentRevoked:
    code: str
    status: Literal["revoked"]
    revoked_at: datetime
    reason: str | None


def new_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CROCKFORD) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """The canonical form of a code as a person may type it: `vn-7k3m 9q2x 4d` is `VN7K3M9Q2X4D`."""
    return unicodedata.normalize("NFKC", code).upper().translate(_READ_AS)


def issue_document(
    env: "Env", *, kind: str, owner_personal_id: str, application: Application | None, payload: dict[str, Any]
) -> Document:
    """Sign and store a document for the owner's wallet, and emit `document.issued`, in the caller's transaction.

    `payload` is the content ({title, title_en, fields, sections?, data?}, see DocumentContent); a payload of
    another shape is a programming error (pydantic ValidationError), not a client's.
    """
    db, now = env.db, env.clock.now()
    content = DocumentContent.model_validate(payload).model_dump(mode="json")
    code = new_code()
    while db.scalar(select(Document.id).where(Document.code == code)) is not None:
        code = new_code()
    document_id = uuid.uuid4().hex
    claims = {
        "iss": env.settings.public_url,
        "iat": int(now.timestamp()),
        "jti": document_id,
        "code": code,
        "kind": kind,
        "sub": owner_personal_id,
        "sandbox": True,
        "document": content,
    }
    document = Document(
        id=document_id,
        code=code,
        kind=kind,
        owner_personal_id=owner_personal_id,
        application_id=application.id if application is not None else None,
        payload=content,
        jws=env.keys.sign(db, claims, typ=DOCUMENT_TYPE, purpose=DOCUMENT_KEYS),
        issued_at=now,
    )
    db.add(document)
    db.flush()
    webhooks.emit(
        db,
        now,
        "document.issued",
        application.client_id if application is not None else None,
        {"document_code": code, "kind": kind, "application_code": application.code if application else None},
    )
    return document


def revoke_document(env: "Env", code: str, reason: str) -> DocumentRevoked:
    """Revoke a document by its code; revoking it again keeps the first time and reason. DocumentNotFound if none."""
    document = env.db.scalar(select(Document).where(Document.code == normalise_code(code)))
    if document is None:
        raise DocumentNotFound(f"no document has the code {code!r}")
    if document.revoked_at is None:
        document.revoked_at, document.revoke_reason = env.clock.now(), reason
        env.db.flush()
    return DocumentRevoked(document.code, "revoked", document.revoked_at.astimezone(VIETNAM), document.revoke_reason)


def verify_code(db: Session, code: str) -> DocumentVerification:
    """What the QR code's URL answers: is there a document with this code, and is it still valid?"""
    code = normalise_code(code)
    document = db.scalar(select(Document).where(Document.code == code)) if _plain(code, 24) else None
    if document is None:
        return DocumentVerification("unknown")
    return DocumentVerification.of("revoked" if document.revoked_at else "valid", document)


def verify_jws(env: "Env", token: str) -> DocumentVerification:
    """Check a presented JWS against our document keys and our record of what we issued.

    `unknown` unless it names (by `jti`, else `code`) a document we issued under a document key of ours;
    then `tampered` if the signature fails or the claims differ from those we signed, else `revoked`/`valid`.
    Garbage of any kind is `unknown`, never an exception.
    """
    db = env.db
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return DocumentVerification("unknown")
    kid = header.get("kid")
    key_row = db.get(SigningKey, kid) if _plain(kid, 64) else None
    if key_row is None or key_row.purpose != DOCUMENT_KEYS:
        return DocumentVerification("unknown")
    document = _named_document(db, claims)
    if document is None:
        return DocumentVerification("unknown", kid=key_row.kid)
    signed = jwt.decode(document.jws, options={"verify_signature": False})
    if claims != signed or not _signed_by_us(env, token, header, key_row):
        return DocumentVerification.of("tampered", document, key_row.kid)
    return DocumentVerification.of("revoked" if document.revoked_at else "valid", document, key_row.kid)


def _plain(value: object, max_length: int) -> bool:
    # Decoded JOSE members can hold anything; NUL or a lone surrogate would make the database driver fail.
    return isinstance(value, str) and 0 < len(value) <= max_length and value.isprintable()


def _named_document(db: Session, claims: dict[str, Any]) -> Document | None:
    document_id, code = claims.get("jti"), claims.get("code")
    document = db.get(Document, document_id) if _plain(document_id, 32) else None
    if document is None and _plain(code, 24):
        document = db.scalar(select(Document).where(Document.code == code))
    return document


def _signed_by_us(env: "Env", token: str, header: dict[str, Any], key_row: SigningKey) -> bool:
    published = env.keys.published(env.db, env.clock.now(), KEY_TRUST)
    key = next((k for k in published if k.kid == key_row.kid), None)
    if key is None or header.get("alg") != key.alg or header.get("typ") != DOCUMENT_TYPE:
        return False
    try:
        # Documents do not expire, and `iat` follows the sandbox clock, which may run ahead of real time.
        jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=[key.alg],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return False
    return True
