"""One-time codes "sent" by SMS: personas always get 123456; everyone's codes land in the sandbox inbox."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.models import InboxMessage
from app.services.population.seeding import personas_document

OTP_DIGITS = 6
MAX_OTP_ATTEMPTS = 5
OTP_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class SentMessage:
    """An SMS or e-mail the sandbox "sent", or (channel `hook`) a webhook delivery its receiver kept."""

    id: int
    at: datetime
    channel: str
    recipient: str
    personal_id: str | None
    body: str


def _persona_ids() -> set[str]:
    return {p["personal_id"] for p in personas_document()["personas"]}


def send_otp(db: Session, clock: Clock, personal_id: str, phone: str | None, purpose: str) -> str:
    """Make a code, record the SMS in the inbox, and return the code (to be hashed by the caller)."""
    code = personas_document()["otp"] if personal_id in _persona_ids() else f"{secrets.randbelow(10**OTP_DIGITS):06d}"
    db.add(
        InboxMessage(
            at=clock.now(),
            channel="sms",
            recipient=phone or personal_id,
            personal_id=personal_id,
            body=f"[VNeID SANDBOX] Ma xac thuc {purpose}: {code}. Khong chia se ma nay.",
        )
    )
    return code


def otp_digest(code: str, salt: str) -> str:
    # A six-digit code has little entropy to protect; the attempt limit is what guards it.
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def otp_matches(code: str, salt: str, digest: str) -> bool:
    return hmac.compare_digest(otp_digest(code.strip(), salt), digest)


def inbox(db: Session, *, recipient: str | None = None, personal_id: str | None = None) -> list[SentMessage]:
    """The newest 50 messages, for one recipient or citizen if given."""
    query = select(InboxMessage).order_by(InboxMessage.id.desc()).limit(50)
    if recipient:
        query = query.where(InboxMessage.recipient == recipient)
    if personal_id:
        query = query.where(InboxMessage.personal_id == personal_id)
    return [SentMessage(m.id, m.at, m.channel, m.recipient, m.personal_id, m.body) for m in db.scalars(query)]


def latest_code(db: Session, clock: Clock, personal_id: str, purpose: str) -> str | None:
    """The code of the newest SMS for `purpose` to this citizen, unless it is older than `OTP_TTL`: the inbox is the
    SMS gateway's record, so codes checked against it need no store of their own."""
    sms = db.scalars(
        select(InboxMessage)
        .where(InboxMessage.personal_id == personal_id, InboxMessage.body.contains(purpose))
        .order_by(InboxMessage.id.desc())
        .limit(1)
    ).first()
    sent = re.search(re.escape(purpose) + r": ([0-9]+)", sms.body) if sms else None
    if sms is None or sent is None or sms.at + OTP_TTL <= clock.now():
        return None
    return sent.group(1)
