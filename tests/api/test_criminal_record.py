"""Criminal-record certificates through HTTP: quote, request, payment, the records officer's decision, the
certificate in the wallet; for a child; refusals; payment failure, scenario and expiry; withdrawal."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM
from app.core.config import Settings
from app.core.context import Env
from app.models import Application, Citizen, Document
from app.services import sandbox
from app.services.procedures.criminal_record.fee import FeeFacts, quote
from app.services.procedures.engine import InvalidTransition, NotYourTurn, transition
from app.services.procedures.vocabulary import Actor
from tests.api.procedure_helpers import persona_headers
from tests.conftest import ADMIN_TOKEN, ISSUER

AN, EM, PHUONG, LINH, RECORDS = "001090000001", "031088000005", "048185000006", "001320000009", "001187000012"
IN_SUBSIDY = date(2025, 6, 2)  # a Monday inside the Hà Nội subsidy (2024-06-01 … 2025-12-31); linh is 4
AFTER_SUBSIDY = date(2026, 3, 2)  # a Monday after it; linh is 5
LINH_TURNS_14 = date(2034, 10, 8)
BASE = "/v1/applications/criminal-record-certificates"
JOB = {"form": 1, "purpose": "job"}

Headers = dict[str, str]
ClockSetter = Callable[[date], None]


@pytest.fixture
def set_clock(db: Session) -> ClockSetter:
    """Put the sandbox clock at 09:00 (Vietnam) on a day, as /sandbox/clock would, so dates are deterministic."""

    def move(day: date) -> None:
        target = datetime.combine(day, time(9), tzinfo=VIETNAM)
        sandbox.advance_clock(db, target - sandbox.clock_for(db).now())
        db.commit()

    return move


@pytest.fixture
def advance(db: Session) -> Callable[[timedelta], None]:
    def move(by: timedelta) -> None:
        sandbox.advance_clock(db, by)
        db.commit()

    return move


@pytest.fixture
def an(client: TestClient) -> Headers:
    return persona_headers(client, "an")


@pytest.fixture
def records(client: TestClient) -> Headers:
    return persona_headers(client, "records")


def file(client: TestClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = client.post(BASE, headers=headers, json={**JOB, **body})
    assert response.status_code == 201, response.text
    return response.json()


def pay(client: TestClient, headers: Headers, code: str, outcome: str = "succeed") -> dict[str, Any]:
    started = client.post(f"/v1/applications/{code}/payments", headers=headers)
    assert started.status_code == 201, started.text
    done = client.post(
        f"/v1/payments/{started.json()['payment_id']}/complete", headers=headers, json={"outcome": outcome}
    )
    assert done.status_code == 200, done.text
    return done.json()


def decide(client: TestClient, headers: Headers, code: str, decision: str = "approve", **extra: str) -> httpx.Response:
    return client.post(
        f"/v1/officer/applications/{code}/decision", headers=headers, json={"decision": decision, **extra}
    )


def application(client: TestClient, headers: Headers, code: str) -> dict[str, Any]:
    response = client.get(f"/v1/applications/{code}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def certificate(db: Session, code: str) -> Document:
    app_id = db.scalar(select(Application.id).where(Application.code == code))
    document = db.scalar(select(Document).where(Document.application_id == app_id))
    assert document is not None
    return document


def fields(document: Document) -> dict[str, str]:
    return {f["label"].split(" / ")[0]: f["value"] for f in document.payload["fields"]}


def expected_fee(day: date, permanent_province_code: str, age: int, copies: int = 1) -> int:
    facts = FeeFacts(category="standard", age=age, permanent_province_code=permanent_province_code, account_level=2)
    return quote(day, copies, facts).total_vnd


# --- The fee ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [IN_SUBSIDY, AFTER_SUBSIDY])
def test_quote_follows_the_fee_rules_at_the_sandbox_date(
    client: TestClient, an: Headers, set_clock: ClockSetter, day: date
) -> None:
    set_clock(day)
    response = client.post(f"{BASE}/quote", headers=an, json={"copies": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["on_date"] == day.isoformat()
    assert body["subject_personal_id"] == AN
    assert body["total_vnd"] == expected_fee(day, "01", age=35, copies=3)
    assert sum(line["amount_vnd"] for line in body["lines"]) == body["total_vnd"]
    assert ("hanoi_nq11_2024_subsidy" in body["rules_applied"]) is (day == IN_SUBSIDY)
    assert body["total_vnd"] == (0 if day == IN_SUBSIDY else 205_000)


def test_quote_shows_the_rule_applied_and_its_source(client: TestClient, set_clock: ClockSetter) -> None:
    """Thông tư 16/2025/TT-BTC: a request on VNeID pays 170,000 VND from 24/04/2025 to 31/12/2025, then 200,000."""
    em = persona_headers(client, "em")  # Hải Phòng resident: no Hà Nội subsidy
    set_clock(date(2025, 12, 31))
    body = client.post(f"{BASE}/quote", headers=em, json={}).json()
    assert body["total_vnd"] == 170_000
    assert body["rule"] == "TT 16/2025/TT-BTC, online rate until 31/12/2025"
    assert body["sources"] == ["Thông tư 16/2025/TT-BTC"]
    assert body["lines"][0]["source"] == "Thông tư 16/2025/TT-BTC"
    set_clock(date(2026, 1, 1))
    body = client.post(f"{BASE}/quote", headers=em, json={}).json()
    assert (body["total_vnd"], body["rule"]) == (200_000, "TT 16/2025/TT-BTC, standard fee")


def test_quote_names_the_hanoi_subsidy_when_it_pays(client: TestClient, an: Headers, set_clock: ClockSetter) -> None:
    set_clock(IN_SUBSIDY)
    body = client.post(f"{BASE}/quote", headers=an, json={}).json()
    assert body["total_vnd"] == 0
    assert body["rule"].startswith("Nghị quyết 11/2024/NQ-HĐND Hà Nội")
    assert body["sources"] == ["Thông tư 16/2025/TT-BTC", "Nghị quyết 11/2024/NQ-HĐND thành phố Hà Nội"]


def test_quote_shows_a_declared_reduction(client: TestClient, an: Headers, set_clock: ClockSetter) -> None:
    set_clock(AFTER_SUBSIDY)
    body = client.post(f"{BASE}/quote", headers=an, json={"fee_category": "student"}).json()
    assert body["total_vnd"] == 100_000
    assert body["rules_applied"] == ["tt16_standard_fee", "tt16_reduced_fee"]


# --- The whole flow -----------------------------------------------------------------------------------------


def test_an_requests_form_2_pays_and_the_records_officer_issues_it(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(AFTER_SUBSIDY)
    quoted = client.post(f"{BASE}/quote", headers=an, json={}).json()
    filed = file(client, an, form=2, purpose="visa")
    assert filed["code"].startswith("LLTP-2026-")
    assert (filed["procedure"], filed["status"]) == ("criminal_record", "awaiting_payment")
    assert filed["fee_vnd"] == quoted["total_vnd"] == expected_fee(AFTER_SUBSIDY, "01", age=35) == 200_000
    assert filed["province_code"] == "01"
    assert filed["subject_personal_id"] == filed["applicant_personal_id"] == AN
    assert filed["data"]["issuing_agency"] == "Công an thành phố Hà Nội"
    assert filed["data"]["fee"]["rules_applied"] == ["tt16_standard_fee"]
    assert filed["allowed_actions"] == ["withdraw"]
    assert filed["due_on"] is None

    started = client.post(f"/v1/applications/{filed['code']}/payments", headers=an)
    assert started.status_code == 201, started.text
    payment = started.json()
    assert payment["amount_vnd"] == 200_000
    assert payment["status"] == "pending"
    assert payment["pay_url"] == f"{ISSUER}/v1/payments/{payment['payment_id']}"
    assert datetime.fromisoformat(payment["expires_at"]) - datetime.fromisoformat(payment["created_at"]) == timedelta(
        minutes=30
    )
    done = client.post(f"/v1/payments/{payment['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["application_status"]) == ("succeeded", "verifying")

    verifying = application(client, an, filed["code"])
    assert [e["action"] for e in verifying["history"]] == ["submit", "pay", "start_verification"]
    # Luật Lý lịch tư pháp 2009 art. 48(1): "không quá 10 ngày", days not working days (docs/rules.md)
    assert (verifying["due_on"], verifying["data"]["deadline_days"]) == ("2026-03-12", 10)
    assert verifying["data"]["deadline_reasons"] == []

    decided = decide(client, records, filed["code"])
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "issued"

    issued = application(client, an, filed["code"])
    an_in_app = persona_headers(client, "an", "vneid-app")  # the wallet is read in the VNeID app
    wallet = client.get("/v1/me/documents", headers=an_in_app).json()["items"]
    mine = next(d for d in wallet if d["code"] == issued["data"]["document_code"])
    assert (mine["kind"], mine["title"]) == ("criminal_record_certificate", "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2")
    detail = client.get(f"/v1/me/documents/{mine['id']}", headers=an_in_app).json()
    printed = {f["label"].split(" / ")[0]: f["value"] for f in detail["content"]["fields"]}
    assert printed["Họ và tên"] == "NGUYỄN VĂN AN"
    assert printed["Tên gọi khác"] == "//"
    assert printed["Giới tính"] == "Nam"
    assert printed["Ngày, tháng, năm sinh"] == "15/03/1990"
    assert printed["Quốc tịch"] == "Việt Nam"
    assert printed["Số định danh cá nhân"] == AN
    assert printed["Nơi thường trú"].startswith("Số 5 phố Đội Cấn, Phường Ba Đình")
    assert printed["Nơi tạm trú"] == "//"
    assert printed["Họ và tên vợ/chồng"] == "Lê Thị Hoa"
    assert printed["Tình trạng án tích"] == "Không có án tích"
    assert printed["Cơ quan cấp phiếu"] == "Công an thành phố Hà Nội"
    assert printed["Người ký"] == "Đỗ Thu Ngân"
    assert detail["content"]["sections"] == []
    assert detail["content"]["data"]["criminal_record_status"] == "none"
    assert detail["owner_personal_id"] == AN
    pdf = client.get(f"/v1/me/documents/{mine['id']}/pdf", headers=an_in_app)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("day", [IN_SUBSIDY, AFTER_SUBSIDY])
def test_fee_of_an_request_is_the_quote_at_the_sandbox_date(
    client: TestClient, an: Headers, set_clock: ClockSetter, day: date
) -> None:
    set_clock(day)
    filed = file(client, an, form=2, purpose="job")
    assert filed["fee_vnd"] == expected_fee(day, "01", age=35)
    if filed["fee_vnd"] == 0:  # Hà Nội pays: nothing to pay, verification starts at once
        assert filed["status"] == "verifying"
        assert [e["action"] for e in filed["history"]] == ["submit", "pay", "start_verification"]
        assert filed["due_on"] == (day + timedelta(days=10)).isoformat()  # a Thursday: no holiday to skip
        refused = client.post(f"/v1/applications/{filed['code']}/payments", headers=an)
        assert refused.status_code == 409
        assert refused.json()["code"] == "invalid_transition"
    else:
        assert filed["status"] == "awaiting_payment"


def test_form_1_of_em_lists_his_conviction_not_yet_expunged(
    client: TestClient, db: Session, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(AFTER_SUBSIDY)
    em = persona_headers(client, "em")
    filed = file(client, em, form=1, purpose="job", issuing_province_code="01")
    assert filed["fee_vnd"] == 200_000  # Hải Phòng resident: no Hà Nội subsidy, whenever
    assert pay(client, em, filed["code"])["application_status"] == "verifying"
    verifying = application(client, em, filed["code"])
    assert verifying["data"]["deadline_reasons"] == ["expungement_to_verify"]
    assert verifying["due_on"] == "2026-03-17"  # art. 48(1): 15 days (a Tuesday)
    assert decide(client, records, filed["code"]).status_code == 200

    document = certificate(db, filed["code"])
    assert document.owner_personal_id == EM
    assert document.payload["title"] == "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1"
    printed = fields(document)
    assert printed["Tình trạng án tích"] == "Có án tích"
    assert "Cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã" not in printed  # not asked
    assert "Tên gọi khác" not in printed  # form 2 only
    [section] = document.payload["sections"]
    [row] = section["rows"]
    assert row[0] == "215/2023/HS-ST"
    assert "Trộm cắp tài sản" in row
    assert row[-1] == "Chưa được xóa án tích"
    assert document.payload["data"]["convictions"][0]["judgment_number"] == "215/2023/HS-ST"


def test_form_1_shows_bans_only_when_asked(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(IN_SUBSIDY)
    filed = file(client, an, form=1, purpose="job", include_bans=True)
    assert decide(client, records, filed["code"]).status_code == 200
    printed = fields(certificate(db, filed["code"]))
    assert printed["Cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"].startswith("Không bị cấm")


def test_phuong_form_1_is_clean_and_form_2_lists_her_expunged_conviction(
    client: TestClient, db: Session, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(AFTER_SUBSIDY)
    phuong = persona_headers(client, "phuong")
    form_1 = file(client, phuong, form=1, purpose="job", issuing_province_code="01")
    form_2 = file(client, phuong, form=2, purpose="marriage_with_foreigner", issuing_province_code="01")
    for filed in (form_1, form_2):
        pay(client, phuong, filed["code"])
        assert application(client, phuong, filed["code"])["data"]["deadline_reasons"] == []
        assert decide(client, records, filed["code"]).status_code == 200

    clean = certificate(db, form_1["code"])
    assert fields(clean)["Tình trạng án tích"] == "Không có án tích"
    assert clean.payload["sections"] == []
    assert clean.payload["data"]["convictions"] == []

    full = certificate(db, form_2["code"])
    printed = fields(full)
    assert printed["Tình trạng án tích"] == "Đã được xóa án tích"
    assert printed["Họ và tên"] == "VŨ THỊ PHƯƠNG"
    assert printed["Giới tính"] == "Nữ"
    [row] = full.payload["sections"][0]["rows"]
    assert row[:3] == ["48/2009/HS-ST", "21/04/2009", "Tòa án nhân dân quận Hải Châu, thành phố Đà Nẵng"]
    assert row[4] == "Khoản 1 Điều 202 Bộ luật Hình sự 1999"
    assert row[5] == "12 tháng tù cho hưởng án treo"
    assert row[6] == "Đã chấp hành xong hình phạt ngày 21/04/2010"
    assert row[7] == "Đã được xóa án tích ngày 21/04/2011"
    assert full.payload["data"]["convictions"][0]["expunged"] is True


def test_the_issuing_province_defaults_to_the_permanent_address_and_decides_who_sees_it(
    client: TestClient, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(AFTER_SUBSIDY)
    em = persona_headers(client, "em")
    filed = file(client, em)
    assert filed["province_code"] == "31"
    assert filed["data"]["issuing_agency"] == "Công an thành phố Hải Phòng"
    pay(client, em, filed["code"])
    assert decide(client, records, filed["code"]).status_code == 404  # a Hà Nội records officer


def test_deadline_is_15_days_for_someone_who_lived_in_another_province(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(IN_SUBSIDY)
    citizen = db.get_one(Citizen, AN)
    citizen.temporary_street, citizen.temporary_commune_code = "Số 120 đường Lê Lợi", "26743"
    citizen.temporary_until = date(2026, 12, 31)
    db.commit()
    filed = file(client, an)
    assert filed["data"]["deadline_reasons"] == ["lived_in_several_provinces"]
    # Luật Lý lịch tư pháp 2009 art. 48(1): 15 days (ngày) from 02/06/2025, a Tuesday
    assert (filed["due_on"], filed["data"]["deadline_days"]) == ("2025-06-17", 15)
    assert decide(client, records, filed["code"]).status_code == 200
    assert fields(certificate(db, filed["code"]))["Nơi tạm trú"].startswith("Số 120 đường Lê Lợi, Phường Bến Thành")


def test_a_deadline_ending_on_a_rest_day_ends_on_the_next_working_day(
    client: TestClient, an: Headers, set_clock: ClockSetter
) -> None:
    """Art. 48's 10 days from Wednesday 15/04/2026 end on Saturday 25/04; Monday 27/04 is the Hùng Kings' holiday
    (observed), so the deadline is Tuesday 28/04 (Bộ luật Dân sự 2015 art. 148(5))."""
    set_clock(date(2026, 4, 15))
    filed = file(client, an)
    assert pay(client, an, filed["code"])["application_status"] == "verifying"
    assert application(client, an, filed["code"])["due_on"] == "2026-04-28"


def test_officer_rejects_with_a_reason_and_no_certificate_is_issued(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(IN_SUBSIDY)
    filed = file(client, an)
    rejected = decide(client, records, filed["code"], "reject", reason="Thông tin nhân thân không khớp")
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == (
        "rejected",
        "Thông tin nhân thân không khớp",
    )
    app_id = db.scalar(select(Application.id).where(Application.code == filed["code"]))
    assert db.scalar(select(Document).where(Document.application_id == app_id)) is None


# --- For a child --------------------------------------------------------------------------------------------


def test_an_requests_a_certificate_for_his_daughter_under_14(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(AFTER_SUBSIDY)
    quoted = client.post(f"{BASE}/quote", headers=an, json={"subject_personal_id": LINH}).json()
    assert quoted["total_vnd"] == 0
    assert quoted["rules_applied"][-1] == "tt16_exempt_child"
    filed = file(client, an, subject_personal_id=LINH, form=1, purpose="study_abroad")
    assert (filed["applicant_personal_id"], filed["subject_personal_id"]) == (AN, LINH)
    assert filed["data"]["for_child"] is True
    assert filed["status"] == "verifying"  # free for children
    assert decide(client, records, filed["code"]).status_code == 200
    document = certificate(db, filed["code"])
    assert document.owner_personal_id == LINH
    assert fields(document)["Họ và tên"] == "NGUYỄN KHÁNH LINH"
    assert fields(document)["Mục đích sử dụng"] == "Du học"


def test_a_child_of_14_requests_her_own_certificate(client: TestClient, an: Headers, set_clock: ClockSetter) -> None:
    set_clock(LINH_TURNS_14)
    response = client.post(BASE, headers=an, json={**JOB, "subject_personal_id": LINH})
    assert response.status_code == 422
    assert response.json()["code"] == "subject_not_under_14"


@pytest.mark.parametrize("subject", [EM, "001090999999"])
def test_only_a_parent_may_request_for_someone_else(client: TestClient, an: Headers, subject: str) -> None:
    for path, body in ((f"{BASE}/quote", {}), (BASE, JOB)):
        response = client.post(path, headers=an, json={**body, "subject_personal_id": subject})
        assert response.status_code == 403
        assert response.json()["code"] == "not_parent_of_subject"


# --- Refusals -----------------------------------------------------------------------------------------------


def test_level1_account_cannot_request_criminal_record(client: TestClient) -> None:
    binh = persona_headers(client, "binh")
    for path, body in ((f"{BASE}/quote", {}), (BASE, JOB)):
        response = client.post(path, headers=binh, json=body)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "insufficient_account_level"
        assert 'acr_values="urn:vneid:loa:2"' in response.headers["www-authenticate"]


def test_a_client_token_without_a_citizen_is_refused(client: TestClient, bank_headers: Headers) -> None:
    response = client.post(BASE, headers=bank_headers, json=JOB)
    assert response.status_code == 403
    assert response.json()["code"] == "citizen_token_required"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"purpose": "other"}, "validation_error"),
        ({"form": 3}, "validation_error"),
        ({"copies": 11}, "validation_error"),
        ({"purpose": "holiday"}, "validation_error"),
        ({"issuing_province_code": "99"}, "unknown_province"),
        ({"subject_personal_id": "001090"}, "validation_error"),
    ],
)
def test_invalid_requests_are_422_problems(client: TestClient, an: Headers, body: dict[str, Any], code: str) -> None:
    response = client.post(BASE, headers=an, json={**JOB, **body})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


def test_other_purpose_needs_and_prints_its_detail(
    client: TestClient, db: Session, an: Headers, records: Headers, set_clock: ClockSetter
) -> None:
    set_clock(IN_SUBSIDY)
    refused = client.post(BASE, headers=an, json={**JOB, "purpose": "other"})
    assert refused.status_code == 422
    assert [error["type"] for error in refused.json()["errors"]] == ["purpose_detail_required"]  # a stable type
    filed = file(client, an, purpose="other", purpose_detail="Bổ sung hồ sơ nhận con nuôi")
    assert decide(client, records, filed["code"]).status_code == 200
    assert fields(certificate(db, filed["code"]))["Mục đích sử dụng"] == "Bổ sung hồ sơ nhận con nuôi"


# --- Payments -----------------------------------------------------------------------------------------------


@pytest.fixture
def unpaid(client: TestClient, an: Headers, set_clock: ClockSetter) -> str:
    """An application of an's waiting for his 200,000 VND."""
    set_clock(AFTER_SUBSIDY)
    return file(client, an)["code"]


