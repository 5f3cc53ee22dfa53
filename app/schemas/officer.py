"""Shapes of the officer console API."""

from pydantic import BaseModel

from app.schemas.citizen import PopulationRecord
from app.services.procedures.views import ApplicationView


class OfficerApplication(BaseModel):
    """An application with the population record of its applicant (and subject, when someone else)."""

    application: ApplicationView
    applicant_record: PopulationRecord
    subject_record: PopulationRecord | None
