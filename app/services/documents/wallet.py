"""The citizen's document wallet (kho giấy tờ): the documents issued to them, newest first."""

from dataclasses import dataclass

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Application, Document
from app.services.documents.signing import DocumentNotFound


@dataclass(frozen=True)
class Page:
    items: list[Document]
    next_offset: int | None


def my_documents(db: Session, personal_id: str, *, limit: int, offset: int) -> Page:
    rows = list(
        db.scalars(
            select(Document)
            .where(Document.owner_personal_id == personal_id)
            .order_by(Document.issued_at.desc(), Document.id.desc())
            .limit(limit + 1)
            .offset(offset)
        )
    )
    return Page(rows[:limit], offset + limit if len(rows) > limit else None)


def my_document(db: Session, personal_id: str, document_id: str) -> Document:
    """One of the citizen's documents; another citizen's is DocumentNotFound, as if it did not exist."""
    document = db.get(Document, document_id)
    if document is None or document.owner_personal_id != personal_id:
        raise DocumentNotFound("no such document in your wallet")
    return document


def application_code(db: Session, document: Document) -> str | None:
    if document.application_id is None:
        return None
    return db.scalar(select(Application.code).where(Application.id == document.application_id))


def signing_kid(document: Document) -> str | None:
    kid = jwt.get_unverified_header(document.jws).get("kid")
    return kid if isinstance(kid, str) else None
