"""Temporary-residence registration for tenants (đăng ký tạm trú, Luật Cư trú 2020 art. 27-28).

Rules: a level 2 applicant; the address is outside the commune of their permanent residence; the owner
exists, is alive and consents; the right to live there is proved by a paper the declaration names (lease,
ownership certificate, loan or free-lodging contract: Nghị định 62/2021/NĐ-CP art. 5), which the police check,
not by where the owner lives; the period is at most 2 calendar years (Luật Cư trú 2020 art. 27(2)); members under
18 moving too must be the applicant's children (a parent's consent), and every adult member confirms being listed before
the owner may consent, since approval rewrites their address. Flow: awaiting the members' and then the
owner's consent → awaiting payment of the fee (Thông tư 75/2022/TT-BTC: 7,000 VND filed online,
seed_data/temporary_residence_fees.json) → in review by the commune police of the address → approved (the
population record is updated), rejected, or returned for supplementation (members may then be dropped, never
added); the applicant may withdraw before a decision.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import Env
from app.core.errors import AppError, CodedError, Conflict
from app.models import Application, ApplicationEvent, Citizen
from app.services import payments
from app.services.documents import issue_document
from app.services.population.dates import age_on, birthday
from app.services.procedures.engine import Procedure, TransitionContext, create, machine, register
from app.services.procedures.fees import VNEID, FeeFacts, Quote, load_rules, quote
from app.services.procedures.views import ApplicationView, view_as
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status
from app.services.procedures.working_days import add_working_days
from app.services.reference import catalog

MAX_PERIOD_YEARS = 2  # Luật Cư trú 2020 art. 27(2): "Thời hạn tạm trú tối đa là 02 năm", renewable
# Art. 28(2): "Trong thời hạn 03 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ và hợp lệ" (working days), at
# thuvienphapluat.vn/hoi-dap-phap-luat/52FE9-hd-ho-so-thu-tuc-dang-ky-tam-tru-gia-han-tam-tru-theo-luat-moi.html
REVIEW_WORKING_DAYS = 3
FEES_FILE = "temporary_residence_fees.json"
# The proofs of a right to live at the address, in the order the forms offer them (a lease is the most common).
PROOF_TYPES = ("lease_contract", "ownership_certificate", "loan_contract", "free_lodging_contract", "other")


class ResidenceDeclaration(Protocol):
    """What the rules read of a declaration (tờ khai CT01): the API's `TemporaryResidenceRequest` is one, and so is
    a stored declaration with its amendments (`StoredDeclaration`)."""

    @property
    def kind(self) -> str: ...
    @property
    def street(self) -> str: ...
    @property
    def commune_code(self) -> str: ...
    @property
    def owner_personal_id(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...
    @property
    def member_personal_ids(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """A declaration as an application's `data` holds it (JSON), read back to check it again."""

    kind: str
    street: str
    commune_code: str
    owner_personal_id: str
    start_date: date
    end_date: date
    member_personal_ids: Sequence[str]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "StoredDeclaration":
        return cls(
            kind=data["kind"],
            street=data["street"],
            commune_code=data["commune_code"],
            owner_personal_id=data["owner_personal_id"],
            start_date=date.fromisoformat(data["start_date"]),
            end_date=date.fromisoformat(data["end_date"]),
            member_personal_ids=tuple(data["member_personal_ids"]),
        )


class ResidenceRuleBroken(CodedError):
    """A rule of residence registration (temporary residence, accommodation notices) the request breaks."""

    status, title = 422, "The application breaks a rule of residence registration"
    codes = {
        "unknown_commune": "not a commune code of the 2025 administrative map",
        "same_commune_as_permanent_residence": "temporary residence must be outside the permanent residence's commune",
        "invalid_period": "the period starts in the past or ends before it starts",
        "period_too_long": "temporary residence is registered for at most 2 years",
        "nothing_to_renew": "a renewal needs a current temporary residence at this commune",
        "owner_not_found": "no citizen has the owner's personal ID",
        "owner_is_applicant": "the owner must be someone else",
        "owner_deceased": "the owner has died",
        "invalid_member": "this person cannot move in with the applicant",
        "guardian_consent_required": "a minor moving in must be the applicant's child",
        "members_added_after_consent": "members cannot be added once the owner consented: file again",
        "guest_not_found": "no living citizen has the guest's personal ID (accommodation notice)",
        "guest_is_host": "hosts do not notify their own stay (accommodation notice)",
    }


class MemberConsentPending(Conflict):
    code, title = "member_consent_pending", "Adults listed as moving in have not confirmed yet"


class ApplicationPending(AppError):
    status, code, title = 409, "application_pending", "An application of this kind is already open"


def _start_review(context: TransitionContext) -> None:
    context.application.due_on = add_working_days(context.env.clock.today(), REVIEW_WORKING_DAYS)


