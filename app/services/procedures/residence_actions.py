"""What applicants and owners do to an application after filing it."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from pydantic_core import to_jsonable_python

from app.core.context import Env
from app.models import Application, Citizen
from app.services.procedures import desk, temporary_residence
from app.services.procedures.engine import InvalidTransition, NotYourTurn, transition
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status


class Amendment(Protocol):
    """What the applicant changes when asked to supplement (the API's `TemporaryResidenceAmendment` is one):
    None leaves a field as filed."""

    @property
    def street(self) -> str | None: ...
    @property
    def proof_type(self) -> str | None: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def member_personal_ids(self) -> Sequence[str] | None: ...
    @property
    def note(self) -> str | None: ...


AMENDABLE = ("street", "proof_type", "end_date", "member_personal_ids")

# How each procedure names the applicant's withdrawal (an accommodation notice is cancelled).
WITHDRAW_ACTIONS = {ProcedureKind.ACCOMMODATION_NOTICE: Action.CANCEL}


def owner_decides(env: Env, code: str, personal_id: str, decision: str, reason: str | None) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    if role != Actor.OWNER:
        raise NotYourTurn("only the owner of the place consents to a tenant's registration")
    action = Action.OWNER_APPROVE if decision == "approve" else Action.OWNER_DECLINE
    transition(env, application, action, role=Actor.OWNER, actor_personal_id=personal_id, note=reason)
    return application


def resubmit(env: Env, code: str, personal_id: str, changes: Amendment) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    if application.procedure != temporary_residence.PROCEDURE.name:
        raise InvalidTransition("only temporary-residence registrations are supplemented")
    changed = {name: value for name in AMENDABLE if (value := getattr(changes, name)) is not None}
    amended = {**application.data, **to_jsonable_python(changed)}
    if application.status == Status.SUPPLEMENT_REQUESTED:
        # The start date may have passed while the file waited: only the new facts are re-checked against today.
        declaration = temporary_residence.StoredDeclaration.from_data(amended)
        temporary_residence.check_form(
            env.db,
            env.db.get_one(Citizen, personal_id),
            replace(declaration, start_date=max(declaration.start_date, env.clock.today())),
            env.clock.today(),
        )
    transition(env, application, Action.RESUBMIT, role=role, actor_personal_id=personal_id, note=changes.note)
    application.data = amended
    return application


def withdraw(env: Env, code: str, personal_id: str, reason: str | None) -> Application:
    application, role = desk.citizen_application(env, code, personal_id)
    action = WITHDRAW_ACTIONS.get(ProcedureKind(application.procedure), Action.WITHDRAW)
    transition(env, application, action, role=role, actor_personal_id=personal_id, note=reason)
    return application
