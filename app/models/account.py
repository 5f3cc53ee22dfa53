"""VNeID identity accounts (tài khoản định danh điện tử), one per citizen at most."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
