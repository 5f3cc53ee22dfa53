"""Procedures in the browser: temporary residence (tenant and landlord), criminal-record certificates with the
sandbox payment, and the officer console. Every step calls the same services as the API."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from app.core.clock import VIETNAM
from app.core.context import Env
from app.core.errors import AppError, InsufficientAccountLevel
from app.deps import EnvDep, writes
from app.schemas.criminal_record import CriminalRecordRequest, FeeCategory, Purpose
from app.schemas.forms import AmendmentForm, OwnerDecisionForm, PaymentForm, WithdrawalForm
from app.schemas.residence import (
    AccommodationNoticeRequest,
    OfficerDecision,
    TemporaryResidenceRequest,
)
from app.services import payments
from app.services.identity.accounts import ACR_BY_LEVEL
from app.services.procedures import accommodation_notice, desk, residence_actions, temporary_residence
from app.services.procedures.criminal_record import filing, record
from app.services.procedures.criminal_record.fee import Quote
from app.services.procedures.dossier import officer_dossier
from app.services.procedures.temporary_residence import PROOF_TYPES
from app.services.procedures.views import ApplicationView, full_names
from app.services.procedures.vocabulary import OFFICER_DECISIONS
from app.services.reference import catalog
from app.web.app_texts import form_refusal
from app.web.errors import PageRoute
from app.web.i18n import language
from app.web.session import WebUser, WebUserDep, page, problem

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Field = Annotated[str, Form(max_length=200)]


def _require_level2(user: WebUser) -> None:
    """The same refusal the API's Level2ProcedureCitizen dependency gives a level 1 token."""
    if user.level < 2:
        raise InsufficientAccountLevel(ACR_BY_LEVEL[2])


def _to_application(code: str) -> RedirectResponse:
    return RedirectResponse(f"/app/applications/{code}", status_code=303)


async def _posted(request: Request) -> dict[str, str]:
    """A procedure form's text fields, trimmed; the page shows them again, as typed, when the filing is refused."""
    return {name: value.strip() for name, value in (await request.form()).items() if isinstance(value, str)}


PostedDep = Annotated[dict[str, str], Depends(_posted)]


def _fields_of(model: type[BaseModel], posted: dict[str, str]) -> dict[str, str]:
    """The fields the API's request model takes (not the CSRF token), blank ones left out."""
    return {name: value for name, value in posted.items() if name in model.model_fields and value}


def _filed_or_again(
    request: Request, env: Env, filed: Callable[[], ApplicationView | Response], again: Callable[[str], HTMLResponse]
) -> Response:
    """File through the API's service (or answer as `filed` says), else show the form `again` with what was wrong,
    its values kept."""
    try:
        outcome = filed()
    except ValidationError as error:
        return again(form_refusal(language(request), [dict(e) for e in error.errors()]))
    except AppError as error:
        return again(problem(request, env.db, error))
    return outcome if isinstance(outcome, Response) else _to_application(outcome.code)


# --- Temporary residence: the tenant ------------------------------------------------------------------------


def _residence_form(
    request: Request, env: Env, user: WebUser, values: dict[str, Any], error: str | None = None
) -> HTMLResponse:
    return page(
        request,
        "app/residence_form.html",
        user,
        values=values,
        error=error,
        proof_types=PROOF_TYPES,
        reasons=("work", "study", "other"),
        quote=temporary_residence.fee_quote(env.db, env.clock.today(), user.personal_id),
    )


