"""The criminal-record certificate's state machine, and what happens on entering each state."""

from app.models import Citizen
from app.services import payments
from app.services.documents import issue_document
from app.services.procedures.criminal_record.certificate import DOCUMENT_KIND, certificate_payload
from app.services.procedures.criminal_record.record import deadline_reasons
from app.services.procedures.engine import Procedure, TransitionContext, machine, register, transition
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status
from app.services.procedures.working_days import add_days

# Luật Lý lịch tư pháp 2009 art. 48(1): "không quá 10 ngày", "không quá 15 ngày" for a citizen who lived in several
# places or abroad, a foreigner, or an expungement to verify; days (ngày), not working days, as quoted in 2025 at
# plo.vn/de-xuat-giam-1-nua-thoi-gian-cap-phieu-ly-lich-tu-phap-post854321.html. Luật 107/2025/QH15 amends the law
# from 01/07/2026 (its draft: 5 days); the amended article was not read: docs/rules.md keeps that doubt.
STANDARD_DAYS, EXTENDED_DAYS = 10, 15


def _start_verification(context: TransitionContext) -> None:
    """Once paid, the records search starts at once: the system moves the application on in the same transaction."""
    transition(context.env, context.application, Action.START_VERIFICATION, role=Actor.SYSTEM, actor_personal_id=None)


def _set_deadline(context: TransitionContext) -> None:
    env, application = context.env, context.application
    subject = env.db.get_one(Citizen, application.subject_personal_id)
    reasons = deadline_reasons(env.db, subject)
    days = EXTENDED_DAYS if reasons else STANDARD_DAYS
    application.due_on = add_days(env.clock.today(), days)
    application.data = {**application.data, "deadline_days": days, "deadline_reasons": reasons}


def _issue_certificate(context: TransitionContext) -> None:
    env, application = context.env, context.application
    payload = certificate_payload(env.db, application, context.actor_personal_id, env.clock.today())
    document = issue_document(
        env,
        kind=DOCUMENT_KIND,
        owner_personal_id=application.subject_personal_id or application.applicant_personal_id,
        application=application,
        payload=payload,
    )
    application.data = {**application.data, "document_code": document.code}


def _record_rejection(context: TransitionContext) -> None:
    if context.note:
        context.application.decision_reason = context.note


PROCEDURE = register(
    Procedure(
        name=ProcedureKind.CRIMINAL_RECORD,
        code_prefix="LLTP",
        initial=Status.AWAITING_PAYMENT,
        transitions=machine(
            (Action.PAY, {Status.AWAITING_PAYMENT}, Status.PAID, {Actor.SYSTEM}),
            (Action.START_VERIFICATION, {Status.PAID}, Status.VERIFYING, {Actor.SYSTEM}),
            (Action.APPROVE, {Status.VERIFYING}, Status.ISSUED, {Actor.OFFICER}),
            (Action.REJECT, {Status.VERIFYING}, Status.REJECTED, {Actor.OFFICER}),
            (Action.WITHDRAW, {Status.AWAITING_PAYMENT}, Status.WITHDRAWN, {Actor.APPLICANT}),
            (Action.EXPIRE_PAYMENT, {Status.AWAITING_PAYMENT}, Status.PAYMENT_EXPIRED, {Actor.SYSTEM}),
        ),
        terminal=frozenset({Status.ISSUED, Status.REJECTED, Status.WITHDRAWN, Status.PAYMENT_EXPIRED}),
        on_enter={
            Status.PAID: _start_verification,
            Status.VERIFYING: _set_deadline,
            Status.ISSUED: _issue_certificate,
            Status.REJECTED: _record_rejection,
            Status.WITHDRAWN: payments.close_payments,
            Status.PAYMENT_EXPIRED: payments.close_payments,
        },
    )
)
