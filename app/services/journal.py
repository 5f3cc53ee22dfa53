"""Reading the request journal (written by app/core/journal.py): a client's recent requests and refusals."""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import JournalEntry as JournalRow


@dataclass(frozen=True)
class JournalEntry:
    """One request the sandbox answered. A refusal carries its `error_code` and an `explanation`: what failed,
    what would pass, and the rule (RFC, OIDC Core, law or sandbox rule) it was refused on."""

    id: int
    at: Annotated[datetime, Field(description="When the response was sent (real time, UTC).")]
    method: str
    path: Annotated[str, Field(description="Path and query string; secrets and one-time credentials are `[redacted]`.")]
    status: int
    error_code: str | None
    explanation: str | None
    latency_ms: float
    request_id: Annotated[str | None, Field(description="The `X-Request-ID` of the request (and of its log line).")]
    client_id: Annotated[str | None, Field(description="The client that made the request, or that it was made for.")]
    personal_id: Annotated[str | None, Field(description="The persona (citizen) the request involved.")]

    @classmethod
    def of(cls, row: JournalRow) -> "JournalEntry":
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def read_journal(
    db: Session, *, client_id: str | None, status: str | None, since: datetime | None, limit: int
) -> list[JournalEntry]:
    """The newest entries first. `status` is a code (`400`) or a class (`4xx`)."""
    query = select(JournalRow).order_by(JournalRow.id.desc()).limit(limit)
    if client_id:
        query = query.where(JournalRow.client_id == client_id)
    if status and status.endswith("xx"):
        low = int(status[0]) * 100
        query = query.where(JournalRow.status >= low, JournalRow.status < low + 100)
    elif status:
        query = query.where(JournalRow.status == int(status))
    if since is not None:
        query = query.where(JournalRow.at >= since)
    return [JournalEntry.of(row) for row in db.scalars(query)]


def journal_clients(db: Session) -> list[str]:
    """The clients the journal holds requests of, for the panel's filter."""
    query = select(JournalRow.client_id).where(JournalRow.client_id.is_not(None)).distinct()
    return sorted(c for c in db.scalars(query) if c)
