"""Shapes of the officer console API."""

from typing import Any

from pydantic import BaseModel

from app.schemas.application import ApplicationPublic


class OfficerApplication(BaseModel):
    """An application with the population record of its applicant (and subject, when someone else)."""

    application: ApplicationPublic
    applicant_record: dict[str, Any]
    subject_record: dict[str, Any] | None
