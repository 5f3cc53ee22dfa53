"""Shapes of signed documents: the wallet's views of them and verification results (their content is defined
with the documents service, app/services/documents/content.py)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.core.clock import VIETNAM
from app.schemas.common import Text
from app.services.documents.content import DocumentContent as DocumentContent  # the content, re-exported
from app.services.documents.content import VerificationStatus

# The contract's times carry Vietnam's offset (+07:00); the database hands them back in UTC.
LocalTime = Annotated[datetime, AfterValidator(lambda moment: moment.astimezone(VIETNAM))]


class DocumentSummary(BaseModel):
    """One document in the citizen's wallet."""

    id: str
    code: str = Field(description="Public code printed on the document and encoded in its QR code.")
    kind: str = Field(description="`criminal_record_certificate`, `temporary_residence_confirmation`, …")
    title: str
    title_en: str
    issued_at: LocalTime
    revoked: bool
    revoked_at: LocalTime | None


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    next_offset: int | None = Field(description="Pass as `offset` for the next (older) page; null on the last page.")


class DocumentDetail(DocumentSummary):
    """A document with its full content, its signed form and where anyone can check it."""

    owner_personal_id: str
    application_code: str | None = Field(description="The application that produced it; null if none.")
    content: DocumentContent
    jws: str = Field(
        description="Compact JWS (RS256, `typ` vneid-document+jwt) signed with a document key published in "
        "/.well-known/jwks.json; its claims are `iss`, `iat`, `jti` (the id), `code`, `kind`, `sub` (owner's "
        "personal ID), `sandbox` and `document` (the content)."
    )
    kid: str | None = Field(description="Key ID of the signing key.")
    verification_url: str = Field(description="Public verification URL, the one in the QR code.")


class JwsVerificationRequest(BaseModel):
    jws: Text = Field(max_length=100_000, description="A document's compact JWS, as given to the citizen.")


class DocumentVerification(BaseModel):
    """The verdict on a presented document. Fields other than `status` are null when unknown."""

    status: VerificationStatus = Field(
        description="`valid`: issued by this sandbox, unchanged and not revoked. `revoked`: issued here, then "
        "revoked. `tampered`: names a document issued here, but the signature or the content does not match. "
        "`unknown`: not issued here (or not a document at all)."
    )
    code: str | None = None
    kind: str | None = None
    title: str | None = None
    issued_at: LocalTime | None = None
    revoked_at: LocalTime | None = None
    kid: str | None = Field(default=None, description="Key ID the document was signed with (JWS checks only).")


class DocumentRevocation(BaseModel):
    reason: Text = Field(min_length=1, max_length=200, description="Why the document is revoked, for the record.")


class DocumentRevoked(BaseModel):
    code: str
    status: Literal["revoked"]
    revoked_at: LocalTime
    reason: str | None
