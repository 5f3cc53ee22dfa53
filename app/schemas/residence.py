"""Requests of the residence procedures: temporary-residence registration and accommodation notices."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.schemas.citizen import PersonalId
from app.schemas.common import NON_BLANK, Text, is_blank, non_null
from app.schemas.criminal_record import FeeLine

COMMUNE_CODE = r"^[0-9]{5}$"


class TemporaryResidenceRequest(BaseModel):
    """Declaration CT01 for a tenant: where, whose place, on what proof, for how long, who moves too."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["new", "renewal"] = "new"
    street: Text = Field(min_length=3, max_length=200, examples=["Số 18 ngõ 68 phố Xuân Thủy"])
    commune_code: str = Field(
        pattern=COMMUNE_CODE, examples=["00166"], description="GSO code of the 2025 commune of the address."
    )
    owner_personal_id: PersonalId
    proof_type: Literal[
        "ownership_certificate", "lease_contract", "loan_contract", "free_lodging_contract", "other"
    ] = Field(description="Proof of lawful residence (Nghị định 62/2021 art. 5).")
    start_date: date
    end_date: date = Field(description="At most 2 years after start_date.")
    reason: Literal["work", "study", "other"] = "work"
    member_personal_ids: list[PersonalId] = Field(default_factory=list, max_length=10)
    phone: str | None = Field(default=None, pattern=r"^0[0-9]{9}$")
    email: Text | None = Field(default=None, max_length=120)


class TemporaryResidenceAmendment(BaseModel):
    """What the applicant changes when the police ask for supplementation (everything optional)."""

    model_config = ConfigDict(extra="forbid")

    street: Text | None = Field(default=None, min_length=3, max_length=200)
    proof_type: (
        Literal["ownership_certificate", "lease_contract", "loan_contract", "free_lodging_contract", "other"] | None
    ) = None
    end_date: date | None = None
    member_personal_ids: list[PersonalId] | None = Field(default=None, max_length=10)
    note: Text | None = Field(default=None, max_length=1000)


class Passport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Text = Field(min_length=5, max_length=20)
    nationality: str = Field(
        pattern=r"^[A-Z]{2}$",
        json_schema_extra={"not": {"const": "VN"}},  # checked below, with the request
        description="ISO 3166-1 alpha-2, not VN.",
    )
    full_name: Text = Field(min_length=1, max_length=120)
    date_of_birth: date


class AccommodationNoticeRequest(BaseModel):
    """Who stays, where, from when to when, and why. Give the guest's personal ID, or a passport for foreigners."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [non_null("guest_personal_id"), non_null("passport")]}
    )

    guest_personal_id: PersonalId | None = None
    passport: Passport | None = None
    street: Text = Field(min_length=3, max_length=200)
    commune_code: str = Field(pattern=COMMUNE_CODE)
    arrival_at: AwareDatetime = Field(description="ISO 8601 with offset, e.g. 2026-11-23T21:30:00+07:00.")
    departure_on: date
    reason: Text = Field(min_length=2, max_length=200)

    @model_validator(mode="after")
    def _one_guest_identity(self) -> "AccommodationNoticeRequest":
        if (self.guest_personal_id is None) == (self.passport is None):
            raise PydanticCustomError("one_guest_identity", "give either guest_personal_id or passport")
        if self.passport is not None and self.passport.nationality == "VN":
            raise PydanticCustomError(
                "vietnamese_guest_by_personal_id", "Vietnamese guests are notified by personal ID, not passport"
            )
        return self


class OwnerDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    reason: Text | None = Field(default=None, max_length=1000)


class OfficerDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"decision": {"enum": ["reject", "request_supplement"]}}},
            "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": NON_BLANK}}},
        },
    )

    decision: Literal["approve", "reject", "request_supplement"]
    reason: Text | None = Field(
        default=None, max_length=1000, description="Required to reject or to ask for supplementation."
    )

    @model_validator(mode="after")
    def _reason_when_needed(self) -> "OfficerDecision":
        if self.decision != "approve" and is_blank(self.reason):
            raise ValueError("a reason is required to reject or to ask for supplementation")
        return self


class ResidenceFeeQuote(BaseModel):
    """The fee of a temporary-residence registration or renewal filed today on VNeID, with the rule that sets it."""

    on_date: date = Field(description="The date whose rules apply (the sandbox clock's).")
    lines: list[FeeLine]
    rule: str = Field(
        description="The rule that decides what is paid, e.g. `TT 75/2022/TT-BTC, 7,000 VND filed online`."
    )
    sources: list[str] = Field(description='The legal texts applied, e.g. `["Thông tư 75/2022/TT-BTC"]`.')
    total_vnd: int = Field(description="What the applicant pays once the owner has consented.")
