"""Procedures for citizens: file, follow, consent as owner, supplement, withdraw."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.errors import problem_responses
from app.deps import ClockDep, EnvDep, Level2ProcedureCitizen, ProcedureCitizen, SessionDep
from app.schemas.application import ApplicationPage, Note
from app.schemas.common import Text
from app.schemas.residence import (
    AccommodationNoticeRequest,
    OwnerDecision,
    ResidenceFeeQuote,
    TemporaryResidenceAmendment,
    TemporaryResidenceRequest,
)
from app.services.procedures import accommodation_notice, desk, residence_actions, temporary_residence
from app.services.procedures.views import ApplicationView

router = APIRouter(prefix="/v1", tags=["Procedures"])
ERRORS = problem_responses(401, 403, 404, 409, 422)
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get(
    "/applications/temporary-residence/quote",
    response_model=ResidenceFeeQuote,
    name="procedures.quote_temporary_residence",
    responses=ERRORS,
)
def quote_temporary_residence(caller: Level2ProcedureCitizen, db: SessionDep, clock: ClockDep) -> ResidenceFeeQuote:
    """The fee of a temporary-residence registration or renewal filed today on VNeID, before filing it: Thông tư
    75/2022/TT-BTC (from 05/02/2023) sets 15,000 VND for a registration filed in person and 7,000 VND filed
    online; a registration on VNeID is filed online. Level 2 accounts only."""
    fee = temporary_residence.fee_quote(db, clock.today(), caller.personal_id)
    return ResidenceFeeQuote.model_validate(fee, from_attributes=True)


@router.post(
    "/applications/temporary-residence",
    status_code=201,
    response_model=ApplicationView,
    name="procedures.file_temporary_residence",
    responses=ERRORS,
)
def file_temporary_residence(
    body: TemporaryResidenceRequest,
    caller: Level2ProcedureCitizen,
    env: EnvDep,
) -> ApplicationView:
    """Register a temporary residence (đăng ký tạm trú, form CT01) as a tenant. Level 2 accounts only.

    The address must be outside your permanent-residence commune; its owner (lease or ownership paper) consents
    next (`POST /v1/applications/{code}/owner-consent` with the owner's token); then you pay the fee fixed at
    filing (`fee_vnd`, breakdown in `data.fee`: 7,000 VND online, Thông tư 75/2022/TT-BTC) with
    `POST /v1/applications/{code}/payments`; then the commune police decide within 3 working days. Rule
    violations are 422 with a `code` naming the rule."""
    return temporary_residence.file(env, caller.personal_id, caller.client.client_id, body)


@router.post(
    "/applications/accommodation-notices",
    status_code=201,
    response_model=ApplicationView,
    name="procedures.file_accommodation_notice",
    responses=ERRORS,
)
def file_accommodation_notice(
    body: AccommodationNoticeRequest,
    caller: ProcedureCitizen,
    env: EnvDep,
) -> ApplicationView:
    """Notify the commune police of a guest's stay (thông báo lưu trú). Level 1 or 2. Recorded at once;
    `late` is true when sent after 23:00 on the arrival day (08:00 next day for arrivals after 23:00), or, for a
    foreign guest (by passport), more than 12 hours after arrival."""
    return accommodation_notice.file(env, caller.personal_id, caller.client.client_id, body)


@router.get(
    "/applications",
    response_model=ApplicationPage,
    name="procedures.list_mine",
    responses=problem_responses(401, 403, 422),
)
def list_my_applications(
    caller: ProcedureCitizen,
    env: EnvDep,
    procedure: Annotated[Text | None, Query(max_length=30)] = None,
    status: Annotated[Text | None, Query(max_length=30)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ApplicationPage:
    """Applications you filed or must consent to as owner, newest first."""
    items, total = desk.citizen_applications(env, caller.personal_id, procedure, status, limit, offset)
    return ApplicationPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/applications/{code}", response_model=ApplicationView, name="procedures.get", responses=ERRORS)
def get_application(code: str, caller: ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """One of your applications with its full history and the actions open to you."""
    return desk.my_application(env, code, caller.personal_id)[0]


@router.post(
    "/applications/{code}/owner-consent",
    response_model=ApplicationView,
    name="procedures.owner_consent",
    responses=ERRORS,
)
def owner_consent(code: str, body: OwnerDecision, caller: ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """As the owner of the place, approve or decline a tenant's temporary-residence registration."""
    return residence_actions.owner_decides(env, code, caller.personal_id, body.decision, body.reason)


@router.post(
    "/applications/{code}/member-consent",
    response_model=ApplicationView,
    name="procedures.member_consent",
    responses=ERRORS,
)
def member_consent(code: str, body: OwnerDecision, caller: ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """As an adult listed in `member_personal_ids` of someone's temporary-residence registration, confirm that you
    move in too (`approve`; approval will write the new address to your record) or refuse (`decline`: the
    application ends, `member_declined`). Every adult member confirms before the owner may consent
    (`409 member_consent_pending` with `pending_members`); children follow the applicant, their parent."""
    return residence_actions.member_decides(env, code, caller.personal_id, body.decision, body.reason)


@router.post(
    "/applications/{code}/resubmit", response_model=ApplicationView, name="procedures.resubmit", responses=ERRORS
)
def resubmit(code: str, body: TemporaryResidenceAmendment, caller: ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """Answer the police's request for supplementation: amend the declaration and send it back for review.
    Members may be dropped, not added (`422 members_added_after_consent`): the owner and they consented to the
    people listed when filing."""
    return residence_actions.resubmit(env, code, caller.personal_id, body)


@router.post(
    "/applications/{code}/withdraw", response_model=ApplicationView, name="procedures.withdraw", responses=ERRORS
)
def withdraw(code: str, body: Note, caller: ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """Withdraw your application before a decision (cancel, for an accommodation notice)."""
    return residence_actions.withdraw(env, code, caller.personal_id, body.reason)


@router.get(
    "/me/owner-requests",
    response_model=list[ApplicationView],
    name="procedures.owner_requests",
    responses=problem_responses(401, 403),
)
def owner_requests(caller: ProcedureCitizen, env: EnvDep) -> list[ApplicationView]:
    """Temporary-residence registrations at your place that wait for your consent (the landlord's view)."""
    return temporary_residence.owner_requests(env, caller.personal_id)
