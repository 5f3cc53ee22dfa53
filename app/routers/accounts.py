"""VNeID identity accounts: level 1 self-registration, the officer's level 2 upgrade, locks, and recording a death."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from app.core.errors import problem_responses
from app.deps import AdminDep, ClockDep, PoliceOfficer, SessionDep
from app.schemas.account import (
    AuthorityLockRequest,
    DeathRecord,
    DeathRecorded,
    RegistrationConfirm,
    RegistrationPending,
    RegistrationStart,
    UnlockRequest,
    UpgradeRequest,
)
from app.schemas.citizen import PersonalId
from app.services.identity import lifecycle, registration
from app.services.identity.accounts import AccountSummary

router = APIRouter()

PersonalIdPath = Annotated[PersonalId, Path(description="12-digit personal identification number of the holder.")]
CONFIRM_PATH = "/v1/accounts/registrations/confirm"


OFFICER_ERRORS = problem_responses(401, 403, 404, 409, 422)


@router.post(
    "/v1/accounts/registrations",
    response_model=RegistrationPending,
    status_code=202,
    tags=["VNeID accounts"],
    name="accounts.start_registration",
    responses=problem_responses(403, 409, 422),
)
def start_registration(body: RegistrationStart, db: SessionDep, clock: ClockDep) -> RegistrationPending:
    """Register a level 1 VNeID account, as in the VNeID app (step 1 of 2; no token needed).

    The personal ID, full name (any case or Unicode form) and date of birth must together match the population
    database, else `422 identity_mismatch` (which of them is wrong is not said). The citizen must be alive
    (`403 citizen_deceased`), 14 or older (`403 below_minimum_age`) and without an account
    (`409 account_exists`). The password needs at least 8 characters with an upper-case letter, a lower-case
    letter, a digit and a symbol; the phone must be a Vietnamese mobile number (422 `validation_error`).

    The account is created `pending` and a six-digit code is sent by SMS: read it from the sandbox inbox
    (`GET /sandbox/inbox?personal_id=…`; personas always get 123456). It is valid for 5 minutes. Sending the
    registration again while it is pending starts it over with a new code. Then call
    `POST /v1/accounts/registrations/confirm`."""
    pending = registration.start_registration(
        db,
        clock,
        personal_id=body.personal_id,
        full_name=body.full_name,
        date_of_birth=body.date_of_birth,
        phone=body.phone,
        password=body.password,
    )
    phone = pending.account.phone or ""
    return RegistrationPending(
        personal_id=pending.account.personal_id,
        status="pending",
        level=pending.account.level,
        otp_sent_to=f"{phone[:3]}****{phone[-3:]}",
        otp_expires_at=pending.otp_expires_at,
        attempts_left=pending.attempts_left,
        confirm_url=CONFIRM_PATH,
    )


@router.post(
    CONFIRM_PATH,
    response_model=AccountSummary,
    tags=["VNeID accounts"],
    name="accounts.confirm_registration",
    responses=problem_responses(404, 422),
)
def confirm_registration(body: RegistrationConfirm, db: SessionDep, clock: ClockDep) -> AccountSummary:
    """Activate a pending level 1 account with the code from its SMS (step 2 of 2; no token needed).

    The code checked is the one in the newest registration SMS to this citizen. A wrong code is
    `422 invalid_otp` with `attempts_left`; the fifth wrong code cancels the registration
    (`422 registration_cancelled`: the pending account is deleted, start again). A code older than 5 minutes is
    `422 otp_expired`. Without a pending registration: `404 registration_not_found`. Once active, the citizen
    signs in through the OpenID Connect login with the password they chose and a code sent by SMS."""
    return registration.confirm_registration(db, clock, personal_id=body.personal_id, code=body.otp)


@router.post(
    "/v1/officer/accounts/{personal_id}/upgrade",
    response_model=AccountSummary,
    tags=["Officer: accounts"],
    name="accounts.upgrade",
    responses=OFFICER_ERRORS,
)
def upgrade(
    personal_id: PersonalIdPath,
    officer: PoliceOfficer,
    db: SessionDep,
    clock: ClockDep,
    body: Annotated[UpgradeRequest | None, Body()] = None,
) -> AccountSummary:
    """Upgrade an active level 1 account to level 2, as the commune police does at the counter after taking and
    matching portrait and fingerprints (in the sandbox the biometric step is taken as done).

    Needs a police officer's citizen token (persona `police`); other citizens get `403 officer_role_required`,
    client-credentials tokens `403 citizen_token_required`. Upgrades, locks and unlocks are for citizens who live
    (permanent, current or valid temporary residence) in the officer's commune: `403 outside_jurisdiction`.
    `409 already_level_2`; `409 account_not_active` for a pending or locked account; `404 account_not_found` for
    a citizen without an account. Tokens issued before the upgrade keep `acr` level 1: the citizen signs in
    again to get `urn:vneid:loa:2`."""
    return lifecycle.upgrade_to_level_2(db, clock, officer.officer, personal_id, body.reason if body else None)


@router.post(
    "/v1/officer/accounts/{personal_id}/lock",
    response_model=AccountSummary,
    tags=["Officer: accounts"],
    name="accounts.lock",
    responses=OFFICER_ERRORS,
)
def lock(
    personal_id: PersonalIdPath, body: AuthorityLockRequest, officer: PoliceOfficer, db: SessionDep, clock: ClockDep
) -> AccountSummary:
    """Lock an active account for an authority's reason: `authority_request`, `breach_of_terms` or
    `id_card_revoked` (police officers only). The holder's tokens stop working at once and sign-in is refused
    with `account_locked`. `409 already_locked` (with the current `lock_reason`), `409 account_not_active` for a
    pending account."""
    return lifecycle.lock_by_authority(db, clock, officer.officer, personal_id, body.reason)


@router.post(
    "/v1/officer/accounts/{personal_id}/unlock",
    response_model=AccountSummary,
    tags=["Officer: accounts"],
    name="accounts.unlock",
    responses=OFFICER_ERRORS,
)
def unlock(
    personal_id: PersonalIdPath,
    officer: PoliceOfficer,
    db: SessionDep,
    clock: ClockDep,
    body: Annotated[UnlockRequest | None, Body()] = None,
) -> AccountSummary:
    """Unlock a locked account (police officers only): any lock but death, including the holder's own lock and
    the lock after five wrong passwords (whose count restarts at zero). A death lock is permanent:
    `409 permanent_lock`. `409 not_locked` when the account is not locked."""
    return lifecycle.unlock(db, clock, officer.officer, personal_id, body.reason if body else None)


@router.post(
    "/sandbox/citizens/{personal_id}/death",
    response_model=DeathRecorded,
    tags=["Sandbox controls"],
    name="sandbox.record_death",
    dependencies=[AdminDep],
    responses=problem_responses(401, 404, 409, 422),
)
def record_death(personal_id: PersonalIdPath, body: DeathRecord, db: SessionDep, clock: ClockDep) -> DeathRecorded:
    """Record a citizen's death in the population database (admin token), as a civil-status registration would:
    the record gets `date_of_death` (`life_status: deceased` in the population API) and the VNeID account, if any,
    is locked for good (reason `death`, actor `population_database`); its tokens stop working at once.

    The date may be neither in the future nor before the date of birth (`422 invalid_date_of_death`); a death
    already recorded is `409 already_deceased`."""
    outcome = lifecycle.record_death(db, clock, personal_id, body.date_of_death)
    return DeathRecorded(
        personal_id=outcome.personal_id,
        life_status="deceased",
        date_of_death=body.date_of_death,
        account=outcome.account,
    )
