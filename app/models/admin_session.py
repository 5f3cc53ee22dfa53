"""The sandbox panel's sign-ins and the attempt counters that throttle guessing."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class AdminSession(Base):
    """A browser signed in to the sandbox panel. Its cookie holds only a random key (hashed here), never the
    admin token; the session ends when it expires, at sign-out, or when the admin token changes."""

    __tablename__ = "admin_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))  # of the admin token it was opened with
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttemptCounter(Base):
    """Attempts of one kind by one key (a client IP …) in the current window, for throttles shared by workers."""

    __tablename__ = "attempt_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
