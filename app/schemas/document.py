"""Requests of the documents API (its responses are the views of app/services/documents/)."""

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Text


class JwsVerificationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jws: Text = Field(max_length=100_000, description="A document's compact JWS, as given to the citizen.")


class DocumentRevocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=200, description="Why the document is revoked, for the record.")
