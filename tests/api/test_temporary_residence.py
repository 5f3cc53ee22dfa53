"""Temporary-residence registration: cuong rents dung's home, dung consents, the Cầu Giấy police decide."""

import calendar
import hashlib
import hmac
import json
from datetime import date, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.clock import Clock
from app.core.db import Database
from app.services import webhooks
from tests.api.procedure_helpers import owner_consents_and_tenant_pays, pay_fee, persona_headers
from tests.conftest import TEST_OUTBOUND

CUONG, DUNG, AN, LINH = "040203000003", "001175000004", "001090000001", "001320000009"
DUNG_HOME = {"street": "Số 18 ngõ 68 phố Xuân Thủy", "commune_code": "00166"}


def registration(**overrides: object) -> dict[str, object]:
    today = Clock().today()
    return {
        **DUNG_HOME,
        "owner_personal_id": DUNG,
        "proof_type": "lease_contract",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=365)).isoformat(),
        "reason": "study",
        **overrides,
    }


@pytest.fixture
def cuong(client: TestClient) -> dict[str, str]:
    return persona_headers(client, "cuong")


@pytest.fixture
def dung(client: TestClient) -> dict[str, str]:
    return persona_headers(client, "dung")


@pytest.fixture
def police(client: TestClient) -> dict[str, str]:
    return persona_headers(client, "police")


def file(client: TestClient, headers: dict[str, str], **overrides: object) -> dict:
    response = client.post("/v1/applications/temporary-residence", headers=headers, json=registration(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_the_tenant_story(
    client: TestClient,
    cuong: dict[str, str],
    dung: dict[str, str],
    police: dict[str, str],
    agency_headers: dict[str, str],
) -> None:
    filed = file(client, cuong)
    assert filed["status"] == "awaiting_owner"
    assert filed["code"].startswith("DKTT-")
    assert filed["allowed_actions"] == ["withdraw"]
    code = filed["code"]

    pending = client.get("/v1/me/owner-requests", headers=dung).json()
    assert [a["code"] for a in pending] == [code]
    consented = client.post(f"/v1/applications/{code}/owner-consent", headers=dung, json={"decision": "approve"})
    assert consented.json()["status"] == "awaiting_payment"
    assert consented.json()["allowed_actions"] == []  # the tenant pays, not the owner
    paid = pay_fee(client, cuong, code)
    assert (paid["amount_vnd"], paid["application_status"]) == (7_000, "in_review")
    assert client.get(f"/v1/applications/{code}", headers=cuong).json()["due_on"] is not None

    queue = client.get("/v1/officer/applications", headers=police, params={"status": "in_review"}).json()
    assert code in [a["code"] for a in queue["items"]]
    detail = client.get(f"/v1/officer/applications/{code}", headers=police).json()
    assert detail["applicant_record"]["full_name"] == "Lê Minh Cường"
    decided = client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    assert [e["action"] for e in decided.json()["history"]] == ["submit", "owner_approve", "pay", "approve"]

    record = client.get(f"/v1/citizens/{CUONG}", headers=agency_headers).json()
    assert record["temporary_address"]["commune_code"] == "00166"
    assert record["temporary_address"]["street"] == DUNG_HOME["street"]
    assert record["current_address"]["commune"] == "Phường Cầu Giấy"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"commune_code": "17662", "street": "Xóm 7"}, "same_commune_as_permanent_residence"),
        ({"owner_personal_id": "036050000008"}, "owner_deceased"),
        ({"owner_personal_id": "001090999999"}, "owner_not_found"),
        ({"owner_personal_id": CUONG}, "owner_is_applicant"),
        ({"kind": "renewal"}, "nothing_to_renew"),
        ({"member_personal_ids": [LINH]}, "guardian_consent_required"),
        ({"commune_code": "99999"}, "unknown_commune"),
    ],
)
def test_rules_are_enforced_with_named_codes(
    client: TestClient, cuong: dict[str, str], overrides: dict, code: str
) -> None:
    response = client.post("/v1/applications/temporary-residence", headers=cuong, json=registration(**overrides))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


def test_period_longer_than_two_years_is_refused(client: TestClient, cuong: dict[str, str]) -> None:
    today = Clock().today()
    response = client.post(
        "/v1/applications/temporary-residence",
        headers=cuong,
        json=registration(end_date=(today + timedelta(days=800)).isoformat()),
    )
    assert response.json()["code"] == "period_too_long"


def test_level_1_account_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/applications/temporary-residence", headers=persona_headers(client, "binh"), json=registration()
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_account_level"
    assert "insufficient_user_authentication" in response.headers["www-authenticate"]


def test_one_open_application_at_a_time(client: TestClient, cuong: dict[str, str]) -> None:
    file(client, cuong)
    second = client.post("/v1/applications/temporary-residence", headers=cuong, json=registration())
    assert (second.status_code, second.json()["code"]) == (409, "application_pending")


