"""The officer console API: work queues of the officer's jurisdiction, detail, decisions."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.errors import problem_responses
from app.deps import DeskOfficer, EnvDep
from app.schemas.application import ApplicationPage
from app.schemas.common import Text
from app.schemas.officer import OfficerApplication
from app.schemas.residence import OfficerDecision
from app.services.procedures import desk
from app.services.procedures.dossier import officer_dossier
from app.services.procedures.views import ApplicationView

router = APIRouter(prefix="/v1/officer", tags=["Officer console"])


@router.get(
    "/applications", response_model=ApplicationPage, name="officer.queue", responses=problem_responses(401, 403, 422)
)
def queue(
    caller: DeskOfficer,
    env: EnvDep,
    procedure: Annotated[Text | None, Query(max_length=30)] = None,
    status: Annotated[Text | None, Query(max_length=30)] = None,
    overdue: Annotated[bool | None, Query(description="Only (or no) applications past their deadline.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ApplicationPage:
    """Your work queue: police officers see residence registrations and accommodation notices of their commune;
    records officers see criminal-record certificate requests of their province. Earliest deadline first."""
    items, total = desk.desk_queue(
        env,
        caller.officer,
        procedure=procedure,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return ApplicationPage(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/applications/{code}",
    response_model=OfficerApplication,
    name="officer.get",
    responses=problem_responses(401, 403, 404),
)
def detail(code: str, caller: DeskOfficer, env: EnvDep) -> OfficerApplication:
    """An application of your jurisdiction with the applicant's population record (officers' reads are part of
    the procedure, not metered)."""
    return OfficerApplication.model_validate(officer_dossier(env, caller.personal_id, code), from_attributes=True)


@router.post(
    "/applications/{code}/decision",
    response_model=ApplicationView,
    name="officer.decide",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def decide(code: str, body: OfficerDecision, caller: DeskOfficer, env: EnvDep) -> ApplicationView:
    """Approve, reject (reason required) or ask for supplementation (reason required). A decision on an
    application in the wrong state is 409 `invalid_transition`; of two concurrent decisions only one applies."""
    return desk.decide(env, caller.officer, code, body.decision, body.reason)
