"""An account's life at the police and after: level 2 registration and upgrade, locks and unlocks, death.

Who may do what:
- a police officer (role `police_officer`), over citizens who live in the officer's commune (permanent, current
  or valid temporary residence): register a level 2 account directly for a citizen of 14 or more without one,
  upgrade level 1 → 2 after the in-person biometric check, lock for an authority's reason, unlock any lock but
  death;
- the holder: lock their own account (`holder_request`) and lift that lock alone (app/services/identity/
  holder_unlock.py);
- a parent with a level 2 account: register their child under 14 (app/services/identity/children.py);
- the population database (sandbox admin): record a death, which locks the account for good.
Every change is one AccountEvent through `change_state`/`record_event`; a lock also revokes every grant of the
holder, so their tokens stop working at once instead of living out their lifetime.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, CitizenNotFound, CodedError, Conflict, NotFound, OfficerRoleRequired
from app.core.passwords import hash_password
from app.models import Citizen, IdentityAccount
from app.services.identity.accounts import (
    ACTIVE,
    LOCK_DEATH,
    LOCKED,
    PENDING,
    AccountSummary,
    account_summary,
    change_state,
    record_event,
    usable_account,
)
from app.services.identity.registration import CITIZEN_ROLE, MIN_SELF_REGISTRATION_AGE, AccountExists
from app.services.oidc import grants
from app.services.population.dates import age_on
from app.services.population.deaths import record_household_death
from app.services.procedures.desk import Officer

POLICE_OFFICER = "police_officer"
LOCK_HOLDER = "holder_request"
AUTHORITY_LOCK_REASONS = frozenset({"authority_request", "breach_of_terms", "id_card_revoked"})
POPULATION_DATABASE = "population_database"
UPGRADE_REASON = "in_person_biometrics"
# NĐ 69/2024/NĐ-CP art. 7: level 2 needs an ID card, and from 6 years (Luật Căn cước 2023 art. 23: no fingerprints
# are taken under 6, so there is nothing to match).
MIN_LEVEL_2_AGE = 6


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


class Level2Refused(CodedError):
    """The citizen cannot hold a level 2 account (yet); `code` says why."""

    status, title = 403, "The citizen cannot get a level 2 account"
    codes = {
        "citizen_deceased": "the citizen has died: the account is locked for good, no new one is registered",
        "below_level_2_age": "level 2 is from 6 years of age (NĐ 69/2024 art. 7)",
        "id_card_required": "level 2 needs an ID card in force (NĐ 69/2024 art. 7)",
        "below_minimum_age": "a child's account is registered by a parent first (NĐ 69/2024 art. 11), then upgraded",
    }


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


def check_level_2_eligible(citizen: Citizen, today: date) -> None:
    """Level 2 (NĐ 69/2024/NĐ-CP art. 7): alive, 6 or older, with an ID card in force."""
    if citizen.date_of_death is not None:
        raise Level2Refused("citizen_deceased", "the population database records this citizen as deceased")
    if age_on(citizen.date_of_birth, today) < MIN_LEVEL_2_AGE:
        raise Level2Refused("below_level_2_age", f"level 2 is for citizens of {MIN_LEVEL_2_AGE} or older")
    if not citizen.id_card_in_force(today):
        raise Level2Refused("id_card_required", "level 2 needs an ID card in force: issue or renew the card first")


def register_at_police(
    db: Session, clock: Clock, officer: Officer, personal_id: str, phone: str, password: str, note: str | None
) -> AccountSummary:
    """Register a level 2 account at the counter for a citizen of 14 or more who has none (the level 1 step is
    optional: NĐ 69/2024 art. 11), after taking and matching portrait and fingerprints (sandbox: taken as done). A
    pending self-registration is completed this way too."""
    citizen = _resident(db, clock, officer, personal_id, lock=True)
    check_level_2_eligible(citizen, clock.today())
    if age_on(citizen.date_of_birth, clock.today()) < MIN_SELF_REGISTRATION_AGE:
        raise Level2Refused(
            "below_minimum_age", "a child's account is registered by a parent in the VNeID app, then upgraded here"
        )
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is not None and account.status != PENDING:
        raise AccountExists(
            f"this citizen already has a level {account.level} VNeID account ({account.status}): upgrade it",
            account_status=account.status,
        )
    if account is None:
        account = IdentityAccount(personal_id=personal_id, role=CITIZEN_ROLE, created_at=clock.now())
        db.add(account)
    account.level, account.status, account.lock_reason, account.failed_logins = 2, ACTIVE, None, 0
    account.phone, account.password_hash = phone, hash_password(password)
    record_event(db, clock, account, "register", officer.personal_id, _with_note(UPGRADE_REASON, note))
    db.flush()
    return account_summary(account)


def upgrade_to_level_2(
    db: Session, clock: Clock, officer: Officer, personal_id: str, note: str | None
) -> AccountSummary:
    """Level 1 → 2 after the officer took and matched portrait and fingerprints (sandbox: taken as done)."""
    account = _target(db, clock, officer, personal_id)
    check_level_2_eligible(db.get_one(Citizen, personal_id), clock.today())
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
    """The holder locks their own account (lost phone, suspected misuse); they lift it with password and SMS code
    (holder_unlock.py), or an officer does."""
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is None:
        raise AccountNotFound("this citizen has no VNeID account")
    _lock(db, clock, account, LOCK_HOLDER, personal_id, note)
    return account_summary(account)


def unlock(db: Session, clock: Clock, officer: Officer, personal_id: str, note: str | None) -> AccountSummary:
    """Lift any lock but death."""
    account = _target(db, clock, officer, personal_id)
    citizen = db.get_one(Citizen, personal_id)
    if account.lock_reason == LOCK_DEATH or citizen.date_of_death is not None:
        raise PermanentLock("the account holder has died: the account is locked for good and cannot be unlocked")
    if account.status != LOCKED:
        raise NotLocked(f"the account is not locked; it is {account.status}", account_status=account.status)
    lifted = account.lock_reason or "unknown"
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
    """The account an officer acts on, if its holder lives in the officer's commune, row-locked so a concurrent
    change loses cleanly."""
    _resident(db, clock, officer, personal_id)
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is None:
        raise AccountNotFound("this citizen has no VNeID account")
    return account


def _resident(db: Session, clock: Clock, officer: Officer, personal_id: str, *, lock: bool = False) -> Citizen:
    """The citizen, if they live in the officer's commune: the one check of jurisdiction for every account power."""
    citizen = db.get(Citizen, personal_id, with_for_update=lock, populate_existing=lock)
    if citizen is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    if officer.jurisdiction_code not in citizen.residence_communes(clock.today()):
        raise OutsideJurisdiction(
            f"the holder does not live in your commune ({officer.jurisdiction_code}): their commune police act",
            jurisdiction_code=officer.jurisdiction_code,
        )
    return citizen


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
