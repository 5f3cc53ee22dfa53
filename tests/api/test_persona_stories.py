"""Every persona story of the README, told with the sandbox clock at today, a year from now and five years from
now (POST /sandbox/clock/advance): the personas' dates are chosen so that the stories hold until 2034."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.procedure_helpers import owner_consents_and_tenant_pays, persona_headers
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CERTIFICATES = "/v1/applications/criminal-record-certificates"
AN, BINH, CUONG, DUNG, EM = "001090000001", "079195000002", "040203000003", "001175000004", "031088000005"
PHUONG, GIANG, HAI, LINH, KHOA = "048185000006", "092093000007", "036050000008", "001320000009", "046098000010"
POLICE, RECORDS = "001085000011", "001187000012"
SPOUSES = {AN: "001192000013", PHUONG: "048083000014", POLICE: "001187000015", RECORDS: "001086000016"}
HOA = SPOUSES[AN]
# Luật Căn cước 2023 art. 21: the card is renewed at 14, 25, 40 and 60.
RENEWAL_AGES = {14, 25, 40, 60}

Headers = dict[str, str]


@pytest.fixture(params=[0, 365, 5 * 365], ids=["today", "in_1_year", "in_5_years"], autouse=True)
def sandbox_today(request: pytest.FixtureRequest, client: TestClient) -> date:
    """The sandbox clock moved through the API, as a QA suite would move it."""
    moved = client.post("/sandbox/clock/advance", headers=ADMIN, json={"days": request.param})
    assert moved.status_code == 200, moved.text
    return date.fromisoformat(client.get("/sandbox/clock", headers=ADMIN).json()["now"][:10])


def citizen(client: TestClient, agency_headers: Headers, personal_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/citizens/{personal_id}", headers=agency_headers)
    assert response.status_code == 200, response.text
    return response.json()


def file_certificate(client: TestClient, headers: Headers, form: int, subject: str | None = None) -> dict[str, Any]:
    """Filed with Hà Nội's police, whose records officer is the `records` persona."""
    body = {"form": form, "purpose": "job", "issuing_province_code": "01"}
    body |= {"subject_personal_id": subject} if subject else {}
    filed = client.post(CERTIFICATES, headers=headers, json=body)
    assert filed.status_code == 201, filed.text
    return dict(filed.json())


def certificate_status(client: TestClient, persona: str, form: int) -> str:
    """A persona's own certificate, paid and issued by the records officer: the record status it states."""
    headers = persona_headers(client, persona, "vneid-app")
    code = file_certificate(client, headers, form)["code"]
    payment = client.post(f"/v1/applications/{code}/payments", headers=headers)
    assert payment.status_code == 201, payment.text
    paid = client.post(
        f"/v1/payments/{payment.json()['payment_id']}/complete", headers=headers, json={"outcome": "succeed"}
    )
    assert paid.status_code == 200, paid.text
    issued = client.post(
        f"/v1/officer/applications/{code}/decision",
        headers=persona_headers(client, "records"),
        json={"decision": "approve"},
    )
    assert issued.json()["status"] == "issued", issued.text
    document_code = issued.json()["data"]["document_code"]
    wallet = client.get("/v1/me/documents", headers=headers).json()["items"]
    document_id = next(d["id"] for d in wallet if d["code"] == document_code)
    detail = client.get(f"/v1/me/documents/{document_id}", headers=headers).json()
    return str(detail["content"]["data"]["criminal_record_status"])


def test_an_has_a_clean_record_and_asks_for_his_daughter_under_14(client: TestClient) -> None:
    assert certificate_status(client, "an", form=1) == "none"
    for_linh = file_certificate(client, persona_headers(client, "an", "vneid-app"), form=1, subject=LINH)
    assert (for_linh["subject_personal_id"], for_linh["data"]["for_child"]) == (LINH, True)


def test_an_registers_an_account_for_his_daughter_linh(client: TestClient) -> None:
    registered = client.post(
        "/v1/me/children/accounts",
        headers=persona_headers(client, "an", "vneid-app"),
        json={"personal_id": LINH, "password": "Linh-2026-vneid"},
    )
    assert registered.status_code == 201, registered.text
    assert (registered.json()["level"], registered.json()["guardian_personal_id"]) == (1, AN)


def test_linh_is_under_14_with_both_parents_in_an_s_household(
    client: TestClient, agency_headers: Headers, sandbox_today: date
) -> None:
    linh = citizen(client, agency_headers, LINH)
    born = date.fromisoformat(linh["date_of_birth"])
    assert born.replace(year=born.year + 14) > sandbox_today
    assert (linh["father_personal_id"], linh["mother_personal_id"]) == (AN, HOA)
    members = client.get(f"/v1/citizens/{LINH}/household", headers=agency_headers).json()["members"]
    assert {m["personal_id"] for m in members} == {AN, HOA, LINH}
    assert citizen(client, agency_headers, HOA)["children_personal_ids"] == [LINH]


