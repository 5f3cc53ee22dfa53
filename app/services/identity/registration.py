"""Self-registration of a level 1 account (as in the VNeID app): identity check, password policy, SMS code.

A registration is the account itself in the `pending` state. The one-time code is not stored anywhere of
its own: the sandbox inbox is the record of the SMS gateway, so the code checked is the one in the newest
registration SMS to that citizen, and wrong attempts are counted in the pending account's `failed_logins`.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, CodedError, NotFound
from app.core.passwords import hash_password
from app.models import Citizen, IdentityAccount
from app.services.identity import otp
from app.services.identity.accounts import ACTIVE, PENDING, AccountSummary, account_summary, change_state, record_event
from app.services.population.dates import age_on
from app.services.population.names import fold_name

MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH = 8, 128
# The classes a password needs, as the patterns the OpenAPI schema publishes: ASCII, so that every regex engine reads
# them alike (a letter with a diacritic, like any character but A-Z, a-z, 0-9 and white space, is a symbol).
PASSWORD_CLASSES = (
    ("an upper-case letter", "[A-Z]"),
    ("a lower-case letter", "[a-z]"),
    ("a digit", "[0-9]"),
    ("a symbol", r"[^A-Za-z0-9\t-\r ]"),
)
MIN_SELF_REGISTRATION_AGE = 14  # younger children get an account through a parent or guardian
SMS_PURPOSE = "dang ky tai khoan VNeID"
CITIZEN_ROLE = "citizen"


class IdentityMismatch(AppError):
    status, code, title = 422, "identity_mismatch", "The identity does not match the population database"


class RegistrationRefused(CodedError):
    """The citizen cannot self-register; `code` says why."""

    status, title = 403, "This citizen cannot self-register"
    codes = {
        "citizen_deceased": "the citizen has died: the account is locked for good, no new one is registered",
        "below_minimum_age": "a child gets an account through a parent or guardian, not by self-registration",
    }


class AccountExists(AppError):
    status, code, title = 409, "account_exists", "The citizen already has a VNeID account"


class RegistrationNotFound(NotFound):
    code, title = "registration_not_found", "No registration is waiting for a code"


class InvalidOtp(AppError):
    status, code, title = 422, "invalid_otp", "Wrong one-time code"


class OtpExpired(AppError):
    status, code, title = 422, "otp_expired", "The one-time code has expired"


class RegistrationCancelled(AppError):
    status, code, title = 422, "registration_cancelled", "Too many wrong codes: the registration was cancelled"


@dataclass(frozen=True)
class PendingRegistration:
    account: IdentityAccount
    otp_expires_at: datetime
    attempts_left: int


def check_password_policy(password: str) -> str:
    """The password rule of self-registration, as a validator: the error names what is missing."""
    missing = [label for label, pattern in PASSWORD_CLASSES if not re.search(pattern, password)]
    if len(password) < MIN_PASSWORD_LENGTH:
        missing.insert(0, f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    if missing:
        raise ValueError(f"the password needs {', '.join(missing)}")
    return password


def start_registration(
    db: Session, clock: Clock, *, personal_id: str, full_name: str, date_of_birth: date, phone: str, password: str
) -> PendingRegistration:
    """Check the claimed identity, create (or restart) the pending account and send the code by SMS."""
    # Row lock: two registrations of one citizen at once must not both insert an account.
    citizen = db.get(Citizen, personal_id, with_for_update=True, populate_existing=True)
    # One answer for an unknown ID and a wrong name or birth date: this endpoint needs no token, and must not
    # become a free identity-verification service (that one is metered: POST /v1/citizens/verify).
    if (
        citizen is None
        or fold_name(citizen.full_name) != fold_name(full_name)
        or citizen.date_of_birth != date_of_birth
    ):
        raise IdentityMismatch(
            "the personal ID, full name and date of birth do not match the population database together"
        )
    today = clock.today()
    if citizen.date_of_death is not None:
        raise RegistrationRefused("citizen_deceased", "the population database records this citizen as deceased")
    if age_on(citizen.date_of_birth, today) < MIN_SELF_REGISTRATION_AGE:
        raise RegistrationRefused(
            "below_minimum_age",
            f"citizens under {MIN_SELF_REGISTRATION_AGE} get an account through a parent or guardian, "
            "not by self-registration",
        )
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is not None and account.status != PENDING:
        raise AccountExists(
            f"this citizen already has a level {account.level} VNeID account ({account.status})",
            account_status=account.status,
        )
    now = clock.now()
    if account is None:
        account = IdentityAccount(personal_id=personal_id, level=1, role=CITIZEN_ROLE, created_at=now)
        db.add(account)
    # A pending registration started again (a lost SMS, an expired code) starts over with the new details.
    account.status, account.lock_reason = PENDING, None
    account.phone, account.password_hash, account.failed_logins = phone, hash_password(password), 0
    record_event(db, clock, account, "apply", personal_id, "self_registration")
    otp.send_otp(db, clock, personal_id, phone, SMS_PURPOSE)
    db.flush()
    return PendingRegistration(account, now + otp.OTP_TTL, otp.MAX_OTP_ATTEMPTS)


def confirm_registration(db: Session, clock: Clock, *, personal_id: str, code: str) -> AccountSummary:
    """Activate a pending account with the code from its SMS; five wrong codes cancel the registration.

    A wrong code must be counted even though the request fails, so this commits before raising.
    """
    account = db.get(IdentityAccount, personal_id, with_for_update=True, populate_existing=True)
    if account is None or account.status != PENDING:
        raise RegistrationNotFound(
            "no registration of this personal ID is waiting for a code; start with POST /v1/accounts/registrations"
        )
    sent = otp.latest_code(db, clock, personal_id, SMS_PURPOSE)
    if sent is None:
        raise OtpExpired("the code has expired; send the registration again to receive a new one")
    if otp.otp_matches(code, personal_id, otp.otp_digest(sent, personal_id)):
        account.failed_logins = 0
        change_state(db, clock, account, ACTIVE, "register", personal_id, "otp_confirmed")
        db.flush()
        return account_summary(account)
    account.failed_logins += 1
    attempts_left = otp.MAX_OTP_ATTEMPTS - account.failed_logins
    error: AppError
    if attempts_left <= 0:
        record_event(db, clock, account, "cancel", "system", "too_many_wrong_otps")
        db.delete(account)
        error = RegistrationCancelled(
            f"{otp.MAX_OTP_ATTEMPTS} wrong codes: the registration was cancelled; start again from the beginning"
        )
    else:
        error = InvalidOtp(f"wrong code; {attempts_left} attempt(s) left", attempts_left=attempts_left)
    db.commit()  # the request's session rolls back on any error: keep the count (or the cancellation)
    raise error