def test_failed_payment_leaves_the_application_awaiting_a_new_payment(
    client: TestClient, an: Headers, unpaid: str
) -> None:
    failed = pay(client, an, unpaid, outcome="fail")
    assert (failed["status"], failed["application_status"]) == ("failed", "awaiting_payment")
    again = client.post(f"/v1/applications/{unpaid}/payments", headers=an)
    assert again.status_code == 201
    assert again.json()["payment_id"] != failed["payment_id"]
    done = client.post(f"/v1/payments/{again.json()['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    assert done.json()["application_status"] == "verifying"


def test_starting_a_payment_twice_returns_the_pending_one(client: TestClient, an: Headers, unpaid: str) -> None:
    first = client.post(f"/v1/applications/{unpaid}/payments", headers=an)
    second = client.post(f"/v1/applications/{unpaid}/payments", headers=an)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["payment_id"] == first.json()["payment_id"]


def test_payment_fails_scenario_forces_failure_once(client: TestClient, an: Headers, unpaid: str) -> None:
    armed = client.post(
        "/sandbox/scenarios",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"name": "payment_fails", "client_id": "vneid-app"},
    )
    assert armed.status_code in (200, 201), armed.text
    assert pay(client, an, unpaid)["status"] == "failed"
    succeeded = pay(client, an, unpaid)
    assert (succeeded["status"], succeeded["application_status"]) == ("succeeded", "verifying")


