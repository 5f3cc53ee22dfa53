"""The audit trail of reads and verifications, metered by the tariff in seed_data/tariffs.json (Thông tư
48/2022/TT-BTC: a price per data field returned or verified; state agencies do not pay)."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.db import record_later
from app.models import AuditEvent
from app.services.reference import load_json

READ, VERIFY, HOUSEHOLD = "read", "verify", "household"
ID_TOKEN, USERINFO = "id_token", "userinfo"  # releases through sign-in (app/services/oidc/claims.py)


@dataclass(frozen=True, slots=True)
class FieldTariff:
    """One rule of the tariff: what a field costs a kind of client, while the rule is in force."""

    id: str
    rule: str
    source: str
    per_field_vnd: int
    client_kinds: frozenset[str]
    valid_from: date | None
    valid_to: date | None

    def fee(self, field_count: int) -> int:
        return field_count * self.per_field_vnd


@cache
def _tariffs() -> tuple[FieldTariff, ...]:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return tuple(
        FieldTariff(
            r["id"],
            r["rule"],
            r["source"],
            r["per_field_vnd"],
            frozenset(r["client_kinds"]),
            day(r["valid_from"]),
            day(r["valid_to"]),
        )
        for r in load_json("tariffs.json")["rules"]
    )


def tariff_for(client_kind: str, on: date) -> FieldTariff:
    """The rule that prices a client's reads and verifications on a day."""
    for tariff in _tariffs():
        in_force = (tariff.valid_from or date.min) <= on <= (tariff.valid_to or date.max)
        if in_force and client_kind in tariff.client_kinds:
            return tariff
    raise LookupError(f"seed_data/tariffs.json prices no {client_kind} client on {on}")


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
