"""VNeID identity accounts (tài khoản định danh điện tử), one per citizen at most."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class IdentityAccount(Base):
    __tablename__ = "identity_account"

    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    lock_reason: Mapped[str | None] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(20))
    # Where an officer works: a commune (police) or a province (records officers).
    jurisdiction_code: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(15))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A child's account (under 14) is registered by a parent with a level 2 account, and names them.
    guardian_personal_id: Mapped[str | None] = mapped_column(ForeignKey("citizen.personal_id"))


class AccountEvent(Base):
    """One change of an account's level or state, with who made it and why (append-only)."""

    __tablename__ = "account_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))


class InboxMessage(Base):
    """An SMS or e-mail the sandbox "sent" (one-time codes); readable through the sandbox inbox."""

    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(120), index=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), index=True)
    body: Mapped[str] = mapped_column(Text)
