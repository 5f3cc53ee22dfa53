"""The audit trail of reads and verifications, metered by the tariff in seed_data/tariffs.json."""

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.db import record_later
from app.models import AuditEvent
from app.services.reference import catalog

READ, VERIFY, HOUSEHOLD = "read", "verify", "household"


def field_fee(field_count: int) -> int:
    return field_count * catalog().tariffs["population_field_read_vnd"]


def verification_fee(item_count: int) -> int:
    return item_count * catalog().tariffs["population_verification_vnd"]


def record_accesses(
    db: Session,
    *,
    at: datetime,
    client_id: str,
    action: str,
    purpose: str | None,
    request_id: str | None,
    entries: list[tuple[str, list[str], int]],
) -> None:
    """One audit event per citizen touched: (personal_id, fields, fee) — what the citizen later sees.

    Written before the response is sent, after the read itself (see `record_later`): reads never queue for the
    write lock, and an answered read is always on record."""
    rows = [
        {
            "at": at,
            "client_id": client_id,
            "personal_id": personal_id,
            "action": action,
            "fields": fields,
            "purpose": purpose,
            "request_id": request_id,
            "fee_vnd": fee,
        }
        for personal_id, fields, fee in entries
    ]

    def write(writer: Session) -> None:
        writer.execute(insert(AuditEvent), rows)

    record_later(db, write)
