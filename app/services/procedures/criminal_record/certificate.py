"""What an issued criminal-record certificate says: form 1 or 2, its fields, its convictions table, its data."""

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.models import Application, Citizen, Conviction
from app.services.procedures.criminal_record.record import convictions_shown
from app.services.procedures.criminal_record.vocabulary import Purpose, RecordStatus
from app.services.reference import catalog

DOCUMENT_KIND = "criminal_record_certificate"
PURPOSE_LABELS = {
    Purpose.JOB: "Bổ sung hồ sơ xin việc làm",
    Purpose.STUDY_ABROAD: "Du học",
    Purpose.VISA: "Xin thị thực (visa)",
    Purpose.MARRIAGE_WITH_FOREIGNER: "Kết hôn với người nước ngoài",
}
STATUS_TEXTS = {
    RecordStatus.NONE: "Không có án tích",
    RecordStatus.CONVICTED: "Có án tích",
    RecordStatus.EXPUNGED: "Đã được xóa án tích",
}
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


def certificate_payload(
    db: Session, application: Application, officer_personal_id: str | None, today: date
) -> dict[str, Any]:
    """What the certificate says. Form 1 shows only convictions not expunged (an expunged one counts as no
    record) and bans only when asked; form 2 adds other names, parents and spouse, and every conviction."""
    data = application.data
    form = int(data["form"])
    subject = db.get_one(Citizen, application.subject_personal_id)
    shown, status = convictions_shown(db, subject.personal_id, form)
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
    fields.append(("Tình trạng án tích / Criminal record", STATUS_TEXTS[status]))
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
            "criminal_record_status": status.value,
            "convictions": [_conviction_data(c) for c in shown],
            "bans": [] if include_bans else None,
            "purpose": data["purpose"],
            "issuing_province_code": data["issuing_province_code"],
            "issuing_agency": data["issuing_agency"],
            "copies": data["copies"],
            "issued_on": today.isoformat(),
        },
    }
