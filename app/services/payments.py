"""Sandbox payments of application fees: a pending payment that the payer completes or lets expire.

Works for any procedure whose state machine has `pay` (awaiting payment → paid, by the system) and
`expire_payment` (awaiting payment → payment expired, by the system). Expiry is lazy: a pending payment past
`expires_at` on the sandbox clock is marked expired whenever it or its application is read or acted upon
(`apply_expiry`), so advancing the sandbox clock is enough to make payments expire.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ScalarResult, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.context import Env
from app.core.errors import AppError, NotFound
from app.models import Application, Payment
from app.services.oidc import scenarios
from app.services.oidc.clients import find_client
from app.services.procedures.engine import REGISTRY, InvalidTransition, TransitionContext, allowed_actions, transition
from app.services.procedures.vocabulary import Action, Actor

PAYMENT_TTL = timedelta(minutes=30)


class PaymentStatus(StrEnum):
    """Where a payment stands (`payment.status`): pending until the payer completes it or it expires; cancelled
    when its application no longer awaits payment."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment of an application's fee, as its payer sees it; rendered as `PaymentPublic`."""

    payment_id: str
    application_code: str
    application_status: str
    amount_vnd: int
    status: PaymentStatus
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    pay_url: str


class PaymentNotFound(NotFound):
    code, title = "payment_not_found", "No such payment"


class PaymentExpired(AppError):
    status, code, title = 409, "payment_expired", "The payment expired before it was completed"


class PaymentNotPending(AppError):
    status, code, title = 409, "payment_not_pending", "The payment is already completed"


def start_payment(env: Env, code: str, payer_personal_id: str) -> tuple[PaymentView, bool]:
    """A pending payment of the application's fee: the open one if there is one (created False), else a new one."""
    db, now = env.db, env.clock.now()
    application = _applicants_application(db, code, payer_personal_id)
    apply_expiry(env, application)
    procedure = REGISTRY[application.procedure]
    pay = procedure.transitions.get(Action.PAY)
    if pay is None or application.status not in pay.sources:
        raise InvalidTransition(
            f"cannot pay an application that is {application.status}",
            current_status=application.status,
            allowed_actions=allowed_actions(application, Actor.APPLICANT),
        )
    open_payment = _pending(db, application).first()
    if open_payment is not None:
        return _view(env.settings, open_payment, application), False
    payment = Payment(
        id=uuid.uuid4().hex,
        application_id=application.id,
        amount_vnd=application.fee_vnd,
        status=PaymentStatus.PENDING,
        created_at=now,
        expires_at=now + PAYMENT_TTL,
        completed_at=None,
    )
    db.add(payment)
    db.flush()
    return _view(env.settings, payment, application), True


def read_payment(env: Env, payment_id: str, payer_personal_id: str) -> PaymentView:
    payment, application = _payers_payment(env.db, payment_id, payer_personal_id)
    apply_expiry(env, application)
    return _view(env.settings, payment, application)


def complete_payment(env: Env, payment_id: str, payer_personal_id: str, outcome: str) -> PaymentView:
    """The payer's answer on the payment page. Success pays the application (and moves it on) in this
    transaction; failure leaves it awaiting payment so that a new payment can be started."""
    db, now = env.db, env.clock.now()
    payment, application = _payers_payment(db, payment_id, payer_personal_id, lock=True)
    apply_expiry(env, application)
    # apply_expiry has committed the expiry: it stands although we answer 409
    if payment.status == PaymentStatus.EXPIRED:
        raise PaymentExpired(
            f"payment {payment.id} expired at {payment.expires_at.isoformat()}; start a new payment if the "
            "application still awaits one",
            application_status=application.status,
        )
    if payment.status != PaymentStatus.PENDING:
        raise PaymentNotPending(f"payment {payment.id} is {payment.status}", payment_status=payment.status)
    if outcome != "succeed" or _failure_forced(db, application):
        payment.status, payment.completed_at = PaymentStatus.FAILED, now
        db.flush()
        return _view(env.settings, payment, application)
    payment.status, payment.completed_at = PaymentStatus.SUCCEEDED, now
    db.flush()
    transition(
        env,
        application,
        Action.PAY,
        role=Actor.SYSTEM,
        actor_personal_id=None,
        note=f"payment {payment.id}: {payment.amount_vnd} VND",
    )
    return _view(env.settings, payment, application)