@pytest.mark.parametrize("persona", list(SPOUSES))
def test_married_personas_have_a_spouse_on_record_on_both_sides(
    client: TestClient, agency_headers: Headers, persona: str
) -> None:
    record = citizen(client, agency_headers, persona)
    spouse = citizen(client, agency_headers, SPOUSES[persona])
    assert record["marital_status"] == spouse["marital_status"] == "married"
    assert (record["spouse_personal_id"], spouse["spouse_personal_id"]) == (SPOUSES[persona], persona)


def test_binh_has_only_a_level_1_account(client: TestClient) -> None:
    refused = client.post(CERTIFICATES, headers=persona_headers(client, "binh"), json={"form": 1, "purpose": "job"})
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_account_level")


def test_cuong_registers_temporary_residence_in_dung_s_home(
    client: TestClient, agency_headers: Headers, sandbox_today: date
) -> None:
    assert citizen(client, agency_headers, CUONG)["temporary_address"] is None
    filed = client.post(
        "/v1/applications/temporary-residence",
        headers=persona_headers(client, "cuong"),
        json={
            "street": "Số 18 ngõ 68 phố Xuân Thủy",
            "commune_code": "00166",
            "owner_personal_id": DUNG,
            "proof_type": "lease_contract",
            "start_date": sandbox_today.isoformat(),
            "end_date": (sandbox_today + timedelta(days=365)).isoformat(),
            "reason": "study",
        },
    )
    assert filed.status_code == 201, filed.text
    code = filed.json()["code"]
    owner_consents_and_tenant_pays(client, code, persona_headers(client, "dung"), persona_headers(client, "cuong"))
    decided = client.post(
        f"/v1/officer/applications/{code}/decision",
        headers=persona_headers(client, "police"),
        json={"decision": "approve"},
    )
    assert decided.json()["status"] == "approved", decided.text
    assert citizen(client, agency_headers, CUONG)["temporary_address"]["commune_code"] == "00166"


def test_em_has_a_conviction_not_yet_expunged(client: TestClient) -> None:
    assert certificate_status(client, "em", form=1) == "convicted"


def test_phuong_s_conviction_is_expunged(client: TestClient) -> None:
    assert certificate_status(client, "phuong", form=1) == "none"
    assert certificate_status(client, "phuong", form=2) == "expunged"


@pytest.mark.parametrize(
    ("persona", "reason", "refusal"),
    [("giang", "authority_request", "account_locked"), ("hai", "death", "citizen_deceased")],
)
def test_giang_and_hai_cannot_sign_in(client: TestClient, persona: str, reason: str, refusal: str) -> None:
    minted = client.post("/sandbox/tokens", headers=ADMIN, json={"persona": persona, "client_id": "vneid-app"})
    assert (minted.status_code, minted.json()["code"]) == (403, refusal)
    listed = {p["key"]: p for p in client.get("/sandbox/personas", headers=ADMIN).json()}
    assert listed[persona]["lock_reason"] == reason


def test_hai_is_deceased(client: TestClient, agency_headers: Headers) -> None:
    hai = citizen(client, agency_headers, HAI)
    assert (hai["life_status"], hai["date_of_death"]) == ("deceased", "2024-06-18")


def test_khoa_has_no_account(client: TestClient) -> None:
    listed = {p["key"]: p for p in client.get("/sandbox/personas", headers=ADMIN).json()}
    assert listed["khoa"]["account_level"] is None


def test_id_cards_expire_at_the_holder_s_next_renewal_age(
    client: TestClient, agency_headers: Headers, sandbox_today: date
) -> None:
    """Every card was valid on 3 Dec 2026 (when the personas were last dated) and lasts until a renewal age."""
    holders = [AN, BINH, CUONG, DUNG, EM, PHUONG, GIANG, LINH, KHOA, POLICE, RECORDS, *SPOUSES.values()]
    for personal_id in holders:
        record = citizen(client, agency_headers, personal_id)
        card, born = record["id_card"], date.fromisoformat(record["date_of_birth"])
        expires = date.fromisoformat(card["expires_on"])
        assert date.fromisoformat(card["issued_on"]) <= date(2026, 12, 3) < expires, personal_id
        assert (expires.month, expires.day) == (born.month, born.day), personal_id
        assert expires.year - born.year in RENEWAL_AGES, personal_id
