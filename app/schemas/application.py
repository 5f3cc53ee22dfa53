"""Shapes shared by every procedure: an application as the API shows it, with its history."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Text


class ApplicationEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor_personal_id: str | None = Field(description="Null for an officer's step, shown to citizens by name only.")
    actor_role: str
    note: str | None
    actor_name: str | None = Field(default=None, description="The officer's name, on an officer's step.")


class ApplicationPublic(BaseModel):
    """A filed procedure. `allowed_actions` lists what the caller may do next."""

    model_config = ConfigDict(from_attributes=True)  # built from the service's ApplicationView

    code: str = Field(description="Human-readable application code, e.g. DKTT-2026-000042.")
    procedure: str
    status: str
    applicant_personal_id: str
    subject_personal_id: str | None
    counterparty_personal_id: str | None
    commune_code: str | None
    province_code: str | None
    data: dict[str, Any]
    fee_vnd: int
    late: bool | None
    due_on: date | None = Field(description="Deadline for the authority, in working days from a complete file.")
    overdue: bool
    decision_reason: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    history: list[ApplicationEventPublic]


class ApplicationPage(BaseModel):
    items: list[ApplicationPublic]
    total: int
    limit: int
    offset: int


class Note(BaseModel):
    """An optional free-text reason that goes into the application's history."""

    reason: Text | None = Field(default=None, max_length=1000)
