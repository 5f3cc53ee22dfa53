"""Sign-in lockouts per device (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A browser that completed a sign-in (password and one-time code) to an account gets a device cookie for it: one
signed entry `personal_id.nonce.signature` per account, at most `MAX_ACCOUNTS` per browser. Wrong passwords and
codes are then counted per bucket: per (account, device) for a browser presenting a valid entry, and per account
for every other browser together (the untrusted bucket, which bounds guessing spread over many browsers). Five
failures lock that bucket out for `LOCKOUT`, on the sandbox clock; the account itself stays active and its tokens
alive, so a stranger who knows an ID cannot keep the holder, in their own trusted browser, out.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from app.models import SandboxSetting
from app.services.throttle import Throttle

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=30)
SIGN_IN_THROTTLE = Throttle("sign-in", limit=MAX_FAILURES, window=LOCKOUT)
MAX_ACCOUNTS = 5  # a family computer: the holders who signed in last keep their entry
COOKIE_MAX_AGE = timedelta(days=180)
KEY_SETTING = "device_cookie_key"
UNTRUSTED = "untrusted"
_SEPARATOR = "~"


def device_key(db: Session) -> bytes:
    """The HMAC key of device cookies, made once per sandbox (at start-up by `bootstrap`) and kept in the database
    so every worker signs and checks alike."""
    row = db.get(SandboxSetting, KEY_SETTING)
    if row is None:
        row = SandboxSetting(key=KEY_SETTING, value=secrets.token_urlsafe(32))
        db.add(row)
        db.flush()
    return row.value.encode()


def _signature(key: bytes, personal_id: str, nonce: str) -> str:
    digest = hmac.new(key, f"{personal_id}.{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _entries(cookie: str | None) -> list[str]:
    return [entry for entry in (cookie or "").split(_SEPARATOR) if entry][:MAX_ACCOUNTS]


def trusted_device(db: Session, cookie: str | None, personal_id: str) -> str | None:
    """The device's nonce if the cookie holds a validly signed entry for this account, else None."""
    key = device_key(db)
    for entry in _entries(cookie):
        holder, _, rest = entry.partition(".")
        nonce, _, signature = rest.partition(".")
        if holder == personal_id and hmac.compare_digest(signature, _signature(key, holder, nonce)):
            return nonce
    return None


def bucket(db: Session, cookie: str | None, personal_id: str) -> str:
    """The lockout bucket a sign-in attempt counts in (any typed ID gets one, so a lockout never tells whether an
    account exists)."""
    return f"{personal_id}:{trusted_device(db, cookie, personal_id) or UNTRUSTED}"


def trust(db: Session, cookie: str | None, personal_id: str) -> str:
    """The device cookie after a completed sign-in: this account's entry first (kept if already valid), then the
    other accounts' entries."""
    nonce = trusted_device(db, cookie, personal_id)
    if nonce is None:
        nonce = secrets.token_urlsafe(12)
    own = f"{personal_id}.{nonce}.{_signature(device_key(db), personal_id, nonce)}"
    others = [entry for entry in _entries(cookie) if not entry.startswith(f"{personal_id}.")]
    return _SEPARATOR.join([own, *others][:MAX_ACCOUNTS])
