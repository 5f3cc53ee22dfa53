"""Citizen self-service with the citizen's own token: my record, who read it, my consents, my account."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from app.core.errors import problem_responses
from app.deps import ClockDep, SelfCitizen, SessionDep
from app.schemas.account import ChildRegistration
from app.schemas.me import AccountHistory, ConsentList, HolderLockRequest, Me
from app.services import selfservice
from app.services.identity import children, lifecycle
from app.services.identity.accounts import AccountSummary
from app.services.selfservice import AccessLogPage

router = APIRouter(prefix="/v1/me", tags=["Citizen self-service"])

TOKEN_ERRORS = (401, 403)


@router.get("", response_model=Me, name="me.record", responses=problem_responses(*TOKEN_ERRORS))
def my_record(caller: SelfCitizen, db: SessionDep, clock: ClockDep) -> Me:
    """The signed-in citizen's own population record, every field, and their VNeID account (`level`, `acr`,
    `status`, `lock_reason`). Needs a citizen's access token from the login flow (client-credentials tokens get
    `403 citizen_token_required`). Reading one's own record is free and is not written to the access log."""
    return Me.of(selfservice.my_record(db, clock, caller.personal_id))


@router.get(
    "/access-log", response_model=AccessLogPage, name="me.access_log", responses=problem_responses(*TOKEN_ERRORS, 422)
)
def access_log(
    caller: SelfCitizen,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Entries per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many: a `next_offset`.")] = 0,
) -> AccessLogPage:
    """Who looked at my data: every read, household read and identity verification of the signed-in citizen by a
    relying party, newest first, with the client, the fields disclosed, the stated purpose and the fee it paid.
    Page with `limit` and `offset`; `next_offset` is null on the last page."""
    return selfservice.access_log(db, caller.personal_id, limit=limit, offset=offset)


@router.get("/consents", response_model=ConsentList, name="me.consents", responses=problem_responses(*TOKEN_ERRORS))
def consents(caller: SelfCitizen, db: SessionDep) -> ConsentList:
    """The citizen's consents to relying parties, active and revoked, newest first: the client, its purpose and
    the data scopes it may read."""
    return ConsentList(items=selfservice.my_consents(db, caller.personal_id))


@router.delete(
    "/consents/{consent_id}",
    status_code=204,
    name="me.revoke_consent",
    responses=problem_responses(*TOKEN_ERRORS, 404, 422),
)
def revoke_consent(
    consent_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="`id` from GET /v1/me/consents.")],
    caller: SelfCitizen,
    db: SessionDep,
    clock: ClockDep,
) -> None:
    """Revoke a consent: from now on that client reads the citizen's data only with another active consent
    (otherwise `403 consent_required`), and its next sign-in asks for consent again. Idempotent: revoking a
    revoked consent is `204` again and keeps the first `revoked_at`. Another citizen's consent (or none) is
    `404 consent_not_found`."""
    selfservice.revoke_consent(db, clock, caller.personal_id, consent_id)


@router.post(
    "/account/lock",
    response_model=AccountSummary,
    name="me.lock_account",
    responses=problem_responses(*TOKEN_ERRORS, 404, 409, 422),
)
def lock_account(
    caller: SelfCitizen,
    db: SessionDep,
    clock: ClockDep,
    body: Annotated[HolderLockRequest | None, Body()] = None,
) -> AccountSummary:
    """Lock my own account (reason `holder_request`; an optional free-text `reason` is kept in the history), for
    a lost phone or suspected misuse. Every token of the account stops working at once, this one included, and
    sign-in is refused until the holder lifts the lock with password and SMS code
    (`POST /v1/accounts/unlock-requests`) or a police officer unlocks it. `409 already_locked`."""
    return lifecycle.lock_own_account(db, clock, caller.personal_id, body.reason if body else None)


@router.post(
    "/children/accounts",
    response_model=AccountSummary,
    status_code=201,
    name="me.register_child_account",
    responses=problem_responses(*TOKEN_ERRORS, 409, 422),
)
def register_child_account(
    body: ChildRegistration, caller: SelfCitizen, db: SessionDep, clock: ClockDep
) -> AccountSummary:
    """Register an account for my child under 14 (NĐ 69/2024/NĐ-CP art. 11: a parent uses their own level 2
    account and mobile number). The account is level 1 and active at once, names me in `guardian_personal_id`,
    and its sign-in codes come to my phone; the police upgrade it to level 2 from 6 years of age.

    Needs a level 2 account (`403 insufficient_account_level`, with an RFC 9470 challenge). The population
    record must name me as the child's father or mother (`403 not_your_child`, also for an unknown ID); the child
    must be alive (`403 citizen_deceased`), under 14 (`403 not_under_14`: they register themselves) and hold an ID
    card in force (`403 id_card_required`, NĐ 69/2024 art. 7); `409 account_exists`."""
    return children.register_child(db, clock, caller.personal_id, body.personal_id, body.password)


@router.get(
    "/account/history",
    response_model=AccountHistory,
    name="me.account_history",
    responses=problem_responses(*TOKEN_ERRORS),
)
def account_history(caller: SelfCitizen, db: SessionDep) -> AccountHistory:
    """The history of my account, oldest first: registration, level upgrade, locks and unlocks, each with who
    (`holder`, `officer`, `system`, `population_database`) and why."""
    return AccountHistory(items=selfservice.my_account_history(db, caller.personal_id))
