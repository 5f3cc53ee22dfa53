"""The sandbox's own signing keys, generated once and persisted so every worker signs alike."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class SigningKey(Base):
    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(10))
    # "token" keys sign ID and access tokens; "document" keys sign issued documents.
    purpose: Mapped[str] = mapped_column(String(10))
    # next (published, not yet signing) → active (signing) → retired (published until tokens expire)
    status: Mapped[str] = mapped_column(String(10))
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
