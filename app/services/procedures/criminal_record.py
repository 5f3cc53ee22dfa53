"""Criminal-record certificates (Phiếu lý lịch tư pháp, Luật Lý lịch tư pháp 2009): fee, procedure, certificate.

Who: a level 2 applicant, for themself or for their own child under 14 (Citizen.father/mother_personal_id).
Fee: rules with validity dates in seed_data/criminal_record_fees.json, applied at the sandbox clock's date.
Flow: awaiting_payment → (payment, or at once when the fee is 0) paid → verifying (records search; deadline
10 working days, 15 when the subject lived in several provinces or an expungement must be verified) →
issued (a signed certificate in the subject's wallet) or rejected, by a records officer of the issuing
province. Before payment the applicant may withdraw; a payment left to expire ends the application.

"Lived in several provinces" is read from the population record: the province where the birth was
registered (the ID prefix, mapped to its 2025 province) is not the permanent-address province, or a
temporary residence is recorded in another province. "An expungement must be verified": a conviction whose
sentence has been served is not yet marked expunged.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.models import Application, Citizen, Conviction
from app.services import payments
from app.services.documents import issue_document
from app.services.population.generator import age_on
from app.services.procedures.engine import (
    APPLICANT,
    OFFICER,
    SYSTEM,
    Env,
    Procedure,
    TransitionContext,
    create,
    machine,
    register,
    transition,
)
from app.services.procedures.working_days import add_working_days
from app.services.reference import catalog, load_json

AWAITING_PAYMENT, PAID, VERIFYING, ISSUED = "awaiting_payment", "paid", "verifying", "issued"
REJECTED, WITHDRAWN, PAYMENT_EXPIRED = "rejected", "withdrawn", "payment_expired"
DOCUMENT_KIND = "criminal_record_certificate"
CHILD_MAX_AGE = 14  # a parent requests for a child under 14; from 14 the child applies with their own account
STANDARD_DAYS, EXTENDED_DAYS = 10, 15
VNEID = "vneid"
FEES_FILE = "criminal_record_fees.json"

PURPOSE_LABELS = {
    "job": "Bổ sung hồ sơ xin việc làm",
    "study_abroad": "Du học",
    "visa": "Xin thị thực (visa)",
    "marriage_with_foreigner": "Kết hôn với người nước ngoài",
}
NO_RECORD = "Không có án tích"
HAS_RECORD = "Có án tích"
ALL_EXPUNGED = "Đã được xóa án tích"
NO_BANS = "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"
NONE_PRINTED = "//"
CONVICTION_COLUMNS = [
    "Bản án số / Judgment No.",
    "Ngày / Date",
    "Tòa án / Court",
    "Tội danh / Offence",
    "Điều khoản áp dụng / Article",
    "Hình phạt / Sentence",
    "Thi hành án / Enforcement",
    "Xóa án tích / Expungement",
]


class NotParentOfSubject(AppError):
    status, code, title = 403, "not_parent_of_subject", "You may request only for yourself or your own child"


class SubjectNotUnder14(AppError):
    status, code, title = 422, "subject_not_under_14", "A child of 14 or older requests their own certificate"


class UnknownProvince(AppError):
    status, code, title = 422, "unknown_province", "No such province"


# --- Fees -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeRule:
    id: str
    kind: str  # base, reduction, copy_surcharge, exemption, subsidy
    description: str
    valid_from: date
    valid_until: date | None
    amount_vnd: int = 0
    percent: int = 0
    from_copy: int = 0
    conditions: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True)
class FeeFacts:
    """What the rules' conditions look at."""

    category: str
    age: int
    permanent_province_code: str
    account_level: int
    channel: str = VNEID


@dataclass(frozen=True)
class FeeLine:
    rule_id: str
    description: str
    quantity: int
    amount_vnd: int


