"""Signed electronic documents: issue into a citizen's wallet, revoke, verify, and print as PDF."""

from app.services.documents.pdf import render_pdf, verification_url
from app.services.documents.signing import (
    DocumentNotFound,
    Verification,
    issue_document,
    normalise_code,
    revoke_document,
    verify_code,
    verify_jws,
)
from app.services.documents.wallet import application_code, my_document, my_documents, signing_kid

__all__ = [
    "DocumentNotFound",
    "Verification",
    "application_code",
    "issue_document",
    "my_document",
    "my_documents",
    "normalise_code",
    "render_pdf",
    "revoke_document",
    "signing_kid",
    "verification_url",
    "verify_code",
    "verify_jws",
]
