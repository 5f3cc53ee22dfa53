"""VNeID identity accounts: level 1 self-registration, the officer's level 2 upgrade, locks, and recording a death."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from app.core.errors import problem_responses
from app.deps import AdminDep, ClockDep, PoliceOfficer, SessionDep
from app.schemas.account import (
    AuthorityLockRequest,
    DeathRecord,
    DeathRecorded,
    HolderUnlockPending,
    HolderUnlockStart,
    PoliceRegistration,
    RegistrationConfirm,
    RegistrationPending,
    RegistrationStart,
    UnlockRequest,
    UpgradeRequest,
)
from app.schemas.citizen import PersonalId
from app.services.identity import holder_unlock, lifecycle, registration
from app.services.identity.accounts import AccountSummary

router = APIRouter()
holders = APIRouter(tags=["VNeID accounts"])  # no token: the holder proves who they are with a code by SMS
officers = APIRouter(tags=["Officer: accounts"], responses=problem_responses(401, 403, 404, 409, 422))

PersonalIdPath = Annotated[PersonalId, Path(description="12-digit personal identification number of the holder.")]
CONFIRM_PATH = "/v1/accounts/registrations/confirm"
UNLOCK_CONFIRM_PATH = "/v1/accounts/unlock-requests/confirm"


def _masked(phone: str | None) -> str:
    return f"{(phone or '')[:3]}****{(phone or '')[-3:]}"


@holders.post(
    "/v1/accounts/registrations",
    response_model=RegistrationPending,
    status_code=202,
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
    return RegistrationPending(
        personal_id=pending.account.personal_id,
        status="pending",
        level=pending.account.level,
        otp_sent_to=_masked(pending.account.phone),
        otp_expires_at=pending.otp_expires_at,
        attempts_left=pending.attempts_left,
        confirm_url=CONFIRM_PATH,
    )


@holders.post(
    CONFIRM_PATH,
    response_model=AccountSummary,
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


@holders.post(
    "/v1/accounts/unlock-requests",
    response_model=HolderUnlockPending,
    status_code=202,
    name="accounts.start_holder_unlock",
    responses=problem_responses(401, 409, 422, 429),
)
def start_holder_unlock(body: HolderUnlockStart, db: SessionDep, clock: ClockDep) -> HolderUnlockPending:
    """Unlock my own account, step 1 of 2 (no token needed: the lock revoked them): the holder of an account they
    locked themselves (`lock_reason: holder_request`) sends personal ID and password, and a six-digit code goes
    by SMS to the account's registered phone (`GET /sandbox/inbox?personal_id=…`; personas get 123456), valid
    for 5 minutes. Then `POST /v1/accounts/unlock-requests/confirm`.

    A wrong personal ID or password is `401 invalid_credentials` and counts as a failed sign-in of an untrusted
    browser: after five, `429 too_many_attempts` with `Retry-After` (30 minutes of the sandbox clock) for right
    and wrong passwords alike. Any other lock is the police's to lift: `409 lock_not_holders`; a death lock is
    `409 permanent_lock`; an account that is not locked `409 not_locked`."""
    pending = holder_unlock.start_unlock(db, clock, body.personal_id, body.password)
    return HolderUnlockPending(
        personal_id=pending.account.personal_id,
        otp_sent_to=_masked(pending.account.phone),
        otp_expires_at=pending.otp_expires_at,
        confirm_url=UNLOCK_CONFIRM_PATH,
    )


@holders.post(
    UNLOCK_CONFIRM_PATH,
    response_model=AccountSummary,
    name="accounts.confirm_holder_unlock",
    responses=problem_responses(409, 422, 429),
)
def confirm_holder_unlock(body: RegistrationConfirm, db: SessionDep, clock: ClockDep) -> AccountSummary:
    """Unlock my own account, step 2 of 2: the code of the newest unlock SMS makes the account active again (an
    `unlock` event by the holder); the citizen then signs in as usual. A wrong code is `422 invalid_otp` and a
    failed sign-in (five: `429 too_many_attempts`); no code in force (never sent, or older than 5 minutes) is
    `422 otp_expired`; the lock checks of step 1 apply again."""
    return holder_unlock.confirm_unlock(db, clock, body.personal_id, body.otp)


@officers.post(
    "/v1/officer/accounts",
    response_model=AccountSummary,
    status_code=201,
    name="accounts.register_at_police",
)
def register_at_police(
    body: PoliceRegistration, officer: PoliceOfficer, db: SessionDep, clock: ClockDep
) -> AccountSummary:
    """Register a level 2 account directly at the counter (NĐ 69/2024/NĐ-CP art. 11: the level 1 step is optional),
    for a citizen of 14 or more without an account, after taking and matching portrait and fingerprints (in the
    sandbox taken as done); a pending self-registration is completed this way too. The citizen chooses the
    password and gives a mobile number; they then sign in with it and get `urn:vneid:loa:2`.

    Police officers only, for citizens who live in their commune (`403 outside_jurisdiction`), as for upgrades.
    Level 2 needs an ID card in force and 6 years of age (NĐ 69/2024 art. 7): `403 id_card_required`,
    `403 below_level_2_age`; a child under 14 is registered by a parent first (`403 below_minimum_age`), then
    upgraded; `403 citizen_deceased`; `409 account_exists` for an active or locked account (upgrade it instead)."""
    return lifecycle.register_at_police(
        db, clock, officer.officer, body.personal_id, body.phone, body.password, body.reason
    )


@officers.post(
    "/v1/officer/accounts/{personal_id}/upgrade",
    response_model=AccountSummary,
    name="accounts.upgrade",
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
    a citizen without an account. Level 2 needs an ID card in force and 6 years of age (NĐ 69/2024 art. 7):
    `403 id_card_required`, `403 below_level_2_age` (a child's account, registered by a parent, is upgraded
    here from 6). Tokens issued before the upgrade keep `acr` level 1: the citizen signs in
    again to get `urn:vneid:loa:2`."""
    return lifecycle.upgrade_to_level_2(db, clock, officer.officer, personal_id, body.reason if body else None)


@officers.post(
    "/v1/officer/accounts/{personal_id}/lock",
    response_model=AccountSummary,
    name="accounts.lock",
)
def lock(
    personal_id: PersonalIdPath, body: AuthorityLockRequest, officer: PoliceOfficer, db: SessionDep, clock: ClockDep
) -> AccountSummary:
    """Lock an active account for an authority's reason: `authority_request`, `breach_of_terms` or
    `id_card_revoked` (police officers only). The holder's tokens stop working at once and sign-in is refused
    with `account_locked`. `409 already_locked` (with the current `lock_reason`), `409 account_not_active` for a
    pending account."""
    return lifecycle.lock_by_authority(db, clock, officer.officer, personal_id, body.reason)


@officers.post(
    "/v1/officer/accounts/{personal_id}/unlock",
    response_model=AccountSummary,
    name="accounts.unlock",
)
def unlock(
    personal_id: PersonalIdPath,
    officer: PoliceOfficer,
    db: SessionDep,
    clock: ClockDep,
    body: Annotated[UnlockRequest | None, Body()] = None,
) -> AccountSummary:
    """Unlock a locked account (police officers only): any lock but death, including the holder's own lock. A
    death lock is permanent:
    `409 permanent_lock`. `409 not_locked` when the account is not locked."""
    return lifecycle.unlock(db, clock, officer.officer, personal_id, body.reason if body else None)


router.include_router(holders)
router.include_router(officers)


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
