"""Signing a citizen in for an authorization request: password, one-time code, consent, then a code.

Each step is a stage of a LoginTransaction kept in the database (so any worker can serve the next page), bound
to the browser that started it: another browser cannot take a step, so nobody can plant his own sign-in in a
victim's browser (login CSRF). Wrong passwords and codes count in the browser's lockout bucket (the device cookie,
app/services/identity/devices.py); the single sign-on session is app/services/oidc/sessions.py.
Test clients may skip the pages: `login_hint` naming a persona (or the configured default persona)
signs that persona in at once, as DESIGN §4 promises automated tests.
"""

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.config import Settings
from app.core.errors import AppError
from app.models import Citizen, Client, Consent, IdentityAccount, LoginSession, LoginTransaction
from app.services.identity import otp
from app.services.identity.accounts import (
    ACR_BY_LEVEL,
    AccountUnavailable,
    InvalidCredentials,
    check_password,
    record_failed_sign_in,
    record_sign_in,
    sign_in_lockout,
    usable_account,
)
from app.services.oidc import grants, scenarios, sessions
from app.services.oidc.authorize import AuthorizationRequest, AuthorizationResponse, AuthorizeError
from app.services.oidc.scenarios import Stage
from app.services.population.seeding import personas_document

TRANSACTION_TTL = timedelta(minutes=10)
SESSION_COOKIE = sessions.SESSION_COOKIE
PASSWORD, OTP, CONSENT = "password", "otp", "consent"


@dataclass(frozen=True)
class Outcome:
    """Where the browser goes next: the client's redirect URI, or a page of the login transaction."""

    redirect: AuthorizationResponse | None = None
    transaction_id: str | None = None
    error: str | None = None
    new_session_token: str | None = None
    session_ended: bool = False  # the browser's SSO cookie is to be deleted
    device_cookie: str | None = None  # the browser's new device cookie, after a completed sign-in


class TransactionGone(AppError):
    status, code, title = 404, "login_expired", "This sign-in has expired or was completed"


class TransactionOfAnotherBrowser(AppError):
    in_api = False  # only the sign-in pages make it
    status, code, title = 403, "login_other_browser", "This sign-in was started in another browser"


@dataclass(frozen=True)
class SignedIn:
    """Who the consent screen says is signed in: the name and the masked personal ID."""

    full_name: str
    masked_personal_id: str


def persona_id(hint: str | None) -> str | None:
    """A persona's personal ID from a login_hint naming it by personal ID or by key."""
    for persona in personas_document()["personas"]:
        if hint in (persona["personal_id"], persona["key"]):
            return str(persona["personal_id"])
    return None


def start(
    db: Session,
    clock: Clock,
    settings: Settings,
    client: Client,
    request: AuthorizationRequest,
    session_token: str | None,
    browser: str,
) -> Outcome:
    if client.test_client and scenarios.take(db, client.client_id, Stage.AUTHORIZATION):
        return _fail(request, AuthorizeError("access_denied", "sandbox scenario: the user cancelled the sign-in"))
    headless = persona_id(request.login_hint) or (None if request.login_hint else persona_id(settings.default_persona))
    try:
        if client.test_client and headless:
            persona_session = sessions.new_session(db, headless, now=datetime.now(UTC))[0]
            return _after_sign_in(db, clock, client, request, persona_session, transaction=None, browser=None)
        session = sessions.live_session(db, settings, session_token)
        if session is not None and _session_fits(session, request):
            return _after_sign_in(db, clock, client, request, session, transaction=None, browser=browser)
        if "none" in request.prompt:
            raise AuthorizeError("login_required", "prompt=none but the citizen is not signed in")
    except AuthorizeError as error:
        return _fail(request, error)
    return Outcome(transaction_id=_new_transaction(db, client, request, PASSWORD, browser).id)


def _new_transaction(
    db: Session, client: Client, request: AuthorizationRequest, stage: str, browser: str
) -> LoginTransaction:
    transaction = LoginTransaction(
        id=secrets.token_urlsafe(32),
        client_id=client.client_id,
        request=request.to_json(),
        stage=stage,
        browser_binding=browser,
        expires_at=datetime.now(UTC) + TRANSACTION_TTL,
    )
    db.add(transaction)
    return transaction