def apply_expiry(env: Env, application: Application) -> bool:
    """Mark the application's pending payments past `expires_at` expired; an application left awaiting payment
    with no pending payment then expires too. Idempotent; True when something changed (committed at once, as
    a consequence of the clock rather than of the request that noticed it)."""
    db, now = env.db, env.clock.now()
    overdue = [p for p in _pending(db, application) if p.expires_at <= now]
    if not overdue:
        return False
    for payment in overdue:
        payment.status = PaymentStatus.EXPIRED
    db.flush()
    expire = REGISTRY[application.procedure].transitions.get(Action.EXPIRE_PAYMENT)
    if expire is not None and application.status in expire.sources and _pending(db, application).first() is None:
        transition(
            env,
            application,
            Action.EXPIRE_PAYMENT,
            role=Actor.SYSTEM,
            actor_personal_id=None,
            note=f"payment {overdue[-1].id} not completed by {overdue[-1].expires_at.isoformat()}",
        )
    db.commit()
    return True


def expire_due(env: Env) -> int:
    """Apply expiry to every application whose pending payment is past due (after the clock was advanced)."""
    due = env.db.scalars(
        select(Application).where(
            Application.id.in_(
                select(Payment.application_id).where(
                    Payment.status == PaymentStatus.PENDING, Payment.expires_at <= env.clock.now()
                )
            )
        )
    ).all()
    return sum(apply_expiry(env, application) for application in due)


def cancel_pending(db: Session, application: Application) -> None:
    """Close the open payments of an application that no longer awaits payment (withdrawn, expired)."""
    for payment in _pending(db, application):
        payment.status = PaymentStatus.CANCELLED
    db.flush()


def close_payments(context: TransitionContext) -> None:
    """A procedure's `on_enter` hook for the states that end the wait for payment (withdrawn, expired)."""
    cancel_pending(context.env.db, context.application)


def _view(settings: Settings, payment: Payment, application: Application) -> PaymentView:
    return PaymentView(
        payment_id=payment.id,
        application_code=application.code,
        application_status=application.status,
        amount_vnd=payment.amount_vnd,
        status=PaymentStatus(payment.status),
        created_at=payment.created_at,
        expires_at=payment.expires_at,
        completed_at=payment.completed_at,
        pay_url=f"{settings.public_url}/v1/payments/{payment.id}",
    )


def _applicants_application(db: Session, code: str, personal_id: str) -> Application:
    application = db.scalars(select(Application).where(Application.code == code)).first()
    if application is None or application.applicant_personal_id != personal_id:
        raise NotFound(f"no application {code} of yours")
    return application


def _payers_payment(
    db: Session, payment_id: str, personal_id: str, *, lock: bool = False
) -> tuple[Payment, Application]:
    payment = db.get(Payment, payment_id, with_for_update=lock)
    application = db.get(Application, payment.application_id) if payment is not None else None
    if payment is None or application is None or application.applicant_personal_id != personal_id:
        raise PaymentNotFound(f"no payment {payment_id} of yours")
    return payment, application


def _pending(db: Session, application: Application) -> ScalarResult[Payment]:
    return db.scalars(
        select(Payment)
        .where(Payment.application_id == application.id, Payment.status == PaymentStatus.PENDING)
        .order_by(Payment.created_at)
    )


def _failure_forced(db: Session, application: Application) -> bool:
    """The `payment_fails` scenario, for applications filed through a test client."""
    client = find_client(db, application.client_id) if application.client_id else None
    return bool(client and client.test_client and scenarios.take(db, client.client_id, scenarios.Stage.PAYMENT))
