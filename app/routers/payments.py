"""Sandbox payments of application fees: start a payment, read it, and complete it as the payer would."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.core.errors import problem_responses
from app.deps import EnvDep, ProcedureCitizen, writes
from app.schemas.payment import PaymentCompletion, PaymentPublic
from app.services import payments

router = APIRouter(prefix="/v1", tags=["Payments"])

ApplicationCode = Annotated[
    str,
    Path(
        max_length=24,
        pattern=r"^[A-Z]{2,8}-[0-9]{4}-[0-9]{6,12}$",
        description="The application's code, e.g. LLTP-2026-000042.",
    ),
]
PaymentId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="`payment_id` from the start of the payment.")]


@router.post(
    "/applications/{code}/payments",
    status_code=201,
    response_model=PaymentPublic,
    name="payments.start",
    responses={
        200: {"model": PaymentPublic, "description": "A payment of this application is already pending: that one."},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
def start_payment(
    code: ApplicationCode,
    caller: ProcedureCitizen,
    response: Response,
    env: EnvDep,
) -> PaymentPublic:
    """Start paying the fee of your application (`awaiting_payment`): `201` with a new pending payment of
    `amount_vnd` that expires 30 minutes later on the sandbox clock, or `200` with the one already pending.
    Send the payer to `pay_url`; in the sandbox, complete it with `POST /v1/payments/{payment_id}/complete`.

    Only the applicant may pay (another citizen's application is `404 not_found`). An application that does
    not await payment (paid, fee 0, withdrawn, expired …) is `409 invalid_transition`."""
    payment, created = payments.start_payment(env, code, caller.personal_id)
    if not created:
        response.status_code = 200
    return PaymentPublic.model_validate(payment)


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentPublic,
    name="payments.get",
    responses=problem_responses(401, 403, 404, 422),
)
@writes
def get_payment(
    payment_id: PaymentId,
    caller: ProcedureCitizen,
    env: EnvDep,
) -> PaymentPublic:
    """A payment of yours and its application's status. A pending payment past `expires_at` (sandbox clock)
    reads as `expired`, and its application as `payment_expired` if nothing else is pending.
    `404 payment_not_found` for an unknown payment or someone else's."""
    return PaymentPublic.model_validate(payments.read_payment(env, payment_id, caller.personal_id))


@router.post(
    "/payments/{payment_id}/complete",
    response_model=PaymentPublic,
    name="payments.complete",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def complete_payment(
    payment_id: PaymentId,
    body: PaymentCompletion,
    caller: ProcedureCitizen,
    env: EnvDep,
) -> PaymentPublic:
    """The sandbox payment gateway: the payer (the applicant's token) pays or fails.

    `succeed`: the payment `succeeded`, and in the same transaction the application is paid and moves on
    (a criminal-record request to `verifying`, with its deadline). `fail`: the payment `failed` and the
    application still awaits payment; start a new one. The `payment_fails` scenario (`POST /sandbox/scenarios`,
    for the client the application was filed through) makes a `succeed` fail.

    `409 payment_expired` after `expires_at` on the sandbox clock (the payment is then `expired`, and the
    application `payment_expired` unless another payment is pending); `409 payment_not_pending` for a payment
    already completed or cancelled; `404 payment_not_found` for an unknown payment or someone else's."""
    payment = payments.complete_payment(env, payment_id, caller.personal_id, body.outcome)
    return PaymentPublic.model_validate(payment)
