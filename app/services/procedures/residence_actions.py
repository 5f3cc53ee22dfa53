"""What applicants and owners do to an application after filing it."""

from datetime import date
from typing import Any

from app.core.context import Env
from app.models import Application, Citizen
from app.services.procedures import desk, temporary_residence
from app.services.procedures.engine import InvalidTransition, NotYourTurn, transition
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status

# How each procedure names the applicant's withdrawal (an accommodation notice is cancelled).
WITHDRAW_ACTIONS = {ProcedureKind.ACCOMMODATION_NOTICE: Action.CANCEL}


def owner_decides(env: Env, code: str, personal_id: str, decision: str, reason: str | None) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    if role != Actor.OWNER:
        raise NotYourTurn("only the owner of the place consents to a tenant's registration")
    action = Action.OWNER_APPROVE if decision == "approve" else Action.OWNER_DECLINE
    transition(env, application, action, role=Actor.OWNER, actor_personal_id=personal_id, note=reason)
    return application


def resubmit(env: Env, code: str, personal_id: str, changes: dict[str, Any]) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    if application.procedure != temporary_residence.PROCEDURE.name:
        raise InvalidTransition("only temporary-residence registrations are supplemented")
    note = changes.pop("note", None)
    amended = {**application.data, **{k: v for k, v in changes.items() if k != "end_date"}}
    if "end_date" in changes:
        amended["end_date"] = changes["end_date"].isoformat()
    form = {
        **amended,
        "start_date": date.fromisoformat(amended["start_date"]),
        "end_date": date.fromisoformat(amended["end_date"]),
    }
    if application.status == Status.SUPPLEMENT_REQUESTED:
        # The start date may have passed while the file waited: only the new facts are re-checked against today.
        temporary_residence.check_form(
            env.db,
            env.db.get_one(Citizen, personal_id),
            {**form, "start_date": max(form["start_date"], env.clock.today())},
            env.clock.today(),
        )
    transition(env, application, Action.RESUBMIT, role=role, actor_personal_id=personal_id, note=note)
    application.data = amended
    return application


def withdraw(env: Env, code: str, personal_id: str, reason: str | None) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    action = WITHDRAW_ACTIONS.get(ProcedureKind(application.procedure), Action.WITHDRAW)
    transition(env, application, action, role=role, actor_personal_id=personal_id, note=reason)
    return application