@dataclass(frozen=True)
class Quote:
    on_date: date
    copies: int
    lines: tuple[FeeLine, ...]

    @property
    def total_vnd(self) -> int:
        return max(0, sum(line.amount_vnd for line in self.lines))

    @property
    def rules_applied(self) -> list[str]:
        return [line.rule_id for line in self.lines]

    def as_data(self) -> dict[str, Any]:
        return {
            "on_date": self.on_date.isoformat(),
            "lines": [line.__dict__ for line in self.lines],
            "rules_applied": self.rules_applied,
            "total_vnd": self.total_vnd,
        }


class FeeRulesMissing(RuntimeError):
    """The fee data has no base fee in force on a date: a data error, not a client's."""


@lru_cache(maxsize=1)
def fee_rules() -> tuple[FeeRule, ...]:
    return tuple(
        FeeRule(
            id=r["id"],
            kind=r["kind"],
            description=r["description"],
            valid_from=date.fromisoformat(r["valid_from"]),
            valid_until=date.fromisoformat(r["valid_until"]) if r.get("valid_until") else None,
            amount_vnd=r.get("amount_vnd", 0),
            percent=r.get("percent", 0),
            from_copy=r.get("from_copy", 0),
            conditions=r.get("conditions", {}),
            source=r.get("source", ""),
        )
        for r in load_json(FEES_FILE)["rules"]
    )


def _holds(rule: FeeRule, facts: FeeFacts) -> bool:
    checks = {
        "fee_categories": lambda v: facts.category in v,
        "age_under": lambda v: facts.age < v,
        "age_at_least": lambda v: facts.age >= v,
        "permanent_province_codes": lambda v: facts.permanent_province_code in v,
        "channels": lambda v: facts.channel in v,
        "min_account_level": lambda v: facts.account_level >= v,
    }
    return all(checks[name](value) for name, value in rule.conditions.items())


def quote(on: date, copies: int, facts: FeeFacts, rules: tuple[FeeRule, ...] | None = None) -> Quote:
    """The fee on a date: the base fee (or the reduced one), extra copies, then the first exemption that
    applies, else the subsidies; each as a line naming its rule."""
    active = [r for r in (rules if rules is not None else fee_rules()) if r.in_force(on)]
    base = next((r for r in active if r.kind == "base"), None)
    if base is None:
        raise FeeRulesMissing(f"no base fee in force on {on}")
    lines = [FeeLine(base.id, base.description, 1, base.amount_vnd)]
    reduction = next((r for r in active if r.kind == "reduction" and _holds(r, facts)), None)
    if reduction is not None:
        lines.append(FeeLine(reduction.id, reduction.description, 1, reduction.amount_vnd - base.amount_vnd))
    for surcharge in (r for r in active if r.kind == "copy_surcharge"):
        extra = copies - surcharge.from_copy + 1
        if extra > 0:
            lines.append(FeeLine(surcharge.id, surcharge.description, extra, extra * surcharge.amount_vnd))
    due = sum(line.amount_vnd for line in lines)
    exemption = next((r for r in active if r.kind == "exemption" and _holds(r, facts)), None)
    if exemption is not None:
        lines.append(FeeLine(exemption.id, exemption.description, 1, -due))
        due = 0
    for subsidy in (r for r in active if r.kind == "subsidy" and _holds(r, facts)):
        if due > 0:
            covered = due * subsidy.percent // 100
            lines.append(FeeLine(subsidy.id, subsidy.description, 1, -covered))
            due -= covered
    return Quote(on, copies, tuple(lines))


# --- Who may request, and the fee of a request --------------------------------------------------------------


