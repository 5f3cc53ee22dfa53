"""Shapes of the citizen's self-service API (/v1/me) that its router composes; the rest are selfservice's views."""

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.account import Note
from app.schemas.citizen import PopulationRecord
from app.services.identity.accounts import AccountSummary
from app.services.selfservice import AccountEventEntry, ConsentEntry, OwnRecord


class Me(PopulationRecord):
    """The signed-in citizen's own record, every field, and their VNeID account."""

    account: AccountSummary | None = Field(description="null if the citizen has no account.")

    @classmethod
    def of(cls, record: OwnRecord) -> "Me":
        return cls.model_validate({"personal_id": record.personal_id, **record.fields, "account": record.account})


class ConsentList(BaseModel):
    items: list[ConsentEntry]


class AccountHistory(BaseModel):
    items: list[AccountEventEntry]


class HolderLockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = None