def _record_residence(context: TransitionContext) -> None:
    """Approval writes the temporary residence to the population record of the applicant and members."""
    application, env = context.application, context.env
    data = application.data
    until = date.fromisoformat(data["end_date"])
    for personal_id in [application.applicant_personal_id, *data["member_personal_ids"]]:
        citizen = env.db.get_one(Citizen, personal_id)
        citizen.temporary_street, citizen.temporary_commune_code = data["street"], data["commune_code"]
        citizen.temporary_until = until
        citizen.current_street, citizen.current_commune_code = data["street"], data["commune_code"]
    address = catalog().address(data["street"], data["commune_code"])
    applicant = env.db.get_one(Citizen, application.applicant_personal_id)
    issue_document(
        env,
        kind="temporary_residence_confirmation",
        owner_personal_id=application.applicant_personal_id,
        application=application,
        payload={
            "title": "XÁC NHẬN ĐĂNG KÝ TẠM TRÚ",
            "title_en": "Confirmation of temporary residence registration",
            "fields": [
                {"label": "Họ và tên / Full name", "value": applicant.full_name.upper()},
                {"label": "Số định danh cá nhân / Personal ID", "value": applicant.personal_id},
                {"label": "Nơi tạm trú / Temporary residence", "value": address["formatted"]},
                {"label": "Thời hạn tạm trú đến / Valid until", "value": until.strftime("%d/%m/%Y")},
                {"label": "Số hồ sơ / Application", "value": application.code},
            ],
            "data": {
                "personal_id": applicant.personal_id,
                "address": address,
                "valid_until": until.isoformat(),
                "members": data["member_personal_ids"],
                "application_code": application.code,
            },
        },
    )


PROCEDURE = register(
    Procedure(
        name=ProcedureKind.TEMPORARY_RESIDENCE,
        code_prefix="DKTT",
        initial=Status.AWAITING_OWNER,
        transitions=machine(
            (Action.OWNER_APPROVE, {Status.AWAITING_OWNER}, Status.AWAITING_PAYMENT, {Actor.OWNER}),
            (Action.OWNER_DECLINE, {Status.AWAITING_OWNER}, Status.OWNER_DECLINED, {Actor.OWNER}),
            (Action.MEMBER_CONFIRM, {Status.AWAITING_OWNER}, Status.AWAITING_OWNER, {Actor.MEMBER}),
            (Action.MEMBER_DECLINE, {Status.AWAITING_OWNER}, Status.MEMBER_DECLINED, {Actor.MEMBER}),
            (Action.PAY, {Status.AWAITING_PAYMENT}, Status.IN_REVIEW, {Actor.SYSTEM}),
            (Action.EXPIRE_PAYMENT, {Status.AWAITING_PAYMENT}, Status.PAYMENT_EXPIRED, {Actor.SYSTEM}),
            (Action.APPROVE, {Status.IN_REVIEW}, Status.APPROVED, {Actor.OFFICER}),
            (Action.REJECT, {Status.IN_REVIEW}, Status.REJECTED, {Actor.OFFICER}),
            (Action.REQUEST_SUPPLEMENT, {Status.IN_REVIEW}, Status.SUPPLEMENT_REQUESTED, {Actor.OFFICER}),
            (Action.RESUBMIT, {Status.SUPPLEMENT_REQUESTED}, Status.IN_REVIEW, {Actor.APPLICANT}),
            (
                Action.WITHDRAW,
                {Status.AWAITING_OWNER, Status.AWAITING_PAYMENT, Status.IN_REVIEW, Status.SUPPLEMENT_REQUESTED},
                Status.WITHDRAWN,
                {Actor.APPLICANT},
            ),
        ),
        terminal=frozenset(
            {
                Status.APPROVED,
                Status.REJECTED,
                Status.OWNER_DECLINED,
                Status.MEMBER_DECLINED,
                Status.WITHDRAWN,
                Status.PAYMENT_EXPIRED,
            }
        ),
        on_enter={
            Status.IN_REVIEW: _start_review,
            Status.APPROVED: _record_residence,
            Status.WITHDRAWN: payments.close_payments,
            Status.PAYMENT_EXPIRED: payments.close_payments,
        },
    )
)


def fee_quote(db: Session, today: date, applicant_personal_id: str) -> Quote:
    """The fee of a registration or renewal filed today on VNeID (an online filing), with its rule and source."""
    applicant = db.get_one(Citizen, applicant_personal_id)
    facts = FeeFacts(
        category="standard",
        age=age_on(applicant.date_of_birth, today),
        permanent_province_code=catalog().communes[applicant.permanent_commune_code].province_code,
        account_level=2,
        channel=VNEID,
    )
    return quote(today, 1, facts, load_rules(FEES_FILE))


