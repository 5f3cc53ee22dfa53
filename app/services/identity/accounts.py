"""Account levels and states, the checks a sign-in makes, and the append-only account history."""

import secrets
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Literal, cast

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, CodedError
from app.core.passwords import hash_password, verify_password
from app.models import AccountEvent, Citizen, IdentityAccount
from app.services.oidc.grants import revoke_citizen_grants

ACTIVE, LOCKED, PENDING = "active", "locked", "pending"
LOCK_DEATH, LOCK_FAILED_LOGINS = "death", "failed_logins"
MAX_FAILED_LOGINS = 5
ACR_BY_LEVEL = {1: "urn:vneid:loa:1", 2: "urn:vneid:loa:2"}
LEVEL_BY_ACR = {acr: level for level, acr in ACR_BY_LEVEL.items()}
SIGN_IN_AMR = ["pwd", "otp", "mfa"]  # password, then a one-time code to the registered phone


class InvalidCredentials(AppError):
    status, code, title = 401, "invalid_credentials", "Wrong personal ID or password"


class AccountUnavailable(CodedError):
    """The citizen cannot sign in; `code` says why."""

    status, title = 403, "The VNeID account cannot be used"
    codes = {
        "no_account": "the citizen has no VNeID identity account",
        "citizen_deceased": "the citizen has died: the account is locked for good, no new one is registered",
        "account_locked": "the account is locked (`lock_reason` says why)",
        "account_pending": "the account is waiting for activation",
    }


def usable_account(db: Session, personal_id: str) -> IdentityAccount:
    """The citizen's account if it may sign in now, or AccountUnavailable saying why not."""
    citizen = db.get(Citizen, personal_id)
    account = db.get(IdentityAccount, personal_id)
    if citizen is None or account is None:
        raise AccountUnavailable("no_account", "this citizen has no VNeID identity account")
    if citizen.date_of_death is not None or account.lock_reason == LOCK_DEATH:
        raise AccountUnavailable("citizen_deceased", "the account holder has died; the account is locked for good")
    if account.status == LOCKED:
        raise AccountUnavailable(
            "account_locked", f"the account is locked ({account.lock_reason})", lock_reason=account.lock_reason
        )
    if account.status == PENDING:
        raise AccountUnavailable("account_pending", "the account is waiting for activation")
    return account


@cache
def _unknown_account_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def check_password(db: Session, clock: Clock, personal_id: str, password: str) -> IdentityAccount:
    """Verify a sign-in password; a wrong one counts as a failed sign-in (`record_failed_sign_in`).

    An account that cannot sign in (locked, deceased, pending) says so whatever the password, so a lock never
    becomes a password oracle; an unknown ID costs the same hashing time as a known one, so the answer's time does
    not tell whether an account exists. The count of failures restarts only when the whole sign-in succeeds."""
    account = db.get(IdentityAccount, personal_id)
    if account is None:
        verify_password(password, _unknown_account_hash())
        raise InvalidCredentials("the personal ID or the password is wrong")
    usable_account(db, personal_id)
    if not verify_password(password, account.password_hash):
        record_failed_sign_in(db, clock, account)
        raise InvalidCredentials("the personal ID or the password is wrong")
    return account


def record_failed_sign_in(db: Session, clock: Clock, account: IdentityAccount) -> None:
    """A wrong password or one-time code. Counted on the account, not the sign-in, so starting the sign-in again
    gives no new guesses: the fifth failure in a row locks the account and ends its sessions and tokens."""
    account.failed_logins += 1
    if account.failed_logins >= MAX_FAILED_LOGINS and account.status != LOCKED:
        change_state(db, clock, account, LOCKED, "lock", "system", LOCK_FAILED_LOGINS)
        revoke_citizen_grants(db, clock.now(), account.personal_id, f"account_locked:{LOCK_FAILED_LOGINS}")


def record_sign_in(account: IdentityAccount) -> None:
    """Password and one-time code both right: the count of failures starts again."""
    account.failed_logins = 0


def change_state(
    db: Session, clock: Clock, account: IdentityAccount, status: str, action: str, actor: str, reason: str | None
) -> None:
    account.status = status
    account.lock_reason = reason if status == LOCKED else None
    record_event(db, clock, account, action, actor, reason)


def record_event(
    db: Session, clock: Clock, account: IdentityAccount, action: str, actor: str, reason: str | None
) -> None:
    db.add(
        AccountEvent(
            personal_id=account.personal_id,
            at=clock.now(),
            action=action,
            actor=actor,
            reason=reason,
            level=account.level,
            status=account.status,
        )
    )


def account_history(db: Session, personal_id: str) -> list[AccountEvent]:
    return list(
        db.scalars(select(AccountEvent).where(AccountEvent.personal_id == personal_id).order_by(AccountEvent.id))
    )


@dataclass(frozen=True)
class AccountSummary:
    """An identity account's level and state."""

    personal_id: str
    level: int
    acr: Annotated[str, Field(description="The account level as OIDC `acr`: urn:vneid:loa:1 or urn:vneid:loa:2.")]
    status: Literal["pending", "active", "locked"]
    lock_reason: Annotated[
        str | None,
        Field(
            description="holder_request, authority_request, breach_of_terms, id_card_revoked, failed_logins or death."
        ),
    ]


def account_summary(account: IdentityAccount) -> AccountSummary:
    """An account's level (also as OIDC `acr`) and state, as the API shows it."""
    status = cast(Literal["pending", "active", "locked"], account.status)
    return AccountSummary(account.personal_id, account.level, ACR_BY_LEVEL[account.level], status, account.lock_reason)
