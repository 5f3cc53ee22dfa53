"""Applications as the API shows them: with their history and what the caller may do next."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.models import Application, ApplicationEvent
from app.schemas.application import ApplicationEventPublic, ApplicationPublic
from app.services.procedures.engine import REGISTRY, allowed_actions


def application_view(db: Session, clock: Clock, application: Application, role: str) -> ApplicationPublic:
    events = db.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application.id).order_by(ApplicationEvent.id)
    )
    terminal = application.status in REGISTRY[application.procedure].terminal
    return ApplicationPublic(
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
        history=[ApplicationEventPublic.model_validate(e, from_attributes=True) for e in events],
    )
