"""The citizen's document wallet (kho giấy tờ): the documents issued to them, newest first, as they see them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import jwt
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM
from app.models import Application, Document
from app.services.documents.content import DocumentContent
from app.services.documents.pdf import render_pdf, verification_url
from app.services.documents.signing import DocumentNotFound
from app.services.paging import NextOffset


@dataclass(frozen=True)
class DocumentSummary:
    """One document in the citizen's wallet."""

    id: str
    code: Annotated[str, Field(description="Public code printed on the document and encoded in its QR code.")]
    kind: Annotated[str, Field(description="`criminal_record_certificate`, `temporary_residence_confirmation`, …")]
    title: str
    title_en: str
    issued_at: datetime  # the contract's times carry Vietnam's offset (+07:00)
    revoked: bool
    revoked_at: datetime | None

    @classmethod
    def of(cls, document: Document) -> "DocumentSummary":
        return cls(
            id=document.id,
            code=document.code,
            kind=document.kind,
            title=document.payload.get("title", ""),
            title_en=document.payload.get("title_en", ""),
            issued_at=document.issued_at.astimezone(VIETNAM),
            revoked=document.revoked_at is not None,
            revoked_at=document.revoked_at and document.revoked_at.astimezone(VIETNAM),
        )


@dataclass(frozen=True)
class DocumentDetail(DocumentSummary):
    """A document with its full content, its signed form and where anyone can check it."""

    owner_personal_id: str
    application_code: Annotated[str | None, Field(description="The application that produced it; null if none.")]
    content: DocumentContent
    jws: Annotated[
        str,
        Field(
            description="Compact JWS (RS256, `typ` vneid-document+jwt) signed with a document key published in "
            "/.well-known/jwks.json; its claims are `iss`, `iat`, `jti` (the id), `code`, `kind`, `sub` (owner's "
            "personal ID), `sandbox` and `document` (the content)."
        ),
    ]
    kid: Annotated[str | None, Field(description="Key ID of the signing key.")]
    verification_url: Annotated[str, Field(description="Public verification URL, the one in the QR code.")]


@dataclass(frozen=True)
class DocumentPage:
    items: list[DocumentSummary]
    next_offset: NextOffset


@dataclass(frozen=True)
class PdfCopy:
    content: bytes
    filename: str


def my_documents(db: Session, personal_id: str, *, limit: int, offset: int) -> DocumentPage:
    rows = list(
        db.scalars(
            select(Document)
            .where(Document.owner_personal_id == personal_id)
            .order_by(Document.issued_at.desc(), Document.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    return DocumentPage([DocumentSummary.of(d) for d in rows[:limit]], offset + limit if len(rows) > limit else None)


def my_document(db: Session, public_url: str, personal_id: str, document_id: str) -> DocumentDetail:
    """One of the citizen's documents, whole; another citizen's is DocumentNotFound, as if it did not exist."""
    document = _own_document(db, personal_id, document_id)
    return DocumentDetail(
        **vars(DocumentSummary.of(document)),
        owner_personal_id=document.owner_personal_id,
        application_code=_application_code(db, document),
        content=DocumentContent.model_validate(document.payload),
        jws=document.jws,
        kid=signing_kid(document),
        verification_url=verification_url(public_url, document.code),
    )


def my_document_pdf(db: Session, public_url: str, personal_id: str, document_id: str) -> PdfCopy:
    """One of the citizen's documents printed as an A4 PDF, with the name to save it under."""
    document = _own_document(db, personal_id, document_id)
    content = render_pdf(document, public_url=public_url, kid=signing_kid(document))
    return PdfCopy(content, f"{document.kind}-{document.code}.pdf")


def signing_kid(document: Document) -> str | None:
    kid = jwt.get_unverified_header(document.jws).get("kid")
    return kid if isinstance(kid, str) else None


def _own_document(db: Session, personal_id: str, document_id: str) -> Document:
    document = db.get(Document, document_id)
    if document is None or document.owner_personal_id != personal_id:
        raise DocumentNotFound("no such document in your wallet")
    return document


def _application_code(db: Session, document: Document) -> str | None:
    if document.application_id is None:
        return None
    return db.scalar(select(Application.code).where(Application.id == document.application_id))
