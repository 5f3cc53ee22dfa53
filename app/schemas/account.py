"""Shapes of the identity-account API: self-registration, officer actions, and recording a death."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schemas.citizen import PersonalId
from app.schemas.common import NO_NUL, Text
from app.services.identity.accounts import AccountSummary
from app.services.identity.registration import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_CLASSES,
    check_password_policy,
)


def _password_rules(schema: dict[str, Any]) -> None:
    # Checked by the policy, whose message says what is missing; stated here for clients, with Text's NUL rule.
    schema.update(minLength=MIN_PASSWORD_LENGTH, maxLength=MAX_PASSWORD_LENGTH, pattern=NO_NUL)
    schema["allOf"] = [{"pattern": pattern} for _, pattern in PASSWORD_CLASSES]


Password = Annotated[
    Text,
    Field(
        json_schema_extra=_password_rules,
        examples=["Khoa@2026!"],
        description="At least 8 characters with an upper-case letter (A-Z), a lower-case letter (a-z), a digit (0-9) "
        "and a symbol (any other character but white space: a letter with a diacritic counts as one).",
    ),
    AfterValidator(check_password_policy),
]
MobilePhone = Annotated[
    str,
    Field(
        pattern=r"^0[35789][0-9]{8}$",
        examples=["0935000010"],
        description="Vietnamese mobile number: 10 digits, 03x, 05x, 07x, 08x or 09x.",
    ),
]
Note = Annotated[Text | None, Field(default=None, min_length=1, max_length=150, description="Free text, recorded.")]


class RegistrationStart(BaseModel):
    """What the VNeID app asks for at self-registration; checked against the population database."""

    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    full_name: Text = Field(min_length=1, max_length=120, examples=["Ngô Văn Khoa"])
    date_of_birth: date = Field(examples=["1998-04-17"])
    phone: MobilePhone
    password: Password


class RegistrationPending(BaseModel):
    """A level 1 registration waiting for its one-time code."""

    personal_id: str = Field(description="Identifies the registration: one account per citizen.")
    status: Literal["pending"]
    level: int
    otp_sent_to: str = Field(description="The phone the code was sent to, masked.")
    otp_expires_at: datetime
    attempts_left: int
    confirm_url: str


class RegistrationConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    otp: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"], description="The six-digit code sent by SMS.")


class HolderUnlockStart(BaseModel):
    """The holder's personal ID and password, as at sign-in."""

    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class HolderUnlockPending(BaseModel):
    """An unlock waiting for the code sent to the account's registered phone."""

    personal_id: str
    otp_sent_to: str = Field(description="The phone the code was sent to, masked.")
    otp_expires_at: datetime
    confirm_url: str


class PoliceRegistration(BaseModel):
    """What the citizen gives at the counter for a level 2 account (portrait and fingerprints taken as done)."""

    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    phone: MobilePhone
    password: Password
    reason: Note = None


class ChildRegistration(BaseModel):
    """The child whose account a parent registers, and the password the parent chooses for it."""

    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    password: Password


class UpgradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = None


class AuthorityLockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["authority_request", "breach_of_terms", "id_card_revoked"]


class UnlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = None


class DeathRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_of_death: date = Field(examples=["2026-01-05"])


class DeathRecorded(BaseModel):
    personal_id: str
    life_status: Literal["deceased"]
    date_of_death: date
    account: AccountSummary | None = Field(description="The account, now locked for good; null if there was none.")
