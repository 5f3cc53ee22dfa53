"""An account's life after registration: the level 2 upgrade at the police, locks and unlocks, death.

Who may do what:
- a police officer (role `police_officer`), over citizens who live in the officer's commune (permanent, current
  or valid temporary residence): upgrade level 1 → 2 after the in-person biometric check, lock for an
  authority's reason, unlock any lock but death;
- the holder: lock their own account (`holder_request`), never unlock it;
- the population database (sandbox admin): record a death, which locks the account for good.
Every change is one AccountEvent through `change_state`/`record_event`; a lock also revokes every grant of the
holder, so their tokens stop working at once instead of living out their lifetime.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, CitizenNotFound, Conflict, NotFound, OfficerRoleRequired
from app.models import Citizen, IdentityAccount
from app.services.identity.accounts import (
    ACTIVE,
    LOCK_DEATH,
    LOCKED,
    AccountSummary,
    account_summary,
    change_state,
    record_event,
    usable_account,
)
from app.services.oidc import grants
from app.services.population.deaths import record_household_death
from app.services.procedures.desk import Officer

POLICE_OFFICER = "police_officer"
LOCK_HOLDER = "holder_request"
AUTHORITY_LOCK_REASONS = frozenset({"authority_request", "breach_of_terms", "id_card_revoked"})
POPULATION_DATABASE = "population_database"
UPGRADE_REASON = "in_person_biometrics"


class AccountNotFound(NotFound):
    code, title = "account_not_found", "The citizen has no VNeID account"


class AlreadyLevel2(Conflict):
    code, title = "already_level_2", "The account is already level 2"


class AccountNotActive(Conflict):
    code, title = "account_not_active", "The account is not active"


class AlreadyLocked(Conflict):
    code, title = "already_locked", "The account is already locked"


class NotLocked(Conflict):
    code, title = "not_locked", "The account is not locked"


class PermanentLock(Conflict):
    code, title = "permanent_lock", "The account is locked for good"


class AlreadyDeceased(Conflict):
    code, title = "already_deceased", "A death is already recorded for this citizen"


class OutsideJurisdiction(AppError):
    status, code, title = 403, "outside_jurisdiction", "The citizen does not live in the officer's jurisdiction"


class InvalidDateOfDeath(AppError):
    status, code, title = 422, "invalid_date_of_death", "The date of death is not possible"


@dataclass(frozen=True)
class DeathOutcome:
    personal_id: str
    account: AccountSummary | None  # locked for good; None if the citizen had no account


def require_officer(db: Session, personal_id: str) -> IdentityAccount:
    """The signed-in citizen's account if it is a usable police officer's account."""
    account = db.get(IdentityAccount, personal_id)
    if account is None or account.role != POLICE_OFFICER:
        raise OfficerRoleRequired("this action is reserved to police officers (role police_officer)")
    return usable_account(db, personal_id)


def upgrade_to_level_2(
    db: Session, clock: Clock, officer: Officer, personal_id: str, note: str | None
) -> AccountSummary:
    """Level 1 → 2 after the officer took and matched portrait and fingerprints (sandbox: taken as done)."""
    account = _target(db, clock, officer, personal_id)
    if account.level >= 2:
        raise AlreadyLevel2("this account is already level 2")
    if account.status != ACTIVE:
        raise AccountNotActive(
            f"only an active account can be upgraded; this one is {account.status}",
            account_status=account.status,
            lock_reason=account.lock_reason,
        )
    account.level = 2
    record_event(db, clock, account, "upgrade", officer.personal_id, _with_note(UPGRADE_REASON, note))
    return account_summary(account)


def lock_by_authority(db: Session, clock: Clock, officer: Officer, personal_id: str, reason: str) -> AccountSummary:
    if reason not in AUTHORITY_LOCK_REASONS:  # the schema already refuses others; a guard for other callers
        raise ValueError(f"not an authority lock reason: {reason}")
    account = _target(db, clock, officer, personal_id)
    _lock(db, clock, account, reason, officer.personal_id)
    return account_summary(account)


def lock_own_account(db: Session, clock: Clock, personal_id: str, note: str | None) -> AccountSummary:
    """The holder locks their own account (lost phone, suspected misuse); only an officer can unlock it."""
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is None:
        raise AccountNotFound("this citizen has no VNeID account")
    _lock(db, clock, account, LOCK_HOLDER, personal_id, note)
    return account_summary(account)


def unlock(db: Session, clock: Clock, officer: Officer, personal_id: str, note: str | None) -> AccountSummary:
    """Lift any lock but death; lifting a `failed_logins` lock also restarts the count of wrong passwords."""
    account = _target(db, clock, officer, personal_id)
    citizen = db.get_one(Citizen, personal_id)
    if account.lock_reason == LOCK_DEATH or citizen.date_of_death is not None:
        raise PermanentLock("the account holder has died: the account is locked for good and cannot be unlocked")
    if account.status != LOCKED:
        raise NotLocked(f"the account is not locked; it is {account.status}", account_status=account.status)
    lifted = account.lock_reason or "unknown"
    account.failed_logins = 0
    change_state(db, clock, account, ACTIVE, "unlock", officer.personal_id, _with_note(lifted, note))
    return account_summary(account)


def record_death(db: Session, clock: Clock, personal_id: str, date_of_death: date) -> DeathOutcome:
    """Write the death to the population record, widow the spouse and hand the household on if the deceased headed
    it, and lock the account for good (actor: the population database)."""
    citizen = db.get(Citizen, personal_id, with_for_update=True, populate_existing=True)
    if citizen is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    if citizen.date_of_death is not None:
        raise AlreadyDeceased(
            f"the population database already records a death on {citizen.date_of_death.isoformat()}",
            date_of_death=citizen.date_of_death.isoformat(),
        )
    if date_of_death > clock.today():
        raise InvalidDateOfDeath("the date of death is in the future")
    if date_of_death < citizen.date_of_birth:
        raise InvalidDateOfDeath("the date of death is before the date of birth")
    citizen.date_of_death = date_of_death
    record_household_death(db, citizen, date_of_death)
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is not None:
        # Whatever the account's state (pending, active, locked for another reason), death replaces it.
        change_state(db, clock, account, LOCKED, "lock", POPULATION_DATABASE, LOCK_DEATH)
        _revoke_grants(db, clock.now(), personal_id, LOCK_DEATH)
    return DeathOutcome(personal_id, account_summary(account) if account else None)


def _target(db: Session, clock: Clock, officer: Officer, personal_id: str) -> IdentityAccount:
    """The account an officer acts on, if its holder lives in the officer's commune (the one check of jurisdiction
    for every account power), row-locked so a concurrent change loses cleanly."""
    citizen = db.get(Citizen, personal_id)
    if citizen is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    if officer.jurisdiction_code not in citizen.residence_communes(clock.today()):
        raise OutsideJurisdiction(
            f"the holder does not live in your commune ({officer.jurisdiction_code}): their commune police act",
            jurisdiction_code=officer.jurisdiction_code,
        )
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is None:
        raise AccountNotFound("this citizen has no VNeID account")
    return account


def _lock(
    db: Session, clock: Clock, account: IdentityAccount, reason: str, actor: str, note: str | None = None
) -> None:
    if account.status == LOCKED:
        raise AlreadyLocked(f"the account is already locked ({account.lock_reason})", lock_reason=account.lock_reason)
    if account.status != ACTIVE:
        raise AccountNotActive(f"only an active account can be locked; this one is {account.status}")
    change_state(db, clock, account, LOCKED, "lock", actor, _with_note(reason, note))
    account.lock_reason = reason  # the code alone; a note stays in the event's reason
    _revoke_grants(db, clock.now(), account.personal_id, reason)


def _revoke_grants(db: Session, now: datetime, personal_id: str, reason: str) -> None:
    grants.revoke_citizen_grants(db, now, personal_id, f"account_locked:{reason}")


def _with_note(code: str, note: str | None) -> str:
    return f"{code}: {note}" if note else code
