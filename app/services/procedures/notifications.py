"""Notifications: the latest status changes of the applications a citizen filed or must consent to."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Application, ApplicationEvent


@dataclass(frozen=True)
class StatusChange:
    code: str
    procedure: str
    at: datetime
    action: str
    to_status: str
    note: str | None


def latest_status_changes(db: Session, personal_id: str, limit: int = 10) -> list[StatusChange]:
    """The newest events of the applications the citizen filed or must consent to, newest first."""
    rows = db.execute(
        select(Application.code, Application.procedure, ApplicationEvent)
        .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(
            or_(Application.applicant_personal_id == personal_id, Application.counterparty_personal_id == personal_id)
        )
        .order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc())
        .limit(limit)
    ).all()
    return [StatusChange(code, procedure, e.at, e.action, e.to_status, e.note) for code, procedure, e in rows]
