"""Applications as the API and the pages show them: with their history and what the caller may do next."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.context import Env
from app.models import Application, ApplicationEvent, Citizen
from app.services.procedures.engine import REGISTRY, allowed_actions
from app.services.procedures.vocabulary import Actor


@dataclass(frozen=True, slots=True)
class EventView:
    """One step of an application's history."""

    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor_personal_id: Annotated[
        str | None, Field(description="Null for an officer's step, shown to citizens by name only.")
    ]
    actor_role: str
    note: str | None
    actor_name: Annotated[str | None, Field(description="The officer's name, on an officer's step.")] = None


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """A filed procedure. `allowed_actions` lists what the caller (applicant, owner, member or officer) may do next."""

    code: Annotated[str, Field(description="Human-readable application code, e.g. DKTT-2026-000042.")]
    procedure: str
    status: str
    applicant_personal_id: str
    subject_personal_id: str | None
    counterparty_personal_id: str | None
    commune_code: str | None
    province_code: str | None
    data: dict[str, Any]
    fee_vnd: int
    late: bool | None
    due_on: Annotated[
        date | None,
        Field(description="Deadline for the authority from a complete file, in days or working days as its rule says."),
    ]
    overdue: bool
    decision_reason: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    history: list[EventView]


def full_names(db: Session, personal_ids: Iterable[str | None]) -> dict[str, str]:
    """Citizens' full names by personal ID, for the pages that name an application's parties."""
    wanted = {p for p in personal_ids if p}
    query = select(Citizen.personal_id, Citizen.full_name).where(Citizen.personal_id.in_(wanted))
    return {personal_id: full_name for personal_id, full_name in db.execute(query)}  # noqa: C416  (rows, not pairs)


def view_as(env: Env, application: Application, role: str) -> ApplicationView:
    """The application as `role` sees it now: what services return to routers after an action or a read."""
    return application_view(env.db, env.clock, application, role)


def application_view(db: Session, clock: Clock, application: Application, role: str) -> ApplicationView:
    events = list(
        db.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id)
        )
    )
    terminal = application.status in REGISTRY[application.procedure].terminal
    return ApplicationView(
        code=application.code,
        procedure=application.procedure,
        status=application.status,
        applicant_personal_id=application.applicant_personal_id,
        subject_personal_id=application.subject_personal_id,
        counterparty_personal_id=application.counterparty_personal_id,
        commune_code=application.commune_code,
        province_code=application.province_code,
        data=application.data,
        fee_vnd=application.fee_vnd,
        late=application.late,
        due_on=application.due_on,
        overdue=bool(application.due_on and not terminal and clock.today() > application.due_on),
        decision_reason=application.decision_reason,
        created_at=application.created_at,
        updated_at=application.updated_at,
        allowed_actions=[str(action) for action in allowed_actions(application, role)],
        history=_history(db, events, role),
    )


def _history(db: Session, events: list[ApplicationEvent], role: str) -> list[EventView]:
    """The events as `role` may see them: citizens see an officer by name, never by personal ID."""
    if role == Actor.OFFICER:
        return [
            EventView(e.at, e.action, e.from_status, e.to_status, e.actor_personal_id, e.actor_role, e.note)
            for e in events
        ]
    officer_ids = {e.actor_personal_id for e in events if e.actor_role == Actor.OFFICER and e.actor_personal_id}
    names = {
        row.personal_id: row.full_name
        for row in db.execute(
            select(Citizen.personal_id, Citizen.full_name).where(Citizen.personal_id.in_(officer_ids))
        )
    }
    return [
        EventView(
            e.at, e.action, e.from_status, e.to_status, None, e.actor_role, e.note, names.get(e.actor_personal_id or "")
        )
        if e.actor_role == Actor.OFFICER
        else EventView(e.at, e.action, e.from_status, e.to_status, e.actor_personal_id, e.actor_role, e.note)
        for e in events
    ]
