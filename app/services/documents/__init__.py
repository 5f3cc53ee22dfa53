"""Signed electronic documents: issue into a citizen's wallet, revoke, verify, and print as PDF."""

from app.services.documents.pdf import render_pdf, verification_url
from app.services.documents.signing import (
    DocumentNotFound,
    DocumentRevoked,
    DocumentVerification,
    issue_document,
    normalise_code,
    revoke_document,
    verify_code,
    verify_jws,
)
from app.services.documents.wallet import (
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    my_document,
    my_document_pdf,
    my_documents,
)

__all__ = [
    "DocumentDetail",
    "DocumentNotFound",
    "DocumentPage",
    "DocumentRevoked",
    "DocumentSummary",
    "DocumentVerification",
    "issue_document",
    "my_document",
    "my_document_pdf",
    "my_documents",
    "normalise_code",
    "render_pdf",
    "revoke_document",
    "verification_url",
    "verify_code",
    "verify_jws",
]
