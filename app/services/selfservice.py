"""A citizen's self-service with their own token: their record, who read it, their consents, their account history.

Reading one's own record is neither metered nor audited: the audit trail is of third parties' reads.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM, Clock
from app.core.errors import NotFound
from app.models import AccountEvent, AuditEvent, Citizen, Client, Consent, IdentityAccount
from app.services import webhooks
from app.services.identity.accounts import AccountSummary, account_history, account_summary
from app.services.oidc import grants
from app.services.oidc.claims import subject_for
from app.services.paging import NextOffset
from app.services.population.access import FIELDS_BY_SCOPE
from app.services.population.lookup import citizen_fields

ALL_FIELDS = tuple(f for fields in FIELDS_BY_SCOPE.values() for f in fields)
SYSTEM_ACTORS = frozenset({"system", "population_database"})


class ConsentNotFound(NotFound):
    code, title = "consent_not_found", "No such consent of yours"


@dataclass(frozen=True)
class OwnRecord:
    """The citizen's own record: every field, and their account (None without one)."""

    personal_id: str
    fields: dict[str, Any]  # every field, by name, in its API shape (see citizen_fields)
    account: AccountSummary | None


@dataclass(frozen=True)
class AccessLogEntry:
    """One read or verification of the citizen's data by a relying party."""

    id: int
    at: datetime
    client_id: str
    client_name: Annotated[str | None, Field(description="null if the client is no longer registered.")]
    action: Annotated[
        str,
        Field(
            description="read, household (read as a member of a household), verify, or a sign-in's release: "
            "id_token, userinfo."
        ),
    ]
    fields: list[str]
    purpose: str | None
    fee_vnd: int
    request_id: str | None


@dataclass(frozen=True)
class AccessLogPage:
    items: list[AccessLogEntry]
    next_offset: NextOffset


@dataclass(frozen=True)
class ConsentEntry:
    """A consent the citizen gave a relying party, active or revoked."""

    id: int
    client_id: str
    client_name: str
    purpose: str
    scopes: list[str]
    status: Literal["active", "revoked"]
    granted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AccountEventEntry:
    """One step of the account's history."""

    at: datetime
    action: Annotated[str, Field(description="apply, register, cancel, upgrade, lock or unlock.")]
    actor: Annotated[str, Field(description="holder, officer, system or population_database.")]
    reason: str | None
    level: int
    status: str


def my_record(db: Session, clock: Clock, personal_id: str) -> OwnRecord:
    """Every field of the citizen's own record, and their account's level and state."""
    citizen = db.get_one(Citizen, personal_id)
    account = db.get(IdentityAccount, personal_id)
    return OwnRecord(
        personal_id,
        citizen_fields(db, citizen, ALL_FIELDS, clock.today()),
        account_summary(account) if account else None,
    )


def access_log(db: Session, personal_id: str, *, limit: int, offset: int) -> AccessLogPage:
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
        AccessLogEntry(
            id=event.id,
            at=_local(event.at),
            client_id=event.client_id,
            client_name=name,
            action=event.action,
            fields=event.fields,
            purpose=event.purpose,
            fee_vnd=event.fee_vnd,
            request_id=event.request_id,
        )
        for event, name in rows[:limit]
    ]
    return AccessLogPage(items, offset + limit if len(rows) > limit else None)


def my_consents(db: Session, personal_id: str) -> list[ConsentEntry]:
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


def my_account_history(db: Session, personal_id: str) -> list[AccountEventEntry]:
    """The account's events, oldest first; officers appear as `officer`, never by their personal ID."""
    return [_event(e, personal_id) for e in account_history(db, personal_id)]


def _consent(consent: Consent, client_name: str) -> ConsentEntry:
    return ConsentEntry(
        id=consent.id,
        client_id=consent.client_id,
        client_name=client_name,
        purpose=consent.purpose,
        scopes=consent.scopes,
        status="revoked" if consent.revoked_at else "active",
        granted_at=_local(consent.granted_at),
        revoked_at=consent.revoked_at and _local(consent.revoked_at),
    )


def _event(event: AccountEvent, personal_id: str) -> AccountEventEntry:
    if event.actor == personal_id:
        actor = "holder"
    elif event.actor in SYSTEM_ACTORS:
        actor = event.actor
    else:
        actor = "officer"
    return AccountEventEntry(
        at=_local(event.at),
        action=event.action,
        actor=actor,
        reason=event.reason,
        level=event.level,
        status=event.status,
    )


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)