def resolve_subject(db: Session, applicant_personal_id: str, subject_personal_id: str | None, today: date) -> Citizen:
    """The person the certificate is about: the applicant, or the applicant's child under 14."""
    if subject_personal_id in (None, applicant_personal_id):
        return db.get_one(Citizen, applicant_personal_id)
    subject = db.get(Citizen, subject_personal_id)
    # Someone else's ID and an unknown ID get the same answer: the API must not tell who exists.
    if subject is None or applicant_personal_id not in (subject.father_personal_id, subject.mother_personal_id):
        raise NotParentOfSubject(
            "you may request a certificate for yourself or for your own child under 14 (as recorded in the "
            "population database as their father or mother)"
        )
    if age_on(subject.date_of_birth, today) >= CHILD_MAX_AGE:
        raise SubjectNotUnder14(
            f"{subject_personal_id} is {age_on(subject.date_of_birth, today)}: from 14 a person requests their "
            "own certificate with their own level 2 account"
        )
    return subject


def permanent_province(citizen: Citizen) -> str:
    return catalog().communes[citizen.permanent_commune_code].province_code


def fee_quote(
    db: Session, today: date, applicant_personal_id: str, account_level: int, request: dict[str, Any]
) -> tuple[Citizen, Quote]:
    subject = resolve_subject(db, applicant_personal_id, request.get("subject_personal_id"), today)
    facts = FeeFacts(
        category=str(request["fee_category"]),
        age=age_on(subject.date_of_birth, today),
        permanent_province_code=permanent_province(subject),
        account_level=account_level,
    )
    return subject, quote(today, request["copies"], facts)


# --- The procedure ------------------------------------------------------------------------------------------


def issuing_agency(province_code: str) -> str:
    name = catalog().provinces[province_code].name
    return f"Công an {name[0].lower()}{name[1:]}"


def deadline_reasons(db: Session, subject: Citizen) -> list[str]:
    """Why the 15-day deadline applies rather than 10 (empty: 10 days)."""
    reasons = []
    home = permanent_province(subject)
    born_in = catalog().legacy_provinces[subject.personal_id[:3]].new_province_code
    lived_elsewhere = subject.temporary_commune_code is not None and (
        catalog().communes[subject.temporary_commune_code].province_code != home
    )
    if born_in != home or lived_elsewhere:
        reasons.append("lived_in_several_provinces")
    if any(c.sentence_completed_on and not c.expunged for c in convictions_of(db, subject.personal_id)):
        reasons.append("expungement_to_verify")
    return reasons


def convictions_of(db: Session, personal_id: str) -> list[Conviction]:
    return list(
        db.scalars(
            select(Conviction)
            .where(Conviction.personal_id == personal_id)
            .order_by(Conviction.judgment_date, Conviction.id)
        )
    )


def _start_verification(context: TransitionContext) -> None:
    """Once paid, the records search starts at once: the system moves the application on in the same transaction."""
    transition(context.env, context.application, "start_verification", role=SYSTEM, actor_personal_id=None)


def _set_deadline(context: TransitionContext) -> None:
    env, application = context.env, context.application
    subject = env.db.get_one(Citizen, application.subject_personal_id)
    reasons = deadline_reasons(env.db, subject)
    days = EXTENDED_DAYS if reasons else STANDARD_DAYS
    application.due_on = add_working_days(env.clock.today(), days)
    application.data = {**application.data, "deadline_working_days": days, "deadline_reasons": reasons}


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


def _close_payments(context: TransitionContext) -> None:
    payments.cancel_pending(context.env.db, context.application)


PROCEDURE = register(
    Procedure(
        name="criminal_record",
        code_prefix="LLTP",
        initial=AWAITING_PAYMENT,
        transitions=machine(
            ("pay", {AWAITING_PAYMENT}, PAID, {SYSTEM}),
            ("start_verification", {PAID}, VERIFYING, {SYSTEM}),
            ("approve", {VERIFYING}, ISSUED, {OFFICER}),
            ("reject", {VERIFYING}, REJECTED, {OFFICER}),
            ("withdraw", {AWAITING_PAYMENT}, WITHDRAWN, {APPLICANT}),
            ("expire_payment", {AWAITING_PAYMENT}, PAYMENT_EXPIRED, {SYSTEM}),
        ),
        terminal=frozenset({ISSUED, REJECTED, WITHDRAWN, PAYMENT_EXPIRED}),
        on_enter={
            PAID: _start_verification,
            VERIFYING: _set_deadline,
            ISSUED: _issue_certificate,
            REJECTED: _record_rejection,
            WITHDRAWN: _close_payments,
            PAYMENT_EXPIRED: _close_payments,
        },
    )
)


