"""Shapes of the officer console API."""

from pydantic import BaseModel

from app.schemas.application import ApplicationPublic
from app.schemas.citizen import PopulationRecord


class OfficerApplication(BaseModel):
    """An application with the population record of its applicant (and subject, when someone else)."""

    application: ApplicationPublic
    applicant_record: PopulationRecord
    subject_record: PopulationRecord | None
