"""The single sign-on session at the sandbox (the `vneid_session` cookie) and RP-initiated logout, which ends it.

The session ends after `sso_idle_minutes` without use and `sso_max_hours` after the sign-in.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import OAuthError
from app.core.keys import KeyStore, TokenInvalid
from app.models import Grant, LoginSession
from app.services.identity.accounts import SIGN_IN_AMR
from app.services.oidc import grants

SESSION_COOKIE = "vneid_session"  # the browser's sign-in session at the sandbox (single sign-on)


def new_session(db: Session, personal_id: str, *, now: datetime) -> tuple[LoginSession, str]:
    token = secrets.token_urlsafe(32)
    session = LoginSession(
        id_hash=grants.token_hash(token),
        sid=secrets.token_hex(16),
        personal_id=personal_id,
        auth_time=now.replace(microsecond=0),
        amr=SIGN_IN_AMR,
        last_used_at=now,
    )
    db.add(session)
    db.flush()
    return session, token


def session_of(db: Session, token: str | None) -> LoginSession | None:
    if not token:
        return None
    session = db.get(LoginSession, grants.token_hash(token))
    return session if session is not None and session.ended_at is None else None


def live_session(db: Session, settings: Settings, token: str | None) -> LoginSession | None:
    """The browser's SSO session, unless it has been idle or open too long (then it ends here)."""
    session = session_of(db, token)
    if session is None:
        return None
    now = datetime.now(UTC)
    idle = timedelta(minutes=settings.sso_idle_minutes)
    if now - session.last_used_at > idle or now - session.auth_time > timedelta(hours=settings.sso_max_hours):
        session.ended_at = now
        return None
    session.last_used_at = now
    return session


@dataclass(frozen=True)
class LogoutRequest:
    """The parameters of RP-initiated logout, as received (the confirmation page sends them back)."""

    id_token_hint: str | None
    post_logout_redirect_uri: str | None
    state: str | None
    client_id: str | None


def logout_needs_confirmation(db: Session, session_token: str | None, hint: dict[str, Any]) -> bool:
    """Ask the citizen before logging out, unless a valid id_token_hint names this browser's own session (or the
    browser has none): RP-Initiated Logout §2 lets the provider skip the question only then, and without it any
    site could sign the citizen out."""
    session = session_of(db, session_token)
    if session is None:
        return False
    return hint.get("sid") != session.sid


def end_session(db: Session, now: datetime, *, session_token: str | None, sid: str | None) -> None:
    """RP-initiated logout: end the SSO session and revoke the grants made under it."""
    session = session_of(db, session_token)
    if session is None and sid:
        session = db.scalars(select(LoginSession).where(LoginSession.sid == sid)).first()
    if session is not None and session.ended_at is None:
        session.ended_at = now
        grants.revoke_session_grants(db, now, session.sid, "logout")


def end_grant_session(db: Session, now: datetime, grant_id: str, *, session_token: str | None) -> None:
    """The sandbox's own web pages sign out: their grant is revoked and the sign-in session it came from ends, as
    RP-initiated logout would end it."""
    grant = db.get_one(Grant, grant_id)
    grants.revoke_grant(db, now, grant, "logout")
    end_session(db, now, session_token=session_token, sid=grant.session_id)


def logout_hint(db: Session, keys: KeyStore, settings: Settings, logout: LogoutRequest) -> dict[str, Any]:
    """The claims of a logout's `id_token_hint`, checked as RP-Initiated Logout 1.0 §2 says: an ID token this
    provider issued (expired ones too), to the client named by `client_id` when both are sent. Anything else is
    refused (400 invalid_request) rather than ignored: one relying party must not end another's sign-ins."""
    hint = id_token_hint_claims(db, keys, settings, logout.id_token_hint)
    if logout.id_token_hint and not hint:
        raise OAuthError("invalid_request", "id_token_hint is not an ID token this provider issued")
    if hint and logout.client_id and logout.client_id != hint["aud"]:
        raise OAuthError("invalid_request", "client_id is not the client the id_token_hint was issued to")
    return hint


def id_token_hint_claims(db: Session, keys: KeyStore, settings: Settings, hint: str | None) -> dict[str, Any]:
    """Claims of an ID token we issued (expired ones too), to learn who is logging out; {} if it is not ours."""
    if not hint:
        return {}
    try:
        audience = jwt.decode(hint, options={"verify_signature": False}).get("aud")
        if not isinstance(audience, str):  # our ID tokens name one client; without it the token is not ours
            return {}
        return keys.verify(db, hint, audience=audience, issuer=settings.public_url, verify_exp=False)
    except (TokenInvalid, jwt.PyJWTError):
        return {}
