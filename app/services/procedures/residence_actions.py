"""What applicants and owners do to an application after filing it."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from pydantic_core import to_jsonable_python

from app.core.context import Env
from app.models import Citizen
from app.services.procedures import desk, temporary_residence
from app.services.procedures.engine import InvalidTransition, NotYourTurn, allowed_actions, transition
from app.services.procedures.views import ApplicationView, view_as
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


def owner_decides(env: Env, code: str, personal_id: str, decision: str, reason: str | None) -> ApplicationView:
    application, role = desk.citizen_application(env, code, personal_id)
    if role != Actor.OWNER:
        raise NotYourTurn("only the owner of the place consents to a tenant's registration")
    action = Action.OWNER_APPROVE if decision == "approve" else Action.OWNER_DECLINE
    # Approval rewrites the members' addresses: it waits for every adult member (a move out of turn is refused
    # by transition() as usual).
    if (
        action == Action.OWNER_APPROVE
        and action in allowed_actions(application, role)
        and (pending := temporary_residence.members_to_confirm(env.db, application, env.clock.today()))
    ):
        raise temporary_residence.MemberConsentPending(
            "every adult listed as moving in confirms before the owner consents", pending_members=pending
        )
    transition(env, application, action, role=Actor.OWNER, actor_personal_id=personal_id, note=reason)
    return view_as(env, application, role)


def member_decides(env: Env, code: str, personal_id: str, decision: str, reason: str | None) -> ApplicationView:
    """An adult listed as moving in confirms it (once; again is a no-op) or declines, which ends the application."""
    application, role = desk.citizen_application(env, code, personal_id)
    if role != Actor.MEMBER:
        raise NotYourTurn("only the people listed as moving in confirm or decline it")
    if decision == "approve" and personal_id not in temporary_residence.members_to_confirm(
        env.db, application, env.clock.today()
    ):
        return view_as(env, application, role)
    action = Action.MEMBER_CONFIRM if decision == "approve" else Action.MEMBER_DECLINE
    transition(env, application, action, role=Actor.MEMBER, actor_personal_id=personal_id, note=reason)
    return view_as(env, application, role)


def resubmit(env: Env, code: str, personal_id: str, changes: Amendment) -> ApplicationView:
    application, role = desk.citizen_application(env, code, personal_id)
    if application.procedure != temporary_residence.PROCEDURE.name:
        raise InvalidTransition("only temporary-residence registrations are supplemented")
    if changes.member_personal_ids is not None:
        temporary_residence.check_no_member_added(application, changes.member_personal_ids)
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
    return view_as(env, application, role)


def withdraw(env: Env, code: str, personal_id: str, reason: str | None) -> ApplicationView:
    application, role = desk.citizen_application(env, code, personal_id)
    action = WITHDRAW_ACTIONS.get(ProcedureKind(application.procedure), Action.WITHDRAW)
    transition(env, application, action, role=role, actor_personal_id=personal_id, note=reason)
    return view_as(env, application, role)
