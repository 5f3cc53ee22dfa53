"""The verification API is not a way to read birth dates by guessing (issue 10: M6)."""

from datetime import date, timedelta

from fastapi.testclient import TestClient

from app.services.population.verification import ATTEMPTS_PER_WINDOW
from tests.conftest import client_token

AN, KHOA, UNKNOWN = "001090000001", "046098000010", "001090999999"
VERIFY = "/v1/citizens/verify"
WITHHELD = {"match": False, "found": None, "mismatched_fields": None, "deceased": None}


def bank_verifier(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client_token(client, 'demo-bank', 'demo-bank-secret', scope='citizen.verify')}"}


def test_m6_a_business_without_consent_learns_match_or_no_match_only(client: TestClient) -> None:
    bank = bank_verifier(client)
    wrong_date = client.post(VERIFY, headers=bank, json={"personal_id": KHOA, "date_of_birth": "1998-01-01"})
    assert wrong_date.json() == {"personal_id": KHOA, **WITHHELD}
    unknown = client.post(VERIFY, headers=bank, json={"personal_id": UNKNOWN, "full_name": "Không Có Ai"})
    assert unknown.json() == {"personal_id": UNKNOWN, **WITHHELD}  # existence is not disclosed either
    right = client.post(VERIFY, headers=bank, json={"personal_id": KHOA, "full_name": "Ngô Văn Khoa"})
    assert (right.json()["match"], right.json()["found"]) == (True, True)


def test_m6_the_citizens_consent_opens_the_detail(client: TestClient, admin_headers: dict[str, str]) -> None:
    consent = {"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["citizen.identity"]}
    assert client.post("/sandbox/consents", headers=admin_headers, json=consent).status_code in (200, 201)
    answer = client.post(
        VERIFY, headers=bank_verifier(client), json={"personal_id": AN, "date_of_birth": "1990-03-16"}
    ).json()
    assert (answer["found"], answer["mismatched_fields"]) == (True, ["date_of_birth"])


def test_m6_a_batch_of_candidate_dates_for_one_id_is_refused(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    candidates = [
        {"personal_id": AN, "date_of_birth": (date(1990, 1, 1) + timedelta(days=d)).isoformat()} for d in range(365)
    ]
    response = client.post(VERIFY, headers=agency_headers, json={"items": candidates})
    assert (response.status_code, response.json()["code"]) == (422, "repeated_personal_id")
    assert response.json()["repeated_personal_ids"] == [AN]
    assert "1990-03-15" not in response.text


def test_m6_verifications_of_one_id_are_limited_per_client(client: TestClient, agency_headers: dict[str, str]) -> None:
    for day in range(ATTEMPTS_PER_WINDOW):
        guess = {"personal_id": AN, "date_of_birth": (date(1990, 1, 1) + timedelta(days=day)).isoformat()}
        assert client.post(VERIFY, headers=agency_headers, json=guess).status_code == 200
    refused = client.post(VERIFY, headers=agency_headers, json={"personal_id": AN, "date_of_birth": "1990-03-15"})
    assert (refused.status_code, refused.json()["code"]) == (429, "verification_rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    in_batch = client.post(VERIFY, headers=agency_headers, json={"items": [{"personal_id": AN, "sex": "male"}]})
    assert in_batch.status_code == 429
    other = client.post(VERIFY, headers=agency_headers, json={"personal_id": KHOA, "sex": "male"})
    assert other.status_code == 200
    bank = client.post(VERIFY, headers=bank_verifier(client), json={"personal_id": AN, "sex": "male"})
    assert bank.status_code == 200  # the count is per client