def file(
    env: Env, applicant_personal_id: str, client_id: str | None, account_level: int, request: dict[str, Any]
) -> Application:
    """Check who may ask, price the request at today's rules and file it; a request that costs nothing goes
    straight to verification."""
    db, today = env.db, env.clock.today()
    subject, fee = fee_quote(db, today, applicant_personal_id, account_level, request)
    applicant = db.get_one(Citizen, applicant_personal_id)
    province_code = request.get("issuing_province_code") or permanent_province(applicant)
    if province_code not in catalog().provinces:
        raise UnknownProvince(
            f"{province_code} is not a province code (2025 units, e.g. 01 Hà Nội, 79 TP Hồ Chí Minh)",
            known_codes=sorted(catalog().provinces),
        )
    purpose = str(request["purpose"])
    application = Application(
        procedure=PROCEDURE.name,
        applicant_personal_id=applicant_personal_id,
        subject_personal_id=subject.personal_id,
        counterparty_personal_id=None,
        commune_code=None,
        province_code=province_code,
        client_id=client_id,
        data={
            "form": request["form"],
            "for_child": subject.personal_id != applicant_personal_id,
            "purpose": purpose,
            "purpose_detail": request.get("purpose_detail"),
            "issuing_province_code": province_code,
            "issuing_agency": issuing_agency(province_code),
            "copies": request["copies"],
            "include_bans": bool(request.get("include_bans")) or request["form"] == 2,
            "fee_category": str(request["fee_category"]),
            "phone": request.get("phone") or applicant.phone,
            "email": request.get("email") or applicant.email,
            "fee": fee.as_data(),
        },
        fee_vnd=fee.total_vnd,
    )
    create(env, application, actor_personal_id=applicant_personal_id)
    if application.fee_vnd == 0:
        transition(env, application, "pay", role=SYSTEM, actor_personal_id=None, note="fee 0 VND: nothing to pay")
    return application


# --- The certificate ----------------------------------------------------------------------------------------


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else NONE_PRINTED


def _name_of(db: Session, personal_id: str | None) -> str:
    person = db.get(Citizen, personal_id) if personal_id else None
    return person.full_name if person else NONE_PRINTED


def _conviction_row(c: Conviction) -> list[str]:
    enforcement = (
        f"Đã chấp hành xong hình phạt ngày {_d(c.sentence_completed_on)}"
        if c.sentence_completed_on
        else "Chưa chấp hành xong hình phạt"
    )
    expungement = f"Đã được xóa án tích ngày {_d(c.expunged_on)}" if c.expunged else "Chưa được xóa án tích"
    return [c.judgment_number, _d(c.judgment_date), c.court, c.offence, c.article, c.sentence, enforcement, expungement]


def _conviction_data(c: Conviction) -> dict[str, Any]:
    return {
        "judgment_number": c.judgment_number,
        "judgment_date": c.judgment_date.isoformat(),
        "court": c.court,
        "offence": c.offence,
        "article": c.article,
        "sentence": c.sentence,
        "sentence_completed_on": c.sentence_completed_on.isoformat() if c.sentence_completed_on else None,
        "expunged": c.expunged,
        "expunged_on": c.expunged_on.isoformat() if c.expunged_on else None,
    }


