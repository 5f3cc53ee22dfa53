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
from app.services.identity import devices

ACTIVE, LOCKED, PENDING = "active", "locked", "pending"
LOCK_DEATH = "death"
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


def check_password(db: Session, clock: Clock, personal_id: str, password: str, device: str | None) -> IdentityAccount:
    """Verify a sign-in password from the browser whose device cookie is `device` (`verify_credentials`). An
    account that cannot sign in (locked, deceased, pending) says so whatever the password, so a lock never becomes
    a password oracle."""
    if db.get(IdentityAccount, personal_id) is not None:
        usable_account(db, personal_id)
    return verify_credentials(db, clock, personal_id, password, device)


def verify_credentials(
    db: Session, clock: Clock, personal_id: str, password: str, device: str | None
) -> IdentityAccount:
    """The account if `password` is its password, whatever the account's state; a wrong one counts as a failed
    sign-in in the browser's lockout bucket (app/services/identity/devices.py; `device=None` for API callers,
    which share the untrusted browsers' bucket).

    A bucket locked out answers 429 `too_many_attempts` before the password is looked at (no oracle). An unknown ID
    costs the same hashing time as a known one and has a bucket too, so neither the answer's time nor a lockout
    tells whether an account exists. A bucket's count restarts only when a whole sign-in succeeds."""
    bucket = devices.bucket(db, device, personal_id)
    devices.SIGN_IN_THROTTLE.check(db, bucket, clock.now())
    account = db.get(IdentityAccount, personal_id)
    if account is None:
        verify_password(password, _unknown_account_hash())
    if account is None or not verify_password(password, account.password_hash):
        devices.SIGN_IN_THROTTLE.record_failure(db, bucket, clock.now())
        raise InvalidCredentials("the personal ID or the password is wrong")
    return account


def sign_in_lockout(db: Session, clock: Clock, personal_id: str, device: str | None) -> int | None:
    """Seconds the browser's bucket for this account is still locked out for, or None."""
    return devices.SIGN_IN_THROTTLE.retry_after(db, devices.bucket(db, device, personal_id), clock.now())


def record_failed_sign_in(db: Session, clock: Clock, personal_id: str, device: str | None) -> int | None:
    """A wrong one-time code. Counted in the bucket, not the sign-in, so starting the sign-in again gives no new
    guesses; the seconds the bucket is now locked out for, or None while it has failures left."""
    bucket = devices.bucket(db, device, personal_id)
    devices.SIGN_IN_THROTTLE.record_failure(db, bucket, clock.now())
    return devices.SIGN_IN_THROTTLE.retry_after(db, bucket, clock.now())


def record_sign_in(db: Session, personal_id: str, device: str | None) -> str:
    """Password and one-time code both right: the bucket's count starts again, and the browser is trusted for this
    account from now on. Returns the browser's new device cookie."""
    devices.SIGN_IN_THROTTLE.forget(db, devices.bucket(db, device, personal_id))
    return devices.trust(db, device, personal_id)


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
        str | None, Field(description="holder_request, authority_request, breach_of_terms, id_card_revoked or death.")
    ]
    guardian_personal_id: Annotated[
        str | None,
        Field(description="For a child's account: the parent who registered it and receives its codes."),
    ] = None


def account_summary(account: IdentityAccount) -> AccountSummary:
    """An account's level (also as OIDC `acr`) and state, as the API shows it."""
    status = cast(Literal["pending", "active", "locked"], account.status)
    return AccountSummary(
        account.personal_id,
        account.level,
        ACR_BY_LEVEL[account.level],
        status,
        account.lock_reason,
        account.guardian_personal_id,
    )