def test_completing_an_expired_payment_is_409_and_expires_the_application(
    client: TestClient, an: Headers, unpaid: str, advance: Callable[[timedelta], None]
) -> None:
    payment = client.post(f"/v1/applications/{unpaid}/payments", headers=an).json()
    advance(timedelta(minutes=31))
    late = client.post(f"/v1/payments/{payment['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    assert late.status_code == 409
    assert late.json()["code"] == "payment_expired"
    assert client.get(f"/v1/payments/{payment['payment_id']}", headers=an).json()["status"] == "expired"
    expired = application(client, an, unpaid)
    assert expired["status"] == "payment_expired"
    assert expired["history"][-1]["action"] == "expire_payment"
    again = client.post(f"/v1/applications/{unpaid}/payments", headers=an)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_expiry_is_applied_when_a_payment_is_read_after_the_clock_moved(
    client: TestClient, an: Headers, unpaid: str, advance: Callable[[timedelta], None]
) -> None:
    payment = client.post(f"/v1/applications/{unpaid}/payments", headers=an).json()
    advance(timedelta(minutes=29))
    assert client.get(f"/v1/payments/{payment['payment_id']}", headers=an).json()["status"] == "pending"
    advance(timedelta(minutes=2))
    read = client.get(f"/v1/payments/{payment['payment_id']}", headers=an).json()
    assert (read["status"], read["application_status"]) == ("expired", "payment_expired")


def test_only_the_payer_sees_or_completes_a_payment(client: TestClient, an: Headers, unpaid: str) -> None:
    payment = client.post(f"/v1/applications/{unpaid}/payments", headers=an).json()
    dung = persona_headers(client, "dung")
    assert client.post(f"/v1/applications/{unpaid}/payments", headers=dung).status_code == 404
    assert client.get(f"/v1/payments/{payment['payment_id']}", headers=dung).json()["code"] == "payment_not_found"
    other = client.post(f"/v1/payments/{payment['payment_id']}/complete", headers=dung, json={"outcome": "succeed"})
    assert other.status_code == 404


def test_a_completed_payment_cannot_be_completed_again(client: TestClient, an: Headers, unpaid: str) -> None:
    done = pay(client, an, unpaid)
    again = client.post(f"/v1/payments/{done['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    assert again.status_code == 409
    assert again.json()["code"] == "payment_not_pending"


# --- Withdrawal, wrong state, wrong actor -------------------------------------------------------------------


def test_withdrawing_before_payment_cancels_the_pending_payment(client: TestClient, an: Headers, unpaid: str) -> None:
    payment = client.post(f"/v1/applications/{unpaid}/payments", headers=an).json()
    withdrawn = client.post(f"/v1/applications/{unpaid}/withdraw", headers=an, json={"reason": "Không cần nữa"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.get(f"/v1/payments/{payment['payment_id']}", headers=an).json()["status"] == "cancelled"
    late = client.post(f"/v1/payments/{payment['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    assert late.json()["code"] == "payment_not_pending"


def test_withdrawing_after_payment_is_an_invalid_transition(client: TestClient, an: Headers, unpaid: str) -> None:
    pay(client, an, unpaid)
    response = client.post(f"/v1/applications/{unpaid}/withdraw", headers=an, json={})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_deciding_before_payment_is_an_invalid_transition(client: TestClient, records: Headers, unpaid: str) -> None:
    response = decide(client, records, unpaid)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["current_status"] == "awaiting_payment"


def test_asking_for_supplementation_is_not_a_step_of_this_procedure(
    client: TestClient, an: Headers, records: Headers, unpaid: str
) -> None:
    pay(client, an, unpaid)
    response = decide(client, records, unpaid, "request_supplement", reason="Bổ sung giấy tờ")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_an_applicant_cannot_act_as_the_owner_of_his_own_request(client: TestClient, an: Headers, unpaid: str) -> None:
    response = client.post(f"/v1/applications/{unpaid}/owner-consent", headers=an, json={"decision": "approve"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_turn"


def test_engine_refuses_the_officers_step_to_the_applicant_as_not_your_turn(
    client: TestClient, db: Session, app: FastAPI, settings: Settings, an: Headers, set_clock: ClockSetter
) -> None:
    """No route lets an applicant try an officer's step, so this checks the state machine's actor rule directly."""
    set_clock(IN_SUBSIDY)
    code = file(client, an)["code"]  # free in Hà Nội then: verifying at once
    env = Env(db, sandbox.clock_for(db), app.state.keys, settings)
    filed = db.scalars(select(Application).where(Application.code == code)).one()
    with pytest.raises(NotYourTurn):
        transition(env, filed, "approve", role=Actor.APPLICANT, actor_personal_id=AN)
    with pytest.raises(InvalidTransition):
        transition(env, filed, "withdraw", role=Actor.APPLICANT, actor_personal_id=AN)


def test_advancing_the_sandbox_clock_expires_unpaid_applications_everywhere(
    client: TestClient, an: Headers, unpaid: str
) -> None:
    client.post(f"/v1/applications/{unpaid}/payments", headers=an)
    advanced = client.post(
        "/sandbox/clock/advance", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, json={"hours": 1}
    )
    assert advanced.status_code == 200
    listed = client.get("/v1/applications", headers=an, params={"procedure": "criminal_record"}).json()["items"]
    assert {a["code"]: a["status"] for a in listed}[unpaid] == "payment_expired"


def test_an_officer_may_not_decide_her_own_request(client: TestClient, records: Headers) -> None:
    filed = file(client, records)
    if filed["status"] == "awaiting_payment":
        pay(client, records, filed["code"])
    refused = decide(client, records, filed["code"])
    assert (refused.status_code, refused.json()["code"]) == (403, "conflict_of_interest")
