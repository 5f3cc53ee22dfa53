"""The sandbox panel's sign-in: opaque server-side sessions instead of the admin token in a cookie, and a throttle
on guessing the admin token."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models import AdminSession
from app.services import sandbox
from app.services.throttle import Throttle

SESSION_TTL = timedelta(hours=8)
# Per client address: five wrong tokens, then nothing more for a quarter of an hour (the right one included).
SIGN_IN_THROTTLE = Throttle("panel-sign-in", limit=5, window=timedelta(minutes=15))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def open_session(db: Session, settings: Settings, presented: str, client_address: str, now: datetime) -> str | None:
    """Check the admin token (throttled per client address: 429 beyond the limit) and open a session; its key is
    for the cookie. None for a wrong token, whose failure is counted (in the request's transaction)."""
    SIGN_IN_THROTTLE.check(db, client_address, now)
    try:
        sandbox.check_admin_token(db, settings, presented)
    except sandbox.AdminTokenInvalid:
        SIGN_IN_THROTTLE.record_failure(db, client_address, now)
        return None
    key = secrets.token_urlsafe(32)
    db.add(AdminSession(id_hash=_digest(key), token_digest=_digest(presented), expires_at=now + SESSION_TTL))
    return key


def session_valid(db: Session, settings: Settings, key: str | None, now: datetime) -> bool:
    """A live session, opened with the admin token in force now (changing the token ends every session)."""
    row = db.get(AdminSession, _digest(key)) if key else None
    expected = sandbox.admin_token(db, settings)
    return row is not None and row.expires_at > now and expected is not None and row.token_digest == _digest(expected)


def close_session(db: Session, key: str | None) -> None:
    row = db.get(AdminSession, _digest(key)) if key else None
    if row is not None:
        db.delete(row)
