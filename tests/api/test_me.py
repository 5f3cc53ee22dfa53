"""Citizen self-service: own record, access log, consents (revocation reaches the population API), history."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.models import AuditEvent
from app.services import webhooks
from tests.api.procedure_helpers import persona_headers, police_serving
from tests.conftest import TEST_OUTBOUND

AN, BINH, LINH = "001090000001", "079195000002", "001320000009"
TokenOf = Callable[[str], dict[str, str]]


@pytest.fixture
def token_of(client: TestClient) -> TokenOf:
    """Bearer headers for a persona signed in to the VNeID app, without the login pages."""
    return lambda persona: persona_headers(client, persona, "vneid-app")


def grant_bank_consent(client: TestClient, admin_headers: dict[str, str], personal_id: str = AN) -> None:
    response = client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={
            "personal_id": personal_id,
            "client_id": "demo-bank",
            "purpose": "Mở tài khoản thanh toán",
            "scopes": ["citizen.identity"],
        },
    )
    assert response.status_code == 201, response.text


def test_me_returns_my_whole_record_and_account_without_metering(
    client: TestClient, token_of: TokenOf, db: Session
) -> None:
    response = client.get("/v1/me", headers=token_of("an"))

    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["personal_id"], me["full_name"], me["date_of_birth"]) == (AN, "Nguyễn Văn An", "1990-03-15")
    assert me["children_personal_ids"] == [LINH]
    assert me["permanent_address"]["province"] == "Thành phố Hà Nội"
    assert me["phone"] == "0912000001"
    assert me["account"] == {
        "personal_id": AN,
        "level": 2,
        "acr": "urn:vneid:loa:2",
        "status": "active",
        "lock_reason": None,
        "guardian_personal_id": None,
    }
    assert "access" not in me
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_me_needs_a_citizens_token(client: TestClient, agency_headers: dict[str, str]) -> None:
    machine = client.get("/v1/me", headers=agency_headers)
    assert (machine.status_code, machine.json()["code"]) == (403, "citizen_token_required")
    assert client.get("/v1/me").status_code == 401


def test_access_log_shows_who_read_my_data_newest_first(
    client: TestClient, token_of: TokenOf, agency_headers: dict[str, str]
) -> None:
    client.get(f"/v1/citizens/{AN}", params={"fields": "full_name"}, headers=agency_headers)
    client.get(f"/v1/citizens/{BINH}", headers=agency_headers)  # someone else: not in my log
    client.get(
        f"/v1/citizens/{AN}",
        params={"fields": "full_name,phone"},
        headers={**agency_headers, "X-Request-ID": "second-read"},
    )

    response = client.get("/v1/me/access-log", headers=token_of("an"))

    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_offset"] is None
    assert [(e["fields"], e["fee_vnd"], e["request_id"]) for e in page["items"]] == [
        (["full_name", "phone"], 0, "second-read"),  # a state agency does not pay (TT 48/2022/TT-BTC)
        (["full_name"], 0, page["items"][1]["request_id"]),
    ]
    newest = page["items"][0]
    assert (newest["client_id"], newest["client_name"]) == ("demo-agency", "Cơ quan nhà nước Demo (sandbox)")
    assert (newest["action"], newest["purpose"]) == ("read", "Xác minh hồ sơ hành chính")
    assert newest["at"].endswith("+07:00")


def test_access_log_pages_with_limit_and_offset(
    client: TestClient, token_of: TokenOf, agency_headers: dict[str, str]
) -> None:
    for fields in ("full_name", "sex", "phone"):
        client.get(f"/v1/citizens/{AN}", params={"fields": fields}, headers=agency_headers)
    headers = token_of("an")

    first = client.get("/v1/me/access-log", params={"limit": 2}, headers=headers).json()
    second = client.get("/v1/me/access-log", params={"limit": 2, "offset": first["next_offset"]}, headers=headers)

    assert [e["fields"] for e in first["items"]] == [["phone"], ["sex"]]
    assert first["next_offset"] == 2
    assert [e["fields"] for e in second.json()["items"]] == [["full_name"]]
    assert second.json()["next_offset"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}])
def test_access_log_rejects_bad_paging(client: TestClient, token_of: TokenOf, params: dict[str, int]) -> None:
    response = client.get("/v1/me/access-log", params=params, headers=token_of("an"))
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_revoking_a_consent_shuts_the_bank_out(
    client: TestClient, token_of: TokenOf, admin_headers: dict[str, str], bank_headers: dict[str, str]
) -> None:
    an = token_of("an")  # the sign-in itself records a consent to vneid-app for openid profile
    grant_bank_consent(client, admin_headers)
    assert client.get(f"/v1/citizens/{AN}", headers=bank_headers).status_code == 200
    consents = client.get("/v1/me/consents", headers=an).json()["items"]
    data_consent = next(c for c in consents if c["scopes"] == ["citizen.identity"])
    assert (data_consent["client_name"], data_consent["purpose"]) == (
        "Ngân hàng Demo (sandbox)",
        "Mở tài khoản thanh toán",
    )
    assert (data_consent["status"], data_consent["revoked_at"]) == ("active", None)

    revoked = client.delete(f"/v1/me/consents/{data_consent['id']}", headers=an)

    assert revoked.status_code == 204
    refused = client.get(f"/v1/citizens/{AN}", headers=bank_headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "consent_required")
    after = next(c for c in client.get("/v1/me/consents", headers=an).json()["items"] if c["id"] == data_consent["id"])
    assert after["status"] == "revoked"
    assert after["revoked_at"] is not None
    assert client.delete(f"/v1/me/consents/{data_consent['id']}", headers=an).status_code == 204  # idempotent
    again = next(c for c in client.get("/v1/me/consents", headers=an).json()["items"] if c["id"] == data_consent["id"])
    assert again["revoked_at"] == after["revoked_at"]


def test_someone_elses_consent_is_not_found(
    client: TestClient, token_of: TokenOf, admin_headers: dict[str, str]
) -> None:
    grant_bank_consent(client, admin_headers, BINH)
    binh_consent = client.get("/v1/me/consents", headers=token_of("binh")).json()["items"][0]["id"]
    for consent_id in (binh_consent, 2**31 - 1):
        response = client.delete(f"/v1/me/consents/{consent_id}", headers=token_of("an"))
        assert (response.status_code, response.json()["code"]) == (404, "consent_not_found")


def test_holder_locks_their_own_account_and_only_the_police_unlocks_it(
    client: TestClient, token_of: TokenOf, admin_headers: dict[str, str], db: Session
) -> None:
    an = token_of("an")

    locked = client.post("/v1/me/account/lock", headers=an, json={"reason": "lost my phone"})

    assert locked.status_code == 200, locked.text
    assert (locked.json()["status"], locked.json()["lock_reason"]) == ("locked", "holder_request")
    assert client.get("/v1/me", headers=an).status_code == 401  # every token of the account is revoked
    minted = client.post("/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": "demo-bank"})
    assert minted.json()["code"] == "account_locked"
    police = police_serving(client, db, "001090000001")
    assert client.post("/v1/officer/accounts/001090000001/unlock", headers=police).status_code == 200
    history = client.get("/v1/me/account/history", headers=token_of("an")).json()["items"]
    assert [(e["action"], e["actor"], e["reason"], e["status"]) for e in history] == [
        ("lock", "holder", "holder_request: lost my phone", "locked"),
        ("unlock", "officer", "holder_request", "active"),
    ]


def test_holder_lock_without_a_body(client: TestClient, token_of: TokenOf) -> None:
    response = client.post("/v1/me/account/lock", headers=token_of("binh"))
    assert (response.status_code, response.json()["lock_reason"]) == (200, "holder_request")


def test_account_history_shows_the_upgrade_by_an_officer(client: TestClient, token_of: TokenOf, db: Session) -> None:
    assert client.get("/v1/me/account/history", headers=token_of("binh")).json() == {"items": []}
    client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=police_serving(client, db, BINH))
    [event] = client.get("/v1/me/account/history", headers=token_of("binh")).json()["items"]
    assert (event["action"], event["actor"], event["level"], event["status"]) == ("upgrade", "officer", 2, "active")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/me/access-log"),
        ("GET", "/v1/me/consents"),
        ("DELETE", "/v1/me/consents/1"),
        ("POST", "/v1/me/account/lock"),
        ("GET", "/v1/me/account/history"),
    ],
)
def test_self_service_needs_a_citizens_token(
    client: TestClient, bank_headers: dict[str, str], method: str, path: str
) -> None:
    response = client.request(method, path, headers=bank_headers)
    assert (response.status_code, response.json()["code"]) == (403, "citizen_token_required")
    assert client.request(method, path).status_code == 401


def test_third_party_tokens_cannot_use_self_service(client: TestClient, admin_headers: dict[str, str]) -> None:
    minted = client.post(
        "/sandbox/tokens",
        headers=admin_headers,
        json={"persona": "an", "client_id": "demo-bank", "scope": "openid profile"},
    ).json()
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {minted['access_token']}"})
    assert (response.status_code, response.json()["code"]) == (403, "first_party_client_required")


def test_revoking_a_consent_notifies_the_client_by_webhook(
    client: TestClient,
    token_of: TokenOf,
    admin_headers: dict[str, str],
    bank_headers: dict[str, str],
    database: Database,
) -> None:
    client.post(
        "/v1/webhooks", headers=bank_headers, json={"url": "https://bank.example/hooks", "events": ["consent.revoked"]}
    )
    grant_bank_consent(client, admin_headers)
    an = token_of("an")
    consent = next(
        c for c in client.get("/v1/me/consents", headers=an).json()["items"] if c["client_id"] == "demo-bank"
    )
    client.delete(f"/v1/me/consents/{consent['id']}", headers=an)
    received: list[dict] = []
    with httpx.Client(
        transport=httpx.MockTransport(lambda r: received.append(json.loads(r.content)) or httpx.Response(200))
    ) as http:
        webhooks.deliver_due(database.sessions, datetime.now(UTC) + timedelta(minutes=1), http, TEST_OUTBOUND)
    assert [(e["type"], e["data"]["consent_id"], e["data"]["scopes"]) for e in received] == [
        ("consent.revoked", consent["id"], ["citizen.identity"])
    ]
