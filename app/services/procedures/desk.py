"""Who sees and acts on which application: applicants and owners on theirs, officers on their jurisdiction's."""

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.core.context import Env
from app.core.errors import AppError, NotFound, OfficerRoleRequired
from app.models import Application, Citizen, IdentityAccount
from app.services import payments
from app.services.procedures.engine import REGISTRY, transition
from app.services.procedures.views import ApplicationView, view_as
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind

# Which applications each officer role works on, and the field that must match the officer's jurisdiction.
OFFICER_DESKS = {
    "police_officer": (
        "commune_code",
        frozenset({ProcedureKind.TEMPORARY_RESIDENCE, ProcedureKind.ACCOMMODATION_NOTICE}),
    ),
    "records_officer": ("province_code", frozenset({ProcedureKind.CRIMINAL_RECORD})),
}


class ConflictOfInterest(AppError):
    status, code, title = 403, "conflict_of_interest", "An officer may not decide this application"


@dataclass(frozen=True)
class Officer:
    personal_id: str
    role: str
    jurisdiction_code: str

    def scope(self, query: Select[Application]) -> Select[Application]:
        field, procedures = OFFICER_DESKS[self.role]
        return query.where(getattr(Application, field) == self.jurisdiction_code, Application.procedure.in_(procedures))


def officer(db: Session, personal_id: str) -> Officer:
    account = db.get(IdentityAccount, personal_id)
    if account is None or account.role not in OFFICER_DESKS or not account.jurisdiction_code:
        raise OfficerRoleRequired("this needs a police or records officer's account")
    return Officer(personal_id, account.role, account.jurisdiction_code)


def my_application(env: Env, code: str, personal_id: str) -> tuple[ApplicationView, Actor]:
    """An application the citizen filed or must consent to, as they see it, with their role in it."""
    application, role = citizen_application(env, code, personal_id)
    return view_as(env, application, role), role


def citizen_application(env: Env, code: str, personal_id: str) -> tuple[Application, Actor]:
    """An application the citizen filed or must consent to, with their role in it; 404 for anyone else.

    Loading applies what the clock did meanwhile (an unpaid fee's payment expired), before anything is shown
    or decided."""
    application = env.db.scalars(select(Application).where(Application.code == code)).first()
    role = _citizen_role(application, personal_id) if application is not None else None
    if application is None or role is None:
        raise NotFound(f"no application {code} of yours")
    payments.apply_expiry(env, application)
    return application, role


def _citizen_role(application: Application, personal_id: str) -> Actor | None:
    if personal_id == application.applicant_personal_id:
        return Actor.APPLICANT
    if personal_id == application.counterparty_personal_id:
        return Actor.OWNER
    if personal_id in application.data.get("member_personal_ids", ()):
        return Actor.MEMBER
    return None


def parties(application: Application) -> set[str]:
    """Everyone an application is about: applicant, subject, owner of the place, members moving in."""
    named = {application.applicant_personal_id, application.subject_personal_id, application.counterparty_personal_id}
    return {p for p in named if p} | set(application.data.get("member_personal_ids", ()))


def close_relatives(db: Session, personal_id: str) -> set[str]:
    """Spouse, parents and children, as the population record links them."""
    citizen = db.get_one(Citizen, personal_id)
    linked = {citizen.spouse_personal_id, citizen.father_personal_id, citizen.mother_personal_id}
    children = db.scalars(
        select(Citizen.personal_id).where(
            or_(Citizen.father_personal_id == personal_id, Citizen.mother_personal_id == personal_id)
        )
    )
    return {p for p in linked if p} | set(children)


def citizen_applications(
    env: Env, personal_id: str, procedure: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[ApplicationView], int]:
    """The applications the citizen filed or must consent to as owner, newest first, each as they see it."""
    query = select(Application).where(
        or_(Application.applicant_personal_id == personal_id, Application.counterparty_personal_id == personal_id)
    )
    rows, total = _page(env.db, _filtered(query, procedure, status), limit, offset)
    return [view_as(env, row, _citizen_role(row, personal_id) or Actor.APPLICANT) for row in rows], total


def desk_application(env: Env, desk: Officer, code: str) -> Application:
    application = env.db.scalars(desk.scope(select(Application).where(Application.code == code))).first()
    if application is None:
        raise NotFound(f"no application {code} in your jurisdiction")
    payments.apply_expiry(env, application)
    return application


def decide(env: Env, desk: Officer, code: str, decision: str, reason: str | None) -> ApplicationView:
    """An officer's decision (approve, reject, request_supplement) on an application of their jurisdiction."""
    application = desk_application(env, desk, code)
    # Conflict of interest: the officer, or their spouse, parent or child, is a party (applicant, subject, owner,
    # member moving in).
    if parties(application) & ({desk.personal_id} | close_relatives(env.db, desk.personal_id)):
        raise ConflictOfInterest("officers do not decide applications they or their close relatives are party to")
    transition(env, application, decision, role=Actor.OFFICER, actor_personal_id=desk.personal_id, note=reason)
    if decision != Action.APPROVE:
        application.decision_reason = reason
    return view_as(env, application, Actor.OFFICER)


def desk_queue(
    env: Env,
    desk: Officer,
    *,
    procedure: str | None,
    status: str | None,
    overdue: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[ApplicationView], int]:
    """The officer's work queue, earliest deadline first."""
    query = _filtered(desk.scope(select(Application)), procedure, status)
    if overdue is not None:
        open_states = {
            s
            for p in REGISTRY.values()
            for s in {t.target for t in p.transitions.values()} | {p.initial}
            if s not in p.terminal
        }
        late = Application.due_on < env.clock.today()
        query = (
            query.where(late & Application.status.in_(open_states))
            if overdue
            else query.where(or_(Application.due_on.is_(None), ~late, Application.status.not_in(open_states)))
        )
    rows, total = _page(env.db, query.order_by(Application.due_on.is_(None), Application.due_on), limit, offset)
    return [view_as(env, row, Actor.OFFICER) for row in rows], total


def _filtered(query: Select[Application], procedure: str | None, status: str | None) -> Select[Application]:
    if procedure:
        query = query.where(Application.procedure == procedure)
    if status:
        query = query.where(Application.status == status)
    return query


def _page(db: Session, query: Select[Application], limit: int, offset: int) -> tuple[list[Application], int]:
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = db.scalars(query.order_by(Application.id.desc()).limit(limit).offset(offset)).all()
    return list(items), total
