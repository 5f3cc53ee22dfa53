"""Holder-requested unlock (mở khóa tài khoản): a holder who locked their own account lifts that lock by proving
the password and possession of the registered phone (a code by SMS). Other locks are the police's to lift
(app/services/identity/lifecycle.py), a death lock nobody's.

The holder has no token while locked (the lock revoked them), so both steps are public, like self-registration;
the password and the code are checked in the sign-in lockout bucket of untrusted browsers, so this is no way
around the sign-in's limit of guesses."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError
from app.models import Citizen, IdentityAccount
from app.services.identity import otp
from app.services.identity.accounts import (
    ACTIVE,
    LOCK_DEATH,
    LOCKED,
    AccountSummary,
    InvalidCredentials,
    account_summary,
    change_state,
    record_failed_sign_in,
    sign_in_lockout,
    verify_credentials,
)
from app.services.identity.lifecycle import LOCK_HOLDER, NotLocked, PermanentLock
from app.services.identity.registration import InvalidOtp, OtpExpired
from app.services.throttle import TooManyAttempts

SMS_PURPOSE = "mo khoa tai khoan VNeID"


class LockNotHolders(AppError):
    status, code, title = 409, "lock_not_holders", "Only the police can lift this lock"


@dataclass(frozen=True)
class PendingUnlock:
    account: IdentityAccount
    otp_expires_at: datetime


def start_unlock(db: Session, clock: Clock, personal_id: str, password: str) -> PendingUnlock:
    """Check the password (a wrong one is a failed sign-in) and that the lock is the holder's own, then send the
    code to the account's registered phone."""
    try:
        account = verify_credentials(db, clock, personal_id, password, device=None)
    except InvalidCredentials:
        db.commit()  # the request's session rolls back on any error: keep the failure counted
        raise
    _check_holders_lock(db, account)
    otp.send_otp(db, clock, personal_id, account.phone, SMS_PURPOSE)
    return PendingUnlock(account, clock.now() + otp.OTP_TTL)


def confirm_unlock(db: Session, clock: Clock, personal_id: str, code: str) -> AccountSummary:
    """Lift the holder's lock with the code of the newest unlock SMS; a wrong code is a failed sign-in."""
    locked_for = sign_in_lockout(db, clock, personal_id, None)
    if locked_for is not None:
        raise TooManyAttempts(locked_for)
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    sent = otp.latest_code(db, clock, personal_id, SMS_PURPOSE)
    if account is None or sent is None:
        raise OtpExpired("no unlock code is in force: start with POST /v1/accounts/unlock-requests")
    _check_holders_lock(db, account)
    if not otp.otp_matches(code, personal_id, otp.otp_digest(sent, personal_id)):
        locked_for = record_failed_sign_in(db, clock, personal_id, None)
        db.commit()  # keep the failure counted though the request fails
        if locked_for is not None:
            raise TooManyAttempts(locked_for)
        raise InvalidOtp("wrong code")
    change_state(db, clock, account, ACTIVE, "unlock", personal_id, f"{LOCK_HOLDER}: otp_confirmed")
    return account_summary(account)


def _check_holders_lock(db: Session, account: IdentityAccount) -> None:
    citizen = db.get_one(Citizen, account.personal_id)
    if account.lock_reason == LOCK_DEATH or citizen.date_of_death is not None:
        raise PermanentLock("the account holder has died: the account is locked for good")
    if account.status != LOCKED:
        raise NotLocked(f"the account is not locked; it is {account.status}", account_status=account.status)
    if account.lock_reason != LOCK_HOLDER:
        raise LockNotHolders(
            f"the account is locked for another reason ({account.lock_reason}): the commune police lift it",
            lock_reason=account.lock_reason,
        )
