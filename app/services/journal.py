"""Reading the request journal (written by app/core/journal.py): a client's recent requests and refusals."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import JournalEntry


def read_journal(
    db: Session, *, client_id: str | None, status: str | None, since: datetime | None, limit: int
) -> Sequence[JournalEntry]:
    """The newest entries first. `status` is a code (`400`) or a class (`4xx`)."""
    query = select(JournalEntry).order_by(JournalEntry.id.desc()).limit(limit)
    if client_id:
        query = query.where(JournalEntry.client_id == client_id)
    if status and status.endswith("xx"):
        low = int(status[0]) * 100
        query = query.where(JournalEntry.status >= low, JournalEntry.status < low + 100)
    elif status:
        query = query.where(JournalEntry.status == int(status))
    if since is not None:
        query = query.where(JournalEntry.at >= since)
    return db.scalars(query).all()


def journal_clients(db: Session) -> list[str]:
    """The clients the journal holds requests of, for the panel's filter."""
    query = select(JournalEntry.client_id).where(JournalEntry.client_id.is_not(None)).distinct()
    return sorted(c for c in db.scalars(query) if c)
