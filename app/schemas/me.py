"""Shapes of the citizen's self-service API (/v1/me): own record, access log, consents, account history."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.schemas.account import AccountPublic, Note
from app.schemas.citizen import CitizenRecord

# The record fields are those of the population API (minus its access receipt), so the two never drift apart.
_RECORD_FIELDS: dict[str, Any] = {
    name: (field.annotation, field) for name, field in CitizenRecord.model_fields.items() if name != "access"
}

Me = create_model(
    "Me",
    __doc__="The signed-in citizen's own record, every field, and their VNeID account.",
    **_RECORD_FIELDS,
    account=(AccountPublic | None, Field(description="null if the citizen has no account.")),
)


class AccessLogEntry(BaseModel):
    """One read or verification of the citizen's data by a relying party."""

    id: int
    at: datetime
    client_id: str
    client_name: str | None = Field(description="null if the client is no longer registered.")
    action: str = Field(
        description="read, household (read as a member of a household), verify, or a sign-in's release: id_token, "
        "userinfo."
    )
    fields: list[str]
    purpose: str | None
    fee_vnd: int
    request_id: str | None


class AccessLogPage(BaseModel):
    items: list[AccessLogEntry]
    next_offset: int | None = Field(description="Pass as `offset` for the next (older) page; null on the last page.")


class ConsentEntry(BaseModel):
    id: int
    client_id: str
    client_name: str
    purpose: str
    scopes: list[str]
    status: Literal["active", "revoked"]
    granted_at: datetime
    revoked_at: datetime | None


class ConsentList(BaseModel):
    items: list[ConsentEntry]


class AccountEventEntry(BaseModel):
    at: datetime
    action: str = Field(description="apply, register, cancel, upgrade, lock or unlock.")
    actor: str = Field(description="holder, officer, system or population_database.")
    reason: str | None
    level: int
    status: str


class AccountHistory(BaseModel):
    items: list[AccountEventEntry]


class HolderLockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = None
