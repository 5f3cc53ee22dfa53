"""The audit trail: every read or verification of a citizen's data, with what it cost the client."""

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    personal_id: Mapped[str] = mapped_column(String(12), index=True)
    action: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    fee_vnd: Mapped[int] = mapped_column(Integer)
