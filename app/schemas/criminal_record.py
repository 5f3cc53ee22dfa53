"""Shapes of the criminal-record certificate procedure (Phiếu lý lịch tư pháp): the request and its fee quote."""

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.schemas.citizen import PersonalId
from app.schemas.common import NON_BLANK, WHITE_SPACE, Text, is_blank
from app.services.procedures.criminal_record.vocabulary import FeeCategory, Purpose

__all__ = ["FeeCategory", "Purpose"]  # the request's vocabularies, defined with the procedure

_EMAIL_PART = rf"[^@\x00{WHITE_SPACE}]+"
EMAIL = rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"


class CriminalRecordQuoteRequest(BaseModel):
    """What the fee depends on: whose certificate, how many copies, and the declared fee category."""

    model_config = ConfigDict(extra="forbid")

    subject_personal_id: PersonalId | None = Field(
        default=None,
        description="Whose certificate: omit (or your own ID) for yourself, or your child's ID (under 14).",
    )
    copies: int = Field(default=1, ge=1, le=10, description="Copies of the certificate (from the 3rd: 5,000 VND each).")
    fee_category: FeeCategory = Field(
        default=FeeCategory.STANDARD,
        description="Declared category (Thông tư 16/2025/TT-BTC): `pupil` (from 16), `student`, "
        "`revolutionary_merit`, `martyr_relative` pay 100,000 VND; `disabled`, `poor_household`, "
        "`near_poor_household`, `disadvantaged_commune` are exempt. Before 24/04/2025 (Thông tư 244/2016/TT-BTC) "
        "`pupil` and `near_poor_household` paid the standard fee.",
    )


class CriminalRecordRequest(CriminalRecordQuoteRequest):
    """A request for a criminal-record certificate (Phiếu lý lịch tư pháp) on VNeID."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"purpose": {"const": Purpose.OTHER.value}}},
                    "then": {
                        "required": ["purpose_detail"],
                        "properties": {"purpose_detail": {"type": "string", "pattern": NON_BLANK}},
                    },
                },
                {
                    "if": {
                        "required": ["fee_category"],
                        "properties": {"fee_category": {"not": {"const": FeeCategory.STANDARD.value}}},
                    },
                    "then": {
                        "required": ["fee_evidence"],
                        "properties": {"fee_evidence": {"type": "string", "pattern": NON_BLANK}},
                    },
                },
            ]
        }
    )

    form: Literal[1, 2] = Field(
        description="1: convictions not expunged (for the citizen or agencies); 2: every conviction, expunged "
        "ones included (only for the person themself)."
    )
    purpose: Purpose
    purpose_detail: Text | None = Field(
        default=None, max_length=500, description="Free text; required when `purpose` is `other`."
    )
    issuing_province_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}$",
        description="2025 province code of the issuing provincial police; default: your permanent-address province.",
        examples=["01"],
    )
    fee_evidence: Text | None = Field(
        default=None,
        max_length=300,
        description="Required with any `fee_category` but `standard` (the population record does not hold it): "
        "the document that proves it, e.g. `Thẻ sinh viên số 2023-0042` or `Giấy chứng nhận hộ nghèo số 45/2026`; "
        "the records officer checks it.",
    )
    include_bans: bool = Field(
        default=False,
        description="Form 1 only: also print bans on holding positions or running businesses. Form 2 always does.",
    )
    phone: str | None = Field(default=None, pattern=r"^0[0-9]{9}$", description="Contact phone; default: on record.")
    email: str | None = Field(default=None, max_length=120, pattern=EMAIL, description="Contact e-mail.")

    @model_validator(mode="after")
    def _detail_for_other(self) -> Self:
        if self.purpose == Purpose.OTHER and is_blank(self.purpose_detail):
            raise PydanticCustomError("purpose_detail_required", "purpose_detail is required when purpose is `other`")
        return self

    @model_validator(mode="after")
    def _evidence_for_a_declared_category(self) -> Self:
        # Ages are read from the population record; the declared categories (student, poor household …) are not
        # in it, so a request claiming one names its proof for the records officer instead of being taken on trust.
        if self.fee_category != FeeCategory.STANDARD and is_blank(self.fee_evidence):
            raise PydanticCustomError(
                "fee_evidence_required",
                "fee_evidence is required when fee_category is `{category}`: the proof of it",
                {"category": str(self.fee_category)},
            )
        return self


class FeeLine(BaseModel):
    """One line of the fee: a charge (positive) or a reduction, exemption or subsidy (negative)."""

    rule_id: str = Field(description="The fee rule applied (see seed_data/criminal_record_fees.json).")
    description: str
    quantity: int
    amount_vnd: int
    source: str = Field(description="The legal text behind the line, e.g. `Thông tư 16/2025/TT-BTC`.")


class FeeQuote(BaseModel):
    """The fee of a request at the sandbox clock's date, line by line."""

    on_date: date = Field(description="The date whose rules apply (the sandbox clock's).")
    subject_personal_id: str
    fee_category: FeeCategory
    copies: int
    lines: list[FeeLine]
    rules_applied: list[str]
    rule: str = Field(
        description="The rule that decides what is paid (the exemption, else the subsidy, else the fee charged), "
        "e.g. `TT 16/2025/TT-BTC, online rate until 31/12/2025`."
    )
    sources: list[str] = Field(description='The legal texts applied, e.g. `["Thông tư 16/2025/TT-BTC"]`.')
    total_vnd: int = Field(description="What the applicant pays; 0 means nothing to pay.")
