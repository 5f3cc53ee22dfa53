"""The population API: scopes, consent, purpose, audit, errors."""

import unicodedata
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Citizen
from tests.conftest import client_token

AN, LINH, HAI, BINH = "001090000001", "001320000009", "036050000008", "079195000002"
HOA = "001192000013"  # an's wife, linh's mother
UNKNOWN = "001090999999"


def test_agency_reads_every_granted_field_and_pays_nothing(client: TestClient, agency_headers: dict[str, str]) -> None:
    response = client.get(f"/v1/citizens/{AN}", headers=agency_headers)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["full_name"] == "Nguyễn Văn An"
    assert record["sex"] == "male"
    assert record["date_of_birth"] == "1990-03-15"
    assert record["permanent_address"]["commune"] == "Phường Ba Đình"
    assert record["permanent_address"]["province"] == "Thành phố Hà Nội"
    assert record["children_personal_ids"] == [LINH]
    assert record["life_status"] == "alive"
    receipt = record["access"]
    assert len(receipt["fields_returned"]) == 29
    # Thông tư 48/2022/TT-BTC: state agencies using the data for their duties do not pay.
    assert (receipt["fee_vnd"], receipt["fee_rule"]) == (0, "TT 48/2022/TT-BTC, state agencies do not pay")
    assert receipt["fee_source"].startswith("Thông tư 48/2022/TT-BTC")
    assert receipt["purpose"] == "Xác minh hồ sơ hành chính"


def test_read_is_audited_with_request_id_fields_and_fee(
    client: TestClient, agency_headers: dict[str, str], db: Session
) -> None:
    response = client.get(
        f"/v1/citizens/{AN}?fields=full_name,date_of_birth", headers={**agency_headers, "X-Request-ID": "trace-42"}
    )
    assert response.headers["x-request-id"] == "trace-42"
    event = db.scalars(select(AuditEvent).where(AuditEvent.personal_id == AN)).one()
    assert (event.client_id, event.action, event.fields) == ("demo-agency", "read", ["full_name", "date_of_birth"])
    assert (event.purpose, event.request_id, event.fee_vnd) == ("Xác minh hồ sơ hành chính", "trace-42", 0)


def test_ethnicity_is_returned_with_its_qd_1019_code(
    client: TestClient, agency_headers: dict[str, str], db: Session
) -> None:
    """QCVN 109:2017/BTTTT codes ethnicity with the GSO list of QĐ 1019/QĐ-TCTK: 04 is Mường (not Hoa)."""
    muong = db.scalars(select(Citizen.personal_id).where(Citizen.ethnicity_code == "04").limit(1)).one()
    record = client.get(f"/v1/citizens/{muong}", params={"fields": "ethnicity"}, headers=agency_headers).json()
    assert record["ethnicity"] == {"code": "04", "name": "Mường"}


def test_fields_parameter_limits_what_is_returned(client: TestClient, agency_headers: dict[str, str]) -> None:
    record = client.get(f"/v1/citizens/{AN}", params={"fields": "full_name,phone"}, headers=agency_headers).json()
    assert set(record) == {"personal_id", "full_name", "phone", "access"}
    assert record["access"]["fields_returned"] == ["full_name", "phone"]


def test_unknown_field_name_is_422(client: TestClient, agency_headers: dict[str, str]) -> None:
    response = client.get(f"/v1/citizens/{AN}", params={"fields": "full_name,salary"}, headers=agency_headers)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_fields"
    assert response.json()["unknown_fields"] == ["salary"]


