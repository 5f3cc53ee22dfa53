"""Shapes of the population API: citizen records, households and identity verification."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.core.clock import clock
from app.schemas.common import Text, non_null
from app.services.population.lookup import LifeStatus
from app.services.population.personal_id import parse_personal_id, personal_id_pattern


def _valid_personal_id(value: str) -> str:
    parse_personal_id(value, current_year=clock.today().year)
    return value


PersonalId = Annotated[
    str,
    Field(
        min_length=12,
        max_length=12,
        pattern=personal_id_pattern(current_year=clock.today().year),
        examples=["001090000001"],
        description="12-digit personal identification number (số định danh cá nhân): PPP G YY NNNNNN.",
    ),
    AfterValidator(_valid_personal_id),
]


class CodeName(BaseModel):
    code: str
    name: str


class Address(BaseModel):
    """An address in the two-level structure in force since 1 July 2025 (no districts)."""

    street: str
    commune_code: str = Field(description="GSO code of the commune-level unit (xã, phường, đặc khu).")
    commune: str
    province_code: str = Field(description="GSO code of one of the 34 provinces and cities.")
    province: str
    formatted: str


class TemporaryAddress(Address):
    valid_until: date


class ResidenceDeregistration(BaseModel):
    """The citizen's residence was deregistered (xóa đăng ký cư trú): they have no permanent or temporary
    residence from `deregistered_on`."""

    reason: Literal["death"] = Field(description="`death`: Luật Cư trú 2020 art. 24(1)(a) and 29(1)(a).")
    deregistered_on: date
    legal_basis: str
    last_permanent_address: Address = Field(description="The permanent residence registered until then.")


class IdCard(BaseModel):
    number: str
    issued_on: date | None
    expires_on: date | None = Field(description="null: valid for life (issued at 58 or older).")


class AccessReceipt(BaseModel):
    """What this read disclosed and what it costs the client (Thông tư 48/2022/TT-BTC: 1,000 VND per field
    returned; state agencies do not pay)."""

    model_config = ConfigDict(from_attributes=True)

    fields_returned: list[str]
    fee_vnd: int
    fee_rule: str = Field(description="The tariff rule applied, e.g. `TT 48/2022/TT-BTC, 1,000 VND per field`.")
    fee_source: str = Field(description="The legal text that sets it.")
    purpose: str | None
    request_id: str | None
    fields_withheld: list[str] = Field(
        default_factory=list,
        description="Sensitive personal data (Nghị định 356/2025/NĐ-CP: ethnicity, religion, blood type) this read "
        "left out: they need the `citizen.sensitive` scope and, for businesses, the citizen's consent to it.",
    )
    withheld_reason: str | None = Field(default=None, description="Why `fields_withheld` were left out.")


class PopulationRecord(BaseModel):
    """Every field of a citizen's population record, as the citizen and the officers of their procedures see it."""

    personal_id: str
    full_name: str | None = None
    other_names: str | None = None
    sex: Literal["male", "female"] | None = None
    date_of_birth: date | None = None
    place_of_birth: str | None = None
    birth_registration_province: CodeName | None = None
    hometown: str | None = None
    ethnicity: CodeName | None = None
    religion: CodeName | None = None
    nationality: str | None = None
    blood_type: str | None = None
    old_id_number: str | None = Field(default=None, description="The 9-digit CMND, where one was issued.")
    id_card: IdCard | None = None
    life_status: LifeStatus | None = None
    date_of_death: date | None = None
    permanent_address: Address | None = None
    temporary_address: TemporaryAddress | None = None
    current_address: Address | None = None
    residence_file_number: str | None = None
    residence_deregistration: ResidenceDeregistration | None = Field(
        default=None, description="Set when the residence was deregistered (a death); `permanent_address` is then null."
    )
    marital_status: Literal["single", "married", "divorced", "widowed"] | None = None
    household_code: str | None = None
    relation_to_head: str | None = None
    father_personal_id: str | None = None
    mother_personal_id: str | None = None
    spouse_personal_id: str | None = None
    children_personal_ids: list[str] | None = None
    phone: str | None = None
    email: str | None = None


class CitizenRecord(PopulationRecord):
    """A citizen as the population database holds them; only the fields your scopes and consent allow."""

    model_config = ConfigDict(
        json_schema_extra={"description": "Fields absent from the response were not granted to the caller."}
    )

    access: AccessReceipt


class HouseholdMember(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    personal_id: str
    full_name: str
    relation_to_head: str
    date_of_birth: date
    life_status: LifeStatus


class HouseholdRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the service's HouseholdRead

    household_code: str
    head_personal_id: str
    address: Address
    members: list[HouseholdMember]
    access: AccessReceipt


class ClaimedIdentity(BaseModel):
    """An identity someone claims; give the personal ID and at least one other field to check."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [non_null("full_name"), non_null("date_of_birth"), non_null("sex")]},
    )

    personal_id: PersonalId
    full_name: Text | None = Field(default=None, min_length=1, max_length=120)
    date_of_birth: date | None = None
    sex: Literal["male", "female"] | None = None

    @model_validator(mode="after")
    def _something_to_check(self) -> "ClaimedIdentity":
        if self.full_name is None and self.date_of_birth is None and self.sex is None:
            raise ValueError("give at least one of full_name, date_of_birth, sex to verify")
        return self


class VerificationBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ClaimedIdentity] = Field(min_length=1, max_length=1000)


class VerificationResult(BaseModel):
    """Whether the claim matches the population database; stored values are never disclosed."""

    model_config = ConfigDict(from_attributes=True)

    personal_id: str
    match: bool
    found: bool | None = Field(
        description="false when no citizen has this personal ID; null on a no-match when the detail is withheld."
    )
    mismatched_fields: list[str] | None = Field(
        description="Claimed fields that differ from the record; null when the detail is withheld (a business "
        "without the citizen's consent to `citizen.identity`)."
    )
    deceased: bool | None = Field(description="Only on a match: whether the citizen has died.")


class VerificationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    total: int
    matched: int
    mismatched: int
    not_found: int
    fee_vnd: int = Field(
        description="1,000 VND per field verified (each claimed field of each identity); 0 for state agencies."
    )
    fee_rule: str = Field(description="The tariff rule applied.")
    fee_source: str = Field(description="The legal text that sets it.")
    request_id: str | None


class VerificationBatchResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    results: list[VerificationResult]
    summary: VerificationSummary