def file(env: Env, applicant_personal_id: str, client_id: str | None, form: ResidenceDeclaration) -> ApplicationView:
    """Check the rules and file the application with the fee of the day; it then waits for the owner's consent."""
    db, today = env.db, env.clock.today()
    applicant = db.get_one(Citizen, applicant_personal_id)
    check_form(db, applicant, form, today)
    open_one = db.scalar(
        select(Application.code).where(
            Application.procedure == PROCEDURE.name,
            Application.applicant_personal_id == applicant_personal_id,
            Application.status.not_in(PROCEDURE.terminal),
        )
    )
    if open_one:
        raise ApplicationPending(f"application {open_one} is still open: withdraw it or wait for the decision")
    fee = fee_quote(db, today, applicant_personal_id)
    application = Application(
        procedure=PROCEDURE.name,
        applicant_personal_id=applicant_personal_id,
        subject_personal_id=applicant_personal_id,
        counterparty_personal_id=form.owner_personal_id,
        commune_code=form.commune_code,
        province_code=catalog().communes[form.commune_code].province_code,
        client_id=client_id,
        # the whole declaration, as JSON (a model's fields, a dataclass's), and the fee fixed at filing
        data={**to_jsonable_python(form), "fee": fee.as_data()},
        fee_vnd=fee.total_vnd,
    )
    return view_as(env, create(env, application, actor_personal_id=applicant_personal_id), Actor.APPLICANT)


def check_form(db: Session, applicant: Citizen, form: ResidenceDeclaration, today: date) -> None:
    commune = catalog().communes.get(form.commune_code)
    if commune is None:
        raise ResidenceRuleBroken("unknown_commune", f"{form.commune_code} is not a 2025 commune code")
    if form.commune_code == applicant.permanent_commune_code:
        raise ResidenceRuleBroken(
            "same_commune_as_permanent_residence",
            "temporary residence must be outside the commune of permanent residence",
        )
    _check_owner(db, applicant, form)
    start, end = form.start_date, form.end_date
    if start < today or end <= start:
        raise ResidenceRuleBroken("invalid_period", "the period must start today or later and end after it starts")
    if end > birthday(start, MAX_PERIOD_YEARS):  # calendar years: 01/03/2027 – 01/03/2029 spans 29/02/2028
        raise ResidenceRuleBroken("period_too_long", "temporary residence is registered for at most 2 years")
    if form.kind == "renewal" and not (
        applicant.temporary_commune_code == form.commune_code
        and applicant.temporary_until
        and applicant.temporary_until >= today
    ):
        raise ResidenceRuleBroken("nothing_to_renew", "a renewal needs a current temporary residence at this commune")
    for member_id in form.member_personal_ids:
        _check_member(db, applicant, member_id, today)


def _check_owner(db: Session, applicant: Citizen, form: ResidenceDeclaration) -> None:
    owner = db.get(Citizen, form.owner_personal_id)
    if owner is None:
        raise ResidenceRuleBroken("owner_not_found", "no citizen has the owner's personal ID")
    if owner.personal_id == applicant.personal_id:
        raise ResidenceRuleBroken("owner_is_applicant", "the owner must be someone else; you cannot host yourself")
    if owner.date_of_death is not None:
        raise ResidenceRuleBroken("owner_deceased", "the owner has died")


def _check_member(db: Session, applicant: Citizen, member_id: str, today: date) -> None:
    member = db.get(Citizen, member_id)
    if member is None or member.date_of_death is not None or member_id == applicant.personal_id:
        raise ResidenceRuleBroken("invalid_member", f"{member_id} cannot move in with the applicant")
    is_parent = applicant.personal_id in (member.father_personal_id, member.mother_personal_id)
    if age_on(member.date_of_birth, today) < 18 and not is_parent:
        raise ResidenceRuleBroken(
            "guardian_consent_required", f"{member_id} is a minor: only a parent or guardian may declare them"
        )


def members_to_confirm(db: Session, application: Application, today: date) -> list[str]:
    """Adult members who have not confirmed yet; children follow the applicant, their parent."""
    confirmed = set(
        db.scalars(
            select(ApplicationEvent.actor_personal_id).where(
                ApplicationEvent.application_id == application.id, ApplicationEvent.action == Action.MEMBER_CONFIRM
            )
        )
    )
    return [
        member_id
        for member_id in application.data["member_personal_ids"]
        if member_id not in confirmed and age_on(db.get_one(Citizen, member_id).date_of_birth, today) >= 18
    ]


def check_no_member_added(application: Application, members: Sequence[str]) -> None:
    """The owner consented to the people listed then (and they confirmed): nobody joins afterwards."""
    added = sorted(set(members) - set(application.data["member_personal_ids"]))
    if added:
        raise ResidenceRuleBroken(
            "members_added_after_consent",
            f"{', '.join(added)} cannot be added after the owner consented: withdraw and file again",
        )


def owner_requests(env: Env, owner_personal_id: str) -> list[ApplicationView]:
    """Registrations at the owner's place that wait for the owner's consent, as the owner sees them."""
    rows = env.db.scalars(
        select(Application)
        .where(
            Application.procedure == PROCEDURE.name,
            Application.counterparty_personal_id == owner_personal_id,
            Application.status == Status.AWAITING_OWNER,
        )
        .order_by(Application.id)
    )
    return [view_as(env, row, Actor.OWNER) for row in rows]
