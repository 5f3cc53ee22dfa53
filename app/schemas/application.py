"""Shapes shared by every procedure: a page of applications, a note (an application itself is the service's
`ApplicationView`)."""

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Text
from app.services.procedures.views import ApplicationView


class ApplicationPage(BaseModel):
    items: list[ApplicationView]
    total: int
    limit: int
    offset: int


class Note(BaseModel):
    """An optional free-text reason that goes into the application's history."""

    model_config = ConfigDict(extra="forbid")

    reason: Text | None = Field(default=None, max_length=1000)