def test_owner_decline_and_turns(
    client: TestClient, cuong: dict[str, str], dung: dict[str, str], police: dict[str, str]
) -> None:
    code = file(client, cuong)["code"]
    not_yet = client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "invalid_transition")
    not_owner = client.post(f"/v1/applications/{code}/owner-consent", headers=cuong, json={"decision": "approve"})
    assert (not_owner.status_code, not_owner.json()["code"]) == (403, "not_your_turn")
    declined = client.post(f"/v1/applications/{code}/owner-consent", headers=dung, json={"decision": "decline"})
    assert declined.json()["status"] == "owner_declined"


def test_supplementation_then_resubmission(
    client: TestClient, cuong: dict[str, str], dung: dict[str, str], police: dict[str, str]
) -> None:
    code = file(client, cuong)["code"]
    owner_consents_and_tenant_pays(client, code, dung, cuong)
    no_reason = client.post(
        f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "request_supplement"}
    )
    assert no_reason.status_code == 422
    asked = client.post(
        f"/v1/officer/applications/{code}/decision",
        headers=police,
        json={"decision": "request_supplement", "reason": "Thiếu hợp đồng thuê nhà"},
    )
    assert asked.json()["status"] == "supplement_requested"
    assert asked.json()["decision_reason"] == "Thiếu hợp đồng thuê nhà"
    back = client.post(
        f"/v1/applications/{code}/resubmit",
        headers=cuong,
        json={"proof_type": "lease_contract", "note": "Đã bổ sung hợp đồng"},
    )
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "in_review"
    rejected = client.post(
        f"/v1/officer/applications/{code}/decision",
        headers=police,
        json={"decision": "reject", "reason": "Hợp đồng không hợp lệ"},
    )
    assert rejected.json()["status"] == "rejected"


def test_withdraw_before_decision(client: TestClient, cuong: dict[str, str]) -> None:
    code = file(client, cuong)["code"]
    withdrawn = client.post(f"/v1/applications/{code}/withdraw", headers=cuong, json={"reason": "Đổi chỗ ở"})
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"/v1/applications/{code}/withdraw", headers=cuong, json={})
    assert again.json()["code"] == "invalid_transition"


def test_others_cannot_see_or_decide(client: TestClient, cuong: dict[str, str]) -> None:
    code = file(client, cuong)["code"]
    assert client.get(f"/v1/applications/{code}", headers=persona_headers(client, "an")).status_code == 404
    records = persona_headers(client, "records")
    assert client.get(f"/v1/officer/applications/{code}", headers=records).status_code == 404
    citizen = client.get("/v1/officer/applications", headers=persona_headers(client, "cuong", "vneid-app"))
    assert (citizen.status_code, citizen.json()["code"]) == (403, "officer_role_required")
    third_party = client.get("/v1/officer/applications", headers=persona_headers(client, "police", "demo-bank"))
    assert (third_party.status_code, third_party.json()["code"]) == (403, "first_party_client_required")


def test_overdue_filter_follows_the_sandbox_clock(
    client: TestClient,
    cuong: dict[str, str],
    dung: dict[str, str],
    police: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    code = file(client, cuong)["code"]
    owner_consents_and_tenant_pays(client, code, dung, cuong)
    assert client.get("/v1/officer/applications", headers=police, params={"overdue": True}).json()["total"] == 0
    client.post("/sandbox/clock/advance", headers=admin_headers, json={"days": 10})
    overdue = client.get("/v1/officer/applications", headers=police, params={"overdue": True}).json()
    assert [a["code"] for a in overdue["items"]] == [code]
    assert overdue["items"][0]["overdue"] is True


def test_webhooks_are_delivered_signed_for_each_event(
    client: TestClient,
    cuong: dict[str, str],
    dung: dict[str, str],
    police: dict[str, str],
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    # Procedures are filed in the VNeID app: the operator subscribes it on the integrator's behalf.
    subscription = client.post(
        "/sandbox/webhooks",
        headers=admin_headers,
        json={
            "client_id": "vneid-app",
            "url": "https://receiver.example/hooks",
            "events": ["application.created", "application.status_changed"],
        },
    )
    assert subscription.status_code == 201, subscription.text
    secret = subscription.json()["secret"]
    code = file(client, cuong)["code"]
    owner_consents_and_tenant_pays(client, code, dung, cuong)
    client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})

    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        attempted = webhooks.deliver_due(database.sessions, Clock(timedelta(hours=1)).now(), http, TEST_OUTBOUND)
    assert attempted == 4
    for request in received:
        timestamp, mac = dict(part.split("=") for part in request.headers["vneid-signature"].split(",")).values()
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.content, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(mac, expected)
    events = [json.loads(r.content) for r in received]
    assert [(e["type"], e["data"]["status"]) for e in events] == [
        ("application.created", "awaiting_owner"),
        ("application.status_changed", "awaiting_payment"),
        ("application.status_changed", "in_review"),
        ("application.status_changed", "approved"),
    ]