def transaction(db: Session, transaction_id: str, browser: str, stage: str | None = None) -> LoginTransaction:
    """The sign-in in progress, if it is still open, at `stage`, and this browser's (`browser` is its binding)."""
    row = db.get(LoginTransaction, transaction_id)
    if row is None or row.expires_at <= datetime.now(UTC) or (stage is not None and row.stage != stage):
        raise TransactionGone("start again from the application you were signing in to")
    if not hmac.compare_digest(row.browser_binding, browser):
        raise TransactionOfAnotherBrowser(
            "this sign-in was started in another browser: start again from the application you are signing in to"
        )
    return row


def signed_in_as(db: Session, row: LoginTransaction) -> SignedIn:
    citizen = db.get_one(Citizen, row.personal_id)
    masked = f"{citizen.personal_id[:3]}******{citizen.personal_id[-3:]}"
    return SignedIn(citizen.full_name, masked)


def submit_password(
    db: Session, clock: Clock, transaction_id: str, browser: str, device: str | None, personal_id: str, password: str
) -> Outcome:
    """The password step; `device` is the browser's device cookie. A locked-out bucket is 429 (TooManyAttempts)."""
    row = transaction(db, transaction_id, browser, PASSWORD)
    try:
        account = check_password(db, clock, personal_id.strip(), password, device)
    except (InvalidCredentials, AccountUnavailable) as error:
        return Outcome(transaction_id=row.id, error=error.code)
    code = otp.send_otp(db, clock, account.personal_id, account.phone, "dang nhap VNeID")
    row.personal_id, row.stage, row.otp_hash = account.personal_id, OTP, otp.otp_digest(code, row.id)
    return Outcome(transaction_id=row.id)


def submit_otp(
    db: Session, clock: Clock, client: Client, transaction_id: str, browser: str, device: str | None, code: str
) -> Outcome:
    """The one-time code step; the failure that locks the bucket out ends the sign-in (`too_many_attempts`)."""
    row = transaction(db, transaction_id, browser, OTP)
    personal_id = row.personal_id or ""
    # A bucket locked out meanwhile (by other browsers, for the untrusted one) takes no more guesses either.
    locked_for = sign_in_lockout(db, clock, personal_id, device)
    if locked_for is None and not otp.otp_matches(code, row.id, row.otp_hash or ""):
        locked_for = record_failed_sign_in(db, clock, personal_id, device)
        if locked_for is None:
            return Outcome(transaction_id=row.id, error="invalid_otp")
    if locked_for is not None:
        db.delete(row)
        detail = f"too many failed sign-ins in this browser; try again in {locked_for} s"
        error = AuthorizeError("access_denied", detail, vneid_error="too_many_attempts")
        return _fail(AuthorizationRequest.from_json(row.request), error)
    trusted = record_sign_in(db, personal_id, device)
    return replace(_signed_in(db, clock, client, row, personal_id), device_cookie=trusted)


def submit_persona(db: Session, clock: Clock, client: Client, transaction_id: str, browser: str, hint: str) -> Outcome:
    """The sandbox panel: sign a persona in with one click (password and code taken as given)."""
    row = transaction(db, transaction_id, browser, PASSWORD)
    personal_id = persona_id(hint)
    if personal_id is None:
        return Outcome(transaction_id=row.id, error="unknown_persona")
    try:
        usable_account(db, personal_id)
    except AccountUnavailable as error:
        return Outcome(transaction_id=row.id, error=error.code)
    return _signed_in(db, clock, client, row, personal_id)


def submit_consent(
    db: Session, clock: Clock, client: Client, transaction_id: str, browser: str, approve: bool
) -> Outcome:
    row = transaction(db, transaction_id, browser, CONSENT)
    request = AuthorizationRequest.from_json(row.request)
    session = db.scalars(select(LoginSession).where(LoginSession.sid == row.session_sid)).first()
    db.delete(row)
    if not approve or session is None:
        return _fail(request, AuthorizeError("access_denied", "the citizen declined to share the data"))
    record_consent(db, clock_now=clock.now(), client=client, scope=request.scope, personal_id=session.personal_id)
    return _issue(db, client, request, session)


def switch_account(db: Session, transaction_id: str, browser: str) -> Outcome:
    """The consent screen's "not you?": end the SSO session shown there and ask for the credentials again."""
    row = transaction(db, transaction_id, browser, CONSENT)
    sessions.end_session(db, datetime.now(UTC), session_token=None, sid=row.session_sid)
    row.stage, row.personal_id, row.session_sid, row.otp_hash = PASSWORD, None, None, None
    return Outcome(transaction_id=row.id, session_ended=True)


