"""A citizen's consent that one client may read given data for one purpose."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id"))
    purpose: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
