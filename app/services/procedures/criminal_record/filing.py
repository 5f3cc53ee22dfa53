"""Requesting a criminal-record certificate: who may ask, the fee of a request, and filing it.

Who: a level 2 applicant, for themself or for their own child under 14 (Citizen.father/mother_personal_id).
The fee is fixed at filing by the rules in force on the sandbox clock's date (see `fee`).
"""

from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from app.core.context import Env
from app.core.errors import AppError
from app.models import Application, Citizen
from app.services.population.dates import age_on
from app.services.procedures.criminal_record.fee import FeeFacts, Quote, quote
from app.services.procedures.criminal_record.procedure import PROCEDURE
from app.services.procedures.criminal_record.record import permanent_province
from app.services.procedures.criminal_record.vocabulary import FeeCategory, Purpose
from app.services.procedures.engine import create, transition
from app.services.procedures.views import ApplicationView, view_as
from app.services.procedures.vocabulary import Action, Actor
from app.services.reference import catalog

CHILD_MAX_AGE = 14  # a parent requests for a child under 14; from 14 the child applies with their own account


class QuoteRequest(Protocol):
    """What the fee depends on (the API's `CriminalRecordQuoteRequest` is one)."""

    @property
    def subject_personal_id(self) -> str | None: ...
    @property
    def copies(self) -> int: ...
    @property
    def fee_category(self) -> FeeCategory: ...


class CertificateRequest(QuoteRequest, Protocol):
    """A request for a certificate (the API's `CriminalRecordRequest` is one)."""

    @property
    def form(self) -> int: ...
    @property
    def purpose(self) -> Purpose: ...
    @property
    def purpose_detail(self) -> str | None: ...
    @property
    def issuing_province_code(self) -> str | None: ...
    @property
    def fee_evidence(self) -> str | None: ...
    @property
    def include_bans(self) -> bool: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


class NotParentOfSubject(AppError):
    status, code, title = 403, "not_parent_of_subject", "You may request only for yourself or your own child"


class SubjectNotUnder14(AppError):
    status, code, title = 422, "subject_not_under_14", "A child of 14 or older requests their own certificate"


class UnknownProvince(AppError):
    status, code, title = 422, "unknown_province", "No such province"


def resolve_subject(db: Session, applicant_personal_id: str, subject_personal_id: str | None, today: date) -> Citizen:
    """The person the certificate is about: the applicant, or the applicant's child under 14."""
    if subject_personal_id in (None, applicant_personal_id):
        return db.get_one(Citizen, applicant_personal_id)
    subject = db.get(Citizen, subject_personal_id)
    # Someone else's ID and an unknown ID get the same answer: the API must not tell who exists.
    if subject is None or applicant_personal_id not in (subject.father_personal_id, subject.mother_personal_id):
        raise NotParentOfSubject(
            "you may request a certificate for yourself or for your own child under 14 (as recorded in the "
            "population database as their father or mother)"
        )
    if age_on(subject.date_of_birth, today) >= CHILD_MAX_AGE:
        raise SubjectNotUnder14(
            f"{subject_personal_id} is {age_on(subject.date_of_birth, today)}: from 14 a person requests their "
            "own certificate with their own level 2 account"
        )
    return subject


def fee_quote(
    db: Session, today: date, applicant_personal_id: str, account_level: int, request: QuoteRequest
) -> tuple[Citizen, Quote]:
    """The subject of a request and its fee at today's rules, from the subject's population record."""
    subject = resolve_subject(db, applicant_personal_id, request.subject_personal_id, today)
    facts = FeeFacts(
        category=str(request.fee_category),
        age=age_on(subject.date_of_birth, today),
        permanent_province_code=permanent_province(subject),
        account_level=account_level,
    )
    return subject, quote(today, request.copies, facts)


def issuing_agency(province_code: str) -> str:
    name = catalog().provinces[province_code].name
    return f"Công an {name[0].lower()}{name[1:]}"


def file(
    env: Env, applicant_personal_id: str, client_id: str | None, account_level: int, request: CertificateRequest
) -> ApplicationView:
    """Check who may ask, price the request at today's rules and file it; a request that costs nothing goes
    straight to verification."""
    db, today = env.db, env.clock.today()
    evidence = (request.fee_evidence or "").strip()  # required for a declared category (CriminalRecordRequest)
    subject, fee = fee_quote(db, today, applicant_personal_id, account_level, request)
    applicant = db.get_one(Citizen, applicant_personal_id)
    province_code = request.issuing_province_code or permanent_province(applicant)
    if province_code not in catalog().provinces:
        raise UnknownProvince(
            f"{province_code} is not a province code (2025 units, e.g. 01 Hà Nội, 79 TP Hồ Chí Minh)",
            known_codes=sorted(catalog().provinces),
        )
    purpose = str(request.purpose)
    application = Application(
        procedure=PROCEDURE.name,
        applicant_personal_id=applicant_personal_id,
        subject_personal_id=subject.personal_id,
        counterparty_personal_id=None,
        commune_code=None,
        province_code=province_code,
        client_id=client_id,
        data={
            "form": request.form,
            "for_child": subject.personal_id != applicant_personal_id,
            "purpose": purpose,
            "purpose_detail": request.purpose_detail,
            "issuing_province_code": province_code,
            "issuing_agency": issuing_agency(province_code),
            "copies": request.copies,
            "include_bans": request.include_bans or request.form == 2,
            "fee_category": str(request.fee_category),
            "fee_evidence": evidence or None,
            "phone": request.phone or applicant.phone,
            "email": request.email or applicant.email,
            "fee": fee.as_data(),
        },
        fee_vnd=fee.total_vnd,
    )
    create(env, application, actor_personal_id=applicant_personal_id)
    if application.fee_vnd == 0:
        transition(
            env, application, Action.PAY, role=Actor.SYSTEM, actor_personal_id=None, note="fee 0 VND: nothing to pay"
        )
    return view_as(env, application, Actor.APPLICANT)