def test_failed_deliveries_are_retried_with_backoff(
    client: TestClient, cuong: dict[str, str], admin_headers: dict[str, str], database: Database
) -> None:
    hook = {"client_id": "vneid-app", "url": "https://down.example/", "events": ["application.created"]}
    assert client.post("/sandbox/webhooks", headers=admin_headers, json=hook).status_code == 201
    file(client, cuong)
    first = Clock(timedelta(hours=1)).now()
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500))) as http:
        assert webhooks.deliver_due(database.sessions, first, http, TEST_OUTBOUND) == 1
        assert webhooks.deliver_due(database.sessions, first + timedelta(seconds=5), http, TEST_OUTBOUND) == 0
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(204))) as http:
        assert webhooks.deliver_due(database.sessions, first + timedelta(seconds=11), http, TEST_OUTBOUND) == 1


def test_unknown_event_type_is_refused(client: TestClient, bank_headers: dict[str, str]) -> None:
    response = client.post("/v1/webhooks", headers=bank_headers, json={"url": "https://x.example/", "events": ["nope"]})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_event_type")


def test_accommodation_notice_is_recorded_with_late_flag(
    client: TestClient, dung: dict[str, str], police: dict[str, str]
) -> None:
    now = Clock().now()
    on_time = client.post(
        "/v1/applications/accommodation-notices",
        headers=dung,
        json={
            **DUNG_HOME,
            "guest_personal_id": AN,
            "arrival_at": now.isoformat(),
            "departure_on": (now + timedelta(days=2)).date().isoformat(),
            "reason": "Thăm người thân",
        },
    )
    assert on_time.status_code == 201, on_time.text
    assert (on_time.json()["status"], on_time.json()["late"]) == ("recorded", False)
    late = client.post(
        "/v1/applications/accommodation-notices",
        headers=dung,
        json={
            **DUNG_HOME,
            "passport": {
                "number": "X1234567",
                "nationality": "KR",
                "full_name": "KIM MIN JUN",
                "date_of_birth": "1990-01-01",
            },
            "arrival_at": (now - timedelta(days=3)).isoformat(),
            "departure_on": now.date().isoformat(),
            "reason": "Du lịch",
        },
    )
    assert late.json()["late"] is True
    queue = client.get("/v1/officer/applications", headers=police, params={"procedure": "accommodation_notice"}).json()
    assert {a["code"] for a in queue["items"]} == {on_time.json()["code"], late.json()["code"]}


def foreign_guest_notice(client: TestClient, host: dict[str, str], hours_ago: int, commune_code: str) -> bool:
    """A notice of a Korean guest who arrived `hours_ago` at a home in `commune_code`: whether it is late."""
    now = Clock().now()
    notice = client.post(
        "/v1/applications/accommodation-notices",
        headers=host,
        json={
            "street": "Bản Nậm Củm",
            "commune_code": commune_code,
            "passport": {
                "number": "X1234567",
                "nationality": "KR",
                "full_name": "KIM MIN JUN",
                "date_of_birth": "1990-01-01",
            },
            "arrival_at": (now - timedelta(hours=hours_ago)).isoformat(),
            "departure_on": (now + timedelta(days=2)).date().isoformat(),
            "reason": "Du lịch",
        },
    )
    assert notice.status_code == 201, notice.text
    return bool(notice.json()["late"])


@pytest.mark.parametrize(("hours_ago", "late"), [(11, False), (13, True)])
def test_a_foreign_guest_is_notified_within_12_hours(
    client: TestClient, dung: dict[str, str], hours_ago: int, late: bool
) -> None:
    """Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài 2014 art. 33(2): a foreigner's stay is
    declared within 12 hours of arrival (not by 23:00 as a citizen's)."""
    assert foreign_guest_notice(client, dung, hours_ago, DUNG_HOME["commune_code"]) is late


@pytest.mark.parametrize(("hours_ago", "late"), [(13, False), (23, False), (25, True)])
def test_a_foreign_guest_in_a_remote_commune_is_notified_within_24_hours(
    client: TestClient, dung: dict[str, str], hours_ago: int, late: bool
) -> None:
    """Art. 33(2): 24 hours in remote areas. Xã Thu Lũm (Lai Châu, 03439) is a region III commune for 2026-2030
    (Quyết định 113/QĐ-UBND tỉnh Lai Châu of 16/01/2026; seed_data/remote_communes.json)."""
    assert foreign_guest_notice(client, dung, hours_ago, "03439") is late