@router.get("/app/residence/new", response_class=HTMLResponse)
def residence_form(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    today = env.clock.today()
    values = {"start_date": today.isoformat(), "end_date": (today + timedelta(days=300)).isoformat()}
    return _residence_form(request, env, user, values)


@router.post("/app/residence", response_class=HTMLResponse)
def file_residence(request: Request, env: EnvDep, user: WebUserDep, posted: PostedDep) -> Response:
    values = {"reason": "work", **_fields_of(TemporaryResidenceRequest, posted)}

    def filed() -> ApplicationView:
        _require_level2(user)
        body = TemporaryResidenceRequest.model_validate(values)
        return temporary_residence.file(env, user.personal_id, "vneid-app", body)

    return _filed_or_again(request, env, filed, partial(_residence_form, request, env, user, values))


@router.post("/app/applications/{code}/withdraw")
def withdraw(
    request: Request, code: str, env: EnvDep, user: WebUserDep, form: Annotated[WithdrawalForm, Form()]
) -> Response:
    residence_actions.withdraw(env, code, user.personal_id, form.reason.strip() or None)
    return _to_application(code)


@router.post("/app/applications/{code}/resubmit")
def resubmit(
    request: Request,
    code: str,
    env: EnvDep,
    user: WebUserDep,
    form: Annotated[AmendmentForm, Form()],
) -> Response:
    """Answer a request for supplementation: the same service as POST /v1/applications/{code}/resubmit."""
    residence_actions.resubmit(env, code, user.personal_id, form)
    return _to_application(code)


# --- Accommodation notices (the host) -----------------------------------------------------------------------


def _notice_form(request: Request, user: WebUser, values: dict[str, Any], error: str | None = None) -> HTMLResponse:
    return page(request, "app/accommodation_form.html", user, values=values, error=error)


@router.get("/app/accommodation/new", response_class=HTMLResponse)
def accommodation_form(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    now = env.clock.now().astimezone(VIETNAM)
    values = {
        "arrival_at": now.strftime("%Y-%m-%dT%H:%M"),
        "departure_on": (now.date() + timedelta(days=3)).isoformat(),
    }
    return _notice_form(request, user, values)


@router.post("/app/accommodation", response_class=HTMLResponse)
def file_accommodation(request: Request, env: EnvDep, user: WebUserDep, posted: PostedDep) -> Response:
    """The same request schema and service as POST /v1/applications/accommodation-notices; the browser's local
    date and time of arrival is Vietnam time."""
    values = _fields_of(AccommodationNoticeRequest, posted)
    arrival = values.get("arrival_at", "")
    if len(arrival) == len("2026-01-01T00:00"):
        arrival += ":00+07:00"

    def filed() -> ApplicationView:
        body = AccommodationNoticeRequest.model_validate({**values, "arrival_at": arrival})
        return accommodation_notice.file(env, user.personal_id, "vneid-app", body)

    return _filed_or_again(request, env, filed, partial(_notice_form, request, user, values))


# --- Temporary residence: the landlord ----------------------------------------------------------------------


@router.get("/app/owner-requests", response_class=HTMLResponse)
def owner_requests(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    requests = temporary_residence.owner_requests(env, user.personal_id)
    notices, _total = desk.citizen_applications(
        env, user.personal_id, accommodation_notice.PROCEDURE.name, None, limit=50, offset=0
    )
    names = full_names(env.db, [a.applicant_personal_id for a in requests] + [a.subject_personal_id for a in notices])
    return page(request, "app/owner_requests.html", user, requests=requests, names=names, notices=notices)


@router.post("/app/owner-requests/{code}")
def owner_decides(
    request: Request,
    code: str,
    env: EnvDep,
    user: WebUserDep,
    form: Annotated[OwnerDecisionForm, Form()],
) -> Response:
    residence_actions.owner_decides(env, code, user.personal_id, form.decision, form.reason)
    return RedirectResponse("/app/owner-requests", status_code=303)


# --- Criminal-record certificates ---------------------------------------------------------------------------


def _record_form(
    request: Request, user: WebUser, values: dict[str, Any], error: str | None = None, quote: Quote | None = None
) -> HTMLResponse:
    return page(
        request,
        "app/criminal_record_form.html",
        user,
        values=values,
        error=error,
        quote=quote,
        purposes=[p.value for p in Purpose],
        fee_categories=[c.value for c in FeeCategory],
        provinces=sorted(catalog().provinces.values(), key=lambda p: p.code),
    )


@router.get("/app/criminal-record/new", response_class=HTMLResponse)
def record_form(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    values = {
        "form": "1",
        "purpose": "job",
        "copies": "1",
        "fee_category": "standard",
        "issuing_province_code": record.home_province(env.db, user.personal_id),
    }
    return _record_form(request, user, values)


@router.post("/app/criminal-record", response_class=HTMLResponse)
def record_submit(
    request: Request,
    env: EnvDep,
    user: WebUserDep,
    posted: PostedDep,
    step: Annotated[str, Form(pattern="^(quote|file)$")],
) -> Response:
    """`step=quote` shows the fee (the service's quote at today's rules) before anything is filed;
    `step=file` files the request at that fee."""
    values: dict[str, Any] = _fields_of(CriminalRecordRequest, posted)
    form = values.get("form", "")

    def filed() -> ApplicationView | Response:
        _require_level2(user)
        body = CriminalRecordRequest.model_validate({**values, "form": int(form) if form.isdigit() else form})
        if step == "quote":
            _subject, quote = filing.fee_quote(env.db, env.clock.today(), user.personal_id, user.level, body)
            return _record_form(request, user, values, quote=quote)
        return filing.file(env, user.personal_id, "vneid-app", user.level, body)

    return _filed_or_again(request, env, filed, partial(_record_form, request, user, values))


@router.post("/app/applications/{code}/pay")
def start_payment(request: Request, code: str, env: EnvDep, user: WebUserDep) -> Response:
    payment, _created = payments.start_payment(env, code, user.personal_id)
    return RedirectResponse(f"/app/payments/{payment.payment_id}", status_code=303)


@router.get("/app/payments/{payment_id}", response_class=HTMLResponse)
@writes
def payment_page(request: Request, payment_id: str, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    return page(request, "app/payment.html", user, payment=payments.read_payment(env, payment_id, user.personal_id))


@router.post("/app/payments/{payment_id}")
def complete_payment(
    request: Request,
    payment_id: str,
    env: EnvDep,
    user: WebUserDep,
    form: Annotated[PaymentForm, Form()],
) -> Response:
    payment = payments.complete_payment(env, payment_id, user.personal_id, form.outcome)
    return _to_application(payment.application_code)


# --- The officer console ------------------------------------------------------------------------------------


@router.get("/app/officer", response_class=HTMLResponse)
def officer_queue(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    officer = desk.officer(env.db, user.personal_id)
    queue, total = desk.desk_queue(env, officer, procedure=None, status=None, overdue=None, limit=100, offset=0)
    names = full_names(env.db, (a.applicant_personal_id for a in queue))
    return page(request, "app/officer_queue.html", user, queue=queue, total=total, names=names, officer=officer)


@router.get("/app/officer/{code}", response_class=HTMLResponse)
def officer_detail(
    request: Request, code: str, env: EnvDep, user: WebUserDep, error: str | None = None
) -> HTMLResponse:
    dossier = officer_dossier(env, user.personal_id, code)
    view = dossier.application
    return page(
        request,
        "app/officer_detail.html",
        user,
        application=view,
        record=dossier.applicant_record,
        subject_record=dossier.subject_record,
        decisions=[d for d in OFFICER_DECISIONS if d in view.allowed_actions],
        error=error,
    )


@router.post("/app/officer/{code}/decision", response_class=HTMLResponse)
def officer_decides(
    request: Request,
    code: str,
    env: EnvDep,
    user: WebUserDep,
    decision: Annotated[str, Form(max_length=30)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The officer console's decision form: the same service as POST /v1/officer/applications/{code}/decision."""
    try:
        body = OfficerDecision.model_validate({"decision": decision, "reason": reason.strip() or None})
        desk.decide(env, desk.officer(env.db, user.personal_id), code, body.decision, body.reason)
    except ValidationError:
        env.db.rollback()
        message = {"vi": "Cần ghi lý do khi từ chối hoặc yêu cầu bổ sung.", "en": "A reason is required."}
        return officer_detail(request, code, env, user, error=message[language(request)])
    except AppError as error:
        return officer_detail(request, code, env, user, error=problem(request, env.db, error))
    return RedirectResponse(f"/app/officer/{code}", status_code=303)