def certificate_payload(db: Session, application: Application, officer_personal_id: str | None, today: date) -> dict:
    """What the certificate says. Form 1 shows only convictions not expunged (an expunged one counts as no
    record) and bans only when asked; form 2 adds other names, parents and spouse, and every conviction."""
    data = application.data
    form = int(data["form"])
    subject = db.get_one(Citizen, application.subject_personal_id)
    every = convictions_of(db, subject.personal_id)
    shown = every if form == 2 else [c for c in every if not c.expunged]
    if any(not c.expunged for c in shown):
        status = HAS_RECORD
    elif shown:
        status = ALL_EXPUNGED
    else:
        status = NO_RECORD
    permanent = catalog().address(subject.permanent_street, subject.permanent_commune_code)
    temporary = (
        catalog().address(subject.temporary_street or "", subject.temporary_commune_code)["formatted"]
        if subject.temporary_commune_code and subject.temporary_until and subject.temporary_until >= today
        else NONE_PRINTED
    )
    include_bans = form == 2 or bool(data.get("include_bans"))
    fields: list[tuple[str, str]] = [("Họ và tên / Full name", subject.full_name.upper())]
    if form == 2:
        fields.append(("Tên gọi khác / Other names", subject.other_names or NONE_PRINTED))
    fields += [
        ("Giới tính / Sex", "Nam" if subject.sex == "male" else "Nữ"),
        ("Ngày, tháng, năm sinh / Date of birth", _d(subject.date_of_birth)),
        ("Nơi sinh / Place of birth", subject.place_of_birth),
        ("Quốc tịch / Nationality", "Việt Nam" if subject.nationality == "VN" else subject.nationality),
        ("Số định danh cá nhân / Personal ID", subject.personal_id),
        ("Nơi thường trú / Permanent residence", permanent["formatted"]),
        ("Nơi tạm trú / Temporary residence", temporary),
    ]
    if form == 2:
        fields += [
            ("Họ và tên cha / Father", _name_of(db, subject.father_personal_id)),
            ("Họ và tên mẹ / Mother", _name_of(db, subject.mother_personal_id)),
            ("Họ và tên vợ/chồng / Spouse", _name_of(db, subject.spouse_personal_id)),
        ]
    fields.append(("Tình trạng án tích / Criminal record", status))
    if include_bans:
        # The sandbox's records hold no bans, so the answer, when asked, is always that there are none.
        fields.append(("Cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã / Bans", NO_BANS))
    purpose = data["purpose_detail"] if data["purpose"] == "other" else PURPOSE_LABELS[data["purpose"]]
    fields += [
        ("Mục đích sử dụng / Purpose", purpose),
        ("Cơ quan cấp phiếu / Issued by", data["issuing_agency"]),
        ("Người ký / Signed by", _name_of(db, officer_personal_id)),
        ("Ngày cấp / Date of issue", _d(today)),
        ("Số hồ sơ / Application", application.code),
    ]
    sections = (
        [
            {
                "heading": "Án tích / Convictions",
                "columns": CONVICTION_COLUMNS,
                "rows": [_conviction_row(c) for c in shown],
            }
        ]
        if shown
        else []
    )
    return {
        "title": f"PHIẾU LÝ LỊCH TƯ PHÁP SỐ {form}",
        "title_en": f"Criminal record certificate No. {form}",
        "fields": [{"label": label, "value": value} for label, value in fields],
        "sections": sections,
        "data": {
            "form": form,
            "application_code": application.code,
            "personal_id": subject.personal_id,
            "full_name": subject.full_name,
            "date_of_birth": subject.date_of_birth.isoformat(),
            "criminal_record_status": {NO_RECORD: "none", HAS_RECORD: "convicted", ALL_EXPUNGED: "expunged"}[status],
            "convictions": [_conviction_data(c) for c in shown],
            "bans": [] if include_bans else None,
            "purpose": data["purpose"],
            "issuing_province_code": data["issuing_province_code"],
            "issuing_agency": data["issuing_agency"],
            "copies": data["copies"],
            "issued_on": today.isoformat(),
        },
    }
