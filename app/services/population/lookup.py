"""Reading citizens and households out of the population database for relying parties."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import CitizenNotFound
from app.models import Citizen, Household
from app.services.callers import ClientCaller
from app.services.population.access import HOUSEHOLD_SCOPE, authorize_read
from app.services.population.audit import HOUSEHOLD, READ, record_accesses, tariff_for
from app.services.population.deaths import DEREGISTRATION_BASIS
from app.services.reference import catalog

HOUSEHOLD_MEMBER_FIELDS = ["full_name", "relation_to_head", "date_of_birth", "life_status"]

LifeStatus = Literal["alive", "deceased"]


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a read disclosed and what it costs the client; rendered as `AccessReceipt`."""

    fields_returned: list[str]
    fee_vnd: int
    fee_rule: str
    fee_source: str
    purpose: str | None
    request_id: str | None
    fields_withheld: tuple[str, ...] = ()
    withheld_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CitizenRead:
    """A citizen's record as far as the read was granted; rendered as `CitizenRecord`."""

    personal_id: str
    fields: dict[str, Any]  # only the granted fields, by name, in their API shape (see citizen_fields)
    access: Receipt


@dataclass(frozen=True, slots=True)
class MemberRead:
    personal_id: str
    full_name: str
    relation_to_head: str
    date_of_birth: date
    life_status: LifeStatus


@dataclass(frozen=True, slots=True)
class HouseholdRead:
    """A household with its members; rendered as `HouseholdRecord`."""

    household_code: str
    head_personal_id: str
    address: dict[str, str]
    members: list[MemberRead]
    access: Receipt


def read_citizen(
    db: Session,
    clock: Clock,
    caller: ClientCaller,
    personal_id: str,
    *,
    purpose: str | None,
    fields: list[str] | None,
    request_id: str | None,
) -> CitizenRead:
    grant = authorize_read(db, caller, personal_id, purpose, fields)
    citizen = db.get(Citizen, personal_id)
    if citizen is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    values = citizen_fields(db, citizen, grant.fields, clock.today())
    tariff = tariff_for(caller.client.kind, clock.today())
    fee = tariff.fee(len(grant.fields))
    record_accesses(
        db,
        at=clock.now(),
        client_id=caller.client_id,
        action=READ,
        purpose=grant.purpose,
        request_id=request_id,
        entries=[(personal_id, list(grant.fields), fee)],
    )
    receipt = Receipt(
        fields_returned=list(grant.fields),
        fee_vnd=fee,
        fee_rule=tariff.rule,
        fee_source=tariff.source,
        purpose=grant.purpose,
        request_id=request_id,
        fields_withheld=grant.withheld,
        withheld_reason=grant.withheld_reason,
    )
    return CitizenRead(personal_id=personal_id, fields=values, access=receipt)


def read_household(
    db: Session, clock: Clock, caller: ClientCaller, personal_id: str, *, purpose: str | None, request_id: str | None
) -> HouseholdRead:
    grant = authorize_read(db, caller, personal_id, purpose, None, needed_scopes={HOUSEHOLD_SCOPE})
    citizen = db.get(Citizen, personal_id)
    if citizen is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    household = db.get_one(Household, citizen.household_code)
    members = db.scalars(
        select(Citizen).where(Citizen.household_code == household.code).order_by(Citizen.date_of_birth)
    ).all()
    tariff = tariff_for(caller.client.kind, clock.today())
    fee_each = tariff.fee(len(HOUSEHOLD_MEMBER_FIELDS))
    record_accesses(
        db,
        at=clock.now(),
        client_id=caller.client_id,
        action=HOUSEHOLD,
        purpose=grant.purpose,
        request_id=request_id,
        entries=[(m.personal_id, HOUSEHOLD_MEMBER_FIELDS, fee_each) for m in members],
    )
    return HouseholdRead(
        household_code=household.code,
        head_personal_id=household.head_personal_id,
        address=catalog().address(household.street, household.commune_code),
        members=[
            MemberRead(
                personal_id=m.personal_id,
                full_name=m.full_name,
                relation_to_head=m.relation_to_head,
                date_of_birth=m.date_of_birth,
                life_status=life_status(m),
            )
            for m in members
        ],
        access=Receipt(
            fields_returned=HOUSEHOLD_MEMBER_FIELDS,
            fee_vnd=fee_each * len(members),
            fee_rule=tariff.rule,
            fee_source=tariff.source,
            purpose=grant.purpose,
            request_id=request_id,
        ),
    )


def life_status(citizen: Citizen) -> LifeStatus:
    return "deceased" if citizen.date_of_death else "alive"


