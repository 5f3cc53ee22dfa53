"""Small persisted facts about this sandbox instance (seed, population, admin token, …)."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SandboxSetting(Base):
    __tablename__ = "sandbox_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
