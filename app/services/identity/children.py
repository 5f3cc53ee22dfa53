"""Accounts for children under 14, registered by a parent with a level 2 account (NĐ 69/2024/NĐ-CP art. 11: the
representative uses their own level 2 account and mobile number to register the child's account).

The child's account is level 1 (level 2 from 6 years, at the police: app/services/identity/lifecycle.py), names
the parent in `guardian_personal_id`, and sends its sign-in codes to the parent's phone. NĐ 69/2024 art. 7 gives
an account only to a citizen with an ID card (issued to children under 14 on request, Luật Căn cước 2023 art. 19).
Parents are read from the population record (father, mother); other legal guardians are not modelled.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import CodedError, InsufficientAccountLevel
from app.core.passwords import hash_password
from app.models import Citizen, IdentityAccount
from app.services.identity.accounts import ACR_BY_LEVEL, ACTIVE, AccountSummary, account_summary, record_event
from app.services.identity.registration import CITIZEN_ROLE, MIN_SELF_REGISTRATION_AGE, AccountExists
from app.services.population.dates import age_on

GUARDIAN_REGISTRATION = "guardian_registration"


class ChildAccountRefused(CodedError):
    """The caller cannot register this account for a child; `code` says why."""

    status, title = 403, "The caller cannot register this child's account"
    codes = {
        "not_your_child": "the population record does not name the caller as the citizen's father or mother",
        "citizen_deceased": "the citizen has died: the account is locked for good, no new one is registered",
        "not_under_14": "from 14 the citizen registers their own account",
        "id_card_required": "an account needs an ID card (NĐ 69/2024 art. 7); a child's is issued on request",
    }


def register_child(db: Session, clock: Clock, parent_id: str, child_id: str, password: str) -> AccountSummary:
    """The parent `parent_id` registers `child_id`: the one check of who may, for the API and the web app alike."""
    parent = db.get_one(IdentityAccount, parent_id)
    if parent.level < 2:
        raise InsufficientAccountLevel(ACR_BY_LEVEL[2])
    child = db.get(Citizen, child_id, with_for_update=True, populate_existing=True)
    # One answer for an unknown ID and someone else's child: the endpoint must not tell who exists.
    if child is None or parent_id not in (child.father_personal_id, child.mother_personal_id):
        raise ChildAccountRefused("not_your_child", "the population record does not name you as a parent of this ID")
    today = clock.today()
    if child.date_of_death is not None:
        raise ChildAccountRefused("citizen_deceased", "the population database records this citizen as deceased")
    if age_on(child.date_of_birth, today) >= MIN_SELF_REGISTRATION_AGE:
        raise ChildAccountRefused("not_under_14", "your child is 14 or older and registers their own account")
    if not child.id_card_in_force(today):
        raise ChildAccountRefused("id_card_required", "your child needs an ID card in force for an account")
    existing = db.get(IdentityAccount, child_id, with_for_update=True, populate_existing=True)
    if existing is not None:
        raise AccountExists(
            f"this citizen already has a level {existing.level} VNeID account ({existing.status})",
            account_status=existing.status,
        )
    account = IdentityAccount(
        personal_id=child_id,
        level=1,
        status=ACTIVE,
        role=CITIZEN_ROLE,
        phone=parent.phone,
        password_hash=hash_password(password),
        failed_logins=0,
        created_at=clock.now(),
        guardian_personal_id=parent_id,
    )
    db.add(account)
    record_event(db, clock, account, "register", parent_id, GUARDIAN_REGISTRATION)
    db.flush()
    return account_summary(account)


@dataclass(frozen=True)
class ChildAccount:
    """An account a parent registered, as the parent's page lists it."""

    personal_id: str
    full_name: str
    level: int


def guardian_accounts(db: Session, parent_id: str) -> list[ChildAccount]:
    """The accounts this parent registered for their children, eldest first."""
    rows = db.execute(
        select(IdentityAccount.personal_id, Citizen.full_name, IdentityAccount.level)
        .join(Citizen, Citizen.personal_id == IdentityAccount.personal_id)
        .where(IdentityAccount.guardian_personal_id == parent_id)
        .order_by(Citizen.date_of_birth)
    )
    return [ChildAccount(*row) for row in rows]