def citizen_fields(db: Session, citizen: Citizen, fields: tuple[str, ...], today: date) -> dict[str, Any]:
    """The named fields of a record in their API shape; only what is asked for is computed."""
    return {name: _FIELD_READERS[name](db, citizen, today) for name in fields}


def _deregistered(citizen: Citizen, today: date) -> bool:
    return citizen.residence_deregistered_on is not None and citizen.residence_deregistered_on <= today


def _permanent_address(citizen: Citizen, today: date) -> dict[str, Any] | None:
    if _deregistered(citizen, today):
        return None
    return catalog().address(citizen.permanent_street, citizen.permanent_commune_code)


def _deregistration(citizen: Citizen, today: date) -> dict[str, Any] | None:
    if not _deregistered(citizen, today):
        return None
    reason = citizen.residence_deregistration_reason or ""
    return {
        "reason": reason,
        "deregistered_on": citizen.residence_deregistered_on,
        "legal_basis": DEREGISTRATION_BASIS.get(reason, ""),
        "last_permanent_address": catalog().address(citizen.permanent_street, citizen.permanent_commune_code),
    }


def _temporary_address(citizen: Citizen, today: date) -> dict[str, Any] | None:
    if _deregistered(citizen, today):
        return None
    if not citizen.temporary_commune_code or not citizen.temporary_until or citizen.temporary_until < today:
        return None
    return {
        **catalog().address(citizen.temporary_street or "", citizen.temporary_commune_code),
        "valid_until": citizen.temporary_until,
    }


def _current_address(citizen: Citizen, today: date) -> dict[str, Any] | None:
    if _deregistered(citizen, today):
        return None
    if citizen.current_commune_code:
        return catalog().address(citizen.current_street or "", citizen.current_commune_code)
    temporary = _temporary_address(citizen, today)
    if temporary:
        return {k: v for k, v in temporary.items() if k != "valid_until"}
    return catalog().address(citizen.permanent_street, citizen.permanent_commune_code)


def _children(db: Session, citizen: Citizen) -> list[str]:
    return list(
        db.scalars(
            select(Citizen.personal_id)
            .where(
                or_(
                    Citizen.father_personal_id == citizen.personal_id, Citizen.mother_personal_id == citizen.personal_id
                )
            )
            .order_by(Citizen.date_of_birth)
        )
    )


def _code_name(code: str, names: dict[str, str]) -> dict[str, str]:
    return {"code": code, "name": names.get(code, code)}


_FIELD_READERS: dict[str, Any] = {
    "full_name": lambda db, c, today: c.full_name,
    "other_names": lambda db, c, today: c.other_names,
    "sex": lambda db, c, today: c.sex,
    "date_of_birth": lambda db, c, today: c.date_of_birth,
    "place_of_birth": lambda db, c, today: c.place_of_birth,
    "birth_registration_province": lambda db, c, today: {
        "code": c.birth_registration_province_code,
        "name": catalog().legacy_provinces[c.personal_id[:3]].name,
    },
    "hometown": lambda db, c, today: c.hometown,
    "ethnicity": lambda db, c, today: _code_name(c.ethnicity_code, catalog().ethnicity_names),
    "religion": lambda db, c, today: _code_name(c.religion_code, catalog().religion_names),
    "nationality": lambda db, c, today: c.nationality,
    "blood_type": lambda db, c, today: c.blood_type,
    "old_id_number": lambda db, c, today: c.old_id_number,
    "id_card": lambda db, c, today: (
        {"number": c.personal_id, "issued_on": c.id_card_issued_on, "expires_on": c.id_card_expires_on}
        if c.id_card_issued_on
        else None
    ),
    "life_status": lambda db, c, today: life_status(c),
    "date_of_death": lambda db, c, today: c.date_of_death,
    "permanent_address": lambda db, c, today: _permanent_address(c, today),
    "temporary_address": lambda db, c, today: _temporary_address(c, today),
    "current_address": lambda db, c, today: _current_address(c, today),
    "residence_file_number": lambda db, c, today: c.residence_file_number,
    "residence_deregistration": lambda db, c, today: _deregistration(c, today),
    "marital_status": lambda db, c, today: c.marital_status,
    "household_code": lambda db, c, today: c.household_code,
    "relation_to_head": lambda db, c, today: c.relation_to_head,
    "father_personal_id": lambda db, c, today: c.father_personal_id,
    "mother_personal_id": lambda db, c, today: c.mother_personal_id,
    "spouse_personal_id": lambda db, c, today: c.spouse_personal_id,
    "children_personal_ids": lambda db, c, today: _children(db, c),
    "phone": lambda db, c, today: c.phone,
    "email": lambda db, c, today: c.email,
}