def test_agency_must_state_a_purpose(client: TestClient, agency_headers: dict[str, str]) -> None:
    headers = {k: v for k, v in agency_headers.items() if k != "X-Purpose"}
    response = client.get(f"/v1/citizens/{AN}", headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "purpose_required"
    assert (
        client.get(f"/v1/citizens/{AN}", params={"purpose": "Giải quyết thủ tục"}, headers=headers).status_code == 200
    )


def test_scopes_limit_the_fields(client: TestClient) -> None:
    token = client_token(client, "demo-agency", "demo-agency-secret", scope="citizen.identity")
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": "identity check"}
    record = client.get(f"/v1/citizens/{AN}", headers=headers).json()
    assert "full_name" in record
    assert "permanent_address" not in record
    assert "phone" not in record
    denied = client.get(f"/v1/citizens/{AN}", params={"fields": "phone"}, headers=headers)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    assert denied.json()["required_scopes"] == ["citizen.contact"]


def test_token_without_data_scopes_is_insufficient_scope(client: TestClient) -> None:
    token = client_token(client, "demo-agency", "demo-agency-secret", scope="citizen.verify")
    response = client.get(f"/v1/citizens/{AN}", headers={"Authorization": f"Bearer {token}", "X-Purpose": "KYC check"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "bad_id", ["00109000000", "0010900000011", "00109000000a", "003090000001", "001790000001", "001299000001"]
)
def test_malformed_personal_id_is_422(client: TestClient, agency_headers: dict[str, str], bad_id: str) -> None:
    response = client.get(f"/v1/citizens/{bad_id}", headers=agency_headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["location"] == ["path", "personal_id"]


def test_unknown_citizen_is_404(client: TestClient, agency_headers: dict[str, str]) -> None:
    response = client.get(f"/v1/citizens/{UNKNOWN}", headers=agency_headers)
    assert response.status_code == 404
    assert response.json()["code"] == "citizen_not_found"


def test_deceased_citizen_is_returned_with_life_status(client: TestClient, agency_headers: dict[str, str]) -> None:
    record = client.get(f"/v1/citizens/{HAI}", headers=agency_headers).json()
    assert record["life_status"] == "deceased"
    assert record["date_of_death"] == "2024-06-18"


def test_business_client_needs_the_citizens_consent(client: TestClient, bank_headers: dict[str, str]) -> None:
    response = client.get(f"/v1/citizens/{AN}", headers=bank_headers)
    assert response.status_code == 403
    assert response.json()["code"] == "consent_required"


def test_business_client_without_consent_cannot_probe_for_existence(
    client: TestClient, bank_headers: dict[str, str]
) -> None:
    assert client.get(f"/v1/citizens/{UNKNOWN}", headers=bank_headers).json()["code"] == "consent_required"


def test_a_business_pays_1000_vnd_per_field_returned(
    client: TestClient, bank_headers: dict[str, str], admin_headers: dict[str, str], db: Session
) -> None:
    """Thông tư 48/2022/TT-BTC prices population data per field: 1,000 VND each."""
    consent = {"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["citizen.identity"]}
    assert client.post("/sandbox/consents", headers=admin_headers, json=consent).status_code == 201
    receipt = client.get(f"/v1/citizens/{AN}", params={"fields": "full_name,sex,date_of_birth"}, headers=bank_headers)
    access = receipt.json()["access"]
    assert (access["fee_vnd"], access["fee_rule"]) == (3_000, "TT 48/2022/TT-BTC, 1,000 VND per field")
    assert db.scalars(select(AuditEvent.fee_vnd).where(AuditEvent.client_id == "demo-bank")).all() == [3_000]


def test_a_business_pays_each_verification_by_the_fields_it_claims(
    client: TestClient, bank_headers: dict[str, str]
) -> None:
    """Thông tư 48/2022/TT-BTC prices verification per field verified: a claim of name, birth date and sex costs
    3,000 VND, a claim of the name alone 1,000 VND, matched or not."""
    items = [
        {"personal_id": AN, "full_name": "Nguyễn Văn An", "date_of_birth": "1990-03-15", "sex": "male"},
        {"personal_id": BINH, "full_name": "Someone Else"},
    ]
    response = client.post("/v1/citizens/verify", headers=bank_headers, json={"items": items})
    assert response.status_code == 200, response.text
    summary = response.json()["summary"]
    assert (summary["matched"], summary["fee_vnd"]) == (1, 4_000)
    assert summary["fee_rule"] == "TT 48/2022/TT-BTC, 1,000 VND per field"


def test_consent_opens_only_the_consented_scopes(
    client: TestClient, bank_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    granted = client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={
            "personal_id": AN,
            "client_id": "demo-bank",
            "purpose": "Mở tài khoản thanh toán",
            "scopes": ["citizen.identity"],
        },
    )
    assert granted.status_code == 201, granted.text
    record = client.get(f"/v1/citizens/{AN}", headers=bank_headers).json()
    assert record["full_name"] == "Nguyễn Văn An"
    assert "permanent_address" not in record
    assert record["access"]["purpose"] == "Mở tài khoản thanh toán"
    other_purpose = client.get(f"/v1/citizens/{AN}", headers={**bank_headers, "X-Purpose": quote("Cho vay tiêu dùng")})
    assert other_purpose.json()["code"] == "consent_required"


def test_temporary_residence_is_shown_while_valid(
    client: TestClient, agency_headers: dict[str, str], db: Session
) -> None:
    citizen = db.scalars(select(Citizen).where(Citizen.temporary_until > date(2027, 1, 1))).first()
    assert citizen is not None
    record = client.get(f"/v1/citizens/{citizen.personal_id}", headers=agency_headers).json()
    assert record["temporary_address"]["commune_code"] == citizen.temporary_commune_code
    assert record["current_address"]["commune_code"] == citizen.temporary_commune_code


def test_household_lists_members_and_audits_each(
    client: TestClient, agency_headers: dict[str, str], db: Session
) -> None:
    response = client.get(f"/v1/citizens/{LINH}/household", headers=agency_headers)
    assert response.status_code == 200, response.text
    household = response.json()
    assert household["head_personal_id"] == AN
    members = [(m["personal_id"], m["relation_to_head"]) for m in household["members"]]
    assert members == [(AN, "head"), (HOA, "spouse"), (LINH, "child")]  # by date of birth
    assert household["access"]["fee_vnd"] == 0  # a state agency
    audited = db.scalars(select(AuditEvent.personal_id).where(AuditEvent.action == "household")).all()
    assert sorted(audited) == sorted([AN, LINH, HOA])


def test_household_needs_family_scope(
    client: TestClient, admin_headers: dict[str, str], bank_headers: dict[str, str]
) -> None:
    client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["citizen.identity"]},
    )
    response = client.get(f"/v1/citizens/{AN}/household", headers=bank_headers)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def _nfd_upper(name: str) -> str:
    return unicodedata.normalize("NFD", name.upper())


def test_verify_one_identity_tolerates_case_and_unicode_form(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/citizens/verify",
        headers=agency_headers,
        json={"personal_id": AN, "full_name": _nfd_upper("Nguyễn  Văn An"), "date_of_birth": "1990-03-15"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "personal_id": AN,
        "match": True,
        "found": True,
        "mismatched_fields": [],
        "deceased": False,
    }


def test_verify_reports_differences_without_disclosing_values(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/citizens/verify",
        headers=agency_headers,
        json={"personal_id": AN, "full_name": "Nguyễn Văn Ân", "date_of_birth": "1990-03-16", "sex": "male"},
    )
    body = response.json()
    assert body["match"] is False
    assert body["mismatched_fields"] == ["full_name", "date_of_birth"]
    assert body["deceased"] is None
    assert "1990-03-15" not in response.text
    assert "Nguyễn Văn An" not in response.text


def test_verify_batch_answers_per_item_with_summary(
    client: TestClient, agency_headers: dict[str, str], db: Session
) -> None:
    items = [
        {"personal_id": AN, "full_name": "nguyễn văn an"},
        {"personal_id": HAI, "full_name": "Bùi Văn Hải", "date_of_birth": "1950-02-11"},
        {"personal_id": BINH, "sex": "male"},
        {"personal_id": UNKNOWN, "full_name": "Không Có Ai"},
    ]
    response = client.post("/v1/citizens/verify", headers=agency_headers, json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["match"], r["found"]) for r in body["results"]] == [
        (True, True),
        (True, True),
        (False, True),
        (False, False),
    ]
    assert body["results"][1]["deceased"] is True
    assert {k: body["summary"][k] for k in ("total", "matched", "mismatched", "not_found", "fee_vnd")} == {
        "total": 4,
        "matched": 2,
        "mismatched": 1,
        "not_found": 1,
        "fee_vnd": 0,  # a state agency
    }
    assert db.query(AuditEvent).filter(AuditEvent.action == "verify").count() == 4


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"personal_id": AN, "full_name": "A"}] * 1001},
        {"personal_id": AN},
        {"personal_id": "123", "full_name": "A"},
        {"personal_id": AN, "full_name": "A", "salary": 1},
    ],
)
def test_verify_rejects_malformed_requests(client: TestClient, agency_headers: dict[str, str], body: dict) -> None:
    response = client.post("/v1/citizens/verify", headers=agency_headers, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_verify_needs_the_verify_scope(client: TestClient) -> None:
    token = client_token(client, "demo-agency", "demo-agency-secret", scope="citizen.identity")
    response = client.post(
        "/v1/citizens/verify",
        headers={"Authorization": f"Bearer {token}"},
        json={"personal_id": AN, "full_name": "Nguyễn Văn An"},
    )
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["citizen.verify"]


def test_a_later_narrower_sign_in_does_not_shrink_earlier_consent(
    client: TestClient, bank_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={
            "personal_id": AN,
            "client_id": "demo-bank",
            "purpose": "Mở tài khoản thanh toán",
            "scopes": ["citizen.identity", "citizen.residence"],
        },
    )
    signed_in = client.post(
        "/sandbox/tokens",
        headers=admin_headers,
        json={"persona": "an", "client_id": "demo-bank", "scope": "openid profile"},
    )
    assert signed_in.status_code == 200
    record = client.get(f"/v1/citizens/{AN}", headers=bank_headers).json()
    assert {"full_name", "permanent_address"} <= record.keys()