def _signed_in(db: Session, clock: Clock, client: Client, row: LoginTransaction, personal_id: str) -> Outcome:
    session, token = sessions.new_session(db, personal_id, now=datetime.now(UTC))
    request = AuthorizationRequest.from_json(row.request)
    try:
        outcome = _after_sign_in(db, clock, client, request, session, transaction=row, browser=row.browser_binding)
    except AuthorizeError as error:
        db.delete(row)
        outcome = _fail(request, error)
    return Outcome(outcome.redirect, outcome.transaction_id, outcome.error, new_session_token=token)


def _after_sign_in(
    db: Session,
    clock: Clock,
    client: Client,
    request: AuthorizationRequest,
    session: LoginSession,
    *,
    transaction: LoginTransaction | None,
    browser: str | None,
) -> Outcome:
    """What follows a sign-in: the consent screen if needed, else a code. `browser` is None for a headless sign-in
    (no page to show: consent is given automatically)."""
    try:
        account = usable_account(db, session.personal_id)
    except AccountUnavailable as error:
        raise AuthorizeError("access_denied", error.detail, vneid_error=error.code) from None
    required = request.required_level()
    if required is not None and account.level < required:
        raise AuthorizeError(
            "unmet_authentication_requirements",
            f"this service needs a level {required} VNeID account; the citizen's account is level {account.level}",
            vneid_error="insufficient_account_level",
        )
    if _needs_consent(db, client, request, session.personal_id):
        if "none" in request.prompt:
            raise AuthorizeError("consent_required", "prompt=none but the citizen has not consented yet")
        if browser is None:  # headless: consent is given automatically, unless a scenario says otherwise
            if client.test_client and scenarios.take(db, client.client_id, Stage.CONSENT):
                raise AuthorizeError("access_denied", "sandbox scenario: the citizen declined to share the data")
            record_consent(
                db, clock_now=clock.now(), client=client, scope=request.scope, personal_id=session.personal_id
            )
        else:
            transaction = transaction or _new_transaction(db, client, request, CONSENT, browser)
            transaction.stage, transaction.personal_id, transaction.session_sid = (
                CONSENT,
                session.personal_id,
                session.sid,
            )
            return Outcome(transaction_id=transaction.id)
    if transaction is not None:
        db.delete(transaction)
    return _issue(db, client, request, session, account)


def _issue(
    db: Session,
    client: Client,
    request: AuthorizationRequest,
    session: LoginSession,
    account: IdentityAccount | None = None,
) -> Outcome:
    account = account or db.get_one(IdentityAccount, session.personal_id)
    now = datetime.now(UTC)
    grant = grants.new_grant(
        db,
        now,
        client=client,
        personal_id=session.personal_id,
        scope=request.scope,
        acr=ACR_BY_LEVEL[account.level],
        amr=session.amr,
        auth_time=session.auth_time,
        session_id=session.sid,
    )
    code = grants.issue_code(
        db,
        now,
        grant,
        redirect_uri=request.redirect_uri,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        claims=request.claims,
        dpop_jkt=request.dpop_jkt,
    )
    return Outcome(redirect=request.redirect(code=code))


def _fail(request: AuthorizationRequest, error: AuthorizeError) -> Outcome:
    return Outcome(redirect=request.error_redirect(error))


def _needs_consent(db: Session, client: Client, request: AuthorizationRequest, personal_id: str) -> bool:
    if "consent" in request.prompt:
        return True
    wanted = set(request.scope.split())
    consents = db.scalars(
        select(Consent).where(
            Consent.personal_id == personal_id, Consent.client_id == client.client_id, Consent.revoked_at.is_(None)
        )
    )
    return not any(wanted <= set(c.scopes) for c in consents)


def record_consent(db: Session, *, clock_now: datetime, client: Client, scope: str, personal_id: str) -> None:
    db.add(
        Consent(
            personal_id=personal_id,
            client_id=client.client_id,
            purpose=client.purpose,
            scopes=sorted(set(scope.split())),
            granted_at=clock_now,
        )
    )


def _session_fits(session: LoginSession, request: AuthorizationRequest) -> bool:
    if "login" in request.prompt:
        return False
    hinted = persona_id(request.login_hint) or request.login_hint
    if hinted and hinted != session.personal_id:  # someone else is asked for: sign in again
        return False
    if request.max_age is not None:
        return (datetime.now(UTC) - session.auth_time).total_seconds() <= request.max_age
    return True