# --- The fee (Thông tư 75/2022/TT-BTC) ------------------------------------------------------------------------


def test_the_quote_names_the_online_rate_of_tt_75_2022(client: TestClient, cuong: dict[str, str]) -> None:
    """Thông tư 75/2022/TT-BTC (from 05/02/2023): 15,000 VND in person, 7,000 VND online; VNeID is online."""
    response = client.get("/v1/applications/temporary-residence/quote", headers=cuong)
    assert response.status_code == 200, response.text
    quote = response.json()
    assert (quote["total_vnd"], quote["rule"]) == (7_000, "TT 75/2022/TT-BTC, 7,000 VND filed online")
    assert quote["sources"] == ["Thông tư 75/2022/TT-BTC"]
    assert [line["rule_id"] for line in quote["lines"]] == ["tt75_temporary_residence_online"]


def test_the_quote_is_for_level_2_accounts_in_the_vneid_app(client: TestClient, bank_headers: dict[str, str]) -> None:
    binh = client.get("/v1/applications/temporary-residence/quote", headers=persona_headers(client, "binh"))
    assert (binh.status_code, binh.json()["code"]) == (403, "insufficient_account_level")
    integrator = client.get("/v1/applications/temporary-residence/quote", headers=bank_headers)
    assert integrator.status_code == 403


def test_the_fee_is_fixed_at_filing_and_paid_after_the_owner_consents(
    client: TestClient, cuong: dict[str, str], dung: dict[str, str], police: dict[str, str]
) -> None:
    filed = file(client, cuong)
    assert (filed["fee_vnd"], filed["data"]["fee"]["rule"]) == (7_000, "TT 75/2022/TT-BTC, 7,000 VND filed online")
    code = filed["code"]
    early = client.post(f"/v1/applications/{code}/payments", headers=cuong)
    assert (early.status_code, early.json()["code"]) == (409, "invalid_transition")  # the owner consents first
    client.post(f"/v1/applications/{code}/owner-consent", headers=dung, json={"decision": "approve"})
    not_yet = client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "invalid_transition")  # unpaid: no review
    assert client.post(f"/v1/applications/{code}/payments", headers=dung).status_code == 404  # the tenant pays
    assert pay_fee(client, cuong, code)["application_status"] == "in_review"


def test_an_unpaid_fee_expires_with_the_sandbox_clock(
    client: TestClient, cuong: dict[str, str], dung: dict[str, str], admin_headers: dict[str, str]
) -> None:
    code = file(client, cuong)["code"]
    client.post(f"/v1/applications/{code}/owner-consent", headers=dung, json={"decision": "approve"})
    assert client.post(f"/v1/applications/{code}/payments", headers=cuong).status_code == 201
    client.post("/sandbox/clock/advance", headers=admin_headers, json={"minutes": 31})
    assert client.get(f"/v1/applications/{code}", headers=cuong).json()["status"] == "payment_expired"
    today = Clock(timedelta(minutes=31)).today()  # the sandbox's day: after 23:29 in Việt Nam, tomorrow
    again = file(client, cuong, start_date=today.isoformat(), end_date=(today + timedelta(days=365)).isoformat())
    assert again["status"] == "awaiting_owner"  # no longer open: a new registration may be filed


# --- Rules as the law has them -------------------------------------------------------------------------------


def test_the_owner_need_not_live_at_the_rented_address(client: TestClient, cuong: dict[str, str]) -> None:
    """No rule makes the owner live there (Luật Cư trú 2020 art. 27, Nghị định 62/2021/NĐ-CP art. 5): the lease or
    ownership paper proves the right to live there. an, who lives in Ba Đình, lets a flat in Cầu Giấy."""
    filed = file(client, cuong, owner_personal_id=AN, proof_type="ownership_certificate")
    assert filed["status"] == "awaiting_owner"


@pytest.mark.parametrize(("extra_days", "accepted"), [(0, True), (1, False)])
def test_two_years_are_counted_in_calendar_years(
    client: TestClient, cuong: dict[str, str], extra_days: int, accepted: bool
) -> None:
    """Luật Cư trú 2020 art. 27: at most 2 years. From 1 March of a year before a leap year to 1 March two years
    later is two calendar years although it is 731 days long (29 February between); one day more is too long."""
    today = Clock().today()
    year = next(y for y in range(today.year, today.year + 5) if date(y, 3, 1) >= today and calendar.isleap(y + 1))
    start, end = date(year, 3, 1), date(year + 2, 3, 1) + timedelta(days=extra_days)
    assert (date(year + 2, 3, 1) - start).days == 731
    response = client.post(
        "/v1/applications/temporary-residence",
        headers=cuong,
        json=registration(start_date=start.isoformat(), end_date=end.isoformat()),
    )
    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert (response.status_code, response.json()["code"]) == (422, "period_too_long")
