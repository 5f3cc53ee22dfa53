"""A citizen's self-service with their own token: their record, who read it, their consents, their account history.

Reading one's own record is neither metered nor audited: the audit trail is of third parties' reads.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM, Clock
from app.core.errors import NotFound
from app.models import AccountEvent, AuditEvent, Citizen, Client, Consent, IdentityAccount
from app.services import webhooks
from app.services.identity.accounts import account_history
from app.services.identity.lifecycle import account_summary
from app.services.oidc import grants
from app.services.oidc.claims import subject_for
from app.services.population.access import FIELDS_BY_SCOPE
from app.services.population.lookup import citizen_fields

ALL_FIELDS = tuple(f for fields in FIELDS_BY_SCOPE.values() for f in fields)
SYSTEM_ACTORS = frozenset({"system", "population_database"})


class ConsentNotFound(NotFound):
    code, title = "consent_not_found", "No such consent of yours"


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_offset: int | None


def my_record(db: Session, clock: Clock, personal_id: str) -> dict[str, Any]:
    """Every field of the citizen's own record, and their account's level and state."""
    citizen = db.get_one(Citizen, personal_id)
    account = db.get(IdentityAccount, personal_id)
    return {
        "personal_id": personal_id,
        **citizen_fields(db, citizen, ALL_FIELDS, clock.today()),
        "account": account_summary(account) if account else None,
    }


def access_log(db: Session, personal_id: str, *, limit: int, offset: int) -> Page:
    """Third parties' reads and verifications of this citizen, newest first."""
    rows = db.execute(
        select(AuditEvent, Client.name)
        .outerjoin(Client, Client.client_id == AuditEvent.client_id)
        .where(AuditEvent.personal_id == personal_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset)
        .limit(limit + 1)
    ).all()
    items = [
        {
            "id": event.id,
            "at": _local(event.at),
            "client_id": event.client_id,
            "client_name": name,
            "action": event.action,
            "fields": event.fields,
            "purpose": event.purpose,
            "fee_vnd": event.fee_vnd,
            "request_id": event.request_id,
        }
        for event, name in rows[:limit]
    ]
    return Page(items, offset + limit if len(rows) > limit else None)


def my_consents(db: Session, personal_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        select(Consent, Client.name)
        .join(Client, Client.client_id == Consent.client_id)
        .where(Consent.personal_id == personal_id)
        .order_by(Consent.granted_at.desc(), Consent.id.desc())
    ).all()
    return [_consent(consent, name) for consent, name in rows]


def revoke_consent(db: Session, clock: Clock, personal_id: str, consent_id: int) -> None:
    """Revoke one of the citizen's consents; revoking a revoked one changes nothing (DELETE is idempotent)."""
    consent = db.get(Consent, consent_id, with_for_update=True, populate_existing=True)
    if consent is None or consent.personal_id != personal_id:  # someone else's consent is not even there
        raise ConsentNotFound(f"you have no consent {consent_id}")
    if consent.revoked_at is None:
        consent.revoked_at = clock.now()
        # Withdrawn consent ends the client's access at once: its sign-ins, refresh and access tokens for this citizen.
        grants.revoke_client_grants(db, consent.revoked_at, personal_id, consent.client_id, "consent_revoked")
        # The client learns it at once (outbox, same transaction): it must stop reading this citizen's data.
        webhooks.emit(
            db,
            consent.revoked_at,
            "consent.revoked",
            consent.client_id,
            {
                "consent_id": consent.id,
                "subject": subject_for(personal_id),
                "purpose": consent.purpose,
                "scopes": consent.scopes,
            },
        )


def my_account_history(db: Session, personal_id: str) -> list[dict[str, Any]]:
    """The account's events, oldest first; officers appear as `officer`, never by their personal ID."""
    return [_event(e, personal_id) for e in account_history(db, personal_id)]


def _consent(consent: Consent, client_name: str) -> dict[str, Any]:
    return {
        "id": consent.id,
        "client_id": consent.client_id,
        "client_name": client_name,
        "purpose": consent.purpose,
        "scopes": consent.scopes,
        "status": "revoked" if consent.revoked_at else "active",
        "granted_at": _local(consent.granted_at),
        "revoked_at": consent.revoked_at and _local(consent.revoked_at),
    }


def _event(event: AccountEvent, personal_id: str) -> dict[str, Any]:
    if event.actor == personal_id:
        actor = "holder"
    elif event.actor in SYSTEM_ACTORS:
        actor = event.actor
    else:
        actor = "officer"
    return {
        "at": _local(event.at),
        "action": event.action,
        "actor": actor,
        "reason": event.reason,
        "level": event.level,
        "status": event.status,
    }


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)
